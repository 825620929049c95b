"""Execution accuracy and speed of the offline English → SQL translator on the demo lake.

    .venv/bin/python benchmarks/nl_accuracy.py [--questions tests/nl/questions.yaml] [--json out.json]

Builds (once, under benchmarks/out/) the demo lake the tests use — 2 days, seed 7, ending
2026-11-20 — then, for each question in the file: translate it (timed), run the translation
through the guard and the local engine, run the reference SQL, and compare result sets. Prints
execution accuracy (targets: ≥ 90%) and median translation time (target: < 50 ms), and every miss.
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
TARGET_ACCURACY, TARGET_MS = 0.90, 50.0


def demo_lake() -> Path:
    from workbench.synth import synthesize

    if not (OUT / "lake" / "cloudtrail").is_dir():
        synthesize(OUT / "lake", days=2, seed=7, end=DEMO_END, replace=True)
    return OUT


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=ROOT / "tests" / "nl" / "questions.yaml")
    parser.add_argument("--json", type=Path, help="also write the figures and misses here")
    args = parser.parse_args(argv)

    from workbench.config import load_settings
    from workbench.engines import get_engine
    from workbench.nl import get_provider
    from workbench.nl.evaluate import evaluate, load_questions
    from workbench.timewindow import Window, parse_time

    started = time.perf_counter()
    workspace = demo_lake()
    settings = load_settings(workspace, environ={})
    questions = load_questions(args.questions)
    provider = get_provider("offline", settings)
    with get_engine("local", settings) as engine:
        report = evaluate(provider, questions, engine, Window.between(DEMO_START, DEMO_END), parse_time(DEMO_END))
    correct = sum(v.correct for v in report.verdicts)
    slowest = max(v.seconds for v in report.verdicts) * 1000
    print(f"offline translator on {len(questions)} questions ({args.questions.name}), demo lake {workspace}")
    print(f"execution accuracy: {correct}/{len(questions)} = {report.accuracy:.1%} (target ≥ {TARGET_ACCURACY:.0%})")
    print(f"translation time:   median {report.median_ms:.2f} ms, slowest {slowest:.2f} ms (target < {TARGET_MS:.0f} ms)")
    for miss in report.failures:
        print(f"  ✗ {miss.question.question!r}: {miss.error}")
    print(f"total {time.perf_counter() - started:.1f}s")
    if args.json:
        args.json.write_text(json.dumps({
            "questions": len(questions), "correct": correct, "accuracy": report.accuracy,
            "median_ms": report.median_ms, "slowest_ms": slowest,
            "misses": [{"question": m.question.question, "error": m.error, "sql": m.sql} for m in report.failures],
        }, indent=2))
    return 0 if report.accuracy >= TARGET_ACCURACY and report.median_ms < TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
