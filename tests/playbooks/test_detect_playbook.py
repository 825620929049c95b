"""The detect playbook under papermill, the parameter guards, and `mantissa detect`."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import nbformat
import pytest
from typer.testing import CliRunner

from workbench.playbooks import (
    PlaybookError,
    PlaybookFailed,
    SecretParameterError,
    check_parameters,
    find_playbook,
    looks_secret,
    read_published,
    run_playbook,
)

REPO = Path(__file__).resolve().parents[2]
ROOT_RULE = "root-account-usage"
WINDOW = ("2026-03-02T09:00:00Z", "2026-03-02T10:00:00Z")  # holds the events of conftest.EVENTS


def _outputs_text(notebook: Path) -> str:
    nb = nbformat.read(str(notebook), as_version=4)
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            parts.append(out.get("text", ""))
            parts.append(out.get("evalue", ""))  # error outputs
            parts.extend(str(v) for k, v in out.get("data", {}).items() if k.startswith("text/"))
    return "\n".join(parts)


def test_detect_command_runs_the_playbook_and_archives_it(lake_workspace: Path, cli) -> None:
    result = CliRunner().invoke(cli, ["detect", "--start", WINDOW[0], "--end", WINDOW[1]])
    assert result.exit_code == 0, result.output
    assert re.search(r"run run-\S+ \[2026-03-02T09:00:00Z, 2026-03-02T10:00:00Z\) on local: \d+ rules, "
                     r"0 failed, 1 new alerts", result.output), result.output
    notebook = Path(re.search(r"notebook: (\S+)", result.output).group(1))
    today = datetime.now(UTC)
    assert notebook.parent == lake_workspace / "runs" / f"{today:%Y}" / f"{today:%m}" / f"{today:%d}"
    assert re.fullmatch(r"detect-\d{6}-[0-9a-f]{6}\.ipynb", notebook.name)

    from workbench.alerts import get_store
    from workbench.config import load_settings

    with get_store(load_settings()) as store:
        alerts = store.list(rule_id=ROOT_RULE)
    assert [(a.count, a.group_keys) for a in alerts] == [
        (2, {"recipientaccountid": "111122223333", "sourceipaddress": "203.0.113.24"})]

    published = read_published(notebook, "detect")[-1]
    assert published["alerts"][0]["id"] == alerts[0].id and published["alerts"][0]["severity"] == "high"
    assert published["runs"][0]["per_rule"][ROOT_RULE]["rows"] == 2
    text = _outputs_text(notebook)
    assert "1 new alerts" in text  # the run summary
    assert "Root account used: ConsoleLogin in 111122223333 from 203.0.113.24" in text  # the alerts table
    assert "rules failed" in text and ROOT_RULE in text  # the runs and per-rule tables
    injected = [c for c in nbformat.read(str(notebook), as_version=4).cells
                if "injected-parameters" in c.metadata.get("tags", [])]
    assert "2026-03-02T09:00:00Z" in injected[0].source


def test_failing_cell_names_the_kept_notebook(workspace: Path) -> None:
    with pytest.raises(PlaybookFailed) as info:
        run_playbook("detect", {"start": "last tuesday", "end": None})
    err = info.value
    assert err.notebook.is_file() and str(err.notebook) in str(err)
    assert err.notebook.is_relative_to(workspace / "runs")
    assert "ValueError" in str(err) and "cannot read time 'last tuesday'" in str(err)
    assert "last tuesday" in _outputs_text(err.notebook)  # the traceback stays in the archive


@pytest.mark.parametrize("params", [
    {"webhook_url": "https://hooks.example/x"}, {"slackToken": "t"}, {"api_key": "k"},
    {"password": "p"}, {"engine": "local", "destination": {"secret": "s"}},
], ids=["webhook_url", "camelToken", "api_key", "password", "nested"])
def test_secret_parameters_are_refused(workspace: Path, params: dict) -> None:
    with pytest.raises(SecretParameterError, match="environment variables"):
        run_playbook("detect", params)
    assert not (workspace / "runs").exists()


@pytest.mark.parametrize("name", ["lookback", "rules_path", "group_keys", "start", "monkey_count"])
def test_ordinary_names_are_not_secrets(name: str) -> None:
    assert not looks_secret(name)
    check_parameters({name: 1})


def test_unknown_parameter_and_playbook_are_named(workspace: Path) -> None:
    with pytest.raises(PlaybookError, match="unknown parameter 'lookbak'.*lookback"):
        run_playbook("detect", {"lookbak": "1h"})
    with pytest.raises(PlaybookError, match="unknown playbook 'detekt'.*detect"):
        find_playbook("detekt")


def test_committed_notebook_has_no_outputs_and_one_parameters_cell() -> None:
    import papermill

    path = REPO / "playbooks" / "detect.ipynb"
    nb = nbformat.read(str(path), as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    assert [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])] == [code[0]]
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    assert set(papermill.inspect_notebook(str(path))) == {
        "start", "end", "lookback", "rules_path", "engine", "dry_run", "workspace"}


def test_detect_no_notebook_is_idempotent(lake_workspace: Path, cli) -> None:
    runner = CliRunner()
    args = ["detect", "--no-notebook", "--start", WINDOW[0], "--end", WINDOW[1]]
    first = runner.invoke(cli, args)
    assert first.exit_code == 0, first.output
    assert "1 new alerts" in first.output and "notebook:" not in first.output
    assert "new [high] Root account used: ConsoleLogin in 111122223333 from 203.0.113.24 ×2" in first.output
    again = runner.invoke(cli, args)
    assert again.exit_code == 0 and "0 new alerts" in again.output
    assert not (lake_workspace / "runs").exists()


def test_detect_dry_run_stores_nothing(lake_workspace: Path, cli) -> None:
    result = CliRunner().invoke(cli, ["detect", "--no-notebook", "--dry-run", "--start", WINDOW[0],
                                      "--end", WINDOW[1]])
    assert result.exit_code == 0, result.output
    assert "dry run run-" in result.output and "(dry run, not stored)" in result.output
    from workbench.alerts import get_store
    from workbench.config import load_settings

    with get_store(load_settings()) as store:
        assert store.list(rule_id=ROOT_RULE) == []


BAD_SQL_RULE = """\
id: broken-column
title: A rule whose query reads a column the lake does not have
description: exercises failure isolation
severity: low
query: SELECT eventid, eventtime FROM cloudtrail WHERE no_such_column = 'x'
alert:
  title: never
  fields: [eventid]
"""


def test_failed_rule_exits_1_and_the_others_still_alert(lake_workspace: Path, cli) -> None:
    rules = lake_workspace / "myrules"
    rules.mkdir()
    (rules / "broken-column.yaml").write_text(BAD_SQL_RULE)
    (rules / "not-yaml.yaml").write_text("id: [unclosed\n")
    bundled = REPO / "rules" / "aws" / "cloudtrail" / f"{ROOT_RULE}.yaml"
    (rules / f"{ROOT_RULE}.yaml").write_text(bundled.read_text())
    result = CliRunner().invoke(cli, ["detect", "--no-notebook", "--rules", str(rules),
                                      "--start", WINDOW[0], "--end", WINDOW[1]])
    assert result.exit_code == 1, result.output
    assert "FAILED broken-column:" in result.output
    assert "rule load error: " in result.output and "not-yaml.yaml" in result.output
    assert "1 new alerts" in result.output  # root-account-usage ran regardless
    assert "1 rule(s) failed: broken-column" in result.output


@pytest.mark.parametrize("args,message", [
    (["--end", WINDOW[1]], "--end needs --start"),
    (["--start", "yesterday-ish"], "cannot read time"),
    (["--start", WINDOW[1], "--end", WINDOW[0]], "is not after"),
    (["--lookback", "soon"], "cannot read duration"),
], ids=["end-alone", "bad-start", "reversed", "bad-lookback"])
def test_detect_bad_options_exit_2(workspace: Path, cli, args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, ["detect", "--no-notebook", *args])
    assert result.exit_code == 2 and message in result.output, result.output


def test_catch_up_walks_the_checkpoints_and_a_chosen_window_leaves_them(lake_workspace: Path) -> None:
    from workbench.alerts import get_store
    from workbench.config import load_settings
    from workbench.playbooks.detect import run_detect, summary_lines

    settings = load_settings()
    rules = str(REPO / "rules" / "aws" / "cloudtrail" / f"{ROOT_RULE}.yaml")
    by_hand = run_detect(start=WINDOW[0], end=WINDOW[1], rules_path=rules, settings=settings)
    with get_store(settings) as store:
        assert store.get_checkpoint(ROOT_RULE) is None  # history re-runs do not move the schedule
    at = datetime(2026, 3, 2, 10, 5, tzinfo=UTC)
    first = run_detect(lookback="1h", rules_path=rules, settings=settings, now=at)
    assert first.mode == "catch-up"
    assert [(r.window_start.strftime("%H:%M"), r.window_end.strftime("%H:%M")) for r in first.runs] == [
        ("09:45", "10:00")]
    assert first.alerts == [] and by_hand.alerts[0]["count"] == 2  # seen already: updated or unchanged
    later = run_detect(lookback="1h", rules_path=rules, settings=settings, now=at.replace(hour=11, minute=20))
    assert [r.window_start.strftime("%H:%M") for r in later.runs] == ["10:00", "10:15", "10:30", "10:45",
                                                                      "11:00"]
    with get_store(settings) as store:
        assert store.get_checkpoint(ROOT_RULE) == datetime(2026, 3, 2, 11, 15, tzinfo=UTC)
    lines = summary_lines(later.as_dict())
    assert lines[0].startswith("5 windows [2026-03-02T10:00:00Z, 2026-03-02T11:15:00Z) on local: "
                               "0 rule failures, 0 new alerts")
    assert len(lines) == 1  # nothing notable in any window: the totals line alone
    assert run_detect(lookback="1h", rules_path=rules, settings=settings, now=at.replace(hour=11, minute=20)
                      ).runs == []
