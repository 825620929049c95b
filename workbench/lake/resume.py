"""Re-delivery of a truncated object: keep what was salvaged, add only the rest.

An object cut short (a gzip without its trailer, a document ending mid-record, a last line
without its newline) has its complete records kept and the rest quarantined. When the complete
version arrives later under the same name (an S3 key re-uploaded, a download repeated), its
content hash differs, so the manifest alone would read it whole and write the salvaged records a
second time.

So for a cut object the manifest also records (`partial` table) how much of it was read: its
format, the number of decompressed bytes, their SHA-256, and the positions consumed whole (lines,
or items of a JSON document). An object arriving under a name with such entries is checked
against them: when its first decompressed bytes hash the same as a cut copy's, it *is* that copy
completed, and the reader passes over the positions already kept (`ObjectReader.read(resume=)`).
Bytes, not names, decide: another object under the name is read whole. Once an object under the
name has been read to its end, its entries are dropped.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from workbench.lake.decode import Decoded

Candidate = tuple[str, int, str, int]  # (format, decompressed bytes, their sha256, positions)


def decoded_digest(path: Path) -> tuple[int, str]:
    """(bytes, sha256) of everything that decompresses from `path` (all of it for a cut gzip)."""
    digest = hashlib.sha256()
    size = 0
    for chunk in Decoded(path).chunks():
        digest.update(chunk)
        size += len(chunk)
    return size, digest.hexdigest()


def matching_prefix(path: Path, candidates: list[Candidate]) -> tuple[str, int] | None:
    """(format, positions) of the longest cut copy whose bytes begin this object, or None."""
    if not candidates:
        return None
    wanted = sorted(candidates, key=lambda c: c[1])
    digest = hashlib.sha256()
    size = 0
    best: Candidate | None = None
    pending = list(wanted)
    for chunk in Decoded(path).chunks():
        while chunk and pending:
            need = pending[0][1] - size
            part, chunk = chunk[:need], chunk[need:]
            digest.update(part)
            size += len(part)
            while pending and pending[0][1] == size:
                if digest.hexdigest() == pending[0][2]:
                    best = pending[0]
                pending.pop(0)
        if not pending:
            break
    if best is None or best[3] <= 0:
        return None
    return best[0], best[3]
