"""The kernel a playbook runs in: started before papermill is imported, stopped at once when the
last cell has replied.

A kernel is a fresh interpreter importing ipykernel and IPython; that takes about as long as the
command takes to import papermill and read the notebook, so the two happen side by side: the
kernel is launched first, and papermill then runs the notebook on it through the `mantissa`
engine, which is papermill's own nbclient engine handed that kernel.

The kernel is local: the command talks to it over Unix sockets, not loopback TCP, so no other
local user can connect to it (and ipykernel does not warn about unencrypted TCP on every run).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

ENGINE = "mantissa"
# The cells, parameters included, never go to the user's IPython history database (nbclient asks
# the same of the kernels it starts itself).
KERNEL_ARGUMENTS = ("--HistoryManager.hist_file=:memory:",)


def local_kernel_manager() -> type:
    from jupyter_client.manager import KernelManager

    class LocalKernelManager(KernelManager):
        transport = "ipc"

    return LocalKernelManager


def start_kernel(kernel_name: str, cwd: Path) -> Any:
    """Launch the kernel (raises jupyter_client's NoSuchKernel for an unknown name); the caller
    stops it with `stop_kernel`, whatever happens."""
    manager = local_kernel_manager()(kernel_name=kernel_name)
    manager.start_kernel(cwd=str(cwd), extra_arguments=list(KERNEL_ARGUMENTS))
    return manager


def stop_kernel(manager: Any) -> None:
    """Kill the kernel and remove its connection file and sockets.

    Once the last cell has replied, every output is in the notebook and every store the cells
    wrote to has committed; a graceful stop would only have the kernel tear down pandas and DuckDB
    (about a second on a busy machine) while the command waits. So a playbook's work ends with its
    last cell: the kernel runs no exit handlers.
    """
    if manager.has_kernel:
        manager.shutdown_kernel(now=True)
    else:
        manager.cleanup_resources()


def register_engine() -> str:
    """Register the `mantissa` papermill engine (once) and return its name; papermill is imported."""
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.exceptions import PapermillException
    from papermill.log import logger

    class StartedKernelEngine(NBClientEngine):
        """nbclient's engine on a kernel started by the caller (`km=`), who also stops it."""

        @classmethod
        def execute_managed_notebook(cls, nb_man: Any, kernel_name: str, log_output: bool = False,
                                     stdout_file: Any = None, stderr_file: Any = None, start_timeout: int = 60,
                                     execution_timeout: float | None = None, *, km: Any,
                                     **kwargs: Any) -> Any:
            kwargs.pop("input_path", None)
            client = PapermillNotebookClient(
                nb_man, km=km, timeout=execution_timeout, startup_timeout=start_timeout,
                kernel_name=kernel_name, log=logger, log_output=log_output, stdout_file=stdout_file,
                stderr_file=stderr_file, **kwargs)
            try:
                return client.execute()
            finally:
                # The client does not own the kernel, so it leaves its own channels open.
                if client.kc is not None:
                    client.kc.stop_channels()

    try:
        papermill_engines.get_engine(ENGINE)
    except PapermillException:  # not registered yet
        papermill_engines.register(ENGINE, StartedKernelEngine)
    return ENGINE
