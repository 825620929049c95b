"""Restoring a backup archive into a workspace, all or nothing.

1. fetch the archive (local path or S3) and stream every member into a private staging folder,
   checking names, types, sizes and checksums (workbench.backup.archive) — a bad archive writes
   nothing in the workspace;
2. plan: every target is resolved and must lie inside the workspace; each is new, identical or
   in conflict — any conflict without `force` ends the restore with nothing written;
3. swap: every new file is first copied beside its target under a temporary name (where a full
   disk or a permission problem shows), and only when all are in place are they renamed over their
   targets; then alerts are imported (idempotently, so a failure there is fixed by re-running).
"""

from __future__ import annotations

import filecmp
import os
import sqlite3
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from workbench.backup.archive import contained, read_verified
from workbench.backup.write import (
    HISTORY_FILE,
    SCHEDULE_FILE,
    SCHEDULE_STATE,
    BackupError,
    _s3_client,
    _s3_parts,
    _sqlite_copy,
    _table_counts,
)
from workbench.config import CONFIG_FILE, ConfigError, load_settings
from workbench.redaction import env_names

if TYPE_CHECKING:
    from workbench.config import Settings

_PLACEHOLDER = "https://restore-placeholder.invalid/"  # passes URL checks too; never sent anywhere
ALERTS_MEMBER = "store/alerts.jsonl"


@dataclass
class RestoreReport:
    source: str
    workspace: Path
    written: dict[str, int] = field(default_factory=dict)
    unchanged: int = 0
    conflicts: list[str] = field(default_factory=list)
    alerts: str = ""
    errors: list[str] = field(default_factory=list)
    missing_env: list[str] = field(default_factory=list)
    expected: dict[str, int] = field(default_factory=dict)  # the counts the backup's manifest recorded
    ignored: list[str] = field(default_factory=list)  # members this version does not restore

    @property
    def ok(self) -> bool:
        return not (self.conflicts or self.errors)

    def lines(self) -> list[str]:
        if self.conflicts:
            out = [f"nothing restored from {self.source} into {self.workspace}: {len(self.conflicts)} file(s) "
                   "differ from the backup (a restore is all or nothing; --force overwrites them)"]
        else:
            parts = ", ".join(f"{v} {k}" for k, v in self.written.items()) or "nothing new"
            out = [f"restored {self.source} into {self.workspace}: {parts}; {self.unchanged} files already "
                   "identical"]
        if self.alerts:
            out.append(f"alert store: {self.alerts}")
        out += [f"conflict: {c} (kept the existing file; --force overwrites)" for c in self.conflicts]
        out += [f"error: {e}" for e in self.errors]
        if self.ignored:
            out.append(f"ignored {len(self.ignored)} member(s) this workbench does not restore: "
                       f"{', '.join(self.ignored[:5])}")
        if self.missing_env:
            out.append(f"set these variables before running (the backup keeps references, not secrets): "
                       f"{', '.join(self.missing_env)}")
        return out


@dataclass
class _Item:
    member: str
    kind: str
    source: Path
    target: Path


def _fetch(src: str | Path, tmp: Path, workspace: Path | None, s3_client: Any) -> Path:
    text = str(src)
    if not text.startswith("s3://"):
        path = Path(src).expanduser()
        if not path.is_file():
            raise BackupError(f"{path}: no such backup archive (give the .tar.gz `mantissa backup` wrote)")
        return path
    bucket, key = _s3_parts(text)
    local = tmp / "backup.tar.gz"
    client = s3_client or _s3_client(load_settings(workspace))
    try:
        client.download_file(bucket, key, str(local))
    except Exception as exc:  # noqa: BLE001 - botocore's errors vary; the message is what matters
        raise BackupError(f"{text}: cannot download ({type(exc).__name__}: {exc}); check the bucket, key "
                          "and AWS credentials") from None
    return local


# ---- settings of the workspace-to-be --------------------------------------------------------------
def _settings_for(workspace: Path, config: Path | None, scratch: Path) -> tuple[Settings, list[str]]:
    """Settings of the restored workspace, read from `config` (the staged copy) before anything is
    written. Secret references may name variables this shell lacks; restore only needs locations,
    so missing ones get a placeholder (never used to send)."""
    where = "the backup's config/mantissa.yaml" if config else f"{workspace / CONFIG_FILE}"
    source = config if config else workspace / CONFIG_FILE
    data: Any = None
    if source.is_file():
        try:
            data = yaml.safe_load(source.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise BackupError(f"{where} is not valid YAML ({' '.join(str(exc).split())[:200]}); nothing was "
                              "restored") from None
    missing = sorted(n for n in env_names(data) if not os.environ.get(n))
    environ = {**os.environ, **dict.fromkeys(missing, _PLACEHOLDER)}
    environ.pop("MANTISSA_WORKSPACE", None)
    folder = scratch / "settings"
    folder.mkdir()
    if source.is_file():
        (folder / CONFIG_FILE).write_bytes(source.read_bytes())
    try:
        settings = load_settings(folder, environ=environ)
    except ConfigError as exc:
        raise BackupError(f"{where} cannot be used ({exc}); nothing was restored") from None
    return settings.model_copy(update={"workspace": workspace}), missing


def _inside(settings: Settings, name: str, path: Path) -> Path:
    root = settings.workspace.resolve()
    if not path.resolve().is_relative_to(root):
        raise BackupError(f"{name} {path} (from the backup's config or a MANTISSA_ variable) is outside the "
                          f"workspace {root}; restore writes only inside the workspace — keep {name} relative")
    return path


# ---- plan, compare, swap -----------------------------------------------------------------------------
def _plan(staging: Path, members: list[str], settings: Settings, report: RestoreReport) -> list[_Item]:
    ws = settings.workspace
    items: list[_Item] = []
    for name in sorted(members):
        top, _, rest = name.partition("/")
        source = staging.joinpath(*name.split("/"))
        if name == f"config/{CONFIG_FILE}":
            items.append(_Item(name, "config files", source, contained(ws, CONFIG_FILE)))
        elif name == f"config/{SCHEDULE_FILE}":
            items.append(_Item(name, "config files", source, contained(ws, SCHEDULE_FILE)))
        elif top == "rules":
            items.append(_Item(name, "rule files", source, contained(ws, name)))
        elif top == "runs":
            runs = _inside(settings, "runs_path", settings.runs)
            items.append(_Item(name, "notebooks", source, contained(runs, rest)))
        elif name == f"state/{SCHEDULE_STATE}":
            state = _inside(settings, "state_path", settings.state)
            items.append(_Item(name, "schedule state", source, contained(state, SCHEDULE_STATE)))
        elif name == f"state/{HISTORY_FILE}":
            state = _inside(settings, "state_path", settings.state)
            items.append(_Item(name, "history", source, contained(state, HISTORY_FILE)))
        elif name == ALERTS_MEMBER:
            if settings.store.backend == "sqlite":
                _inside(settings, "state_path", settings.state)
        else:
            report.ignored.append(name)
    return items


_HISTORY_TABLES = {"queries", "sqlite_sequence"}


def check_history(db: Path) -> None:
    """A backup's history.sqlite holds only the query table and its index: no triggers or views
    (they would run on the next insert or read), nothing that fails SQLite's integrity check."""
    where = f"state/{HISTORY_FILE} in the backup"
    with open(db, "rb") as fh:  # noqa: PTH123
        if fh.read(16) != b"SQLite format 3\x00":
            raise BackupError(f"{where} is not an SQLite database; the archive is damaged — use another copy")
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            objects = con.execute("SELECT type, name, tbl_name FROM sqlite_master").fetchall()
            check = con.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{where} cannot be read ({exc}); the archive is damaged — use another copy") from None
    odd = [f"{kind} {name!r}" for kind, name, table in objects
           if kind not in ("table", "index") or table not in _HISTORY_TABLES]
    if odd:
        raise BackupError(f"{where} holds {', '.join(odd[:3])}, which query history never has; refusing it")
    if check != "ok":
        raise BackupError(f"{where} fails SQLite's integrity check ({check}); use another copy")


def _dump(db: Path) -> list[str]:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return list(con.iterdump())
    finally:
        con.close()


def _compare(item: _Item, force: bool, report: RestoreReport) -> bool:
    """Whether `item` needs writing; an existing different file is a conflict unless `force`."""
    target = item.target
    if not target.exists():
        return True
    if not target.is_file():
        report.conflicts.append(f"{target} exists and is not a regular file")
        return False
    if item.kind == "history":
        try:
            if _dump(target) == _dump(item.source):
                report.unchanged += 1
                return False
            busy = sum(_table_counts(target).values()) > 0
        except sqlite3.DatabaseError as exc:
            busy, why = True, f"{target} is not a readable SQLite database ({exc})"
        else:
            why = f"{target} already holds other query history"
        if busy and not force:
            report.conflicts.append(why)
            return False
        return True
    if filecmp.cmp(target, item.source, shallow=False):
        report.unchanged += 1
        return False
    if not force:
        report.conflicts.append(f"{target} differs from the backup")
        return False
    return True


def _mkdirs(folder: Path, created: list[Path]) -> None:
    missing = []
    for parent in (folder, *folder.parents):
        if parent.exists():
            break
        missing.append(parent)
    for path in reversed(missing):
        path.mkdir()
        created.append(path)


def _move_or_copy(source: Path, target: Path) -> None:
    """Staging is private and thrown away: a rename when it shares the target's file system (a big
    member is not written twice), else a streamed copy."""
    import shutil

    try:
        os.rename(source, target)
    except OSError:
        shutil.copyfile(source, target)


def _swap(items: list[_Item], report: RestoreReport) -> None:
    """Copy every file beside its target, then rename them all into place; on any failure while
    copying, remove the copies and the folders made for them, so nothing changed."""
    placed: list[tuple[Path, _Item]] = []
    created: list[Path] = []
    current: Path | None = None
    try:
        for item in items:
            current = item.target
            _mkdirs(item.target.parent, created)
            temp = item.target.with_name(f".{item.target.name}.{uuid.uuid4().hex[:12]}.restoring")
            placed.append((temp, item))
            if item.kind == "history":
                _sqlite_copy(item.source, temp)
            else:
                _move_or_copy(item.source, temp)
    except (OSError, sqlite3.Error) as exc:
        for temp, _ in placed:
            temp.unlink(missing_ok=True)
        for folder in reversed(created):
            try:
                folder.rmdir()
            except OSError:
                pass
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise BackupError(f"cannot write {current}: {why}; nothing was restored (fix it and run the "
                          "restore again)") from None
    for temp, item in placed:
        os.replace(temp, item.target)
        if item.kind == "history":
            report.written["history rows"] = sum(_table_counts(item.target).values())
        else:
            report.written[item.kind] = report.written.get(item.kind, 0) + 1


def _import_alerts(settings: Settings, source: Path, report: RestoreReport) -> None:
    from workbench.alerts import get_store

    try:
        with get_store(settings) as store, open(source, encoding="utf-8") as fp:  # noqa: PTH123
            imported = store.import_jsonl(fp)
    except Exception as exc:  # noqa: BLE001 - any store failure: the files are in place, say how to finish
        report.errors.append(f"alert store: {type(exc).__name__}: {' '.join(str(exc).split())[:300]}; the "
                             "files were restored — run the restore again to import the alerts (it is idempotent)")
        return
    report.alerts = imported.summary()
    report.errors += imported.errors


def restore(src: str | Path, workspace: Path | None = None, *, force: bool = False,
            s3_client: Any = None) -> RestoreReport:
    """Rebuild a workspace from a backup: config, rules, alert store, history, schedule state, runs."""
    workspace = Path(workspace or Path.cwd()).expanduser().resolve()
    report = RestoreReport(str(src), workspace)
    with tempfile.TemporaryDirectory(prefix="mantissa-restore-") as tmp:
        scratch = Path(tmp)
        archive = _fetch(src, scratch, workspace, s3_client)
        staging = scratch / "staging"
        staging.mkdir()
        manifest = read_verified(archive, staging, str(src))
        members = list(manifest["files"])
        config = staging / "config" / CONFIG_FILE if f"config/{CONFIG_FILE}" in members else None
        settings, report.missing_env = _settings_for(workspace, config, scratch)
        if f"state/{HISTORY_FILE}" in members:
            check_history(staging / "state" / HISTORY_FILE)
        items = [i for i in _plan(staging, members, settings, report) if _compare(i, force, report)]
        report.expected = manifest.get("counts", {})
        if report.conflicts:
            return report
        workspace.mkdir(parents=True, exist_ok=True)
        _swap(items, report)
        if ALERTS_MEMBER in members:
            _import_alerts(settings, staging / "store" / "alerts.jsonl", report)
    return report


def read_manifest(src: str | Path, s3_client: Any = None) -> dict[str, Any]:
    """The manifest of a backup, after verifying every member (for `restore --check`); nothing is
    written: members are hashed as they stream past."""
    with tempfile.TemporaryDirectory(prefix="mantissa-restore-") as tmp:
        return read_verified(_fetch(src, Path(tmp), None, s3_client), None, str(src))
