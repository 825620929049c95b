"""Playbooks: notebooks run by papermill (`runner`), and the steps they call (`detect`, ...)."""

from workbench.playbooks.runner import (
    DEFAULT_KERNEL,
    PlaybookError,
    PlaybookFailed,
    PlaybookNotFound,
    SecretParameterError,
    archive_path,
    available_playbooks,
    check_parameters,
    find_playbook,
    looks_secret,
    publish,
    read_published,
    run_playbook,
)

__all__ = ["DEFAULT_KERNEL", "PlaybookError", "PlaybookFailed", "PlaybookNotFound", "SecretParameterError",
           "archive_path", "available_playbooks", "check_parameters", "find_playbook", "looks_secret",
           "publish", "read_published", "run_playbook"]
