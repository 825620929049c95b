"""Fixtures for the engine tests: a tiny Parquet lake written with the catalog's own schema."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from workbench.catalog import arrow_schema, get_table
from workbench.config import Settings, load_settings
from workbench.engines.athena import AthenaEngine
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


# ---- Athena over the executing test double (tests/athena_double) ----------------------------------
def cloudtrail_lake(root: Path, rows: list[dict], day: date) -> Path:
    """A lake folder under `root` holding `rows` as one CloudTrail Parquet file of `day`."""
    lake = root / "upload"
    write_rows(lake, "cloudtrail", day, rows)
    return lake


MakeAthena = Callable[..., AthenaEngine]


@pytest.fixture()
def make_athena(athena_double: Any, workspace: Path) -> Iterator[MakeAthena]:
    """An AthenaEngine on the double, with these athena.* settings (top-level ones via `top`)."""
    made: list[AthenaEngine] = []

    def make(top: dict[str, Any] | None = None, **athena: Any) -> AthenaEngine:
        settings = athena_double.settings(load_settings())
        settings = settings.model_copy(update={**(top or {}), "athena": settings.athena.model_copy(update=athena)})
        engine = AthenaEngine(settings)
        made.append(engine)
        return engine

    yield make
    for engine in made:
        engine.close()


@pytest.fixture()
def athena_tables(athena_double: Any, make_athena: MakeAthena) -> Callable[[Path | None], None]:
    """Create the database and the log tables on the double, over `lake` (a local lake folder,
    uploaded to the double's lake bucket first; None: an empty lake)."""
    from workbench.catalog.ddl import all_ddl

    def create(lake: Path | None) -> None:
        if lake is not None:
            athena_double.upload(lake, athena_double.lake_location)
        make_athena().run_ddl(all_ddl(athena_double.lake_location))
    return create
