"""Sigma rules (files or folders) → our rule dicts, one outcome per Sigma rule. Imports pySigma.

A Sigma rule is converted when its logsource is AWS CloudTrail (product `aws`, service
`cloudtrail`) and every field and modifier it uses has a translation (see `backend.py`); otherwise
it is skipped with the reason. Correlation rules of type `event_count` and `value_count` become
threshold rules over the OR of the rules they reference; those referenced rules are written on their
own only when the correlation says `generate: true` (the Sigma v2 default is not to).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from sigma.collection import SigmaCollection
from sigma.correlations import (
    SigmaCorrelationCondition,
    SigmaCorrelationConditionOperator,
    SigmaCorrelationRule,
    SigmaCorrelationType,
)
from sigma.exceptions import SigmaError
from sigma.rule import SigmaRule

from workbench.rules.sigma.backend import AthenaCloudTrailBackend
from workbench.rules.sigma.output import build_rule

SIGMA_SUFFIXES = (".yml", ".yaml")
Status = Literal["converted", "skipped", "included"]
SigmaAny = SigmaRule | SigmaCorrelationRule
THRESHOLD_TYPES = {SigmaCorrelationType.EVENT_COUNT, SigmaCorrelationType.VALUE_COUNT}


@dataclass
class SigmaOutcome:
    """What became of one Sigma rule: `converted` (our rule in `rule`), `skipped` (why in
    `reason`), or `included` (only as part of a correlation rule, named in `reason`)."""

    source: Path
    title: str
    sigma_id: str | None
    status: Status
    reason: str = ""
    rule: dict[str, Any] | None = None
    written: Path | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class _Converted:
    condition: str
    fields: list[str]


def sigma_files(paths: Iterable[Path | str]) -> tuple[list[Path], list[SigmaOutcome]]:
    files: list[Path] = []
    missing: list[SigmaOutcome] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.suffix in SIGMA_SUFFIXES and p.is_file())
        elif path.is_file():
            files.append(path)
        else:
            missing.append(SigmaOutcome(path, path.name, None, "skipped", "no such file or folder"))
    return files, missing


def _load(files: list[Path]) -> tuple[SigmaCollection, dict[int, Path], list[SigmaOutcome]]:
    """Every file into one collection (a correlation may reference a rule in another file)."""
    collections: list[SigmaCollection] = []
    origin: dict[int, Path] = {}
    failed: list[SigmaOutcome] = []
    for file in files:
        try:
            collection = SigmaCollection.from_yaml(file.read_text(encoding="utf-8"), collect_errors=True)
        except (OSError, UnicodeDecodeError, SigmaError, ValueError) as exc:
            failed.append(SigmaOutcome(file, file.name, None, "skipped", f"cannot read as Sigma YAML: {exc}"))
            continue
        for rule in collection.rules:
            origin[id(rule)] = file
        collections.append(collection)
    merged = SigmaCollection.merge(collections) if collections else SigmaCollection([])
    return merged, origin, failed


def _logsource_problem(rule: SigmaRule) -> str | None:
    source = rule.logsource
    product = (source.product or "").lower()
    service = (source.service or "").lower()
    if product == "aws" and service == "cloudtrail":
        return None
    said = ", ".join(f"{k}={v}" for k, v in (("product", source.product), ("category", source.category),
                                             ("service", source.service)) if v) or "none"
    return (f"logsource {said} is not AWS CloudTrail; only rules with product: aws and "
            "service: cloudtrail can be imported")


def _referenced_by(collection: SigmaCollection) -> dict[int, SigmaCorrelationRule]:
    out: dict[int, SigmaCorrelationRule] = {}
    for rule in collection.rules:
        if isinstance(rule, SigmaCorrelationRule):
            for ref in rule.rules or []:
                target = getattr(ref, "rule", None)
                if target is not None and not rule.generate:
                    out[id(target)] = rule
    return out


def convert_paths(paths: Iterable[Path | str]) -> list[SigmaOutcome]:
    """Convert every Sigma rule under `paths`; nothing is written (see `import_sigma`)."""
    files, outcomes = sigma_files(paths)
    collection, origin, failed = _load(files)
    outcomes += failed
    for rule in collection.rules:
        if isinstance(rule, SigmaCorrelationRule):
            try:
                rule.resolve_rule_references(collection)
            except SigmaError as exc:
                rule.errors.append(exc)
    backend = AthenaCloudTrailBackend()
    backend.init_processing_pipeline()
    hidden = _referenced_by(collection)
    converted: dict[int, _Converted | str] = {}  # id(rule) → conversion or the reason it failed
    used_ids: set[str] = set()

    def base(rule: SigmaRule) -> _Converted | str:
        if id(rule) not in converted:
            converted[id(rule)] = _convert_base(backend, rule)
        return converted[id(rule)]

    for rule in collection.rules:
        source = origin.get(id(rule), Path("?"))
        outcome = SigmaOutcome(source, rule.title or "(untitled)", str(rule.id) if rule.id else None, "skipped")
        outcomes.append(outcome)
        if rule.errors:
            outcome.reason = f"not a valid Sigma rule: {rule.errors[0]}"
            continue
        if isinstance(rule, SigmaCorrelationRule):
            result = _convert_correlation(backend, rule, base)
            threshold = result[1] if not isinstance(result, str) else None
            result = result[0] if not isinstance(result, str) else result
        else:
            if id(rule) in hidden:
                outcome.status = "included"
                outcome.reason = f"part of correlation rule '{hidden[id(rule)].title}'"
                base(rule)
                continue
            result, threshold = base(rule), None
        if isinstance(result, str):
            outcome.reason = result
            continue
        outcome.rule = build_rule(rule, source, result.condition, result.fields, threshold, used_ids,
                                  outcome.notes)
        outcome.status = "converted"
    return outcomes


def _convert_base(backend: AthenaCloudTrailBackend, rule: SigmaRule) -> _Converted | str:
    problem = _logsource_problem(rule)
    if problem:
        return problem
    try:
        backend.convert_rule(rule)
        conditions = [c for c in rule.get_conversion_result() if c]
    except (SigmaError, NotImplementedError, ValueError, TypeError) as exc:
        return f"cannot convert: {exc}"
    if not conditions:
        return "cannot convert: the detection produced no condition"
    condition = conditions[0] if len(conditions) == 1 else " OR ".join(f"({c})" for c in conditions)
    return _Converted(condition, list(backend.fields_used))


def _convert_correlation(backend: AthenaCloudTrailBackend, rule: SigmaCorrelationRule,
                         base: Any) -> tuple[_Converted, dict[str, Any]] | str:
    if rule.type not in THRESHOLD_TYPES:
        return (f"correlation type {rule.type} is not supported; only event_count and value_count "
                "become thresholds")
    cond = rule.condition
    if not isinstance(cond, SigmaCorrelationCondition):
        return "extended correlation conditions are not supported; use a single count condition"
    if cond.op == SigmaCorrelationConditionOperator.GTE:
        count = int(cond.count)
    elif cond.op == SigmaCorrelationConditionOperator.GT:
        count = int(cond.count) + 1
    else:
        return (f"correlation condition '{cond.op.name.lower()}' is not supported; thresholds alert at "
                "a minimum count (gte or gt)")
    if len(rule.aliases):
        return "correlation field aliases are not supported; reference rules that share field names"
    if rule.timespan.seconds > 24 * 3600:
        return f"timespan {rule.timespan.spec} is longer than 24h, the longest threshold window we allow"
    parts: list[_Converted] = []
    for ref in rule.rules or []:
        target = ref.rule
        if not isinstance(target, SigmaRule):
            return f"references correlation rule '{ref.reference}'; nested correlations are not supported"
        result = base(target)
        if isinstance(result, str):
            return f"referenced rule '{target.title}' cannot be converted: {result}"
        parts.append(result)
    try:
        backend.last_processing_pipeline.apply(rule)  # maps group-by and the counted field
    except SigmaError as exc:
        return f"cannot convert: {exc}"
    distinct = None
    if rule.type == SigmaCorrelationType.VALUE_COUNT:
        if not isinstance(cond.fieldref, str):
            return "value_count needs exactly one field in its condition"
        distinct = cond.fieldref
    fields: list[str] = []
    for part in parts:
        fields += [f for f in part.fields if f not in fields]
    for extra in [*(rule.group_by or []), *([distinct] if distinct else [])]:
        if extra not in fields:
            fields.append(extra)
    condition = parts[0].condition if len(parts) == 1 else " OR ".join(f"({p.condition})" for p in parts)
    threshold = {"count": count, "seconds": rule.timespan.seconds, "group_by": list(rule.group_by or []),
                 "distinct": distinct}
    return _Converted(condition, fields), threshold
