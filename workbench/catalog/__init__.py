"""What the log tables are: names, columns and Athena types, partitions, event-time columns."""

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
from workbench.catalog.types import arrow_schema, arrow_type

__all__ = [
    "CLOUDTRAIL", "CLOUDTRAIL_JSON_COLUMNS", "EXTRA_COLUMN", "GUARDDUTY", "GUARDDUTY_JSON_COLUMNS",
    "PARTITION_KEYS", "TABLES", "VPC_FLOW", "Column", "Table", "TimeFormat", "all_ddl",
    "arrow_schema", "arrow_type", "create_table_ddl", "get_table",
]
