"""IP labels from the bundled data: AWS ranges, other clouds, known scanners, special-purpose ranges."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from workbench.config import load_settings
from workbench.enrich import label_frame, labeler
from workbench.enrich.labels import read_known
from workbench.enrich.ranges import BUNDLED_AWS, load_aws_ranges, network_key


@pytest.mark.parametrize(("value", "kind", "text"), [
    ("3.5.140.2", "aws", "AWS EC2/S3 · ap-northeast-2"),  # the specific prefix, not only the AMAZON catch-all
    ("2600:1f18::1", "aws", "AWS EC2 · us-east-1"),
    ("10.0.3.7", "private", "private (RFC 1918)"),
    ("172.31.255.1", "private", "private (RFC 1918)"),
    ("::ffff:192.168.1.1", "private", "private (RFC 1918)"),
    ("100.64.1.1", "private", "shared address space (carrier-grade NAT, RFC 6598)"),
    ("203.0.113.9", "documentation", "documentation range (RFC 5737)"),
    ("2001:db8::5", "documentation", "documentation range (RFC 3849)"),
    ("169.254.169.254", "link-local", "link-local: the instance metadata service"),
    ("127.0.0.1", "loopback", "loopback"),
    ("240.0.0.1", "reserved", "reserved (IANA)"),
    ("162.142.125.7", "scanner", "Censys scanner"),
    ("13.107.42.14", "cloud", "Microsoft Azure"),
    ("24.5.6.7", "public", "public, unlisted"),
    ("ec2.amazonaws.com", "aws-service", "AWS service ec2.amazonaws.com acting on your behalf"),
    ("AWS Internal", "aws-service", "AWS internal"),
    ("<script>", "not-an-ip", "not an IP address"),
], ids=lambda v: str(v)[:24])
def test_bundled_labels(value: str, kind: str, text: str) -> None:
    info = labeler().label(value)
    assert (info.kind, info.text) == (kind, text)


def test_the_snapshot_is_dated_and_large() -> None:
    ranges = load_aws_ranges(None)
    assert ranges.path == BUNDLED_AWS
    assert ranges.date == "2026-10-26" and ranges.count > 10_000
    assert "2026-10-26" in labeler().sources


@pytest.mark.parametrize(("cidr", "expected"), [
    ("10.1.2.3/8", (4, 8, 10 << 24)), ("2600:1f18::/32", (6, 32, 0x26001F18 << 96)), ("1.2.3.4", (4, 32, 0x01020304)),
], ids=["host-bits", "v6", "no-length"])
def test_network_key(cidr: str, expected: tuple[int, int, int]) -> None:
    assert network_key(cidr) == expected


def test_workspace_known_ips_win_and_bad_lines_are_named(tmp_path: Path) -> None:
    (tmp_path / "mantissa.yaml").write_text("engine: local\n")
    known = tmp_path / "enrich" / "known-ips.csv"
    known.parent.mkdir()
    known.write_text("cidr,label,kind,source\n"
                     "24.5.6.0/24,our vulnerability scanner,scanner,security team\n"
                     "3.5.140.0/24,our CI egress,corporate\n"
                     "not-a-cidr,x,scanner\n"
                     "24.9.9.9,odd kind,pirate\n"
                     "24.9.9.10\n")
    found = labeler(load_settings(tmp_path, environ={}))
    assert found.text("24.5.6.7") == "our vulnerability scanner"
    assert found.label("24.5.6.7").kind == "scanner"
    # A known range inside AWS keeps the AWS facts beside the team's name for it.
    assert found.text("3.5.140.2") == "our CI egress · AWS EC2/S3 · ap-northeast-2"
    assert found.label("24.9.9.9").kind == "other"  # the line is kept, with its kind defaulted
    assert [p.split(": ", 1)[0] for p in found.problems] == [f"{known}:4", f"{known}:5", f"{known}:6"]
    assert "not an IP address or CIDR" in found.problems[0] and "fix or delete the line" in found.problems[0]


def test_read_known_skips_comments(tmp_path: Path) -> None:
    path = tmp_path / "k.csv"
    path.write_text("# a comment\n\n198.51.100.0/24,lab,other,me\n")
    problems: list[str] = []
    assert [(str(n), k.label) for n, k in read_known(path, problems)] == [("198.51.100.0/24", "lab")]
    assert problems == []


def test_label_frame_adds_a_label_beside_each_address_column() -> None:
    frame = pd.DataFrame({"eventname": ["A", "B", "C"], "sourceipaddress": ["10.0.0.1", None, "3.5.140.2"],
                          "dstaddr": ["203.0.113.1", "162.142.125.1", "8.8.4.4"]})
    out = label_frame(frame)
    assert list(out.columns) == ["eventname", "sourceipaddress", "sourceipaddress_label", "dstaddr", "dstaddr_label"]
    assert out["sourceipaddress_label"].tolist() == ["private (RFC 1918)", "", "AWS EC2/S3 · ap-northeast-2"]
    assert out["dstaddr_label"].tolist()[1] == "Censys scanner"
    assert list(frame.columns) == ["eventname", "sourceipaddress", "dstaddr"]  # the input is left alone
    with pytest.raises(KeyError, match="no column 'srcaddr'"):
        label_frame(frame, ["srcaddr"])


def test_a_hostile_known_ip_label_is_escaped_where_it_is_shown(tmp_path: Path) -> None:
    from workbench.investigate.layout import addresses

    (tmp_path / "mantissa.yaml").write_text("engine: local\n")
    known = tmp_path / "enrich" / "known-ips.csv"
    known.parent.mkdir()
    known.write_text('24.1.1.0/24,"<img src=x onerror=alert(1)>",other\n')
    found = labeler(load_settings(tmp_path, environ={}))
    label = found.text("24.1.1.9")
    assert label == "<img src=x onerror=alert(1)>"  # the label is data; markup is made where it is shown
    html = addresses([("24.1.1.9", label)])
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
