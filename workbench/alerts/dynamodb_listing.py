"""Listing and counting for the DynamoDB store (layout 2, see dynamodb_layout.py).

A page ordered by last_seen merges the `ts`-sorted partitions of the most selective index, reading
each a short batch at a time, checks the projected attributes, and reads the records of the page
only. Filters no index key serves (text, until, a second filter) are checked per entry, and a call
examines at most SCAN_BUDGET entries: it may return fewer alerts than asked, with a token to go on.
Other orders (severity, count, ...) read and sort every match. Counts come from counter items when
one counter answers the filter, else from the index entries.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from workbench.alerts import dynamodb_layout as layout
from workbench.alerts.filters import AlertFilter, sort_value, ts
from workbench.alerts.model import Alert, Severity

SCAN_BUDGET = 1000  # index entries one call may examine for filters no index serves
_TIME_ORDERS = frozenset({"last_seen"})
_ALERT_SK = layout.ALERT_SK


class DynamoDBListing:
    """Mixed into DynamoDBStore; relies on its `_query`, `_resource` and `table_name`."""

    table_name: str

    def _query(self, **kwargs: Any) -> Iterator[dict[str, Any]]:
        raise NotImplementedError

    def _resource(self) -> Any:
        raise NotImplementedError

    def _entries(self, flt: AlertFilter, descending: bool, after: str | None, batch: int) -> Iterator[dict[str, Any]]:
        """Index entries (projected attributes only) of every partition that can hold a match,
        merged into one stream in `ts` order, starting after `after`. Lazy: a partition is read
        `batch` entries at a time, only as far as the merge consumes it."""
        parts = layout.partitions(flt.status, flt.severity, flt.min_severity, flt.rule_id, flt.assignee,
                                  flt.unassigned)
        since = f"{ts(flt.since)}" if flt.since is not None else None

        def one(index: str, value: str) -> Iterator[dict[str, Any]]:
            condition, values = f"{index} = :p", {":p": value}
            if after is not None:
                condition += " AND ts < :a" if descending else " AND ts > :a"
                values[":a"] = after
            elif since is not None:
                condition += " AND ts >= :s"
                values[":s"] = since
            kwargs = {"IndexName": index, "KeyConditionExpression": condition, "ExpressionAttributeValues": values,
                      "ScanIndexForward": not descending, "Limit": batch}
            for entry in self._query(**kwargs):
                if descending and since is not None and entry["ts"] < since:
                    return  # older than `since`: so is everything after it in this partition
                yield entry

        streams = [one(index, value) for index, value in parts]
        return heapq.merge(*streams, key=lambda e: e["ts"], reverse=descending)

    @staticmethod
    def _entry_matches(flt: AlertFilter, entry: dict[str, Any]) -> bool:
        severity = Severity(entry["severity"])
        return ((not flt.status or entry["status"] in {s.value for s in flt.status})
                and (flt.severity is None or severity == flt.severity)
                and (flt.min_severity is None or severity >= flt.min_severity)
                and (flt.rule_id is None or entry["rule_id"] == flt.rule_id)
                and (flt.assignee is None or entry.get("assignee") == flt.assignee)
                and (not flt.unassigned or not entry.get("assignee"))
                and (flt.since is None or entry["ts"] >= ts(flt.since))
                and (flt.until is None or entry["first_seen"] < ts(flt.until)))

    def _docs(self, keys: list[str]) -> dict[str, Alert]:
        """The records of these alert items (pk values), read by key in batches of 100."""
        found: dict[str, Alert] = {}
        resource = self._resource()
        for start in range(0, len(keys), 100):
            request: dict[str, Any] | None = {self.table_name: {
                "Keys": [{"pk": k, "sk": _ALERT_SK} for k in keys[start:start + 100]],
                "ProjectionExpression": "pk, doc", "ConsistentRead": True}}
            while request:
                answer = resource.batch_get_item(RequestItems=request)
                found |= {i["pk"]: Alert.from_json(i["doc"]) for i in answer["Responses"].get(self.table_name, [])}
                request = answer.get("UnprocessedKeys") or None
        return found

    def _page(self, flt: AlertFilter, order: str, descending: bool, limit: int | None, offset: int,
              after: list[Any] | None) -> tuple[list[Alert], list[Any] | None, int]:
        if order not in _TIME_ORDERS:
            return self._page_sorted(flt, order, descending, limit, offset, after)
        if after is not None and (len(after) != 1 or not isinstance(after[0], str)):
            raise ValueError("page token: malformed position; start again without a page token")
        wanted = None if limit is None else offset + limit + 1
        # Filters an index key does not serve are checked on each entry; text needs the record, so
        # records are read in chunks and a call examines at most SCAN_BUDGET entries (or 4 pages).
        budget = None if limit is None else max(SCAN_BUDGET, 4 * wanted)
        # Shards split alerts evenly, so each partition's first read is its share of the page plus a
        # margin; the merge reads further batches only from the partitions it keeps drawing on.
        parts = len(layout.partitions(flt.status, flt.severity, flt.min_severity, flt.rule_id, flt.assignee,
                                      flt.unassigned))
        batch = 100 if wanted is None else min(max(-(-wanted // parts) + 5, 10), 100)
        stream = self._entries(flt, descending, after[0] if after else None, batch)
        matched: list[Alert] = []
        positions: list[str] = []  # the index `ts` each match was listed at: where a token resumes
        scanned, last_ts, chunk = 0, None, []

        def flush() -> None:
            docs = self._docs([e["pk"] for e in chunk])
            for entry in chunk:
                alert = docs.get(entry["pk"])
                # The record is re-checked: the index is eventually consistent, the record is not.
                if alert is not None and flt.matches(alert):
                    matched.append(alert)
                    positions.append(entry["ts"])
            chunk.clear()

        stopped = False  # the budget ran out before the stream did
        for entry in stream:
            scanned += 1
            last_ts = entry["ts"]
            if self._entry_matches(flt, entry):
                chunk.append(entry)
            if wanted is not None and len(matched) + len(chunk) >= wanted:
                flush()
                if len(matched) >= wanted:
                    break
            if budget is not None and scanned >= budget:
                stopped = True
                break
        flush()
        page = matched[offset:] if limit is None else matched[offset:offset + limit]
        if wanted is not None and len(matched) >= wanted:
            # The index position, not the record's: a record that moved meanwhile must not move the cursor.
            return page, [positions[offset + len(page) - 1]], scanned
        if stopped and last_ts is not None:
            # Everything up to the last entry examined is decided: resume after it, not after the
            # last match, so the next call does not examine the rejected entries again.
            return page, [last_ts], scanned
        return page, None, scanned

    def _page_sorted(self, flt: AlertFilter, order: str, descending: bool, limit: int | None, offset: int,
                     after: list[Any] | None) -> tuple[list[Alert], list[Any] | None, int]:
        """Orders no index serves: every match is read and sorted (documented as a full read)."""
        entries = [e for e in self._entries(flt, True, None, 100) if self._entry_matches(flt, e)]
        found = [a for a in self._docs([e["pk"] for e in entries]).values() if flt.matches(a)]

        def key(a: Alert) -> list[Any]:
            value = sort_value(a, order)
            return [ts(value) if isinstance(value, datetime) else value, a.id]

        found.sort(key=key, reverse=descending)
        if after is not None:
            if len(after) != 2 or not isinstance(after[1], str):
                raise ValueError("page token: malformed position; start again without a page token")
            try:
                found = [a for a in found if (key(a) < after if descending else key(a) > after)]
            except TypeError:
                raise ValueError("page token: malformed position; start again without a page token") from None
            offset = 0
        page = found[offset:None if limit is None else offset + limit]
        more = limit is not None and len(found) > offset + limit
        return page, key(page[-1]) if more and page else None, len(entries)

    def _count(self, flt: AlertFilter) -> int:
        names = self._counter_names(flt)
        if names is not None:
            return self._counter_total(names)
        if flt.text is None:  # the projected attributes answer every other filter
            return sum(1 for e in self._entries(flt, True, None, 100) if self._entry_matches(flt, e))
        entries = [e for e in self._entries(flt, True, None, 100) if self._entry_matches(flt, e)]
        return sum(1 for a in self._docs([e["pk"] for e in entries]).values() if flt.matches(a))

    @staticmethod
    def _counter_names(flt: AlertFilter) -> list[str] | None:
        """The counters whose sum is the answer, when the filter is one a counter keeps."""
        if flt.since or flt.until or flt.text:
            return None
        given = [flt.status, flt.severity, flt.min_severity, flt.rule_id, flt.assignee, flt.unassigned]
        if sum(1 for g in given if g) > 1:
            return None
        if flt.status:
            return [f"status#{s.value}" for s in flt.status]
        if flt.severity is not None:
            return [f"severity#{flt.severity.value}"]
        if flt.min_severity is not None:
            return [f"severity#{s.value}" for s in Severity if s >= flt.min_severity]
        if flt.rule_id is not None:
            return [f"rule#{flt.rule_id}"]
        if flt.assignee is not None:
            return [f"assignee#{flt.assignee}"]
        if flt.unassigned:
            return ["unassigned"]
        return ["all"]

    def _counter_total(self, names: list[str]) -> int:
        keys = [{"pk": layout.counters_pk(n), "sk": name} for n in range(layout.SHARDS) for name in set(names)]
        total = 0
        resource = self._resource()
        request: dict[str, Any] | None = {self.table_name: {"Keys": keys, "ProjectionExpression": "n",
                                                            "ConsistentRead": True}}
        while request:
            answer = resource.batch_get_item(RequestItems=request)
            total += sum(int(i.get("n", 0)) for i in answer["Responses"].get(self.table_name, []))
            request = answer.get("UnprocessedKeys") or None
        return total

    def rule_ids(self) -> list[str]:
        """From the per-rule counters: one small item per rule and shard, however many alerts."""
        found: set[str] = set()
        for shard in range(layout.SHARDS):
            for item in self._query(KeyConditionExpression="pk = :p AND begins_with(sk, :r)", ConsistentRead=True,
                                    ExpressionAttributeValues={":p": layout.counters_pk(shard), ":r": "rule#"}):
                if int(item.get("n", 0)) > 0:
                    found.add(item["sk"][len("rule#"):])
        return sorted(found)
