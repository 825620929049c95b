"""A pySigma backend and processing pipeline that turn a Sigma detection into an Athena `WHERE`
condition over our `cloudtrail` table. Imports pySigma: reach it through `workbench.rules.sigma`,
which imports it only when used.

Matching follows the Sigma specification, written in SQL both Athena and the local engine run:

- strings compare case-insensitively (`lower(col) = 'value'`) unless the rule says `|cased`;
  wildcards (`*`, `?`, and the contains/startswith/endswith modifiers) become `LIKE`;
- `|re` is `regexp_like` (a search, as Sigma's `re` is), with `(?i)`-style flags for `|re|i`...;
- `|cidr` is `contains('10.0.0.0/8', TRY_CAST(col AS IPADDRESS))` — TRY_CAST because
  `sourceIPAddress` also holds service names (`ec2.amazonaws.com`), which must not fail the query;
- `|exists` is `IS [NOT] NULL`; every CloudTrail column is text, so numbers and booleans compare as
  the text the record holds (`'true'`, `'5'`);
- a missing field matches nothing, and `not` of something that matches nothing is true — SQL's NULL
  would make `not filter` drop every event without the field, so negations read
  `NOT coalesce(<inner>, false)`.

Keyword (full-text) searches have no column to search and are refused with the reason.
"""

from __future__ import annotations

from typing import Any, ClassVar

from sigma.conditions import ConditionAND, ConditionFieldEqualsValueExpression, ConditionNOT, ConditionOR
from sigma.conversion.base import TextQueryBackend
from sigma.conversion.state import ConversionState
from sigma.exceptions import SigmaFeatureNotSupportedByBackendError, SigmaTransformationError
from sigma.processing.pipeline import ProcessingItem, ProcessingPipeline
from sigma.processing.transformations import FieldFunctionTransformation
from sigma.rule import SigmaRule
from sigma.types import (
    SigmaCasedString,
    SigmaCIDRExpression,
    SigmaCompareExpression,
    SigmaNumber,
    SigmaRegularExpression,
    SigmaRegularExpressionFlag,
    SigmaString,
    SpecialChars,
)

from workbench.rules.sigma.fields import FieldError, canonical_path, column_ref

PIPELINE_ID = "mantissa_cloudtrail_fields"


def _map_field(field: str | None) -> str:
    if field is None:  # keyword search: refused later, with its own message
        return field  # type: ignore[return-value]
    try:
        return canonical_path(field)
    except FieldError as exc:
        raise SigmaTransformationError(str(exc)) from None


def cloudtrail_pipeline() -> ProcessingPipeline:
    """Sigma CloudTrail field names → our canonical column paths (see `fields.py`)."""
    return ProcessingPipeline(
        name="Mantissa CloudTrail field mapping",
        priority=20,
        items=[ProcessingItem(identifier=PIPELINE_ID,
                              transformation=FieldFunctionTransformation(mapping={},
                                                                         transform_func=_map_field))],
    )


def _plain(value: Any) -> str:
    try:
        return str(value.to_plain())
    except Exception:  # noqa: BLE001 - only for the message
        return str(value)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _like_pattern(value: SigmaString) -> tuple[str, bool]:
    """A LIKE pattern for a Sigma string with wildcards, and whether it needs `ESCAPE '\\'`."""
    out: list[str] = []
    escaped = False
    for part in value.s:
        if part is SpecialChars.WILDCARD_MULTI:
            out.append("%")
        elif part is SpecialChars.WILDCARD_SINGLE:
            out.append("_")
        elif isinstance(part, str):
            for ch in part:
                if ch in "\\%_":
                    out.append("\\")
                    escaped = True
                out.append(ch)
        else:
            raise SigmaFeatureNotSupportedByBackendError(
                f"placeholder {part!r} in a value: expand placeholders (%name%) before importing")
    return "".join(out), escaped


class AthenaCloudTrailBackend(TextQueryBackend):
    """Sigma detection → an Athena boolean expression over `cloudtrail` (no SELECT, no FROM).

    After `convert_rule`, `fields_used` lists the canonical paths the condition reads, in order.
    """

    name: ClassVar[str] = "Mantissa Athena CloudTrail"
    formats: ClassVar[dict[str, str]] = {"default": "Athena WHERE condition over the cloudtrail table"}
    requires_pipeline: ClassVar[bool] = False
    backend_processing_pipeline: ClassVar[ProcessingPipeline] = cloudtrail_pipeline()

    precedence: ClassVar[tuple[type, type, type]] = (ConditionNOT, ConditionAND, ConditionOR)
    group_expression: ClassVar[str] = "({expr})"
    token_separator: str = " "
    or_token: ClassVar[str] = "OR"
    and_token: ClassVar[str] = "AND"
    not_token: ClassVar[str] = "NOT"
    eq_token: ClassVar[str] = " = "
    str_quote: ClassVar[str] = "'"
    convert_or_as_in: ClassVar[bool] = True
    explicit_not_exists_expression: ClassVar[bool] = True
    field_exists_expression: ClassVar[str] = "{field} IS NOT NULL"
    field_not_exists_expression: ClassVar[str] = "{field} IS NULL"
    field_null_expression: ClassVar[str] = "{field} IS NULL"
    field_equals_field_expression: ClassVar[str] = "{field1} = {field2}"
    compare_op_expression: ClassVar[str] = "TRY_CAST({field} AS DOUBLE) {operator} {value}"
    compare_operators: ClassVar[dict[SigmaCompareExpression.CompareOperators, str]] = {
        SigmaCompareExpression.CompareOperators.LT: "<",
        SigmaCompareExpression.CompareOperators.LTE: "<=",
        SigmaCompareExpression.CompareOperators.GT: ">",
        SigmaCompareExpression.CompareOperators.GTE: ">=",
    }
    _RE_FLAGS: ClassVar[dict[SigmaRegularExpressionFlag, str]] = {
        SigmaRegularExpressionFlag.IGNORECASE: "i",
        SigmaRegularExpressionFlag.MULTILINE: "m",
        SigmaRegularExpressionFlag.DOTALL: "s",
    }

    def __init__(self, processing_pipeline: ProcessingPipeline | None = None, collect_errors: bool = False,
                 **backend_options: Any) -> None:
        super().__init__(processing_pipeline, collect_errors, **backend_options)
        self.fields_used: list[str] = []

    def convert_rule(self, rule: SigmaRule, output_format: str | None = None,
                     callback: Any = None) -> list[Any]:
        self.fields_used = []
        return super().convert_rule(rule, output_format, callback)

    def escape_and_quote_field(self, field_name: str) -> str:
        if field_name not in self.fields_used:
            self.fields_used.append(field_name)
        return column_ref(field_name).sql

    # -- values -------------------------------------------------------------------------------

    def _match(self, field: str, value: SigmaString, cased: bool) -> str:
        column = self.escape_and_quote_field(field)
        target = column if cased else f"lower({column})"
        if not value.contains_special():
            text = value.convert(escape_char=None, wildcard_multi=None, wildcard_single=None)
            return f"{target} = {_literal(text if cased else text.lower())}"
        pattern, escaped = _like_pattern(value)
        pattern = pattern if cased else pattern.lower()
        return f"{target} LIKE {_literal(pattern)}" + (" ESCAPE '\\'" if escaped else "")

    def convert_condition_field_eq_val_str(self, cond: ConditionFieldEqualsValueExpression,
                                           state: ConversionState) -> str:
        return self._match(cond.field, cond.value, cased=isinstance(cond.value, SigmaCasedString))

    def convert_condition_field_eq_val_str_case_sensitive(self, cond: ConditionFieldEqualsValueExpression,
                                                          state: ConversionState) -> str:
        return self._match(cond.field, cond.value, cased=True)

    def convert_condition_field_eq_val_num(self, cond: ConditionFieldEqualsValueExpression,
                                           state: ConversionState) -> str:
        # Every CloudTrail column (and json_extract_scalar) is text: compare with the number's text.
        return f"{self.escape_and_quote_field(cond.field)} = {_literal(str(cond.value))}"

    def convert_condition_field_eq_val_bool(self, cond: ConditionFieldEqualsValueExpression,
                                            state: ConversionState) -> str:
        text = "true" if cond.value else "false"
        return f"lower({self.escape_and_quote_field(cond.field)}) = '{text}'"

    def convert_condition_as_in_expression(self, cond: ConditionOR | ConditionAND,
                                           state: ConversionState) -> str:
        args: list[ConditionFieldEqualsValueExpression] = cond.args  # type: ignore[assignment]
        values = [a.value for a in args]
        cased = [isinstance(v, SigmaCasedString) for v in values]
        if isinstance(cond, ConditionAND) or (any(cased) and not all(cased)):
            joiner = " AND " if isinstance(cond, ConditionAND) else " OR "
            return joiner.join(self.convert_condition(a, state) for a in args)  # type: ignore[misc]
        column = self.escape_and_quote_field(args[0].field)
        texts = []
        for value in values:
            text = value.convert(escape_char=None, wildcard_multi=None, wildcard_single=None) \
                if isinstance(value, SigmaString) else str(value)
            texts.append(text if all(cased) or isinstance(value, SigmaNumber) else text.lower())
        target = column if all(cased) else f"lower({column})"
        return f"{target} IN ({', '.join(_literal(t) for t in texts)})"

    def convert_condition_field_eq_val_re(self, cond: ConditionFieldEqualsValueExpression,
                                          state: ConversionState) -> str:
        value: SigmaRegularExpression = cond.value
        flags = "".join(sorted(self._RE_FLAGS[f] for f in value.flags))
        regex = (f"(?{flags})" if flags else "") + value.regexp.original
        return f"regexp_like({self.escape_and_quote_field(cond.field)}, {_literal(regex)})"

    def convert_condition_field_eq_val_cidr(self, cond: ConditionFieldEqualsValueExpression,
                                            state: ConversionState) -> str:
        value: SigmaCIDRExpression = cond.value
        column = self.escape_and_quote_field(cond.field)
        return f"contains({_literal(str(value.network))}, TRY_CAST({column} AS IPADDRESS))"

    def convert_condition_not(self, cond: ConditionNOT, state: ConversionState) -> Any:
        # The coalesce's parentheses group the operand, so no extra group is needed.
        body = self.convert_condition(cond.args[0], state)
        if body is None:
            return None
        return f"NOT coalesce({body}, false)"

    # -- refused --------------------------------------------------------------------------------

    def _keyword(self, cond: Any, state: ConversionState) -> str:
        raise SigmaFeatureNotSupportedByBackendError(
            f"keyword search for '{_plain(cond.value)}': a CloudTrail record has no raw message to search; "
            "match a field instead (e.g. requestParameters|contains: ...)")

    convert_condition_val_str = _keyword
    convert_condition_val_num = _keyword
    convert_condition_val_re = _keyword

    def convert_condition_field_eq_val_timestamp_part(self, cond: ConditionFieldEqualsValueExpression,
                                                      state: ConversionState) -> str:
        raise SigmaFeatureNotSupportedByBackendError(
            f"time-part modifiers (minute, hour, week...) on '{cond.field}' are not supported")

    def finalize_query_default(self, rule: Any, query: str, index: int, state: ConversionState) -> str:
        return query
