"""The engine at scale: Amazon Athena through pyathena, over the S3 lake.

The window-bounded Athena SQL runs as written; the bytes scanned and query id come from Athena's
own query execution. pyathena is imported when the engine first connects, so the embedded default
never pays for it (and a missing install fails only here, with the command that fixes it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from workbench.config import Settings
from workbench.engines.base import ENGINES, Engine, EngineError, Execution
from workbench.engines.window import BoundQuery

if TYPE_CHECKING:
    from pyathena.connection import Connection

SETTING = "MANTISSA_ATHENA__"


def _import_pyathena() -> Any:
    try:
        import pyathena
    except ImportError:  # pragma: no cover - pyathena is a declared dependency
        raise EngineError(
            "the athena engine needs pyathena: pip install 'pyathena>=3.0' "
            "(or pip install mantissa-workbench, which includes it)"
        ) from None
    return pyathena


def _credentials_hint() -> str:
    return (
        "no AWS credentials found: set AWS_PROFILE (or MANTISSA_ATHENA__PROFILE in the environment, "
        "athena.profile in mantissa.yaml), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
    )


@ENGINES.register("athena")
class AthenaEngine(Engine):
    name = "athena"
    dialect = "athena"

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.athena = settings.athena
        self._connection: Connection | None = None

    def _check_settings(self) -> None:
        if not self.athena.output_location:
            raise EngineError(
                "the athena engine needs an S3 location for query results: set "
                f"{SETTING}OUTPUT_LOCATION=s3://bucket/prefix/ (or athena.output_location in "
                "mantissa.yaml)"
            )
        if not self.athena.output_location.startswith("s3://"):
            raise EngineError(
                f"athena.output_location must be an s3:// URI, got {self.athena.output_location!r}: "
                f"set {SETTING}OUTPUT_LOCATION=s3://bucket/prefix/"
            )

    @property
    def connection(self) -> Connection:
        if self._connection is None:
            self._check_settings()
            pyathena = _import_pyathena()
            from botocore.exceptions import BotoCoreError, NoRegionError

            options: dict[str, Any] = {
                "s3_staging_dir": self.athena.output_location,
                "work_group": self.athena.workgroup,
                "schema_name": self.athena.database,
                "region_name": self.athena.region,
                "profile_name": self.athena.profile,
                "poll_interval": self.athena.poll_interval,
            }
            if self.athena.endpoint_url:
                options["endpoint_url"] = self.athena.endpoint_url
            try:
                self._connection = pyathena.connect(**options)
            except NoRegionError:
                raise EngineError(
                    f"no AWS region for Athena: set {SETTING}REGION (athena.region in mantissa.yaml) "
                    "or AWS_DEFAULT_REGION"
                ) from None
            except BotoCoreError as exc:  # e.g. an unknown profile name
                raise EngineError(f"cannot connect to Athena: {exc} (check {SETTING}PROFILE)") from None
        return self._connection

    def _cursor_run(self, sql: str) -> Any:
        """Execute one statement and wait for it; AWS/Athena failures become one clear line."""
        from botocore.exceptions import ClientError, NoCredentialsError
        from pyathena.error import Error as PyAthenaError

        cursor = self.connection.cursor()
        try:
            cursor.execute(sql)
        except NoCredentialsError:
            raise EngineError(_credentials_hint()) from None
        except ClientError as exc:
            raise EngineError(f"Athena refused the query: {exc}") from None
        except PyAthenaError as exc:
            cause = exc.__cause__ or exc.__context__
            if isinstance(cause, NoCredentialsError):
                raise EngineError(_credentials_hint()) from None
            reason = str(exc).strip() or "no reason given"
            query_id = getattr(cursor, "query_id", None)
            raise EngineError(f"Athena query {query_id or ''} failed: {reason}".replace("  ", " ")) from None
        return cursor

    def _execute(self, sql: str, bound: BoundQuery) -> Execution:
        cursor = self._cursor_run(sql)
        try:
            columns = [column[0] for column in cursor.description or []]
            frame = pd.DataFrame.from_records(list(cursor.fetchall()), columns=columns)
            return Execution(
                frame=frame,
                query_id=str(cursor.query_id),
                bytes_scanned=int(cursor.data_scanned_in_bytes or 0),
            )
        finally:
            cursor.close()

    def run_ddl(self, statements: list[str]) -> list[str]:
        """Run DDL (CREATE DATABASE / CREATE EXTERNAL TABLE …) in order; returns the query ids."""
        ids = []
        for statement in statements:
            cursor = self._cursor_run(statement)
            ids.append(str(cursor.query_id))
            cursor.close()
        return ids

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
