"""Restoring a backup archive into a workspace: verify everything first, then write without clobbering."""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, TYPE_CHECKING, Any

from workbench.backup.write import (
    _PREFIXES,
    FORMAT,
    HISTORY_FILE,
    MANIFEST,
    SCHEDULE_FILE,
    SCHEDULE_STATE,
    VERSION,
    BackupError,
    _s3_client,
    _s3_parts,
    _sqlite_copy,
    _table_counts,
)
from workbench.config import CONFIG_FILE, load_settings

if TYPE_CHECKING:
    from workbench.config import Settings

_ENV_NAME = re.compile(r"\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}")
_PLACEHOLDER = "https://restore-placeholder.invalid/"  # passes URL checks too; never sent anywhere


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

    @property
    def ok(self) -> bool:
        return not (self.conflicts or self.errors)

    def lines(self) -> list[str]:
        parts = ", ".join(f"{v} {k}" for k, v in self.written.items()) or "nothing new"
        out = [f"restored {self.source} into {self.workspace}: {parts}; {self.unchanged} files already identical"]
        if self.alerts:
            out.append(f"alert store: {self.alerts}")
        out += [f"conflict: {c} (kept the existing file; --force overwrites)" for c in self.conflicts]
        out += [f"error: {e}" for e in self.errors]
        if self.missing_env:
            out.append(f"set these variables before running (the backup keeps references, not secrets): "
                       f"{', '.join(self.missing_env)}")
        return out


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


def _verified(archive: Path) -> tuple[dict[str, Any], dict[str, bytes]]:
    """The manifest and every member's bytes, after checking names, sizes and checksums."""
    try:
        tar = tarfile.open(archive, "r:gz")
    except (tarfile.TarError, OSError) as exc:
        raise BackupError(f"{archive}: not a backup archive ({exc})") from None
    with tar:
        members: dict[str, bytes] = {}
        for info in tar:
            if not info.isfile():
                raise BackupError(f"{archive}: unexpected {info.name!r} (only regular files belong in a backup)")
            parts = PurePosixPath(info.name).parts
            if info.name != MANIFEST and (".." in parts or PurePosixPath(info.name).is_absolute()
                                          or not info.name.startswith(_PREFIXES)):
                raise BackupError(f"{archive}: refusing member {info.name!r} (outside the backup's folders)")
            handle: IO[bytes] | None = tar.extractfile(info)
            members[info.name] = handle.read() if handle else b""
    if MANIFEST not in members:
        raise BackupError(f"{archive}: no {MANIFEST}; not written by `mantissa backup`")
    manifest = json.loads(members.pop(MANIFEST))
    if manifest.get("format") != FORMAT or manifest.get("version", 0) > VERSION:
        raise BackupError(f"{archive}: format {manifest.get('format')} v{manifest.get('version')}; this "
                          f"workbench reads {FORMAT} up to v{VERSION} (upgrade it)")
    listed = manifest.get("files", {})
    if set(listed) != set(members):
        odd = sorted(set(listed) ^ set(members))
        raise BackupError(f"{archive}: members and manifest disagree ({', '.join(odd[:5])}); the archive was altered")
    for name, data in members.items():
        if hashlib.sha256(data).hexdigest() != listed[name]["sha256"]:
            raise BackupError(f"{archive}: checksum mismatch in {name}; the archive is damaged — use another copy")
    return manifest, members


def _settings_for(workspace: Path, config_text: str | None) -> tuple[Settings, list[str]]:
    """Settings of the target workspace. Secret references may name variables this shell lacks;
    restore only needs locations, so missing ones are given a placeholder (never used to send)."""
    import os

    names = sorted(set(_ENV_NAME.findall(config_text or "")))
    missing = [n for n in names if not os.environ.get(n)]
    environ = {**os.environ, **dict.fromkeys(missing, _PLACEHOLDER)}
    environ.pop("MANTISSA_WORKSPACE", None)
    return load_settings(workspace, environ=environ), missing


def _place(report: RestoreReport, target: Path, data: bytes, kind: str, force: bool) -> None:
    if target.is_file():
        if target.read_bytes() == data:
            report.unchanged += 1
            return
        if not force:
            report.conflicts.append(f"{target} differs from the backup")
            return
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    report.written[kind] = report.written.get(kind, 0) + 1


def _dump(db: Path) -> list[str]:
    con = sqlite3.connect(db)
    try:
        return list(con.iterdump())
    finally:
        con.close()


def _restore_history(report: RestoreReport, data: bytes, target: Path, force: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / HISTORY_FILE
        source.write_bytes(data)
        if target.is_file():
            if _dump(target) == _dump(source):
                report.unchanged += 1
                return
            if sum(_table_counts(target).values()) and not force:
                report.conflicts.append(f"{target} already holds other query history")
                return
        target.parent.mkdir(parents=True, exist_ok=True)
        _sqlite_copy(source, target)
        report.written["history rows"] = sum(_table_counts(target).values())


def restore(src: str | Path, workspace: Path | None = None, *, force: bool = False,
            s3_client: Any = None) -> RestoreReport:
    """Rebuild a workspace from a backup: config, rules, alert store, history, schedule state, runs."""
    from workbench.alerts import get_store

    workspace = Path(workspace or Path.cwd()).expanduser().resolve()
    with tempfile.TemporaryDirectory(prefix="mantissa-restore-") as tmp:
        archive = _fetch(src, Path(tmp), workspace, s3_client)
        manifest, members = _verified(archive)
    report = RestoreReport(str(src), workspace)
    workspace.mkdir(parents=True, exist_ok=True)
    config = members.get(f"config/{CONFIG_FILE}")
    if config is not None:
        _place(report, workspace / CONFIG_FILE, config, "config files", force)
    if (schedule := members.get(f"config/{SCHEDULE_FILE}")) is not None:
        _place(report, workspace / SCHEDULE_FILE, schedule, "config files", force)
    settings, report.missing_env = _settings_for(workspace, (workspace / CONFIG_FILE).read_text()
                                                 if (workspace / CONFIG_FILE).is_file() else None)
    for name, data in sorted(members.items()):
        if name.startswith("rules/"):
            _place(report, workspace / "rules" / name[len("rules/"):], data, "rule files", force)
        elif name.startswith("runs/"):
            _place(report, settings.runs / name[len("runs/"):], data, "notebooks", force)
        elif name == f"state/{SCHEDULE_STATE}":
            _place(report, settings.state / SCHEDULE_STATE, data, "schedule state", force)
        elif name == f"state/{HISTORY_FILE}":
            _restore_history(report, data, settings.state / HISTORY_FILE, force)
    if (alerts := members.get("store/alerts.jsonl")) is not None:
        import io

        with get_store(settings) as store:
            imported = store.import_jsonl(io.StringIO(alerts.decode()))
        report.alerts = imported.summary()
        report.errors += imported.errors
    report.expected = manifest.get("counts", {})
    return report


def read_manifest(src: str | Path, s3_client: Any = None) -> dict[str, Any]:
    """The manifest of a backup, after verifying the archive (for `restore --check`)."""
    with tempfile.TemporaryDirectory(prefix="mantissa-restore-") as tmp:
        return _verified(_fetch(src, Path(tmp), None, s3_client))[0]

