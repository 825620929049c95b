"""Execution accuracy, wrong answers, refusals and silent drops of the offline English → SQL translator.

    .venv/bin/python benchmarks/nl_accuracy.py                      # in-sample, held-out, dev, blind (when present)
    .venv/bin/python benchmarks/nl_accuracy.py --questions FILE …   # these sets instead
    .venv/bin/python benchmarks/nl_accuracy.py --misses             # also list the misses (never of a blind set)

Builds (once, under benchmarks/out/) the demo lake the tests use — 2 days, seed 7, ending
2026-11-20 — then, for each question of each set: translate it (timed), run the translation
through the guard and the local engine, run the reference SQL, and compare result sets. Prints
one row per set:

  accuracy   questions answered with the reference's rows, or refused when they should be
  wrong      answered with rows that are not the answer (the costly outcome)
  refused    refused with a reason and a suggestion (the analyst rephrases)
  errors     SQL the guard or the engine rejected
  drops      answers whose SQL does not filter on a value listed in the entry's `entities`, or lost
             a modifier of the reference (its LIMIT, grouping or aggregate)
  must-refuse  should-refuse questions refused / present
  median ms  translation time

Targets on the blind set: accuracy ≥ 90%, wrong ≤ 2%, 0 drops, every should-refuse refused,
median < 50 ms. The exit status is 0 when every set with a `blind` in its name meets them.
A blind set's individual misses are never printed: studying them would make it not blind.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out" / "nl-demo-lake-2d-7"
DEMO_START, DEMO_END = "2026-11-18T00:00:00Z", "2026-11-20T00:00:00Z"
# Every development set (dev.yaml, dev2.yaml, ...) is picked up by name, so a new one needs no edit here.
SETS = (ROOT / "tests" / "nl" / "questions.yaml", ROOT / "tests" / "nl" / "heldout.yaml",
        *sorted((ROOT / "tests" / "nl").glob("dev*.yaml"), key=lambda p: int(p.stem[3:] or 1)),
        ROOT / "tests" / "nl" / "blind.yaml")
TARGET_ACCURACY, TARGET_WRONG, TARGET_MS = 0.90, 0.02, 50.0


def demo_lake() -> Path:
    from workbench.synth import synthesize

    if not (OUT / "lake" / "cloudtrail").is_dir():
        synthesize(OUT / "lake", days=2, seed=7, end=DEMO_END, replace=True)
    return OUT


def figures(report: object) -> dict[str, float | int]:
    verdicts = report.verdicts  # type: ignore[attr-defined]
    must = report.should_refuse  # type: ignore[attr-defined]
    return {
        "questions": len(verdicts), "correct": sum(v.correct for v in verdicts),
        "accuracy": report.accuracy,  # type: ignore[attr-defined]
        "wrong": report.count("wrong"), "refused": report.count("refused"),  # type: ignore[attr-defined]
        "errors": report.count("error"), "drops": len(report.silent_drops),  # type: ignore[attr-defined]
        "must_refuse": len(must), "must_refuse_refused": sum(v.outcome == "refused" for v in must),
        "median_ms": report.median_ms,  # type: ignore[attr-defined]
        "slowest_ms": max((v.seconds for v in verdicts), default=0.0) * 1000,
    }


def meets_targets(f: dict[str, float | int]) -> bool:
    return (f["accuracy"] >= TARGET_ACCURACY and f["wrong"] <= TARGET_WRONG * f["questions"] and f["drops"] == 0
            and f["must_refuse_refused"] == f["must_refuse"] and f["median_ms"] < TARGET_MS)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, action="append",
                        help="a question file (repeatable); default: tests/nl/{questions,heldout,dev,blind}.yaml")
    parser.add_argument("--misses", action="store_true", help="list each miss (skipped for blind sets)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)

    from workbench.config import load_settings
    from workbench.engines import get_engine
    from workbench.nl import get_provider
    from workbench.nl.evaluate import evaluate, load_questions
    from workbench.timewindow import Window, parse_time

    started = time.perf_counter()
    workspace = demo_lake()
    settings = load_settings(workspace, environ={})
    provider = get_provider("offline", settings)
    paths = args.questions or [p for p in SETS if p.exists()]
    missing = [p for p in (args.questions or SETS) if not p.exists()]
    rows: dict[str, dict[str, float | int]] = {}
    misses: dict[str, list] = {}
    with get_engine("local", settings) as engine:
        for path in paths:
            if not path.exists():
                continue
            report = evaluate(provider, load_questions(path), engine, Window.between(DEMO_START, DEMO_END),
                              parse_time(DEMO_END))
            rows[path.name] = figures(report)
            misses[path.name] = report.failures
    print(f"offline translator, demo lake {workspace}")
    header = (f"{'set':<16} {'n':>4} {'accuracy':>9} {'wrong':>10} {'refused':>8} {'errors':>7} {'drops':>6} "
              f"{'must-refuse':>12} {'median ms':>10} {'slowest ms':>11}")
    print(header)
    print("-" * len(header))
    for name, f in rows.items():
        n = int(f["questions"])
        print(f"{name:<16} {n:>4} {f['accuracy']:>8.1%} {f['wrong']:>4} ({f['wrong'] / n:>4.1%}) {f['refused']:>8} "
              f"{f['errors']:>7} {f['drops']:>6} {f['must_refuse_refused']:>5}/{f['must_refuse']:<6} "
              f"{f['median_ms']:>10.2f} {f['slowest_ms']:>11.2f}")
    for path in missing:
        print(f"{path.name:<16} (not present: {path})")
    print(f"targets on the blind set: accuracy ≥ {TARGET_ACCURACY:.0%}, wrong ≤ {TARGET_WRONG:.0%}, 0 drops, every "
          f"should-refuse refused, median < {TARGET_MS:.0f} ms")
    if args.misses:
        for name, failures in misses.items():
            if "blind" in name:
                print(f"\n{name}: misses not listed (a blind set stays blind)")
                continue
            for miss in failures:
                drop = f" [drop: {miss.silent_drop}]" if miss.silent_drop else ""
                print(f"  ✗ {name} {miss.outcome}: {miss.question.question!r}: {miss.error}{drop}")
    print(f"total {time.perf_counter() - started:.1f}s")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    blind = [f for name, f in rows.items() if "blind" in name]
    return 0 if all(meets_targets(f) for f in blind) else 1


if __name__ == "__main__":
    sys.exit(main())
