from __future__ import annotations

from pathlib import Path

import pytest

from workbench.config import ConfigError, load_settings


def test_defaults_need_no_file(workspace: Path) -> None:
    settings = load_settings(environ={})
    assert settings.engine == "local"
    assert settings.lake == workspace / "lake"
    assert settings.state == workspace / "state"


def test_file_then_environment_override(workspace: Path) -> None:
    (workspace / "mantissa.yaml").write_text("engine: athena\nathena:\n  workgroup: sec\n  database: logs\n")
    settings = load_settings(environ={"MANTISSA_ATHENA__WORKGROUP": "night", "MANTISSA_ROW_LIMIT": "50"})
    assert settings.engine == "athena"
    assert settings.athena.workgroup == "night"
    assert settings.athena.database == "logs"
    assert settings.row_limit == 50


def test_workspace_found_from_a_subfolder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MANTISSA_WORKSPACE", raising=False)
    (tmp_path / "mantissa.yaml").write_text("lake_path: data/lake\n")
    sub = tmp_path / "notebooks" / "deep"
    sub.mkdir(parents=True)
    monkeypatch.chdir(sub)
    settings = load_settings(environ={})
    assert settings.lake == tmp_path / "data" / "lake"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("engine: [oops", "not valid YAML"),
        ("- a list\n", "expected a mapping"),
        ("row_limit: many\n", "row_limit"),
        ("athena:\n  wrkgroup: x\n", "athena.wrkgroup"),
    ],
    ids=["bad-yaml", "not-a-mapping", "bad-type", "unknown-key"],
)
def test_bad_config_names_file_and_key(workspace: Path, text: str, expected: str) -> None:
    (workspace / "mantissa.yaml").write_text(text)
    with pytest.raises(ConfigError) as err:
        load_settings(environ={})
    assert "mantissa.yaml" in str(err.value)
    assert expected in str(err.value)
