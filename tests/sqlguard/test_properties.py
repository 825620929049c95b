"""Property-based: nested WITH / subquery / join / set shapes around file-like names (issue 18).

Whatever shape hypothesis builds, the guard refuses it, or the SQL the local engine would run reads
nothing but catalog log tables, each inside a scan bounded by the window. The same holds for the
read boundary alone (what `--unsafe` runs through). Which name a reference reads is decided here by
sqlglot's own scope analysis (`sqlglot.optimizer.scope`), not by the guard's code under test.
"""

from __future__ import annotations

import sqlglot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlglot import exp
from sqlglot.optimizer.scope import Scope, traverse_scope

from workbench.catalog import TABLES
from workbench.engines import EngineError
from workbench.engines.window import bind, bounds_sql
from workbench.sqlguard import GuardError, guard
from workbench.timewindow import Window

WINDOW = Window.between("2026-12-05T00:00:00Z", "2026-12-05T01:00:00Z")

# Names a reference may use: log tables, plain CTE-like names, and names DuckDB reads as files.
FILE_LIKE = ['"/tmp/x/secret.csv"', '"lake/cloudtrail/*/*/*/*.parquet"', '"secret.csv"', '"kernel-1.json"',
             '"s3://bucket/k.parquet"', '"../lake/vpc_flow/year=2026/month=12/day=05/a.parquet"', '"x--y"']
LOGS = ["cloudtrail", "vpc_flow", "guardduty", '"cloudtrail"', "mantissa.cloudtrail",
        "awsdatacatalog.mantissa.vpc_flow"]
CTE_LIKE = ["x", "y", '"x"']
# Mostly honest names, so that many shapes get past the guard and the property has work to do;
# a CTE-like name read where no CTE of that name is in scope is a file name to DuckDB.
REFERENCES = st.sampled_from(LOGS * 8 + CTE_LIKE * 4 + FILE_LIKE + ['mantissa."/etc/passwd"'])
CTE_NAMES = st.sampled_from(CTE_LIKE * 8 + ["cloudtrail", "vpc_flow"] * 2 + FILE_LIKE)
JOINS = st.sampled_from(["JOIN {r} ON {l}.k = {r_alias}.k"] * 4 + ["LEFT JOIN {r} ON {l}.k = {r_alias}.k"] * 2
                        + ["CROSS JOIN {r}", "JOIN {r} ON TRUE", ", {r}"])

_aliases = iter(range(10**9))


def _alias() -> str:
    return f"a{next(_aliases)}"


@st.composite
def source(draw: st.DrawFn, depth: int) -> tuple[str, str]:
    """A FROM item and its alias."""
    alias = _alias()
    if depth > 0 and draw(st.booleans()):
        return f"({draw(query(depth - 1))}) {alias}", alias
    return f"{draw(REFERENCES)} {alias}", alias


@st.composite
def query(draw: st.DrawFn, depth: int = 2) -> str:
    parts = []
    ctes = draw(st.integers(0, 2 if depth > 0 else 0))
    if ctes:
        bodies = [f"{draw(CTE_NAMES)} AS ({draw(query(depth - 1))})" for _ in range(ctes)]
        parts.append("WITH " + ", ".join(bodies))
    first, left = draw(source(depth))
    text = f"SELECT * FROM {first}"
    for _ in range(draw(st.integers(0, 2))):
        right, right_alias = draw(source(depth))
        text += " " + draw(JOINS).format(r=right, l=left, r_alias=right_alias)
    if depth > 0 and draw(st.booleans()):
        text += f" WHERE k IN (SELECT k FROM {draw(source(depth - 1))[0]})"
    parts.append(text)
    body = " ".join(parts)
    if depth > 0 and draw(st.booleans()):
        body = f"{body} UNION ALL SELECT * FROM {draw(source(depth - 1))[0]}"
    return body


def _reads_only_bounded_log_tables(duckdb_sql: str) -> None:
    """Every source sqlglot's scope analysis resolves to a table (not a CTE) is a log table, read
    inside the window rewrite's bounded scan."""
    tree = sqlglot.parse_one(duckdb_sql, read="duckdb")
    for scope in traverse_scope(tree):
        for name, found in scope.sources.items():
            if isinstance(found, Scope):
                continue  # a CTE or subquery: its own scope is checked in turn
            assert isinstance(found, exp.Table), (name, duckdb_sql)
            table = found.name.lower()
            assert table in TABLES, f"reads {found.sql()!r}: {duckdb_sql}"
            select = found.find_ancestor(exp.Select)
            where = select.args.get("where") if select is not None else None
            assert where is not None and bounds_sql(table, WINDOW, "duckdb") in where.this.sql("duckdb"), duckdb_sql
    for table in tree.find_all(exp.Table):
        assert not any(ch in table.name for ch in "/*."), duckdb_sql


PROFILE = settings(max_examples=200, deadline=None, derandomize=True, database=None,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


@PROFILE
@given(query())
def test_guard_refuses_or_every_reference_is_a_bounded_log_table(sql: str) -> None:
    try:
        guarded = guard(sql, WINDOW)
    except GuardError as refusal:
        assert refusal.reason and "\n" not in refusal.reason
        return
    _reads_only_bounded_log_tables(bind(guarded.sql, WINDOW, "duckdb").sql)


@PROFILE
@given(query())
def test_the_read_boundary_alone_refuses_or_bounds_every_read(sql: str) -> None:
    """What `--unsafe` runs through: the guard's shape checks skipped, the boundary kept."""
    try:
        bound = bind(sql, WINDOW, "duckdb")
    except EngineError as refusal:
        assert "\n" not in str(refusal)
        return
    _reads_only_bounded_log_tables(bound.sql)


def test_the_generator_reaches_the_accepting_side() -> None:
    """The properties mean something only if some generated shapes are accepted: a fixed sample."""
    accepted = 0
    for sql in ["WITH x AS (SELECT * FROM cloudtrail a0) SELECT * FROM x a1 JOIN vpc_flow a2 ON a1.k = a2.k",
                "SELECT * FROM (WITH y AS (SELECT * FROM guardduty a0) SELECT * FROM y a1) a2",
                "WITH cloudtrail AS (SELECT * FROM cloudtrail a0) SELECT * FROM cloudtrail a1"]:
        guarded = guard(sql, WINDOW)
        _reads_only_bounded_log_tables(bind(guarded.sql, WINDOW, "duckdb").sql)
        accepted += 1
    assert accepted == 3
