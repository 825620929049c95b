"""How the workspace's DynamoDB tables are reached: region and endpoint from `store:` settings, and
one boto3 resource per thread (boto3 sessions and resources are not thread-safe). Shared by the
alert store and the first-seen term store, which keep their tables side by side."""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from workbench.config import Settings


class DynamoDBAccess:
    table_name: str

    def _init_access(self, settings: Settings, table_name: str) -> None:
        cfg = settings.store
        self.table_name = table_name
        self.endpoint_url = cfg.endpoint_url
        self.region = cfg.region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") \
            or settings.athena.region or "us-east-1"
        self._local = threading.local()

    def _resource(self) -> Any:
        resource = getattr(self._local, "resource", None)
        if resource is None:
            import boto3

            session = boto3.session.Session(region_name=self.region)
            resource = session.resource("dynamodb", endpoint_url=self.endpoint_url)
            self._local.resource = resource
        return resource

    @property
    def _table(self) -> Any:
        return self._resource().Table(self.table_name)
