"""Writing a backup archive: config without secrets, and every member with its checksum."""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import sqlite3
import tarfile
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from workbench.config import CONFIG_FILE, ENV_PREFIX, load_settings
from workbench.redaction import SECRET_KEY, Redactor, redactor_for, text_carries_secret_url

if TYPE_CHECKING:
    from workbench.config import Settings

FORMAT, VERSION, MANIFEST = "mantissa-backup", 1, "manifest.json"
HISTORY_FILE, SCHEDULE_STATE, SCHEDULE_FILE = "history.sqlite", "schedule.json", "schedule.yaml"
_PREFIXES = ("config/", "rules/", "store/", "state/", "runs/")
_SECRET_KEY = SECRET_KEY
_ENV_REF = re.compile(r"\$\{env:[A-Za-z_][A-Za-z0-9_]*\}")


class BackupError(RuntimeError):
    """An archive that cannot be written or read back; the message names it and what to do."""


# ---- config without secrets -------------------------------------------------------------------------
def _is_reference(value: Any) -> bool:
    if isinstance(value, dict):
        return set(value) in ({"secret_env"}, {"secretsmanager"})
    return isinstance(value, str) and (bool(_ENV_REF.search(value)) or value.startswith("secretsmanager:"))


def _env_name(path: tuple[str, ...]) -> str:
    """`routing.destinations.pd.routing_key` → PD_ROUTING_KEY (list indexes skipped: names cannot start
    with a digit)."""
    words = [p for p in path if not p.isdigit()][-2:]
    name = re.sub(r"[^A-Z0-9]+", "_", "_".join(words).upper()).strip("_")
    return name if name and not name[0].isdigit() else f"MANTISSA_SECRET_{name}".rstrip("_")


def redact_config(data: Any, path: tuple[str, ...] = ()) -> tuple[Any, list[str]]:
    """The config with every literal secret replaced by `${env:NAME}`, and the keys replaced.

    A secret is a string under a key that sounds secret (token, password, webhook, api_key…) or one
    holding a URL that carries a credential: a password, a secret query parameter (`?token=`,
    `X-Amz-Credential=`, `X-Amz-Signature=`, `sig=`…), an incoming-webhook path
    (hooks.slack.com/services/…, Teams, Discord) or a token-like path segment. References (${env:…}, secretsmanager:…) and variable names (keys
    ending in `_env`) are kept: they are not secrets and restore needs them as they were."""
    if isinstance(data, dict):
        if _is_reference(data):
            return data, []
        out, found = {}, []
        for key, value in data.items():
            out[key], more = redact_config(value, (*path, str(key)))
            found += more
        return out, found
    if isinstance(data, list):
        items = [redact_config(v, (*path, str(i))) for i, v in enumerate(data)]
        return [v for v, _ in items], [k for _, ks in items for k in ks]
    if not isinstance(data, str) or _is_reference(data) or not path:
        return data, []
    key = path[-1]
    if key.endswith("_env") or key == "secret_env":
        return data, []
    if _SECRET_KEY.search(key) or text_carries_secret_url(data):
        name = _env_name(path)
        return f"${{env:{name}}}", [f"{'.'.join(path)} → ${{env:{name}}}"]
    return data, []


# ---- writing ------------------------------------------------------------------------------------------
@dataclass
class BackupReport:
    destination: str
    counts: dict[str, int]
    bytes: int
    redacted: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        parts = ", ".join(f"{v} {k}" for k, v in self.counts.items())
        out = [f"backup written to {self.destination} ({self.bytes:,} bytes): {parts}"]
        return out + [f"config secret replaced by a reference: {r}" for r in self.redacted]


def _files_under(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and not any(
        part.startswith(".") or part == "__pycache__" for part in p.relative_to(root).parts))


def _table_counts(db: Path) -> dict[str, int]:
    con = sqlite3.connect(db)
    try:
        names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                           "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        # Names come from the file, which on restore is the archive's: quote them as identifiers.
        return {n: con.execute(f'SELECT count(*) FROM "{n.replace(chr(34), chr(34) * 2)}"').fetchone()[0]
                for n in names}
    finally:
        con.close()


def _sqlite_copy(source: Path, target: Path) -> None:
    """A consistent copy even while the workbench writes to `source` (SQLite's online backup)."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


def _stage(settings: Settings, staging: Path) -> tuple[dict[str, Any], list[str]]:
    """Write every member under `staging`; returns the counts and the redacted config keys."""
    from workbench.alerts import get_store

    counts: dict[str, Any] = {}
    redacted: list[str] = []
    ws = settings.workspace
    config = ws / CONFIG_FILE
    if config.is_file():
        raw = yaml.safe_load(config.read_text()) or {}
        clean, redacted = redact_config(raw)
        text = f"# {CONFIG_FILE} from {ws}, written by `mantissa backup` (comments dropped).\n"
        (staging / "config").mkdir(parents=True, exist_ok=True)
        (staging / "config" / CONFIG_FILE).write_text(text + yaml.safe_dump(clean, sort_keys=False))
    if (ws / SCHEDULE_FILE).is_file():
        (staging / "config").mkdir(parents=True, exist_ok=True)
        shutil.copy2(ws / SCHEDULE_FILE, staging / "config" / SCHEDULE_FILE)
    for name, root in (("rules", ws / "rules"), ("runs", settings.runs)):
        files = _files_under(root)
        for path in files:
            target = staging / name / path.relative_to(root)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
        counts["rule files" if name == "rules" else "notebooks"] = len(files)
    redactor = redactor_for(settings)
    _scrub_text_files(staging / "runs", redactor)
    (staging / "store").mkdir()
    with get_store(settings) as store, open(staging / "store" / "alerts.jsonl", "w") as fp:  # noqa: PTH123
        exported = store.export_jsonl(fp)
    _scrub_text_files(staging / "store", redactor)
    counts.update({"alerts": exported["alert"], "checkpoints": exported["checkpoint"], "runs": exported["run"],
                   "deliveries": exported["delivery"], "delivery attempts": exported["attempt"],
                   "routed versions": exported["routed"]})
    (staging / "state").mkdir()
    history = settings.state / HISTORY_FILE
    if history.is_file():
        _sqlite_copy(history, staging / "state" / HISTORY_FILE)
        _scrub_history(staging / "state" / HISTORY_FILE, redactor)
        counts["history rows"] = sum(_table_counts(staging / "state" / HISTORY_FILE).values())
    if (settings.state / SCHEDULE_STATE).is_file():
        shutil.copy2(settings.state / SCHEDULE_STATE, staging / "state" / SCHEDULE_STATE)
        counts["schedule jobs"] = len(json.loads((staging / "state" / SCHEDULE_STATE).read_text()).get("jobs", {}))
    return counts, redacted


def _scrub_text_files(root: Path, redactor: Redactor) -> None:
    """Configured secrets out of exported text (alert store lines, notebooks): an error stored
    before redaction covered it, or a traceback in a notebook, must not travel in a backup."""
    if not redactor.secrets:
        return
    for path in _files_under(root):
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        if (clean := redactor.known(text)) != text:
            path.write_text(clean, encoding="utf-8")


def _scrub_history(db: Path, redactor: Redactor) -> None:
    if not redactor.secrets:
        return
    con = sqlite3.connect(db)
    try:
        with con:
            rows = con.execute("SELECT id, error FROM queries WHERE error IS NOT NULL").fetchall()
            con.executemany("UPDATE queries SET error = ? WHERE id = ?",
                            [(redactor.scrub(e), i) for i, e in rows if redactor.scrub(e) != e])
    except sqlite3.OperationalError:
        pass  # no queries table: nothing to scrub
    finally:
        con.close()


def _sha256(path: Path) -> str:
    with open(path, "rb") as fh:  # noqa: PTH123
        return hashlib.file_digest(fh, "sha256").hexdigest()


def backup(dest: str | Path, settings: Settings | None = None, *, s3_client: Any = None) -> BackupReport:
    """Write the workspace's rules, config, alert store, history, run records and schedule state."""
    import os

    settings = settings or load_settings()
    with tempfile.TemporaryDirectory(prefix="mantissa-backup-") as tmp:
        staging = Path(tmp) / "staging"
        staging.mkdir()
        counts, redacted = _stage(settings, staging)
        members = _files_under(staging)
        manifest = {
            "format": FORMAT, "version": VERSION, "created_at": datetime.now(UTC).isoformat(),
            "source_workspace": str(settings.workspace), "store_backend": settings.store.backend,
            "counts": counts, "redacted": redacted,
            "env_overrides": sorted(k for k in os.environ if k.startswith(ENV_PREFIX)),  # names only
            "files": {p.relative_to(staging).as_posix(): {"sha256": _sha256(p), "bytes": p.stat().st_size}
                      for p in members},
        }
        archive = Path(tmp) / "backup.tar.gz"
        with tarfile.open(archive, "w:gz") as tar:
            data = json.dumps(manifest, indent=2, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime = len(data), int(datetime.now(UTC).timestamp())
            tar.addfile(info, io.BytesIO(data))  # first, so restore reads it before anything else
            for path in members:
                tar.add(path, arcname=path.relative_to(staging).as_posix(), recursive=False)
        size = archive.stat().st_size
        where = str(dest)
        if where.startswith("s3://"):
            bucket, key = _s3_parts(where)
            (s3_client or _s3_client(settings)).upload_file(str(archive), bucket, key)
        else:
            target = Path(dest).expanduser()
            if target.is_dir():
                target = target / f"mantissa-backup-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.tar.gz"
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(archive), target)
            where = str(target)
    return BackupReport(where, counts, size, redacted)


def _s3_parts(uri: str) -> tuple[str, str]:
    bucket, _, key = uri[len("s3://"):].partition("/")
    if not bucket or not key or key.endswith("/"):
        raise BackupError(f"{uri}: give a full object key, e.g. s3://my-bucket/backups/mantissa.tar.gz")
    return bucket, key


def _s3_client(settings: Settings) -> Any:
    import boto3

    session = boto3.Session(profile_name=settings.athena.profile, region_name=settings.athena.region)
    return session.client("s3", endpoint_url=settings.athena.endpoint_url)
