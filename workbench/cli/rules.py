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


def register(app: typer.Typer) -> None:
    app.add_typer(rules_app, name="rules")
