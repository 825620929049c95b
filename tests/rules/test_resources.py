"""Where bundled and workspace folders are found."""

from __future__ import annotations

from pathlib import Path

import pytest

import workbench
from workbench.config import load_settings
from workbench.resources import KINDS, bundled_dir, search_paths

REPO = Path(workbench.__file__).resolve().parents[1]


def test_checkout_uses_the_repository_folders() -> None:
    assert bundled_dir("rules") == REPO / "rules"


def test_unknown_kind_suggests_the_closest() -> None:
    with pytest.raises(ValueError, match="did you mean 'rules'"):
        bundled_dir("rule")


def test_search_paths_order_and_dedup(workspace: Path) -> None:
    (workspace / "rules").mkdir()
    (workspace / "mantissa.yaml").write_text("rules_paths: [team-rules, /abs/missing]\n")
    settings = load_settings(workspace)
    paths = search_paths("rules", settings)
    assert paths == [workspace / "rules", workspace / "team-rules", Path("/abs/missing"), REPO / "rules"]


def test_checkout_as_its_own_workspace_lists_the_folder_once() -> None:
    settings = load_settings(REPO, environ={})
    assert search_paths("rules", settings) == [REPO / "rules"]


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_is_reachable_without_settings(kind: str) -> None:
    paths = search_paths(kind)
    assert paths == ([bundled_dir(kind)] if bundled_dir(kind) else [])
