"""Buffered, partitioned Parquet writing with bounded memory.

Rows are shredded straight into per-partition column lists; a full list batch becomes an Arrow
record batch; a partition's batches become one zstd Parquet file when they reach `file_rows`, when
the writer holds more than `max_pending_bytes` of Arrow data (the biggest partition goes first), or
at the end. At most `max_open` partitions keep Python lists at once, so memory stays bounded however
many days or rows the input spans.

Files are written under a staging folder and moved into `<lake>/<table>/year=/month=/day=/` only
by `commit()`, so an ingest that dies half-way leaves no partial data in the lake.

Each file's rows are sorted by `SORT_KEYS` (CloudTrail: eventsource, eventname, then time), so a
row group holds few services and APIs and its min/max statistics let a query for one API skip the
others: detection rules nearly all filter on eventsource and eventname, and the frequent calls
(GetObject, Describe*) fill whole row groups that such rules never decode. Measured in
benchmarks/detect.py (the pack) and benchmarks/ingest.py (the cost of the sort).
"""

from __future__ import annotations

import os
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from workbench.lake.columns import STR, Node
from workbench.lake.jsontext import dumps
from workbench.lake.normalize import (
    RULES,
    TIME_COLUMNS,
    GuardDutyRules,
    Partition,
    Rejected,
    TableRules,
    VpcFlowRules,
    canonical_time,
)

SORT_KEYS: dict[str, tuple[str, ...]] = {
    "cloudtrail": ("eventsource", "eventname", "eventtime"),
}
"""Per table, the columns each written file is sorted by (tables not named keep arrival order)."""


def sorted_for_lake(table_name: str, table: pa.Table) -> pa.Table:
    """`table` in the lake's row order for `table_name` (see SORT_KEYS)."""
    keys = [k for k in SORT_KEYS.get(table_name, ()) if k in table.column_names]
    return table.sort_by([(k, "ascending") for k in keys]) if keys else table


@dataclass
class _Buffer:
    lists: list[list]
    n: int = 0


@dataclass
class _Pending:
    batches: list[pa.RecordBatch] = field(default_factory=list)
    rows: int = 0
    nbytes: int = 0


class TableWriter:
    """One table's rows, buffered per partition, flushed as Parquet files into `staging`."""

    def __init__(self, rules: TableRules, staging: Path, *, batch_rows: int = 2048,
                 file_rows: int = 250_000, max_pending_bytes: int = 64 << 20, max_open: int = 16) -> None:
        self.rules = rules
        self.plan = rules.plan
        self.staging = staging
        self.batch_rows = batch_rows
        self.file_rows = file_rows
        self.max_pending_bytes = max_pending_bytes
        self.max_open = max_open
        self.open: OrderedDict[Partition, _Buffer] = OrderedDict()
        self.pending: dict[Partition, _Pending] = {}
        self.pending_bytes = 0
        self.rows = 0
        self.written: list[Path] = []  # staged files, relative to `staging`
        self._extra_slot = self.plan.extra_slot
        self._vpc = isinstance(rules, VpcFlowRules)
        self._guardduty = isinstance(rules, GuardDutyRules)
        self._time_slots = [(self.plan.root.members[c].slot, c) for c in TIME_COLUMNS.get(rules.name, ())]

    def _buffer(self, day: Partition) -> _Buffer:
        buf = self.open.get(day)
        if buf is None:
            if len(self.open) >= self.max_open:
                oldest, stale = self.open.popitem(last=False)
                self._seal(oldest, stale)
            buf = self.open[day] = _Buffer(self.plan.new_lists(self.batch_rows))
        return buf

    def add(self, record: Any, extra: dict | None = None) -> None:
        """Buffer one delivered record; raises `Rejected` (nothing stored) when it cannot be placed."""
        if self._vpc and isinstance(record, dict):
            record = {k: (None if v == "-" else v) for k, v in record.items()}
        day = self.rules.partition(record)
        buf = self._buffer(day)
        i = buf.n
        extra = dict(extra) if extra else {}
        try:
            self.plan.put(record, buf.lists, i, extra)
            if self._guardduty:
                for column, value in self.rules.derived(record).items():
                    buf.lists[self.plan.root.members[column].slot][i] = value
            for slot, column in self._time_slots:
                value = buf.lists[slot][i]
                if type(value) is str and not (len(value) > 19 and value[10] == "T" and value[-1] == "Z"):
                    canonical = canonical_time(value)
                    if canonical is not None and canonical != value:
                        # The window rewrite compares these as text; one spelling keeps that exact.
                        buf.lists[slot][i] = canonical
                        extra[f"{column}_as_delivered"] = value
            if extra:
                buf.lists[self._extra_slot][i] = dumps(extra)
        except BaseException:
            _clear_row(buf.lists, i)  # the next record fills this row, and sets only its own fields
            raise
        self._advance(day, buf)

    def add_fields(self, binding: list[tuple[int, str, Node | None]], fields: list[str],
                   start_at: int) -> None:
        """A flow-log line already split; `binding` ties header positions to columns (see readers)."""
        raw_start = fields[start_at]
        # isascii: str.isdigit() also says yes to '²' and '١', which int() refuses or reads as digits
        start = int(raw_start) if raw_start.isascii() and raw_start.isdigit() else (
            None if raw_start == "-" else raw_start)
        day = VpcFlowRules.start_day(start)
        buf = self._buffer(day)
        i = buf.n
        lists = buf.lists
        extra: dict[str, Any] = {}
        try:
            for position, name, node in binding:
                value = fields[position]
                if value == "-":
                    continue
                if node is None:
                    extra[name] = value
                elif node.kind == STR:
                    lists[node.slot][i] = value
                elif value.isascii() and value.isdigit() and int(value) < node.bound:
                    lists[node.slot][i] = int(value)
                else:
                    extra[name] = value
            if extra:
                lists[self._extra_slot][i] = dumps(extra)
        except BaseException:
            _clear_row(lists, i)
            raise
        self._advance(day, buf)

    def _advance(self, day: Partition, buf: _Buffer) -> None:
        buf.n += 1
        self.rows += 1
        if buf.n == self.batch_rows:
            del self.open[day]
            self._seal(day, buf)

    def _seal(self, day: Partition, buf: _Buffer) -> None:
        if not buf.n:
            return
        batch = self.plan.record_batch(buf.lists, buf.n)
        pending = self.pending.setdefault(day, _Pending())
        pending.batches.append(batch)
        pending.rows += batch.num_rows
        pending.nbytes += batch.nbytes
        self.pending_bytes += batch.nbytes
        if pending.rows >= self.file_rows:
            self._write(day)
        while self.pending_bytes > self.max_pending_bytes and self.pending:
            self._write(max(self.pending, key=lambda d: self.pending[d].nbytes))

    def _write(self, day: Partition) -> None:
        pending = self.pending.pop(day)
        self.pending_bytes -= pending.nbytes
        year, month, dd = day
        rel = Path(self.rules.name) / f"year={year}" / f"month={month}" / f"day={dd}" / (
            f"{uuid.uuid4().hex}.parquet")
        path = self.staging / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        table = sorted_for_lake(self.rules.name, pa.Table.from_batches(pending.batches, schema=self.plan.schema))
        pq.write_table(table, path, compression="zstd", row_group_size=128 * 1024)
        self.written.append(rel)

    def flush(self) -> None:
        for day, buf in list(self.open.items()):
            self._seal(day, buf)
        self.open.clear()
        for day in list(self.pending):
            self._write(day)


class LakeWriter:
    """Writers for every table, staging under `<lake>/_staging/<run>/`; `commit()` publishes."""

    def __init__(self, lake: Path, run_id: str | None = None, **options: Any) -> None:
        self.lake = Path(lake)
        self.staging = self.lake / "_staging" / (run_id or uuid.uuid4().hex)
        self.options = options
        self.tables: dict[str, TableWriter] = {}

    def table(self, name: str) -> TableWriter:
        writer = self.tables.get(name)
        if writer is None:
            writer = self.tables[name] = TableWriter(RULES[name](), self.staging, **self.options)
        return writer

    def add(self, table: str, record: Any, extra: dict | None = None) -> None:
        self.table(table).add(record, extra)

    def flush(self) -> list[Path]:
        """Write everything buffered; the staged files, relative to the staging folder."""
        staged = []
        for writer in self.tables.values():
            writer.flush()
            staged += writer.written
            writer.written = []
        return staged

    def counts(self) -> dict[str, int]:
        return {name: w.rows for name, w in self.tables.items() if w.rows}


def _clear_row(lists: list[list], i: int) -> None:
    """Undo a record that failed half-way through filling row `i` (columns are reused lists)."""
    for column in lists:
        column[i] = None


def publish(lake: Path, staging: Path, staged: list[Path]) -> None:
    """Move staged files into the lake (a rename on the same file system: atomic per file)."""
    for rel in staged:
        target = Path(lake) / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging / rel, target)


__all__ = ["LakeWriter", "Rejected", "TableWriter", "publish"]
