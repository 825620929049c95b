"""`%ask --explain` shows the typed intent: each piece of the question and where it went."""

from __future__ import annotations

from typing import Any

from IPython.utils.capture import capture_output

from tests.magics.conftest import ip  # noqa: F401 - the real IPython shell fixture over the demo lake


def _run(shell: Any, cell: str) -> tuple[Any, list[str]]:
    with capture_output() as captured:
        result = shell.run_cell(cell)
    return result, [o.data.get("text/plain", "") for o in captured.outputs]


def test_explain_shows_the_intent_of_the_last_question(ip: Any) -> None:  # noqa: F811
    result, _ = _run(ip, "%ask top 3 source IPs of failed calls by svc-reporting yesterday")
    assert result.success, result.error_in_exec
    result, shown = _run(ip, "%ask --explain")
    explained = shown[0]
    assert "Intent (each piece of the question and where it went):" in explained
    assert "table: cloudtrail" in explained
    # a bare name is an IAM user or a role: the filter matches either, tied to the words it came from
    assert ("useridentity.username = 'svc-reporting' OR useridentity.sessioncontext.sessionissuer.username = "
            "'svc-reporting')  ← \"svc-reporting\"") in explained
    assert "group by: source IP" in explained and "limit: 3" in explained
    assert "window: [2026-11-19T00:00:00Z, 2026-11-20T00:00:00Z)  ← \"yesterday\"" in explained


def test_a_refusal_is_one_line_with_the_pointer(ip: Any) -> None:  # noqa: F811
    from IPython.core.error import UsageError

    result, _ = _run(ip, "%ask block 192.0.2.238 in every security group")
    assert isinstance(result.error_in_exec, UsageError)
    message = str(result.error_in_exec)
    assert "\n" not in message and "workbench.respond" in message


def test_explain_with_a_question_asks_it_then_shows_its_intent(ip: Any) -> None:  # noqa: F811
    result, shown = _run(ip, "%ask --explain failed calls by dave.kowalski on the 18th")
    assert result.success, result.error_in_exec
    explained = shown[-1]  # after the answer itself
    assert len(shown) >= 2, shown
    assert "Intent (each piece of the question and where it went):" in explained
    assert "'dave.kowalski'" in explained and "svc-reporting" not in explained
    assert "window: [2026-11-18T00:00:00Z, 2026-11-19T00:00:00Z)" in explained
