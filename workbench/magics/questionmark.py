"""`%ask who did this?`: a question ending in a question mark reaches %ask whole.

IPython reads a line ending in `?` as a help request before any magic runs: `%ask which user
attached the policy?` looks up an object named `policy` ("Object `policy` not found.") and the
question is never asked. A cleanup input transformer (it runs first, on a cell's raw lines) turns
such an `%ask` line into the call IPython itself makes for a magic line, question mark included.
`%ask?` and `%ask??` (help on the magic) are left alone, and so is `%%ask`, whose body IPython
hands over as it is.
"""

from __future__ import annotations

import re
from typing import Any

_ASKED = re.compile(r"^(?P<indent>[ \t]*)%ask[ \t]+(?P<question>\S.*\?)[ \t]*$")


def keep_question_marks(lines: list[str]) -> list[str]:
    out = []
    for line in lines:
        body = line.rstrip("\n")
        match = _ASKED.match(body)
        if match is None or body.lstrip().startswith("%%"):
            out.append(line)
            continue
        call = f"get_ipython().run_line_magic('ask', {match['question']!r})"
        out.append(f"{match['indent']}{call}" + ("\n" if line.endswith("\n") else ""))
    return out


def register(shell: Any) -> None:
    transforms = shell.input_transformers_cleanup
    if keep_question_marks not in transforms:
        transforms.append(keep_question_marks)


def unregister(shell: Any) -> None:
    transforms = shell.input_transformers_cleanup
    while keep_question_marks in transforms:
        transforms.remove(keep_question_marks)
