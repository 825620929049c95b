"""Trino behaviours Athena users hit and DuckDB does not share, reproduced in the double.

The double transpiles with the project's own dialect (`MantissaDuckDB`), then adds what makes
Athena's answer differ from a plain translation — so a query that errors on Athena errors here:
- `CAST(x AS IPADDRESS)` of text that is not an IP address fails the query with
  `INVALID_CAST_ARGUMENT: Cannot cast value to IPADDRESS: <x>` (TRY_CAST stays NULL);
- `arr[n]` past the array's end fails with `Array subscript must be less than or equal to array
  length: n > len`, `arr[0]` with `SQL array indices start at 1`, `arr[-n]` with `Array subscript is
  negative: -n` (`element_at` stays NULL);
- `regexp_extract` without a match is NULL, not DuckDB's ''.
"""

from __future__ import annotations

from typing import ClassVar

import duckdb
from sqlglot import exp
from sqlglot.dialects.duckdb import DuckDB

from workbench.engines.dialect import MantissaDuckDB

_OCTET = r"(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_IPV4 = rf"({_OCTET}\.){{3}}{_OCTET}"

MACROS = (
    "CREATE OR REPLACE MACRO athena_ipaddress(x) AS CASE WHEN x IS NULL THEN NULL "
    f"WHEN regexp_full_match(CAST(x AS VARCHAR), '{_IPV4}') "
    "OR (strpos(CAST(x AS VARCHAR), ':') > 0 AND regexp_full_match(CAST(x AS VARCHAR), '[0-9A-Fa-f:.]+')) "
    "THEN CAST(x AS VARCHAR) "
    "ELSE error('INVALID_CAST_ARGUMENT: Cannot cast value to IPADDRESS: ' || CAST(x AS VARCHAR)) END",
    "CREATE OR REPLACE MACRO athena_try_ipaddress(x) AS CASE "
    f"WHEN regexp_full_match(CAST(x AS VARCHAR), '{_IPV4}') "
    "OR (strpos(CAST(x AS VARCHAR), ':') > 0 AND regexp_full_match(CAST(x AS VARCHAR), '[0-9A-Fa-f:.]+')) "
    "THEN CAST(x AS VARCHAR) END",
)


def install_macros(connection: duckdb.DuckDBPyConnection) -> None:
    for macro in MACROS:
        connection.execute(macro)


def _checked_ip(expression: exp.Expression) -> exp.Expression:
    return exp.Anonymous(this="athena_ipaddress", expressions=[expression.copy()])


def _contains(self: DuckDB.Generator, expression: exp.ArrayContains) -> str:
    address = expression.expression
    if isinstance(address, exp.Cast) and address.to.is_type(exp.DType.IPADDRESS):
        expression = expression.copy()
        cast = expression.expression
        cast.set("this", _checked_ip(cast.this))
    return MantissaDuckDB.Generator.TRANSFORMS[exp.ArrayContains](self, expression)


def _regexp_extract_null(self: DuckDB.Generator, expression: exp.RegexpExtract) -> str:
    plain = DuckDB.Generator.TRANSFORMS.get(exp.RegexpExtract)
    text = plain(self, expression) if plain else self.function_fallback_sql(expression)
    test = exp.RegexpLike(this=expression.this.copy(), expression=expression.expression.copy())
    return f"(CASE WHEN {DuckDB.Generator.regexplike_sql(self, test)} THEN {text} END)"


def _literal_int(node: exp.Expression | None) -> int | None:
    """The integer a literal subscript holds; sqlglot writes a negative one as Neg(literal), and
    keeps subscripts 0-based in the tree, so Athena's `arr[0]` arrives here as Neg(1)."""
    if isinstance(node, exp.Literal) and node.is_int:
        return int(node.name)
    if isinstance(node, exp.Neg) and isinstance(node.this, exp.Literal) and node.this.is_int:
        return -int(node.this.name)
    return None


def _subscript(self: DuckDB.Generator, expression: exp.Bracket) -> str:
    plain = DuckDB.Generator.bracket_sql(self, expression)
    index = expression.expressions[0] if len(expression.expressions) == 1 else None
    if expression.args.get("safe") or index is None or (isinstance(index, exp.Literal) and index.is_string):
        return plain  # element_at: NULL past the end, as on Athena; a map's m[key] is no array subscript
    array = self.sql(expression.this)
    # The position as printed (Athena's number, from 1; sqlglot keeps the tree's 0-based).
    (printed,) = self.bracket_offset_expressions(expression)
    position = _literal_int(printed)
    if position is None:  # computed: checked row by row
        at = f"({self.sql(printed)})"
        failure = (f"(CASE WHEN {at} = 0 THEN error('SQL array indices start at 1') "
                   f"WHEN {at} < 0 THEN error('Array subscript is negative: ' || {at}) "
                   f"WHEN len({array}) < {at} THEN error('Array subscript must be less than or equal to array "
                   f"length: ' || {at} || ' > ' || len({array})) END)")
    elif position == 0:
        failure = "error('SQL array indices start at 1')"
    elif position < 0:
        failure = f"error('Array subscript is negative: {position}')"
    else:
        failure = (f"(CASE WHEN len({array}) < {position} THEN error('Array subscript must be less than or "
                   f"equal to array length: {position} > ' || len({array})) END)")
    # Only an array fails: DuckDB's `typeof` tells (the tree does not know column types), and a
    # NULL array stays NULL, as on Athena.
    return f"(CASE WHEN typeof({array}) LIKE '%[]' AND {array} IS NOT NULL THEN coalesce({failure}, {plain}) ELSE {plain} END)"


class DoubleDuckDB(MantissaDuckDB):
    """The project's DuckDB dialect plus Athena's erroring semantics."""

    ATHENA_ERRORS: ClassVar[bool] = True

    class Generator(MantissaDuckDB.Generator):
        TRANSFORMS = {
            **MantissaDuckDB.Generator.TRANSFORMS,
            exp.ArrayContains: _contains,
            exp.RegexpExtract: _regexp_extract_null,
        }

        def cast_sql(self, expression: exp.Cast, safe_prefix: str | None = None) -> str:
            if expression.to.is_type(exp.DType.IPADDRESS):
                if safe_prefix or isinstance(expression, exp.TryCast):
                    return self.sql(exp.Anonymous(this="athena_try_ipaddress", expressions=[expression.this.copy()]))
                return self.sql(_checked_ip(expression.this))
            return super().cast_sql(expression, safe_prefix)

        def bracket_sql(self, expression: exp.Bracket) -> str:
            return _subscript(self, expression)
