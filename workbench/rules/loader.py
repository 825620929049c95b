"""Load every rule under some paths; collect every error, never stop at the first broken file."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from workbench.rules.issues import LintIssue
from workbench.rules.model import Rule, RuleLoadError

RULE_SUFFIXES = (".yaml", ".yml")
# Support files may sit beside rules (a team's tuning file, shared snippets); they are not rules.
SUPPORT_FILES = frozenset({"tuning.yaml", "tuning.yml"})


@dataclass
class RuleSet:
    """The rules that loaded and the problems in the ones that did not."""

    rules: list[Rule] = field(default_factory=list)
    errors: list[LintIssue] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def get(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        from workbench.registry import unknown_name_message

        raise KeyError(unknown_name_message("rule", rule_id, [r.id for r in self.rules]))

    def enabled(self) -> list[Rule]:
        return [r for r in self.rules if r.enabled]

    def __iter__(self) -> Iterator[Rule]:
        return iter(self.rules)

    def __len__(self) -> int:
        return len(self.rules)


def rule_files(paths: Iterable[Path | str]) -> tuple[list[Path], list[LintIssue]]:
    """Rule files under `paths` (files as given, folders searched recursively, sorted)."""
    files: list[Path] = []
    problems: list[LintIssue] = []
    seen: set[Path] = set()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.suffix in RULE_SUFFIXES and p.is_file()
                           and not _is_support(p, path))
        elif path.is_file():
            found = [path]
        else:
            problems.append(LintIssue(path, 1, None, "", "no such file or folder; check the path "
                                      "(or settings.rules_paths in mantissa.yaml)"))
            continue
        for file in found:
            key = file.resolve()
            if key not in seen:
                seen.add(key)
                files.append(file)
    return files, problems


def _is_support(file: Path, root: Path) -> bool:
    parts = file.relative_to(root).parts
    return file.name in SUPPORT_FILES or any(p.startswith(("_", ".")) for p in parts)


def load_rules(paths: Iterable[Path | str], tuning: bool = True) -> RuleSet:
    """Every rule under `paths`; `errors` names `file:line: field` for each problem found.

    A duplicate id is an error naming both files; the first file read keeps the id. With
    `tuning` (the default) the applicable tuning files are applied, so every consumer sees the
    tuned rules (see `workbench.rules.tuning`).
    """
    paths = list(paths)
    files, problems = rule_files(paths)
    ruleset = RuleSet(errors=problems, files=files)
    by_id: dict[str, Rule] = {}
    for file in files:
        try:
            rule = Rule.from_yaml(file)
        except RuleLoadError as exc:
            ruleset.errors.extend(exc.issues)
            continue
        if rule.id in by_id:
            first = by_id[rule.id]
            ruleset.errors.append(rule.issue(
                "id", f"duplicate id '{rule.id}', already used by {first.source_path}:"
                f"{first.line_of('id')}; rename one of them"))
            continue
        by_id[rule.id] = rule
        ruleset.rules.append(rule)
    if tuning:
        from workbench.rules.tuning import apply_tuning

        apply_tuning(ruleset, paths)
    return ruleset
