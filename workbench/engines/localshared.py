"""The local engine's batches: one shared scan per log table, its members answered on cursors.

A mixin of `LocalEngine` (which provides the connection, views, deadlines and results); the plan
comes from `workbench.detect.plan.shareable`, the SQL from `workbench.detect.plan.sharedscan`.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

import duckdb
from sqlglot import exp

from workbench import sqlcache
from workbench.detect.plan.shareable import Shareable, analyse, overlapping, split_evenly
from workbench.detect.plan.sharedscan import (
    FLAGS_PER_COLUMN,
    flag_columns,
    flag_test,
    shared_scan_sql,
    shared_table_sql,
)
from workbench.engines.base import EngineError, Execution, Result, batch_windows, empty_frame
from workbench.engines.window import bounds_sql, read_from
from workbench.timewindow import Window

if TYPE_CHECKING:
    from workbench.detect.plan.statements import Statement


class SharedScans:
    """Batches on the local engine (see `run_batch`)."""

    SHARES_SCANS_ITSELF: ClassVar[bool] = True

    MIN_SHARED: ClassVar[int] = 2
    """Queries over one table a batch needs before it shares a scan: one query alone gains nothing."""

    MEMBER_THREADS: ClassVar[int] = min(4, os.cpu_count() or 1)
    """Member queries of a shared scan run on this many cursors at once. Each is a small query over
    the in-memory shared rows, and most of its time is per-statement work on one core (planning,
    fetching to pandas), so two cores answer 26 members in 0.13 s instead of 0.23 s (1M events)."""

    SHARED_CANDIDATES_MAX: ClassVar[int] = 250_000
    """A query known to have more candidate rows than this runs alone: the shared table is held in
    memory, and a threshold rule over every GetObject of a busy week would fill it with millions
    of rows that its own streaming query reads once (see `run_batch`'s `candidates`)."""

    SHARE_WINDOWED: ClassVar[bool] = True
    """Whether queries with window functions join the shared scan. They do: threshold rules over
    frequent events (every GetObject, every List* call), whose candidates would swell the shared
    table, are answered by the detection census (`workbench.detect.plan.census`) and reach the engine
    only when a burst is possible; the windowed queries left are rules over rarer events (secret
    and parameter reads, console sign-ins), cheaper to copy than to scan again. An engine subclass
    may turn it off to run them alone (measured both ways: benchmarks/detect.py)."""

    def run_plan(self, statements: Sequence[Statement]) -> list[Result | Exception]:
        """A plan's statements one by one: the plan has shared the scans already."""
        return [self.run_captured(s.sql, s.window) for s in statements]

    def run_batch(self, queries: Sequence[str], window: Window | None = None, *,
                  windows: Sequence[Window | None] | None = None,
                  candidates: Sequence[int | None] | None = None) -> list[Result | Exception]:
        """Each log table is read once for all the batch's simple queries over it whose windows
        overlap (see `workbench.detect.plan.shareable`); the rest, and any query the shared path cannot
        answer, run alone.

        Accounting: the shared scan's bytes (the files it reads, as for any query) and its time are
        split evenly across the queries it served, so a run's totals are what was really read and
        spent; each Result's `extra["shared_scan"]` says what it shared, with how many, and its SQL.
        """
        per_query = batch_windows(queries, window, windows)
        answers: list[Result | Exception | None] = [None] * len(queries)
        by_table: dict[str, dict[int, Shareable]] = {}
        for index, sql in enumerate(queries):
            if candidates is not None and (candidates[index] or 0) > self.SHARED_CANDIDATES_MAX:
                continue
            try:
                # The read boundary first (cached): a shared scan copies a member's conditions into
                # SQL of its own, so a query the rewrite refuses must not reach one; alone, it fails.
                self.bind(sql, per_query[index])
            except EngineError:
                continue
            plan = analyse(sql)
            if isinstance(plan, Shareable) and (self.SHARE_WINDOWED or not plan.windowed):
                by_table.setdefault(plan.table, {})[index] = plan
        for table, plans in by_table.items():
            for scan_window, group in overlapping([(i, per_query[i]) for i in plans]):
                members = [(i, plans[i], per_query[i]) for i in group]
                if len(group) >= self.MIN_SHARED:
                    found = self._run_shared(table, members, queries, scan_window)
                elif not self.files_read(frozenset({table}), scan_window):
                    found = self._nothing_to_scan(members, queries)  # alone, with nothing to read
                else:
                    continue
                for index, result in found.items():
                    answers[index] = result
        for index, (sql, own_window) in enumerate(zip(queries, per_query, strict=True)):
            if answers[index] is None:
                answers[index] = self.run_captured(sql, own_window)
                if isinstance(answers[index], Result):
                    sqlcache.record(("binds", self.dialect, sql))
        return answers  # type: ignore[return-value]

    def _run_shared(self, table: str, members: list[tuple[int, Shareable, Window | None]],
                    queries: Sequence[str], window: Window | None) -> dict[int, Result]:
        """Answers for the members one scan of `table` over `window` (covering all theirs) could
        serve; the others are left to run alone."""
        plans = [plan for _, plan, _ in members]
        files = self.files_read(frozenset({table}), window)
        if not files:
            return self._nothing_to_scan(members, queries)
        scan_sql = shared_scan_sql(table, plans, window, dialect=self.dialect,
                                   queries=[queries[index] for index, _, _ in members])
        # A member whose own window is narrower than the scan's reads its rows through a column
        # computed in the scan: re-applying its bounds in its own query costs more to plan.
        narrower = list(dict.fromkeys(w for _, _, w in members if w is not None and w != window))
        self._point_view(table, files)
        con = self.connection
        shared = exp.to_identifier(f"_shared_{table}", quoted=True).sql("duckdb")
        started = time.perf_counter()
        try:
            within = [bounds_sql(table, w, self.dialect) for w in narrower]
            table_sql = shared_table_sql(scan_sql, plans, within, queries=[queries[i] for i, _, _ in members])
            with self._deadline():
                # Not TEMP: the cursors that answer the members must see it.
                con.execute(f"CREATE OR REPLACE TABLE {shared} AS {table_sql}")
        except duckdb.Error as exc:
            self._recovered_from(exc)
            return {}  # each query then runs alone and reports its own error
        done: dict[int, tuple[str, Execution, float]] = {}
        try:
            hidden = flag_columns(len(members) + len(narrower))
            needs = [[k] if own_window not in narrower else [k, len(members) + narrower.index(own_window)]
                     for k, (_, _, own_window) in enumerate(members)]
            conditions = [" AND ".join(flag_test(flag) for flag in flags) for flags in needs]
            rows, candidates = self._count_candidates(shared, hidden, needs)
            scan_s = time.perf_counter() - started
            excluded = ", ".join(f'"{name}"' for name in hidden)
            jobs: list[tuple[int, str, str]] = []  # (index, its SQL over the files, its SQL over its rows)
            sizes: dict[int, int] = {}  # index -> its candidate rows
            for k, (index, plan, own_window) in enumerate(members):
                if not candidates[k] and plan.columns_out is not None and sqlcache.known(
                        ("binds", self.dialect, queries[index])):
                    # No row could reach it, it yields nothing from nothing, and it has run
                    # before (so it is not a query that would fail): nothing to run.
                    done[index] = (scan_sql,
                                   Execution(empty_frame(plan.columns_out), str(uuid.uuid4())), 0.0)
                    continue
                # The query runs unchanged but for where it reads: each read of its table reads
                # its own shared rows (which keep partition keys and time) inside its window.
                rows_sql = f"SELECT * EXCLUDE ({excluded}) FROM {shared} WHERE {conditions[k]}"
                try:
                    over_rows = read_from(queries[index], table, rows_sql, self.dialect)
                except EngineError:
                    continue  # it runs alone
                jobs.append((index, self.bind(queries[index], own_window).sql, over_rows))
                sizes[index] = candidates[k]
            # Biggest first, so no cursor is left finishing a long query while the others idle.
            jobs.sort(key=lambda job: -sizes[job[0]])
            for index, answer in self._answer_members(jobs).items():
                done[index] = answer
                sqlcache.record(("binds", self.dialect, queries[index]))
        finally:
            try:
                con.execute(f"DROP TABLE IF EXISTS {shared}")
            except duckdb.Error as exc:  # a member broke the database: the members left run alone
                if not self._recovered_from(exc):
                    raise
        scanned = sum(path.stat().st_size for path in files)
        info = {"id": str(uuid.uuid4()), "table": table, "queries": len(done), "rows": rows,
                "bytes_scanned": scanned, "elapsed_s": scan_s, "sql": scan_sql}
        results: dict[int, Result] = {}
        windows = {index: own_window for index, _, own_window in members}
        shares = zip(done.items(), split_evenly(scanned, len(done)), split_evenly(scan_s, len(done)), strict=True)
        for (index, (executed, execution, own_s)), bytes_share, time_share in shares:
            execution.bytes_scanned = bytes_share
            results[index] = self._result(queries[index], executed, execution, own_s + time_share, windows[index],
                                          extra={"shared_scan": info})
        return results

    def _count_candidates(self, shared: str, packed: list[str], needs: list[list[int]]) -> tuple[int, list[int]]:
        """The shared table's rows, and each member's candidates: the rows with all its flags set.
        Rows fall into a few dozen flag combinations, so one GROUP BY of the packed columns and a
        count per combination answer every member (one `count_if` of a bit test per member costs
        more than the whole GROUP BY)."""
        columns = ", ".join(f'"{name}"' for name in packed)
        combinations = self.connection.execute(f"SELECT {columns}, count(*) FROM {shared} GROUP BY ALL").fetchall()
        held = [(sum(value << (FLAGS_PER_COLUMN * g) for g, value in enumerate(row[:-1])), row[-1])
                for row in combinations]
        candidates = [sum(n for bits, n in held if all(bits >> flag & 1 for flag in flags)) for flags in needs]
        return sum(n for _, n in held), candidates

    def _answer_members(self, jobs: list[tuple[int, str, str]]) -> dict[int, tuple[str, Execution, float]]:
        """Run each member's query over its shared rows on the worker cursors, `MEMBER_THREADS` at
        once; its answer reports its SQL over the files (what reproduces it). A member whose query
        fails is left out: alone, it fails (or not) exactly as it would without batching."""
        cursors = self._worker_cursors(min(self.MEMBER_THREADS, len(jobs)))
        answers: dict[int, tuple[str, Execution, float]] = {}

        pending = iter(jobs)  # each cursor takes the next job when it is free (next() holds the GIL)

        def work(cursor: duckdb.DuckDBPyConnection) -> None:
            for index, sql, over_rows in pending:
                began = time.perf_counter()
                try:
                    with self._deadline(cursor):
                        frame = cursor.execute(over_rows).fetch_df()
                except Exception:  # noqa: BLE001 - a thread must not die; the member then runs alone
                    continue
                answers[index] = (sql, Execution(frame, str(uuid.uuid4())), time.perf_counter() - began)

        if len(cursors) <= 1:
            work(cursors[0] if cursors else self.connection)
            return answers
        workers = [threading.Thread(target=work, args=(cursor,), daemon=True) for cursor in cursors]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        return answers

    def _worker_cursors(self, count: int) -> list[duckdb.DuckDBPyConnection]:
        """Cursors on the engine's database (they see its tables, and inherit its UTC time zone:
        the sandbox sets it globally before locking the configuration)."""
        while len(self._cursors) < count:
            self._cursors.append(self.connection.cursor())
        return self._cursors[:count]

    def _nothing_to_scan(self, members: list[tuple[int, Shareable, Window | None]],
                         queries: Sequence[str]) -> dict[int, Result]:
        """No file in the window: members known to run answer with no rows (planning a scan of
        dozens of predicates costs more than the nothing it would read); the others run alone."""
        results: dict[int, Result] = {}
        for index, plan, own_window in members:
            if plan.columns_out is not None and sqlcache.known(("binds", self.dialect, queries[index])):
                execution = Execution(empty_frame(plan.columns_out), str(uuid.uuid4()))
                note = f"-- no file of {plan.table} in the window: nothing read"
                results[index] = self._result(queries[index], note, execution, 0.0, own_window,
                                              extra={"shared_scan": {"table": plan.table, "files": 0}})
        return results
