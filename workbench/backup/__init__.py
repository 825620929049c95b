"""`mantissa backup DEST` / `mantissa restore SRC`: a workspace's state in one tar.gz.

    manifest.json            format, counts and a sha256 per member (read first on restore)
    config/mantissa.yaml     the config, secrets replaced by ${env:NAME} references (comments dropped:
                             they may hold old secrets); config/schedule.yaml when the workspace has one
    rules/…                  the workspace's rules folder
    store/alerts.jsonl       every alert with its event ids and audit trail, checkpoints, run records,
                             and the delivery outbox (deliveries with their status, attempts, routed
                             versions), so parked deliveries can be redelivered after a restore
    state/history.sqlite     query history (a consistent SQLite snapshot)
    state/schedule.json      the scheduler's per-job state
    runs/…                   executed playbooks (the audit record)

DEST/SRC is a local path or `s3://bucket/key`. Restore treats the archive as untrusted
(workbench.backup.archive: PEP 706-style member checks, streamed checksums), writes nothing
unless every member verifies and every target lies inside the workspace, is all or nothing
(a file that differs is a conflict unless `force`), and imports alerts idempotently.
Not included: the Parquet lake (rebuilt by ingest, or kept by S3).
"""

from workbench.backup.restore import RestoreReport, read_manifest, restore
from workbench.backup.write import FORMAT, MANIFEST, BackupError, BackupReport, backup, redact_config

__all__ = ["FORMAT", "MANIFEST", "BackupError", "BackupReport", "RestoreReport", "backup", "read_manifest",
           "redact_config", "restore"]
