"""Athena's billing rule, the one function every cost figure goes through."""

from __future__ import annotations

import pytest

from workbench.cost import (
    ATHENA_MINIMUM_BYTES,
    BYTES_PER_MB,
    BYTES_PER_TB,
    billed_bytes,
    query_cost_usd,
    share_evenly,
)

MB = BYTES_PER_MB


@pytest.mark.parametrize(("scanned", "billed"), [
    (0, 10 * MB),
    (1, 10 * MB),
    (10 * MB, 10 * MB),
    (10 * MB + 1, 11 * MB),
    (37 * MB - 5, 37 * MB),
    (5 * 1024 * MB, 5 * 1024 * MB),
], ids=["nothing", "one-byte", "exactly-10MB", "one-over", "rounded-up", "5GB"])
def test_billed_bytes_round_up_to_the_mb_with_a_10mb_minimum(scanned: int, billed: int) -> None:
    assert billed_bytes(scanned) == billed


def test_ddl_and_failed_statements_are_not_billed() -> None:
    assert billed_bytes(123_456, billed=False) == 0
    assert query_cost_usd(123_456, 5.0, billed=False) == 0.0


def test_a_tiny_query_costs_ten_megabytes_at_the_configured_price() -> None:
    assert query_cost_usd(1024, 5.0) == pytest.approx(ATHENA_MINIMUM_BYTES / BYTES_PER_TB * 5.0)
    assert query_cost_usd(1024, 7.0) == pytest.approx(ATHENA_MINIMUM_BYTES / BYTES_PER_TB * 7.0)
    # the local engine's estimate has no minimum
    assert query_cost_usd(1024, 5.0, per_query_minimum=False) == pytest.approx(1024 / BYTES_PER_TB * 5.0)


@pytest.mark.parametrize(("total", "parts", "shares"), [
    (10, 3, [4, 3, 3]), (9, 3, [3, 3, 3]), (0, 2, [0, 0]), (5, 0, [])])
def test_shares_add_up_to_the_statement(total: int, parts: int, shares: list[int]) -> None:
    assert share_evenly(total, parts) == shares
    assert sum(shares) == (total if parts else 0)
