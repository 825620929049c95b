"""Synthetic AWS logs with injected attack scenarios and their ground truth.

    from workbench.synth import generate, synthesize, load_ground_truth
    out = generate(days=1, seed=7, end="2026-11-28")         # in memory
    report = synthesize(Path("lake"), days=7, seed=42)        # raw files + ingest + ground_truth.json
"""

from workbench.synth.core import SynthOutput, SynthReport, default_end, generate, synthesize, write_raw
from workbench.synth.scenarios import DEFAULT_SCENARIOS, SCENARIOS, Scenario, ScenarioContext
from workbench.synth.truth import FirstCall, GroundTruth, Principal, ScenarioTruth, load_ground_truth

__all__ = [
    "generate", "synthesize", "write_raw", "default_end", "SynthOutput", "SynthReport",
    "SCENARIOS", "DEFAULT_SCENARIOS", "Scenario", "ScenarioContext",
    "GroundTruth", "ScenarioTruth", "Principal", "FirstCall", "load_ground_truth",
]
