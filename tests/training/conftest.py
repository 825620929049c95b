"""Training workspaces built once per session: two variants of leaked-key for grading, and a practice
home holding every scenario's default variant, which the notebooks find when run from the repository."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

END = "2026-11-20T00:00:00Z"
DAYS, SCALE = 1, 0.3  # a day of light background keeps each build to a few seconds
REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "notebooks" / "training"


@pytest.fixture(scope="session")
def leaked_key(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    """leaked-key, seeds 11 and 12, each in its own workspace (with its notebook copied in)."""
    from workbench.training import build_workspace

    root = tmp_path_factory.mktemp("trainees")
    spaces = {seed: build_workspace("leaked-key", seed, root / f"seed{seed}", days=DAYS, end=END, scale=SCALE)
              for seed in (11, 12)}
    return SimpleNamespace(root=root, spaces=spaces)


@pytest.fixture(scope="session")
def practice_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An XDG cache holding every scenario's practice workspace (seed 1), as a first notebook run makes it."""
    from workbench.training import EXERCISES, build_workspace

    cache = tmp_path_factory.mktemp("xdg-cache")
    for name in EXERCISES.names():
        build_workspace(name, 1, cache / "mantissa" / "training" / f"{name}-seed1", days=DAYS, end=END,
                        scale=SCALE, notebook=False)
    return cache


@pytest.fixture()
def kernel_env(practice_home: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """The environment a notebook kernel inherits: the practice cache, no settings overrides, and no
    model API key (so %ask answers offline, without the network)."""
    for key in list(os.environ):
        if key.startswith("MANTISSA_"):
            monkeypatch.delenv(key)
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(practice_home))
    monkeypatch.chdir(tmp_path)
    yield practice_home
