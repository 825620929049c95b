"""`mantissa enrich update` against a real HTTP server on 127.0.0.1 serving small ip-ranges files."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from workbench.cli import app
from workbench.enrich import UpdateError, labeler, load_aws_ranges, update_aws_ranges
from workbench.enrich.ranges import BUNDLED_AWS, WORKSPACE_AWS

SMALL = {"syncToken": "1796000000", "createDate": "2026-12-01-10-00-00",
         "prefixes": [{"ip_prefix": "24.5.6.0/24", "region": "eu-west-3", "service": "EC2",
                       "network_border_group": "eu-west-3"},
                      {"ip_prefix": "24.5.0.0/16", "region": "eu-west-3", "service": "AMAZON",
                       "network_border_group": "eu-west-3"}],
         "ipv6_prefixes": [{"ipv6_prefix": "2a05:d012::/36", "region": "eu-west-3", "service": "EC2",
                            "network_border_group": "eu-west-3"}]}
PAGES = {"/ip-ranges.json": (200, json.dumps(SMALL).encode()),
         "/old.json": (200, json.dumps({**SMALL, "createDate": "2026-01-01-00-00-00"}).encode()),
         "/html": (200, b"<html>captive portal</html>"),
         "/bad-prefix.json": (200, json.dumps({**SMALL, "prefixes": [{"ip_prefix": "nope"}]}).encode()),
         "/gone": (404, b"")}


@pytest.fixture()
def server() -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            status, body = PAGES.get(self.path, (404, b""))
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture()
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "mantissa.yaml").write_text("engine: local\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MANTISSA_WORKSPACE", raising=False)
    return tmp_path


def test_update_installs_the_file_and_labels_follow_it(server: str, workspace: Path) -> None:
    from workbench.config import load_settings

    settings = load_settings(workspace, environ={})
    assert labeler(settings).text("24.5.6.7") == "public, unlisted"
    result = CliRunner().invoke(app, ["enrich", "update", "--url", f"{server}/ip-ranges.json"])
    assert result.exit_code == 0, result.output
    assert "updated 2026-10-26 → 2026-12-01 (3 prefixes)" in result.output
    assert load_aws_ranges(settings.state).path == settings.state / WORKSPACE_AWS
    assert labeler(settings).text("24.5.6.7") == "AWS EC2 · eu-west-3"
    assert labeler(settings).text("2a05:d012::9") == "AWS EC2 · eu-west-3"
    again = CliRunner().invoke(app, ["enrich", "update", "--url", f"{server}/ip-ranges.json"])
    assert "already current (2026-12-01, 3 prefixes)" in again.output


@pytest.mark.parametrize(("page", "message"), [
    ("/html", "is not AWS's ip-ranges.json"),
    ("/bad-prefix.json", r"prefixes\[0\]: not a valid prefix entry"),
    ("/gone", "answered HTTP 404"),
], ids=["not-json", "bad-prefix", "404"])
def test_a_bad_download_changes_nothing(server: str, workspace: Path, page: str, message: str) -> None:
    state = workspace / "state"
    with pytest.raises(UpdateError, match=message):
        update_aws_ranges(state, f"{server}{page}", timeout_s=5)
    assert not (state / WORKSPACE_AWS).exists()
    assert load_aws_ranges(state).path == BUNDLED_AWS


def test_an_older_file_does_not_replace_a_newer_one(server: str, workspace: Path) -> None:
    state = workspace / "state"
    update_aws_ranges(state, f"{server}/ip-ranges.json", timeout_s=5)
    before = (state / WORKSPACE_AWS).read_bytes()
    with pytest.raises(UpdateError, match="older than the copy in use"):
        update_aws_ranges(state, f"{server}/old.json", timeout_s=5)
    assert (state / WORKSPACE_AWS).read_bytes() == before


def test_no_network_is_one_line_and_keeps_the_snapshot(workspace: Path) -> None:
    # A port nobody listens on: the refused connection stands in for an offline machine.
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = CliRunner().invoke(app, ["enrich", "update", "--url", f"http://127.0.0.1:{port}/x", "--timeout", "2"])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line]
    assert len(lines) == 1 and lines[0].startswith("error: cannot fetch")
    assert "still using the AWS ranges of 2026-10-26" in lines[0]
    assert not (workspace / "state" / WORKSPACE_AWS).exists()
    assert os.listdir(workspace) == ["mantissa.yaml"]


def test_a_corrupt_workspace_copy_names_the_file_and_the_way_out(workspace: Path) -> None:
    from workbench.enrich import RangesError

    target = workspace / "state" / WORKSPACE_AWS
    target.parent.mkdir(parents=True)
    target.write_text(json.dumps({**SMALL, "prefixes": [{"ip_prefix": "24.5.6.0/24"}, {"region": "x"}]}))
    with pytest.raises(RangesError) as info:
        load_aws_ranges(workspace / "state")
    assert str(info.value).startswith(f"{target}: prefixes[1]: not a valid prefix entry")
    assert "delete the file to use the bundled snapshot" in str(info.value)
