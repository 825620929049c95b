"""Lake refresh inside Athena: raw-log tables → the partitioned Parquet lake, by hour, checkpointed.

`refresh()` in run.py; the SQL in statements.py; the S3 publish in publish.py; the checkpoint
records in checkpoint.py; the file layout it writes in layout.py.
"""

from workbench.lake.refresh.run import RefreshSummary, refresh, scheduled_refresh

__all__ = ["RefreshSummary", "refresh", "scheduled_refresh"]
