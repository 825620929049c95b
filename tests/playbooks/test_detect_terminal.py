"""`mantissa detect` prints alert titles built from log values; a userAgent carrying terminal
escape sequences (it is an HTTP header: the caller writes it) comes out escaped, not interpreted."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from tests.playbooks.conftest import ROOT, event

AGENT = "Mozilla/5.0\x1b]8;;https://evil.example/\x1b\\x\x1b]8;;\x1b\\\x1b]0;t\x07\x1b]52;c;ZXZpbA==\x07\u202e"
RULE = """\
id: root-agent
title: Root call with its user agent
description: A test rule whose alert title quotes a caller-chosen field.
severity: high
query: |
  SELECT eventtime, eventid, eventname, useragent, recipientaccountid, sourceipaddress
  FROM cloudtrail
  WHERE useridentity.type = 'Root'
alert:
  title: "Root {eventname} with agent {useragent}"
"""


def test_detect_summary_escapes_log_values(workspace: Path, cli) -> None:
    from workbench.config import load_settings
    from workbench.lake import write_records

    record = event("0b7e6a2c-0009-4c1e-9a51-5f3e0c1d2a09", "2026-03-02T09:30:00Z", "iam.amazonaws.com",
                   "ListUsers", ROOT, "AwsApiCall")
    record["userAgent"] = AGENT
    write_records("cloudtrail", [record], load_settings().lake)
    (workspace / "root-agent.yaml").write_text(RULE)
    result = CliRunner().invoke(cli, ["detect", "--no-notebook", "--rules", str(workspace / "root-agent.yaml"),
                                      "--start", "2026-03-02T09:00:00Z", "--end", "2026-03-02T10:00:00Z"])
    assert result.exit_code == 0, result.output
    assert "new [high] Root ListUsers with agent Mozilla/5.0\\x1b]8;;https://evil.example/" in result.output
    assert not any(ch in result.output for ch in "\x1b\x07\u202e"), repr(result.output)
