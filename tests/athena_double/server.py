"""The double's HTTP face: Athena's JSON 1.1 protocol (`POST /`, `X-Amz-Target: AmazonAthena.<Op>`),
as botocore 1.44.13 speaks it, on a threaded server bound to 127.0.0.1.

Only the JSON protocol is routed: the locked botocore speaks it. Newer botocore (≥ 1.44.18) moves
Athena to rest-json paths, which this server answers with a 404 naming the mismatch.
"""

from __future__ import annotations

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.athena_double.service import AthenaService, ServiceError


def _column_dicts(columns: list[tuple[str, Any]]) -> list[dict[str, str]]:
    return [{"Name": n, "Type": t.sql(dialect="hive").lower()} for n, t in columns]


class Operations:
    """One method per Athena operation the double answers; each takes the request body."""

    def __init__(self, service: AthenaService) -> None:
        self.service = service

    def StartQueryExecution(self, body: dict[str, Any]) -> dict[str, Any]:  # noqa: N802 - Athena's names
        return {"QueryExecutionId": self.service.start(body)}

    def GetQueryExecution(self, body: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        return {"QueryExecution": self.service.get(body.get("QueryExecutionId", "")).as_dict()}

    def BatchGetQueryExecution(self, body: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        ids = body.get("QueryExecutionIds") or []
        if not 1 <= len(ids) <= 50:
            raise ServiceError("QueryExecutionIds must hold between 1 and 50 ids")
        found, missing = [], []
        for query_id in ids:
            try:
                found.append(self.service.get(query_id).as_dict())
            except ServiceError as exc:
                missing.append({"QueryExecutionId": query_id, "ErrorCode": "INVALID_INPUT",
                                "ErrorMessage": exc.message})
        return {"QueryExecutions": found, "UnprocessedQueryExecutionIds": missing}

    def GetQueryResults(self, body: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        return self.service.results(body.get("QueryExecutionId", ""), body.get("MaxResults"), body.get("NextToken"))

    def StopQueryExecution(self, body: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        self.service.stop(body.get("QueryExecutionId", ""))
        return {}

    def ListQueryExecutions(self, body: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        return self.service.list_executions(body.get("WorkGroup"), body.get("MaxResults"), body.get("NextToken"))

    def GetWorkGroup(self, body: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        return {"WorkGroup": self.service.get_workgroup(body.get("WorkGroup", ""))}

    def GetDatabase(self, body: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        name = (body.get("DatabaseName") or "").lower()
        if name not in self.service.catalog.databases:
            raise ServiceError(f"Database {name} not found.", code="MetadataException")
        return {"Database": {"Name": name, "Parameters": {}}}

    def ListDatabases(self, body: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        return {"DatabaseList": [{"Name": n, "Parameters": {}} for n in sorted(self.service.catalog.databases)]}

    def _table_metadata(self, table: Any) -> dict[str, Any]:
        return {"Name": table.name, "TableType": "EXTERNAL_TABLE", "Columns": _column_dicts(table.columns),
                "PartitionKeys": _column_dicts(table.partition_keys),
                "Parameters": {"location": table.location, **table.properties,
                               "inputformat": table.storage}}

    def GetTableMetadata(self, body: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        table = self.service.catalog.table(body.get("DatabaseName", ""), body.get("TableName", ""))
        if table is None:
            raise ServiceError(f"Table {body.get('TableName')} not found.", code="MetadataException")
        return {"TableMetadata": self._table_metadata(table)}

    def ListTableMetadata(self, body: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        database = (body.get("DatabaseName") or "").lower()
        tables = [t for (db, _), t in sorted(self.service.catalog.tables.items()) if db == database]
        return {"TableMetadataList": [self._table_metadata(t) for t in tables]}


def _handler(operations: Operations) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
            pass  # quiet: pytest shows failures, not every request

        def _reply(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/x-amz-json-1.1")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b"{}"
            target = self.headers.get("X-Amz-Target", "")
            if self.path.split("?")[0] != "/" or not target.startswith("AmazonAthena."):
                self._reply(404, {"__type": "UnknownOperationException",
                                  "message": f"the Athena double routes only the JSON protocol (POST / with "
                                             f"X-Amz-Target), got {self.command} {self.path}: install botocore "
                                             "from requirements/dev.lock"})
                return
            operation = getattr(operations, target.split(".", 1)[1], None)
            if operation is None:
                self._reply(400, {"__type": "UnknownOperationException",
                                  "message": f"the Athena double does not implement {target}"})
                return
            try:
                self._reply(200, operation(json.loads(raw or b"{}")))
            except ServiceError as exc:
                self._reply(400, {"__type": exc.code, "Message": exc.message, "AthenaErrorCode": "INVALID_INPUT"})

    return Handler


class AthenaServer:
    """`AthenaServer(service).start()` → serving on `endpoint_url` until `stop()`."""

    def __init__(self, service: AthenaService) -> None:
        self.service = service
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(Operations(service)))
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="athena-double-http", daemon=True)

    @property
    def endpoint_url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> AthenaServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.service.close()

