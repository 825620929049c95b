"""Generated data shared by the synth tests: generated once per session, small enough to be quick."""

from __future__ import annotations

import pytest

from workbench.synth import SynthOutput, generate

END = "2026-11-28T00:00:00Z"  # a Saturday 00:00 UTC: the week before holds five weekdays and a weekend


@pytest.fixture(scope="session")
def week() -> SynthOutput:
    """Seven days at a quarter of the default volume, every scenario injected."""
    return generate(7, seed=42, end=END, scale=0.25)


@pytest.fixture(scope="session")
def weekday() -> SynthOutput:
    """One full-volume weekday (Wednesday 2026-11-25, UTC)."""
    return generate(1, seed=7, end="2026-11-26T00:00:00Z")
