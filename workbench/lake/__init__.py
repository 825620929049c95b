"""The Parquet lake and how logs get into it: readers, normalisation, quarantine, manifest.

Public API:
- `ingest(paths, lake, *, progress=False, s3_client=None, quarantine_keep=100) -> IngestSummary`:
  files, folders and `s3://bucket/prefix`, as AWS delivers them; one ingest per lake at a time
  (`lock.py`), a truncated object's complete version adds only the rest (`resume.py`).
- `write_records(table, records, lake) -> IngestSummary`: records already parsed.
- `lake_tables(lake)`, `quarantine_entries(lake)`: what a lake holds.
"""

from workbench.lake.ingest import ingest, lake_tables, write_records
from workbench.lake.manifest import MANIFEST_FILE
from workbench.lake.quarantine import QUARANTINE_DIR, quarantine_entries
from workbench.lake.sources import SourceNotFound
from workbench.lake.summary import IngestSummary

__all__ = [
    "MANIFEST_FILE", "QUARANTINE_DIR", "IngestSummary", "SourceNotFound", "ingest", "lake_tables",
    "quarantine_entries", "write_records",
]
