"""CLI: `mantissa rules lint|list` (and `rules test`, added by the detection runner's area)."""

from __future__ import annotations

from pathlib import Path

import typer

from workbench.cli.common import fail, settings_or_exit

rules_app = typer.Typer(help="Detection rules: lint, list and test the rule pack.", no_args_is_help=True)

PATHS_ARG = typer.Argument(
    None, help="Rule files or folders; default: the workspace's rules/, rules_paths and the bundled pack."
)


def resolve_paths(paths: list[Path] | None) -> list[Path]:
    """The paths given, else the workspace's and bundled rule folders (shared with `rules test`)."""
    if paths:
        return list(paths)
    from workbench.resources import search_paths

    settings = settings_or_exit()
    found = search_paths("rules", settings)
    if not found:
        typer.echo("error: no rule folders found; pass a PATH or create rules/ in the workspace", err=True)
        raise typer.Exit(2)
    return found


@rules_app.command("lint")
def lint_command(
    paths: list[Path] | None = PATHS_ARG,
    strict: bool = typer.Option(False, "--strict", help="Fail on warnings too."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print errors only, not warnings."),
) -> None:
    """Check rules: YAML fields, Athena SQL against the catalog, thresholds, alert templates, tests."""
    from workbench.rules import lint_rules, load_rules

    ruleset = load_rules(resolve_paths(paths))
    issues = lint_rules(ruleset)
    errors = [i for i in issues if i.level == "error"]
    warnings = [i for i in issues if i.level == "warning"]
    for issue in issues:
        if issue.level == "error" or not quiet:
            typer.echo(issue.format())
    broken = len({i.path for i in errors})
    typer.echo(
        f"{len(ruleset.files)} files, {len(ruleset.rules)} rules loaded: "
        f"{len(errors)} errors in {broken} files, {len(warnings)} warnings"
    )
    if errors or (strict and warnings):
        raise typer.Exit(1)


@rules_app.command("list")
def list_command(
    paths: list[Path] | None = PATHS_ARG,
    all_rules: bool = typer.Option(True, "--all/--enabled", help="Show disabled rules too."),
) -> None:
    """Print every rule: id, severity, table, enabled, title."""
    from workbench.rules import load_rules
    from workbench.rules.issues import display_path

    ruleset = load_rules(resolve_paths(paths))
    rules = ruleset.rules if all_rules else ruleset.enabled()
    width = max((len(r.id) for r in rules), default=2)
    typer.echo(f"{'id':<{width}}  {'severity':<8}  {'table':<10}  {'enabled':<7}  title")
    for rule in sorted(rules, key=lambda r: (r.table or "", r.id)):
        typer.echo(f"{rule.id:<{width}}  {rule.severity:<8}  {rule.table or '?':<10}  "
                   f"{'yes' if rule.enabled else 'no':<7}  {rule.title}")
    if ruleset.errors:
        files = sorted({display_path(e.path) for e in ruleset.errors})
        typer.echo(f"{len(ruleset.errors)} load errors in {', '.join(files)}; run `mantissa rules lint`",
                   err=True)


@rules_app.command("test")
def test_command(
    paths: list[Path] | None = PATHS_ARG,
    rule_id: list[str] | None = typer.Option(None, "--rule", "-k", help="Only these rule ids."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Print the alerts each test raised."),
) -> None:
    """Run every rule's tests through the real runner on a throwaway lake; exit 1 on a failure."""
    from workbench.detect.ruletests import format_report, run_rule_tests
    from workbench.rules import load_rules

    ruleset = load_rules(resolve_paths(paths))
    for issue in ruleset.errors:
        typer.echo(issue.format(), err=True)
    rules = [r for r in ruleset.rules if not rule_id or r.id in rule_id]
    results = run_rule_tests(rules)
    typer.echo(format_report(results))
    if verbose:
        for result in results:
            typer.echo(f"  {result.nodeid}: {result.alerts}")
    if ruleset.errors or not all(r.passed for r in results):
        raise typer.Exit(1)


@rules_app.command("import-sigma")
def import_sigma_command(
    paths: list[Path] = typer.Argument(..., help="Sigma rule files or folders (searched for .yml/.yaml)."),
    out: Path | None = typer.Option(None, "--out", "-o",
                                    help="Folder for the converted rules; default: the workspace's rules/sigma."),
) -> None:
    """Convert AWS CloudTrail Sigma rules to our format: one line per rule, converted or skipped and why."""
    from workbench.rules.issues import display_path
    from workbench.rules.sigma import SigmaUnavailable, import_sigma

    if out is None:
        out = settings_or_exit().workspace / "rules" / "sigma"
    try:
        outcomes = import_sigma(paths, out)
    except SigmaUnavailable as exc:
        raise fail(exc) from None
    for o in outcomes:
        where = f"{display_path(o.source)}: {o.title}"
        if o.status == "converted":
            notes = f" ({'; '.join(o.notes)})" if o.notes else ""
            typer.echo(f"converted {where} → {display_path(o.written)}{notes}")
        elif o.status == "included":
            typer.echo(f"included  {where}: {o.reason}")
        else:
            typer.echo(f"skipped   {where}: {o.reason}")
    converted = sum(o.status == "converted" for o in outcomes)
    skipped = sum(o.status == "skipped" for o in outcomes)
    typer.echo(f"{converted} converted, {skipped} skipped")
    if not converted:
        raise typer.Exit(1)


@rules_app.command("backfill-terms")
def backfill_terms_command(
    rule_id: list[str] | None = typer.Argument(None, help="First-seen rule ids; default: every enabled new_terms rule."),
    end: str | None = typer.Option(None, "--end", help="Learn the history before this time (ISO 8601); "
                                   "default: the rule's next scheduled window (its checkpoint), else now."),
    reset: bool = typer.Option(False, "--reset", help="Forget what the rules learned before backfilling again."),
) -> None:
    """Learn first-seen rules' terms from history (a day per query, with progress); alerts nothing.

    A rule's first scheduled run does this by itself; run it by hand to choose when the history ends,
    to learn again after changing a rule's fields (--reset), or to see how many terms a rule knows."""
    from datetime import UTC, datetime

    from workbench.alerts import get_store
    from workbench.detect.newterms import backfill
    from workbench.detect.terms import get_term_store
    from workbench.engines import get_engine
    from workbench.resources import search_paths
    from workbench.rules import load_rules
    from workbench.timewindow import iso_z, parse_time

    settings = settings_or_exit()
    ruleset = load_rules(search_paths("rules", settings))
    first_seen = {r.id: r for r in ruleset.rules if r.new_terms and (r.enabled or rule_id)}
    unknown = [i for i in rule_id or [] if i not in first_seen]
    if unknown:
        from workbench.registry import unknown_name_message

        raise fail(unknown_name_message("first-seen rule", unknown[0], list(first_seen)))
    chosen = [first_seen[i] for i in rule_id] if rule_id else list(first_seen.values())
    if not chosen:
        typer.echo("no enabled first-seen (new_terms) rules in the workspace's rule folders")
        return
    try:
        until = parse_time(end) if end else None
    except ValueError as exc:
        raise fail(f"--end: {exc}") from None
    with get_engine(settings.engine, settings) as engine, get_store(settings) as store, \
            get_term_store(settings, backend=store.name) as terms:
        for rule in chosen:
            upto = until or store.get_checkpoint(rule.id) or datetime.now(UTC)
            if reset:
                terms.forget(rule.id)
            baseline = backfill(rule, engine, terms, end=upto, progress=True)
            typer.echo(f"{rule.id}: {terms.size(rule.id):,} terms known, history {iso_z(baseline.start)} → "
                       f"{iso_z(baseline.through)} (new_terms: {', '.join(rule.new_terms.fields)}; "
                       f"{rule.new_terms.history.days}d)")


def register(app: typer.Typer) -> None:
    app.add_typer(rules_app, name="rules")
