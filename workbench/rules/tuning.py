"""Tuning: allowlists and per-rule overrides a team edits instead of the rules themselves.

`rules/tuning.yaml` (bundled) declares the allowlists the pack uses; a workspace's
`rules/tuning.yaml` extends the lists and overrides rules:

    allowlists:
      trusted_automation_principals:        # IAM role or user ARNs (the role, not the session)
        - arn:aws:iam::111122223333:role/ci-deploy
    rules:
      recon-burst:
        threshold: {count: 25, window: 2m}
      console-login-without-mfa:
        severity: low
        enabled: false

A rule names an allowlist as a `:name` placeholder; `workbench.rules.allowlists` binds it to a
typed array literal (never spliced text).

Which files apply: the bundled tuning first (it declares the standard allowlists), then for each
rule path the nearest `tuning.yaml` at or above it (up to the workspace or repository root);
paths listed earlier win, as they do for duplicate rule ids. Lists from every file are merged;
for overrides the higher-precedence file wins field by field. Every problem is a `LintIssue`
naming the file, line and field; a bad entry is skipped and the rules still load.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError

from workbench.registry import unknown_name_message
from workbench.rules.allowlists import bind_allowlists, query_placeholders
from workbench.rules.automation import AUTOMATION_KINDS, add_automation, derived_lists
from workbench.rules.errors import validation_issues
from workbench.rules.issues import LintIssue
from workbench.rules.model import Duration, Rule, Severity, Threshold, _positive_int, _severity
from workbench.rules.yamlsource import SourceMap, YamlSourceError, load_yaml

TUNING_NAMES = ("tuning.yaml", "tuning.yml")
# Folders that end the search upwards for a tuning file: a workspace or a repository root.
ROOT_MARKERS = ("mantissa.yaml", ".git", "pyproject.toml")
MAX_LEVELS_UP = 5
TUNING_KEYS = ("allowlists", "automation", "rules")
ALLOWLIST_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_RULE_ID_LINE = re.compile(r"^id:\s*[\"']?([a-z0-9][a-z0-9_-]*)", re.MULTILINE)
_PLACEHOLDER_TEXT = re.compile(r"(?<![\w:/]):([a-z_][a-z0-9_]*)")


class _Override(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class ThresholdOverride(_Override):
    count: Annotated[int, BeforeValidator(_positive_int)] | None = None
    window: Duration | None = None


class DedupOverride(_Override):
    period: Duration | None = None


class RuleOverride(_Override):
    """What a team may change without editing a rule."""

    enabled: bool | None = None
    severity: Annotated[Severity, BeforeValidator(_severity)] | None = None
    threshold: ThresholdOverride | None = None
    dedup: DedupOverride | None = None


@dataclass(frozen=True)
class _Placed:
    """An override and where it was written (for errors about it)."""

    value: RuleOverride
    path: Path
    line: int
    lines: dict[str, int]

    def issue(self, rule_id: str, field_: str, message: str) -> LintIssue:
        line = self.lines.get(field_, self.line)
        return LintIssue(self.path, line, rule_id, f"rules.{rule_id}.{field_}", message)


@dataclass
class Tuning:
    """Allowlists and overrides merged from every applicable tuning file."""

    allowlists: dict[str, tuple[str, ...]] = field(default_factory=dict)
    overrides: dict[str, list[_Placed]] = field(default_factory=dict)  # lowest precedence first
    files: list[Path] = field(default_factory=list)
    issues: list[LintIssue] = field(default_factory=list)
    # Where each allowlist name was first declared, for "unused allowlist" errors.
    declared_at: dict[str, tuple[Path, int]] = field(default_factory=dict)


def bundled_tuning() -> Path | None:
    from workbench.resources import bundled_dir

    folder = bundled_dir("rules")
    return next((folder / n for n in TUNING_NAMES if folder and (folder / n).is_file()), None)


def nearest_tuning(path: Path) -> Path | None:
    """The tuning file in `path`'s folder or the closest one above it, stopping at a root marker."""
    folder = path if path.is_dir() else path.parent
    for _ in range(MAX_LEVELS_UP + 1):
        for name in TUNING_NAMES:
            if (folder / name).is_file():
                return folder / name
        if any((folder / m).exists() for m in ROOT_MARKERS) or folder.parent == folder:
            return None
        folder = folder.parent
    return None


def tuning_files(paths: Iterable[Path | str]) -> list[Path]:
    """Applicable tuning files, lowest precedence first (the bundled one, then paths reversed)."""
    found: list[Path] = []
    for raw in paths:
        tuning = nearest_tuning(Path(raw))
        if tuning is not None:
            found.append(tuning)
    base = bundled_tuning()
    ordered = ([base] if base else []) + list(reversed(found))
    out: list[Path] = []
    seen: set[Path] = set()
    for path in reversed(ordered):  # keep each file at its highest precedence
        if path.resolve() not in seen:
            seen.add(path.resolve())
            out.append(path)
    return list(reversed(out))


def _read(path: Path, tuning: Tuning) -> tuple[dict[str, Any], SourceMap] | None:
    try:
        data, smap = load_yaml(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        tuning.issues.append(LintIssue(path, 1, None, "", f"cannot read the tuning file: {exc}"))
        return None
    except YamlSourceError as exc:
        tuning.issues.append(LintIssue(path, exc.line, None, "", exc.message))
        return None
    if data is None:
        return {}, smap
    if not isinstance(data, dict):
        tuning.issues.append(LintIssue(path, smap.line_of(""), None, "", "a tuning file is a mapping "
                                       "with `allowlists:`, `automation:` and `rules:`"))
        return None
    for key in data:
        if key not in TUNING_KEYS:
            tuning.issues.append(LintIssue(path, smap.line_of(str(key)), None, str(key),
                                           unknown_name_message("key", str(key), list(TUNING_KEYS))))
    return data, smap


def _add_allowlists(data: Any, path: Path, smap: SourceMap, tuning: Tuning) -> None:
    if data is None:
        return
    if not isinstance(data, dict):
        tuning.issues.append(LintIssue(path, smap.line_of("allowlists"), None, "allowlists",
                                       "must map allowlist names to lists of values"))
        return
    for name, values in data.items():
        where = f"allowlists.{name}"
        if not isinstance(name, str) or not ALLOWLIST_NAME.match(name):
            tuning.issues.append(LintIssue(path, smap.line_of(where), None, where, "an allowlist name is "
                                           "lower-case letters, digits and '_', starting with a letter"))
            continue
        if name in derived_lists():
            kind = next(k for k, v in AUTOMATION_KINDS.items() if v == name)
            tuning.issues.append(LintIssue(path, smap.line_of(where), None, where, f"'{name}' is filled "
                                           f"from `automation.{kind}`; list the principals there"))
            continue
        values = [] if values is None else values
        if not isinstance(values, list):
            tuning.issues.append(LintIssue(path, smap.line_of(where), None, where,
                                           f"must be a list of strings (write `{name}: []` for none)"))
            continue
        good: list[str] = []
        for i, value in enumerate(values):
            problem = _value_problem(name, value)
            if problem:
                tuning.issues.append(LintIssue(path, smap.line_of(f"{where}[{i}]"), None, f"{where}[{i}]",
                                               f"{problem}; the entry is ignored"))
            else:
                good.append(str(value).strip())
        merged = list(tuning.allowlists.get(name, ()))
        merged += [v for v in good if v not in merged]
        tuning.allowlists[name] = tuple(merged)
        tuning.declared_at.setdefault(name, (path, smap.line_of(where)))


def _value_problem(name: str, value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return f"must be a non-empty string, got {value!r}"
    if name.endswith("_cidrs"):
        try:
            ipaddress.ip_network(value.strip(), strict=False)
        except ValueError:
            return f"{value!r} is not a CIDR range like 10.0.0.0/8"
    return None


def _add_overrides(data: Any, path: Path, smap: SourceMap, tuning: Tuning) -> None:
    if data is None:
        return
    if not isinstance(data, dict):
        tuning.issues.append(LintIssue(path, smap.line_of("rules"), None, "rules",
                                       "must map rule ids to overrides"))
        return
    for rule_id, raw in data.items():
        prefix = f"rules.{rule_id}"
        lines = {k[len(prefix) + 1:]: v for k, v in smap.lines.items() if k.startswith(prefix + ".")}
        sub = SourceMap({"": smap.line_of(prefix), **lines}, {})
        try:
            value = RuleOverride.model_validate(raw if raw is not None else {})
        except ValidationError as exc:
            for issue in validation_issues(exc, RuleOverride, path, sub, str(rule_id)):
                tuning.issues.append(replace(issue, field=f"{prefix}.{issue.field}".rstrip(".")))
            continue
        placed = _Placed(value, path, smap.line_of(prefix), lines)
        tuning.overrides.setdefault(str(rule_id), []).append(placed)


def load_tuning(files: Iterable[Path]) -> Tuning:
    """Merge tuning files given lowest precedence first; problems go to `issues`, never raise."""
    tuning = Tuning()
    for path in files:
        tuning.files.append(path)
        read = _read(path, tuning)
        if read is None:
            continue
        data, smap = read
        _add_allowlists(data.get("allowlists"), path, smap, tuning)
        add_automation(data.get("automation"), path, smap, tuning)
        _add_overrides(data.get("rules"), path, smap, tuning)
    return tuning


def tuned_for_test(rule: Rule, index: int) -> tuple[Rule, list[LintIssue]]:
    """`rule` with its placeholders bound to the bundled lists plus test `index`'s own `tuning:`
    (`allowlists:` and `automation:`, as in a tuning file); unchanged when the test has none."""
    test = rule.tests[index]
    if test.tuning is None:
        return rule, []
    tuning = load_tuning([p for p in [bundled_tuning()] if p])
    field_ = f"tests[{index}].tuning"
    path = rule.source_path or Path("<rule>")
    smap = rule.source_map or SourceMap({}, {})
    prefix = field_ + "."
    sub = SourceMap({"": smap.line_of(field_, rule.source_line),
                     **{k[len(prefix):]: v for k, v in smap.lines.items() if k.startswith(prefix)}}, {})
    for key in test.tuning:
        if key not in ("allowlists", "automation"):
            tuning.issues.append(LintIssue(path, sub.line_of(str(key)), rule.id, f"{field_}.{key}",
                                           unknown_name_message("key", str(key), ["allowlists", "automation"])))
    _add_allowlists(test.tuning.get("allowlists"), path, sub, tuning)
    add_automation(test.tuning.get("automation"), path, sub, tuning)
    template = rule.query_template or rule.query
    query, problems = bind_allowlists(rule.model_copy(update={"query": template}), tuning.allowlists)
    # The bundled file's own problems are lint's to report, not this test's.
    own = [i for i in tuning.issues if i.path == path]
    issues = [replace(i, rule_id=rule.id, field=i.field if i.field.startswith(field_) else f"{field_}.{i.field}")
              for i in own] + problems
    return rule.model_copy(update={"query": query, "query_template": template}), issues


# -- applying overrides --------------------------------------------------------------------------

def _apply_override(rule: Rule, placed: _Placed) -> tuple[Rule, list[LintIssue]]:
    o, issues, update = placed.value, [], {}
    if o.enabled is not None:
        update["enabled"] = o.enabled
    if o.severity is not None:
        update["severity"] = o.severity
    dedup = rule.dedup
    if o.dedup is not None and o.dedup.period is not None:
        dedup = rule.effective_dedup.model_copy(update={"period": o.dedup.period})
        if rule.dedup is None or rule.dedup.keys is None:
            dedup = dedup.model_copy(update={"keys": None})
        update["dedup"] = dedup
    if o.threshold is not None:
        if rule.threshold is None:
            issues.append(placed.issue(rule.id, "threshold", f"rule '{rule.id}' has no threshold to "
                                       "override; remove this entry"))
        else:
            changes = {k: v for k, v in o.threshold.model_dump().items() if v is not None}
            threshold = Threshold.model_validate({**rule.threshold.model_dump(), **changes})
            period = (dedup or rule.effective_dedup).period
            if threshold.window > period:
                issues.append(placed.issue(rule.id, "threshold.window", f"{threshold.window} is longer "
                                           f"than the rule's dedup period {period}, so one burst would alert "
                                           "more than once; also set dedup.period"))
            else:
                update["threshold"] = threshold
    return rule.model_copy(update=update), issues


def _declared(folder: Path | None) -> tuple[set[str], set[str]]:
    """Rule ids and placeholder names written in the rule files under `folder` (a cheap text scan,
    so overrides for rules that exist but were not loaded this time are not called unknown)."""
    if folder is None or not folder.is_dir():
        return set(), set()
    from workbench.rules.loader import rule_files

    ids: set[str] = set()
    names: set[str] = set()
    for file in rule_files([folder])[0]:
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        ids.update(_RULE_ID_LINE.findall(text))
        names.update(_PLACEHOLDER_TEXT.findall(text))
    return ids, names


def tune_rules(rules: list[Rule], tuning: Tuning) -> tuple[list[Rule], list[LintIssue]]:
    """The rules with allowlists bound and overrides applied, and every problem found."""
    issues = list(tuning.issues)
    out: list[Rule] = []
    used: set[str] = set()
    for rule in rules:
        query, bound = bind_allowlists(rule, tuning.allowlists)
        issues.extend(bound)
        used.update(name for name, *_ in query_placeholders(rule.query))
        tuned = rule if query == rule.query else rule.model_copy(
            update={"query": query, "query_template": rule.query_template or rule.query})
        for placed in tuning.overrides.get(rule.id, []):
            tuned, problems = _apply_override(tuned, placed)
            issues.extend(problems)
        out.append(tuned)
    known_ids = {r.id for r in rules}
    folders = {p.parent for p in tuning.files}
    for folder in folders:
        ids, names = _declared(folder)
        known_ids |= ids
        used |= names
    base = bundled_tuning()
    for rule_id, placements in tuning.overrides.items():
        if rule_id not in known_ids:
            for placed in placements:
                issues.append(LintIssue(placed.path, placed.line, rule_id, f"rules.{rule_id}",
                                        unknown_name_message("rule", rule_id, sorted(known_ids)) +
                                        "; fix the id or remove the entry"))
    # With no rules loaded (an empty folder) "no rule uses it" would say nothing useful.
    for name, (path, line) in tuning.declared_at.items() if rules else ():
        if name not in used and (base is None or path.resolve() != base.resolve()):
            issues.append(LintIssue(path, line, None, f"allowlists.{name}", unknown_name_message(
                "allowlist", name, sorted(used)) + "; no rule uses it, so its entries change nothing"))
    return out, issues


def apply_tuning(ruleset: Any, paths: Iterable[Path | str]) -> Tuning:
    """The loader's hook: tune `ruleset.rules` in place and add the problems to `ruleset.errors`."""
    tuning = load_tuning(tuning_files(paths))
    ruleset.rules, problems = tune_rules(ruleset.rules, tuning)
    ruleset.errors.extend(problems)
    return tuning
