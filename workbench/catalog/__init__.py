"""What the log tables are: names, columns and Athena types, partitions, event-time columns."""

from typing import TYPE_CHECKING, Any

from workbench.catalog.ddl import all_ddl, create_table_ddl
from workbench.catalog.tables import (
    CLOUDTRAIL,
    CLOUDTRAIL_JSON_COLUMNS,
    EXTRA_COLUMN,
    GUARDDUTY,
    GUARDDUTY_JSON_COLUMNS,
    PARTITION_KEYS,
    TABLES,
    VPC_FLOW,
    Column,
    Table,
    TimeFormat,
    get_table,
)

if TYPE_CHECKING:
    from workbench.catalog.types import arrow_schema, arrow_type

__all__ = [
    "CLOUDTRAIL", "CLOUDTRAIL_JSON_COLUMNS", "EXTRA_COLUMN", "GUARDDUTY", "GUARDDUTY_JSON_COLUMNS",
    "PARTITION_KEYS", "TABLES", "VPC_FLOW", "Column", "Table", "TimeFormat", "all_ddl",
    "arrow_schema", "arrow_type", "create_table_ddl", "get_table",
]


def __getattr__(name: str) -> Any:
    # The Arrow types load pyarrow; settings validation needs only the table names.
    if name in ("arrow_schema", "arrow_type"):
        from workbench.catalog import types

        return getattr(types, name)
    raise AttributeError(f"module 'workbench.catalog' has no attribute {name!r}")
