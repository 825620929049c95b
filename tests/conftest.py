"""Shared fixtures: a moto server on loopback for every AWS API the tests touch."""

from __future__ import annotations

import os
import signal
import socket
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared"
CORPUS = SHARED / "corpus" / "panther-tests.jsonl"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serialise_moto_dynamodb_writes() -> None:
    """Make moto's DynamoDB writes atomic with respect to each other, as DynamoDB's are.

    moto's transact_write_items snapshots every table it touches, and when a condition fails it
    puts the snapshot back, wiping out whatever another request committed in between; its server
    answers requests on threads. The alert store's optimistic writers lose a race by design
    (ConditionalCheckFailed, then re-read and retry), so two of them racing lost the winner's entry
    on moto, never on DynamoDB. One lock around moto's writes restores DynamoDB's behaviour."""
    import functools
    import threading

    from moto.dynamodb.models import DynamoDBBackend

    lock = threading.RLock()
    for name in ("put_item", "update_item", "delete_item", "transact_write_items"):
        original = getattr(DynamoDBBackend, name)
        if getattr(original, "_serialised", False):
            continue

        @functools.wraps(original)
        def serialised(self: Any, *args: Any, _original: Any = original, **kwargs: Any) -> Any:
            with lock:
                return _original(self, *args, **kwargs)

        serialised._serialised = True  # type: ignore[attr-defined]
        setattr(DynamoDBBackend, name, serialised)


@pytest.fixture(autouse=True)
def _sigint_handler_left_as_found(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test that leaves a SIGINT handler of its own behind changes Ctrl-C for every later test: the Athena run's
    SIGINT test once inherited a handler that did not raise and failed in the full suite only. Put back the handler
    found, and name the test that left one (in the warnings summary), so the leak is mended where it is."""
    found = signal.getsignal(signal.SIGINT)
    yield
    left = signal.getsignal(signal.SIGINT)
    if left is not found and found is not None and threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, found)
        warnings.warn(f"{request.node.nodeid} left SIGINT handled by {left!r}; the handler it found is put back",
                      RuntimeWarning, stacklevel=1)


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """One moto server on 127.0.0.1 for the session; stopped at the end."""
    from moto.server import ThreadedMotoServer

    serialise_moto_dynamodb_writes()

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


# The protocols moto's server, and the Athena double after it, route for Athena: JSON with
# X-Amz-Target (POST /).
MOTO_ATHENA_PROTOCOLS = {"json"}


def athena_protocol_mismatch() -> str | None:
    """One line naming the pair when the installed botocore speaks an Athena protocol moto cannot serve."""
    import botocore
    import botocore.session
    import moto

    protocol = botocore.session.get_session().get_service_model("athena").protocol
    if protocol in MOTO_ATHENA_PROTOCOLS:
        return None
    return (f"botocore {botocore.__version__} speaks {protocol} to Athena, which moto {moto.__version__} "
            f"and the Athena double (tests/athena_double) do not route: install from requirements/dev.lock "
            f"(`make test`), or bound botocore in pyproject.toml's dev extra and `make lock`")


@pytest.fixture()
def aws_env(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Fake credentials and a region, so boto3 never looks for real ones; returns the endpoint."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    return moto_endpoint


@pytest.fixture()
def corpus_path() -> Path:
    """The public Panther corpus in ../shared; tests using it skip cleanly when it is absent."""
    if not CORPUS.is_file():
        pytest.skip(f"public corpus not present at {CORPUS} (only in the developers' checkout)")
    return CORPUS


@pytest.fixture()
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty workspace; settings resolve relative to it and ignore the developer's env."""
    for key in list(os.environ):
        if key.startswith("MANTISSA_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("MANTISSA_WORKSPACE", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture(scope="session")
def demo_lake(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    """A small synthetic lake (2 days, seed 7, ending 2026-11-20) shared by the session's tests.

    `.workspace`, `.lake`, `.truth` (the injected scenarios' IPs and principals), `.report`.
    """
    from workbench.synth import synthesize

    root = tmp_path_factory.mktemp("demo-workspace")
    report = synthesize(root / "lake", days=2, seed=7, end="2026-11-20T00:00:00Z", progress=False)
    return SimpleNamespace(workspace=root, lake=root / "lake", truth=report.truth, report=report)


@pytest.fixture()
def demo_lake_settings(demo_lake: SimpleNamespace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Settings over the demo lake, with state (query history) in a fresh folder per test."""
    from workbench.config import load_settings

    for key in list(os.environ):
        if key.startswith("MANTISSA_"):
            monkeypatch.delenv(key)
    settings = load_settings(demo_lake.workspace)
    return settings.model_copy(update={"state_path": tmp_path / "state"})


@pytest.fixture(scope="session")
def athena_double_server(moto_endpoint: str) -> Iterator[object]:
    """The executing Athena double's HTTP server for the session (see tests/athena_double), after
    checking that this botocore speaks the Athena protocol it serves."""
    from tests.athena_double import DoubleServer

    mismatch = athena_protocol_mismatch()
    if mismatch:
        pytest.fail(mismatch, pytrace=False)

    server = DoubleServer(moto_endpoint)
    try:
        yield server
    finally:
        server.close()


@pytest.fixture()
def athena_double(athena_double_server: object, aws_env: str) -> Iterator[object]:
    """An `AthenaDouble` for one test: fresh buckets and catalog, latency 0, observations reset."""
    from tests.athena_double import AthenaDouble

    double = AthenaDouble(athena_double_server)  # type: ignore[arg-type]
    try:
        yield double
    finally:
        double.latency = 0.0
        for execution in double.executions:
            if execution.state in ("QUEUED", "RUNNING"):
                double.service.stop(execution.id)
