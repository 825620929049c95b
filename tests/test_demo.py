"""The demo end to end on a short synthetic window: hunts find the attack, rules alert on it."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from workbench.cli import app


def test_demo_hunts_and_detects_the_injected_attacks(workspace: Path) -> None:
    result = CliRunner().invoke(app, ["demo", "--workspace", str(workspace / "demo"), "--days", "2",
                                      "--seed", "7", "--end", "2026-11-20T00:00:00Z"])
    assert result.exit_code == 0, result.output
    out = result.output
    from workbench.synth import load_ground_truth

    truth = load_ground_truth(workspace / "demo" / "ground_truth.json")
    leak = truth.scenario("leaked-key")
    assert f"%hunt suspicious_ip ip={leak.attacker_ips[0]}" in out
    # The suspicious-IP hunt returns exactly the attack's events, all of them.
    assert f"→ {len(leak.event_ids)} of these {len(leak.event_ids)} rows are events of the injected" in out
    assert "AdministratorAccess" in out
    assert "0 failed" in out
    assert "[leaked-key]" in out and "[logging-tampering]" in out and "[port-scan]" in out


def test_demo_is_rerunnable(workspace: Path) -> None:
    args = ["demo", "--workspace", str(workspace / "d"), "--days", "1", "--end", "2026-11-20T00:00:00Z"]
    first = CliRunner().invoke(app, args)
    second = CliRunner().invoke(app, args)
    assert first.exit_code == 0 and second.exit_code == 0, second.output
    assert "0 quarantined" in second.output
