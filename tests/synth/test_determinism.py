"""Same seed and end → byte-identical data; another seed → other identifiers."""

from __future__ import annotations

import hashlib
from pathlib import Path

import orjson

from workbench.synth import SynthOutput, generate, write_raw

END = "2026-11-25T12:00:00Z"


def digest(out: SynthOutput) -> str:
    return hashlib.sha256(orjson.dumps(out.records) + out.truth.model_dump_json().encode()).hexdigest()


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_seed_and_end_give_identical_records_and_files(tmp_path: Path) -> None:
    first, second = generate(1, seed=11, end=END, scale=0.2), generate(1, seed=11, end=END, scale=0.2)
    assert digest(first) == digest(second)
    write_raw(first, tmp_path / "a")
    write_raw(second, tmp_path / "b")
    files_a, files_b = tree(tmp_path / "a"), tree(tmp_path / "b")
    assert files_a and files_a == files_b


def test_different_seeds_give_different_identifiers() -> None:
    one, two = generate(1, seed=1, end=END, scale=0.1), generate(1, seed=2, end=END, scale=0.1)
    for name in ("leaked-key", "console-brute-force", "port-scan", "crypto-mining"):
        a, b = one.truth.scenario(name), two.truth.scenario(name)
        assert set(a.attacker_ips).isdisjoint(b.attacker_ips), name
        assert a.start != b.start, name
    a, b = one.truth.scenario("leaked-key"), two.truth.scenario("leaked-key")
    assert a.answers["compromised_access_key"] != b.answers["compromised_access_key"]
    assert a.answers["backdoor_user"] != b.answers["backdoor_user"]
    assert a.answers["exfiltrated_bucket"] != b.answers["exfiltrated_bucket"]
    assert one.truth.accounts != two.truth.accounts
    users_one = {r["userIdentity"].get("userName") for r in one.records["cloudtrail"]} - {None}
    users_two = {r["userIdentity"].get("userName") for r in two.records["cloudtrail"]} - {None}
    assert users_one != users_two


def test_scenario_built_alone_keeps_its_identifiers() -> None:
    """The training issue builds one scenario on background; it must match the full build's variant."""
    full = generate(1, seed=5, end=END, scale=0.1)
    alone = generate(1, seed=5, end=END, scale=0.1, scenarios=["leaked-key"])
    assert [s.name for s in alone.truth.scenarios] == ["leaked-key"]
    assert alone.truth.scenario("leaked-key").answers == full.truth.scenario("leaked-key").answers


def test_default_end_is_the_start_of_the_current_hour() -> None:
    from datetime import UTC, datetime

    from workbench.synth import default_end

    assert default_end(datetime(2026, 11, 28, 9, 41, 7, tzinfo=UTC)) == datetime(2026, 11, 28, 9, tzinfo=UTC)
    out = generate(1, seed=3, scale=0.05, scenarios=[])
    assert out.end.minute == 0 and out.end.second == 0 and out.end <= datetime.now(UTC)
