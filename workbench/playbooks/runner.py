"""Run a playbook with papermill and archive the executed notebook as the audit record.

    from workbench.playbooks import run_playbook
    path = run_playbook("detect", {"start": "2026-03-02", "end": "2026-03-03"})

A playbook is found in the workspace's `playbooks/` first, then in the bundled copy. Its executed
notebook lands in `<workspace>/runs/YYYY/MM/DD/<playbook>-<HHMMSS>-<id>.ipynb`, also when a cell
fails (papermill keeps the failing notebook, with the traceback in place). Parameters are written
into that notebook, so a secret passed as a parameter would sit in the archive for ever: names that
look like secrets are refused — secrets come from environment variables or config instead.

A playbook hands machine-readable results to its caller with `publish()` (a JSON output with our
own MIME type, like scrapbook's glue); `read_published()` reads them back from the archive.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.registry import unknown_name_message
from workbench.timewindow import iso_z

if TYPE_CHECKING:
    from workbench.config import Settings

DEFAULT_KERNEL = "python3"
MIME_PREFIX = "application/vnd.mantissa."
# Whole words (split on _ - . and camelCase) that mark a parameter name as a secret...
_SECRET_WORDS = {"token", "tokens", "password", "passwd", "pwd", "passphrase", "secret", "secrets",
                 "webhook", "webhooks", "key", "apikey", "credential", "credentials", "auth"}
# ...and fragments that do so even inside a longer word (slackwebhook, authtoken, accesskey).
_SECRET_FRAGMENTS = ("token", "password", "secret", "webhook", "apikey", "accesskey", "privatekey")


class PlaybookError(RuntimeError):
    """A playbook could not be found, started or finished; the message says what to do next."""


class PlaybookNotFound(PlaybookError):
    pass


class SecretParameterError(PlaybookError, ValueError):
    pass


class PlaybookFailed(PlaybookError):
    """A cell raised; the executed notebook (with the traceback) is kept at `notebook`."""

    def __init__(self, message: str, notebook: Path, ename: str = "", evalue: str = "") -> None:
        super().__init__(message)
        self.notebook, self.ename, self.evalue = notebook, ename, evalue


# ---- finding ------------------------------------------------------------------------------------
def _playbook_dirs(settings: Settings | None) -> list[Path]:
    from workbench.resources import search_paths

    return search_paths("playbooks", settings)


def available_playbooks(settings: Settings | None = None) -> list[str]:
    names: list[str] = []
    for folder in _playbook_dirs(settings):
        names.extend(p.stem for p in sorted(folder.glob("*.ipynb")) if p.stem not in names)
    return names


def find_playbook(name_or_path: str | Path, settings: Settings | None = None) -> Path:
    """A path to an existing notebook, or a playbook name looked up workspace first, then bundled."""
    candidate = Path(name_or_path).expanduser()
    if candidate.suffix == ".ipynb" or candidate.parent != Path("."):
        if candidate.is_file():
            return candidate.resolve()
        raise PlaybookNotFound(f"playbook file {candidate} does not exist")
    for folder in _playbook_dirs(settings):
        path = folder / f"{candidate.name}.ipynb"
        if path.is_file():
            return path
    folders = ", ".join(str(f) for f in _playbook_dirs(settings)) or "no playbook folders"
    raise PlaybookNotFound(
        f"{unknown_name_message('playbook', str(name_or_path), available_playbooks(settings))} "
        f"(searched {folders}; add <name>.ipynb to the workspace's playbooks/)")


# ---- parameters ---------------------------------------------------------------------------------
def looks_secret(name: str) -> bool:
    words = re.split(r"[_\-.\s]+|(?<=[a-z0-9])(?=[A-Z])", name)
    lowered = [w.lower() for w in words if w]
    joined = "".join(lowered)
    return any(w in _SECRET_WORDS for w in lowered) or any(f in joined for f in _SECRET_FRAGMENTS)


def check_parameters(parameters: dict[str, Any], where: str = "parameters") -> None:
    """Refuse secret-looking names, nested ones included: parameters are archived in plain text."""
    for name, value in parameters.items():
        if looks_secret(str(name)):
            raise SecretParameterError(
                f"{where}.{name}: looks like a secret; playbook parameters are saved in the archived "
                f"notebook, so pass secrets through environment variables (MANTISSA_*) or mantissa.yaml "
                f"and let the playbook read them from settings")
        if isinstance(value, dict):
            check_parameters(value, f"{where}.{name}")


def _plain(value: Any) -> Any:
    """Values papermill can write as Python literals: times as ISO text, paths as strings."""
    if isinstance(value, datetime):
        return iso_z(value if value.tzinfo else value.replace(tzinfo=UTC))
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return f"{int(value.total_seconds())}s"
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    return value


def archive_path(runs_root: Path, playbook: str, now: datetime | None = None) -> Path:
    now = (now or datetime.now(UTC)).astimezone(UTC)
    return runs_root / f"{now:%Y}" / f"{now:%m}" / f"{now:%d}" / (
        f"{playbook}-{now:%H%M%S}-{uuid.uuid4().hex[:6]}.ipynb")


# ---- running ------------------------------------------------------------------------------------
# Modules papermill (and nbformat) import on the way that a playbook run never uses, held off while
# they are first imported (and importable again afterwards). jsonschema, which nbformat validates
# notebooks with, imports a checker for each string format it knows, and the notebook schema uses
# none of them: rfc3987_syntax alone compiles some forty Earley grammars (about 1.3 s of CPU, more
# than all of papermill) to check "iri". pyarrow and papermill.s3 (boto3) back hdfs:// and s3://
# notebook paths, and ours are local files.
_NOT_FOR_PAPERMILL = ("rfc3987_syntax", "rfc3986_validator", "isoduration", "webcolors", "pyarrow",
                      "papermill.s3")


def _import_lean(module: str) -> Any:
    """`import module` (papermill, nbformat) without the modules above, if it is not imported yet."""
    import importlib
    import sys

    if module in sys.modules:
        return sys.modules[module]
    held = [name for name in _NOT_FOR_PAPERMILL if name not in sys.modules]
    for name in held:
        sys.modules[name] = None  # type: ignore[assignment]  # `import name` raises ImportError
    try:
        return importlib.import_module(module)
    finally:
        for name in held:
            if sys.modules.get(name, False) is None:
                del sys.modules[name]


def __getattr__(name: str) -> Any:
    # Resolved lazily so importing this module does not import jupyter_client.
    if name == "LocalKernelManager":
        from workbench.playbooks.kernel import local_kernel_manager

        return local_kernel_manager()
    raise AttributeError(name)


def run_playbook(
    name_or_path: str | Path,
    parameters: dict[str, Any] | None = None,
    output_dir: Path | None = None,
    kernel_name: str | None = None,
    *,
    settings: Settings | None = None,
    timeout: float | None = None,
    progress: bool = False,
) -> Path:
    """Execute a playbook and return its archived notebook (`progress`: papermill's bar on stderr).

    `output_dir` replaces `<workspace>/runs` as the archive root (the YYYY/MM/DD folders stay).
    The kernel runs in the workspace folder with this interpreter (`python3` maps to it), so it
    imports the same workbench. Raises PlaybookFailed naming the kept notebook when a cell fails.
    """
    from workbench.config import load_settings
    from workbench.playbooks import kernel

    settings = settings or load_settings()
    source = find_playbook(name_or_path, settings)
    params = dict(parameters or {})
    check_parameters(params)
    kernel_name = kernel_name or DEFAULT_KERNEL
    try:
        manager = kernel.start_kernel(kernel_name, settings.workspace)  # boots while papermill loads
    except Exception as exc:
        if type(exc).__name__ == "NoSuchKernel":
            raise PlaybookError(
                f"no Jupyter kernel named {kernel_name!r}: install one into this environment with "
                f"`python -m ipykernel install --sys-prefix`") from None
        raise
    try:
        return _execute(source, params, output_dir, manager, settings, timeout, progress)
    finally:
        kernel.stop_kernel(manager)


def _execute(source: Path, params: dict[str, Any], output_dir: Path | None, manager: Any, settings: Settings,
             timeout: float | None, progress: bool = False) -> Path:
    from workbench.playbooks import kernel

    papermill = _import_lean("papermill")
    from papermill.exceptions import PapermillExecutionError

    declared = papermill.inspect_notebook(str(source))
    for name in params:
        if name not in declared:
            raise PlaybookError(
                f"{source.name}: {unknown_name_message('parameter', name, list(declared))}"
                + ("" if declared else " (the playbook has no cell tagged 'parameters')"))
    if "workspace" in declared and params.get("workspace") is None:
        params["workspace"] = str(settings.workspace)
    target = archive_path(Path(output_dir) if output_dir else settings.runs, source.stem)
    target.parent.mkdir(parents=True, exist_ok=True)
    extra: dict[str, Any] = {"execution_timeout": timeout} if timeout else {}
    try:
        try:
            papermill.execute_notebook(
                str(source), str(target), parameters=_plain(params), engine_name=kernel.register_engine(),
                kernel_name=manager.kernel_name, km=manager, progress_bar=progress, log_output=False,
                cwd=str(settings.workspace), **extra)
        finally:
            scrub_notebook(target, settings)
    except PapermillExecutionError as exc:
        from workbench.redaction import redactor_for

        evalue = redactor_for(settings).known(exc.evalue)
        raise PlaybookFailed(
            f"playbook {source.stem} failed in cell {exc.exec_count}: {exc.ename}: {evalue}\n"
            f"the executed notebook, with the traceback, is kept at {target}",
            target, exc.ename, evalue) from None
    return target


def scrub_notebook(path: Path, settings: Settings) -> bool:
    """Replace every configured secret in an executed notebook (an error or a traceback may quote
    one, e.g. a receiver echoing a webhook path); the archive is the audit record and gets backed
    up. Only known secrets go: other URLs and tokens in outputs are evidence. True if it changed."""
    from workbench.redaction import redactor_for

    redactor = redactor_for(settings)
    if not redactor.secrets or not path.is_file():
        return False

    def clean(node: Any) -> Any:
        if isinstance(node, str):
            return redactor.known(node)
        if isinstance(node, list):
            return [clean(v) for v in node]
        if isinstance(node, dict):
            return {k: clean(v) for k, v in node.items()}
        return node

    document = json.loads(path.read_text(encoding="utf-8"))
    scrubbed = clean(document)
    if scrubbed == document:
        return False
    path.write_text(json.dumps(scrubbed, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return True


# ---- results a playbook hands back --------------------------------------------------------------
def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=lambda v: iso_z(v) if isinstance(v, datetime) else str(v)))


def publish(kind: str, data: dict[str, Any], text: str | None = None) -> None:
    """Show `data` as a JSON output the caller can read back (and `text` to a person reading it)."""
    from IPython.display import display

    bundle = {f"{MIME_PREFIX}{kind}+json": _jsonable(data), "text/plain": text or f"<{kind} result>"}
    display(bundle, raw=True)


def read_published(notebook: Path, kind: str) -> list[dict[str, Any]]:
    """Every `publish(kind, ...)` output in an executed notebook, in order."""
    nbformat = _import_lean("nbformat")

    mime = f"{MIME_PREFIX}{kind}+json"
    nb = nbformat.read(str(notebook), as_version=4)
    found = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if mime in data:
                payload = data[mime]
                found.append(json.loads(payload) if isinstance(payload, str) else dict(payload))
    return found
