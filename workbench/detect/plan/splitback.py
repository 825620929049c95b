"""A shared scan as one engine-neutral statement, and its rows split back to the rules it served.

The statement (Athena SQL; the engine bounds it to the window like any query) selects:
- the plain columns the members name, with the partition keys and the event time (so each
  member's own, narrower window still applies to its rows);
- each struct field path a member reads, flattened to a scalar column named by its path
  (`"useridentity.sessioncontext.sessionissuer.arn"`): Athena returns a struct as text, a scalar
  as itself;
- one boolean per member, "this row is a candidate for it" (its lifted WHERE, cheap tests first);
over the rows some member keeps (`scan_filter`: a coarse pre-test, then the factored OR).

The split back loads the rows into a sandboxed in-memory DuckDB (it can read no file at all),
rebuilds each struct from its flattened fields, and runs each member's own query, unchanged but
for where it reads: its tagged rows inside its own window (`workbench.engines.window.read_from`).
Why the answers are those of the query over the table: see `workbench.detect.plan.shareable`.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
from sqlglot import exp

from workbench.detect.plan.pack import column_type, leaf_type
from workbench.detect.plan.scanfilter import cheap_first, scan_filter, short_circuit
from workbench.detect.plan.shareable import Shareable, analyse, split_evenly
from workbench.engines.base import Execution, Result
from workbench.engines.dialect import write_dialect_for
from workbench.engines.window import bounds_sql, read_from
from workbench.sqlcache import persisted
from workbench.timewindow import Window, iso_z

if TYPE_CHECKING:
    from workbench.detect.plan.keptrows import KeptScan
    from workbench.detect.plan.pack import Part
    from workbench.detect.plan.statements import Statement
    from workbench.engines.base import Engine

_ATHENA = write_dialect_for("athena")


def tag_column(position: int) -> str:
    """The scan's column saying whether a row is a candidate for member `position`."""
    return f"_match_{position}"


def _layout(queries: tuple[str, ...]) -> tuple[str, list[str], dict[str, list[tuple[str, ...]]]]:
    """(table, plain columns, struct column -> the scalar field paths read), for the members."""
    members = [analyse(q) for q in queries]
    if not all(isinstance(m, Shareable) for m in members) or len({m.table for m in members}) != 1:  # type: ignore[union-attr]
        raise ValueError("a shared scan takes shareable queries over one table")
    table = members[0].table  # type: ignore[union-attr]
    columns = sorted(set().union(*(m.columns for m in members)))  # type: ignore[union-attr]
    structs: dict[str, set[tuple[str, ...]]] = {}
    for m in members:
        for column, paths in m.fields.items():  # type: ignore[union-attr]
            if paths:
                structs.setdefault(column, set()).update(paths)
    plain = [c for c in columns if not pa.types.is_struct(column_type(table, c))]
    return table, plain, {c: sorted(structs[c]) for c in sorted(structs)}


def flat_name(column: str, path: tuple[str, ...]) -> str:
    return ".".join((column, *path))


def row_columns(queries: tuple[str, ...]) -> tuple[str, ...]:
    """The columns of a scan's rows for `queries`: plain columns, flattened struct fields, a tag each."""
    _, plain, structs = _layout(queries)
    return (*plain, *(flat_name(c, path) for c, paths in structs.items() for path in paths),
            *(tag_column(k) for k in range(len(queries))))


@persisted
def scan_sql(table: str, queries: tuple[str, ...]) -> str:
    """Athena SQL of one scan of `table` serving the `queries` (see the module docstring)."""
    found, plain, structs = _layout(queries)
    if found != table:
        raise ValueError(f"a shared scan of {table} was given queries over {found}")
    members = [analyse(q) for q in queries]
    projection: list[exp.Expression] = [exp.column(c, quoted=True) for c in plain]
    for column, paths in structs.items():
        for path in paths:
            parts = [exp.to_identifier(p, quoted=True) for p in (column, *path)]
            projection.append(exp.alias_(exp.Dot.build(parts), flat_name(column, path), quoted=True))
    predicates = [m.predicate for m in members]  # type: ignore[union-attr]
    projection += [exp.alias_(short_circuit(cheap_first(p)), tag_column(k), quoted=True)
                   for k, p in enumerate(predicates)]
    return exp.select(*projection).from_(table).where(scan_filter(predicates)).sql(dialect=_ATHENA)


def split_back(engine: Engine, table: str, parts: Sequence[Part], statement: Statement,
               answer: Result | Exception, kept: KeptScan | None = None) -> dict[int, Result]:
    """Each member's answer from the scan's rows. A member left out (the scan failed, or its query
    fails over the rows) runs alone afterwards and reports its own error there. With `kept`, the
    statement read only the run's new rows: the rest of the reach comes from the rows earlier runs
    kept (`workbench.detect.plan.keptrows`), and this read's rows are kept for the next runs."""
    if isinstance(answer, Exception):
        return {}
    queries = tuple(p.query for p in parts)
    _, plain, structs = _layout(queries)
    started = time.perf_counter()
    rows = _arrow(table, answer, plain, structs, len(parts))
    if rows is None:
        return {}
    earlier: list[tuple[Window, pa.Table]] = []
    if kept is not None:
        try:
            earlier = kept.take(rows)
        except (OSError, pa.ArrowException):
            return {}  # kept rows that cannot be read: each member reads its own window alone
    home = Path(tempfile.mkdtemp(prefix="mantissa-split-"))
    found: dict[int, tuple[Execution, float]] = {}
    try:
        from workbench.engines.sandbox import open_sandboxed, remove_spill

        con, spill = open_sandboxed(home, engine.settings.local)
        try:
            con.register("_scan", rows)
            source = '"_scan"'
            if earlier:
                # Each earlier read only for the span it is the authority for, then this read's rows.
                pieces = []
                for n, (span, kept_rows) in enumerate(earlier):
                    con.register(f"_kept_{n}", kept_rows)
                    pieces.append(f'SELECT * FROM "_kept_{n}" WHERE {bounds_sql(table, span, "duckdb")}')
                source = "(" + " UNION ALL BY NAME ".join([*pieces, 'SELECT * FROM "_scan"']) + ")"
            con.execute(f'CREATE TABLE "_shared" AS SELECT {_rebuild(plain, structs, len(parts))} FROM {source}')
            con.unregister("_scan")
            for n in range(len(earlier)):
                con.unregister(f"_kept_{n}")
            tags = ", ".join(f'"{tag_column(k)}"' for k in range(len(parts)))
            load_s = time.perf_counter() - started
            for k, part in enumerate(parts):
                bounds = bounds_sql(table, part.window, "duckdb") if part.window is not None else "true"
                rows_sql = f'SELECT * EXCLUDE ({tags}) FROM "_shared" WHERE "{tag_column(k)}" AND ({bounds})'
                began = time.perf_counter()
                try:
                    frame = con.execute(read_from(part.query, table, rows_sql, "duckdb")).fetch_df()
                except Exception:  # noqa: BLE001 - it runs alone and says why there
                    continue
                found[part.index] = (Execution(frame, answer.query_id), time.perf_counter() - began)
        finally:
            con.close()
            remove_spill(spill)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    info = {"id": answer.query_id, "table": table, "queries": len(parts), "rows": rows.num_rows,
            "bytes_scanned": answer.bytes_scanned, "elapsed_s": answer.elapsed_s, "split_s": load_s,
            "sql": statement.sql}
    if kept is not None:
        info["kept"] = {"incremental": kept.incremental, "read": [iso_z(kept.read.start), iso_z(kept.read.end)],
                        "reach_from": iso_z(kept.reach.start), "rows_from_state": sum(t.num_rows for _, t in earlier)}
    served = [p for p in parts if p.index in found]
    shares = zip(served, split_evenly(answer.bytes_scanned, len(served)),
                 split_evenly(answer.elapsed_s + load_s, len(served)),
                 split_evenly(answer.cost_usd, len(served)), strict=True)
    results: dict[int, Result] = {}
    for part, bytes_share, time_share, cost_share in shares:
        execution, own_s = found[part.index]
        results[part.index] = Result(
            frame=execution.frame, engine=answer.engine, sql=part.query,
            executed_sql=f"-- rows of shared scan {answer.query_id}\n{answer.executed_sql}",
            query_id=answer.query_id, elapsed_s=own_s + time_share, bytes_scanned=bytes_share,
            cost_usd=cost_share, window=part.window, extra={"shared_scan": info})
    return results


def _arrow(table: str, answer: Result, plain: list[str], structs: dict[str, list[tuple[str, ...]]],
           members: int) -> pa.Table | None:
    """The scan's rows with the catalog's types (an engine returning text, or a column of only
    NULLs, must not change how a member compares them); None when they do not convert."""
    frame = answer.frame
    wanted = [(c, column_type(table, c)) for c in plain]
    wanted += [(flat_name(c, p), leaf_type(column_type(table, c), p)) for c, ps in structs.items() for p in ps]
    wanted += [(tag_column(k), pa.bool_()) for k in range(members)]
    lowered = {str(c).lower(): c for c in frame.columns}
    arrays = []
    try:
        for name, kind in wanted:
            arrays.append(pa.array(frame[lowered[name.lower()]], type=kind, from_pandas=True))
    except (KeyError, pa.ArrowException, TypeError, ValueError):
        return None
    return pa.Table.from_arrays(arrays, names=[n for n, _ in wanted])


def _rebuild(plain: list[str], structs: dict[str, list[tuple[str, ...]]], members: int) -> str:
    """DuckDB projection: plain columns, each struct rebuilt from its flattened fields, the tags."""
    out = [f'"{c}"' for c in plain]
    for column, paths in structs.items():
        tree: dict = {}
        for path in paths:
            node = tree
            for name in path[:-1]:
                node = node.setdefault(name, {})
            node[path[-1]] = flat_name(column, path)
        out.append(f'{_pack(tree)} AS "{column}"')
    out += [f'"{tag_column(k)}"' for k in range(members)]
    return ", ".join(out)


def _pack(tree: dict) -> str:
    fields = [f'"{name}" := {_pack(sub) if isinstance(sub, dict) else chr(34) + sub + chr(34)}'
              for name, sub in sorted(tree.items())]
    return f"struct_pack({', '.join(fields)})"
