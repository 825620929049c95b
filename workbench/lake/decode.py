"""Bytes of a delivered object → decompressed chunks, noticing truncation instead of failing.

gzip is recognised by its magic bytes, not the file name, and concatenated gzip members (as
Firehose and some copy tools produce) are read through. A stream that stops before its gzip
trailer is reported as truncated after yielding everything that could be decompressed, so the
complete lines or records before the cut are kept.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from pathlib import Path

GZIP_MAGIC = b"\x1f\x8b"
CHUNK = 1 << 20


class DecodeError(Exception):
    """The object could not be decoded to the end; `reason` is the quarantine counter's key."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


class Decoded:
    """Iterate `chunks()`; afterwards `error` says whether (and why) the stream stopped early."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.error: DecodeError | None = None
        self._prefix: list[bytes] = []
        self._stream: Iterator[bytes] | None = None
        with open(path, "rb") as handle:
            self.gzip = handle.read(2) == GZIP_MAGIC

    def head(self, size: int) -> bytes:
        """The first `size` decompressed bytes; `chunks()` then goes on from where this stopped."""
        self._stream = self._generate()
        self._prefix = []
        got = 0
        for chunk in self._stream:
            self._prefix.append(chunk)
            got += len(chunk)
            if got >= size:
                break
        return b"".join(self._prefix)[:size]

    def chunks(self) -> Iterator[bytes]:
        """Every decompressed chunk once (after `head()`, without decompressing its part again)."""
        if self._stream is None:
            yield from self._generate()
            return
        prefix, stream = self._prefix, self._stream
        self._prefix, self._stream = [], None
        yield from prefix
        yield from stream

    def _generate(self) -> Iterator[bytes]:
        self.error = None
        try:
            with open(self.path, "rb") as handle:
                if not self.gzip:
                    while chunk := handle.read(CHUNK):
                        yield chunk
                    return
                yield from self._gunzip(handle)
        except OSError as exc:
            self.error = DecodeError("unreadable_file", f"{self.path}: {exc.strerror or exc}")

    def _gunzip(self, handle) -> Iterator[bytes]:  # type: ignore[no-untyped-def]
        inflater = zlib.decompressobj(wbits=31)
        member_open = False  # the current member has started and not yet reached its trailer
        while data := handle.read(CHUNK):
            while data:
                try:
                    out = inflater.decompress(data)
                except zlib.error as exc:
                    self.error = DecodeError("corrupt_gzip", f"gzip data is corrupt: {exc}")
                    return
                if out:
                    yield out
                if inflater.eof:
                    data = inflater.unused_data
                    inflater = zlib.decompressobj(wbits=31)
                    member_open = bool(data.strip(b"\x00"))
                    if not member_open:
                        data = b""  # zero padding after the last member
                else:
                    data = b""
                    member_open = True
        if member_open:
            self.error = DecodeError("truncated_gzip", "gzip stream ends before its end-of-stream marker")

    def read_all(self) -> bytes:
        return b"".join(self.chunks())


def lines(chunks: Iterator[bytes]) -> Iterator[tuple[int, bytes, bool]]:
    """(line number, line without its newline, ended-with-newline) for every line."""
    number = 0
    carry: list[bytes] = []
    for chunk in chunks:
        if b"\n" not in chunk:
            carry.append(chunk)  # a long line: join once, not once per chunk
            continue
        parts = chunk.split(b"\n")
        if carry:
            parts[0] = b"".join(carry) + parts[0]
        carry = [parts.pop()]
        for part in parts:
            number += 1
            yield number, part, True
    tail = b"".join(carry)
    if tail:
        yield number + 1, tail, False
