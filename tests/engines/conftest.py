"""Fixtures for the engine tests: a tiny Parquet lake written with the catalog's own schema."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from workbench.catalog import arrow_schema, get_table
from workbench.config import Settings, load_settings
from workbench.engines.local import LocalEngine, partition_dir

WriteRows = Callable[..., Path]


def write_rows(lake: Path, table: str, day: date, rows: list[dict], name: str = "x.parquet") -> Path:
    """Write `rows` (missing columns are null) to `<lake>/<table>/year=/month=/day=/<name>`."""
    schema = arrow_schema(get_table(table))
    folder = partition_dir(lake, table, day)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    full = [{column: row.get(column) for column in schema.names} for row in rows]
    pq.write_table(pa.Table.from_pylist(full, schema=schema), path, compression="zstd")
    return path


@pytest.fixture(scope="session", name="write_rows")
def write_rows_fixture() -> WriteRows:
    """The lake writer, as a fixture so test modules need not import this conftest."""
    return write_rows


@pytest.fixture()
def settings(workspace: Path) -> Settings:
    return load_settings()


@pytest.fixture()
def lake(settings: Settings) -> Path:
    settings.lake.mkdir(parents=True, exist_ok=True)
    return settings.lake


@pytest.fixture()
def local(settings: Settings) -> Iterator[LocalEngine]:
    settings.lake.mkdir(parents=True, exist_ok=True)  # an empty lake, not a missing one
    engine = LocalEngine(settings)
    yield engine
    engine.close()
