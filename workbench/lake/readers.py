"""Read one delivered object into the lake writer: detect its format from content, route each record.

Shapes understood:
- CloudTrail S3 objects `{"Records": [...]}` (one line, or pretty-printed) and newline-delimited
  CloudTrail records;
- VPC flow log files: a header line naming the fields (`version account-id ...`, any order or
  subset, versions 2-5), then space-separated lines where `-` is null;
- GuardDuty findings: a JSON array, a single object, an EventBridge envelope whose `detail` is the
  finding, or NDJSON of any of those (EventBridge-wrapped CloudTrail records work the same way).

Small objects are parsed whole with orjson (fast); big ones are streamed (ijson for JSON documents,
line by line otherwise), so memory does not grow with the object. When a document is cut or
corrupt, the records before the damage are salvaged by the streaming parser and the rest is
quarantined.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import ijson

from workbench.lake.decode import Decoded, DecodeError, lines
from workbench.lake.jsontext import TooDeep, loads, text_of
from workbench.lake.normalize import Rejected
from workbench.lake.quarantine import Quarantine
from workbench.lake.writer import LakeWriter

WHOLE_LIMIT = 16 << 20  # decompressed bytes parsed in one go (~5x that as Python objects); larger ones stream
SNIFF = 64 << 10
_RECORDS_DOC = re.compile(rb'^\{\s*"Records"\s*:')
_VPC_TOKEN = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_CLOUDTRAIL_KEYS = frozenset({"eventversion", "eventsource", "eventname", "eventtime", "useridentity",
                              "eventid", "eventtype", "awsregion"})
_GUARDDUTY_KEYS = frozenset({"schemaversion", "severity", "updatedat", "createdat", "resource", "service"})
_VPC_KEYS = frozenset({"srcaddr", "dstaddr", "interface-id", "interface_id", "log-status", "log_status"})
MAX_LIST_NESTING = 8  # arrays of records inside arrays: AWS sends one level; deeper is hostile


def sniff(head: bytes) -> str:
    """The format of an object from its first bytes (decompressed)."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not text:
        return "empty"
    if _RECORDS_DOC.match(text):
        return "records_document"
    if text[:1] == b"[":
        return "json_document"
    if text[:1] == b"{":
        first, newline, _ = text.partition(b"\n")
        if newline:
            try:
                loads(first)
                return "json_lines"
            except ValueError:
                return "json_document"
        return "json_document"
    first = text.split(b"\n", 1)[0].decode("utf-8", "replace").strip()
    tokens = first.split()
    from workbench.catalog import VPC_FLOW

    known = set(VPC_FLOW.column_names)
    if len(tokens) >= 2 and all(_VPC_TOKEN.match(t) for t in tokens) and (
            sum(t.replace("-", "_") in known for t in tokens) * 2 >= len(tokens)):
        return "vpc_flow"
    return "unknown"


def classify(obj: dict) -> str | None:
    """Which table a bare JSON object belongs to, by its keys (any case)."""
    keys = {k.lower() for k in obj if isinstance(k, str)}
    if len(keys & _CLOUDTRAIL_KEYS) >= 2:
        return "cloudtrail"
    if "schemaversion" in keys or len(keys & _GUARDDUTY_KEYS) >= 2:
        return "guardduty"
    if len(keys & _VPC_KEYS) >= 2 or {"srcaddr", "start"} <= keys:
        return "vpc_flow"
    return None


class ObjectReader:
    """Reads objects into `writer`, sending what it cannot place to `quarantine`."""

    def __init__(self, writer: LakeWriter, quarantine: Quarantine) -> None:
        self.writer = writer
        self.quarantine = quarantine
        # Per object read (see workbench/lake/resume.py): positions (lines, or items of a
        # document) to pass over because an earlier, truncated copy's records are already kept;
        # then what this read found: its format, whether it was cut, and how many positions
        # it consumed whole.
        self.skip = 0
        self.skipped = 0
        self.kind = ""
        self.partial = False
        self.position = 0

    # -- records ---------------------------------------------------------------------------

    def add(self, table: str, record: Any, source: str, *, line: int | None = None,
            index: int | None = None, extra: dict | None = None) -> None:
        try:
            self.writer.add(table, record, extra)
        except Rejected as exc:
            self.quarantine.add(exc.reason, source, exc.detail, _raw(record), line=line, record=index)
        except Exception as exc:  # noqa: BLE001 - one odd record must not stop the file
            self.quarantine.add(exc_reason(exc), source, exc_detail(exc), _raw(record), line=line, record=index)

    def place(self, obj: Any, source: str, *, line: int | None = None, index: int | None = None) -> None:
        """`route` one parsed value; whatever fails inside it quarantines that value, not the object."""
        try:
            self.route(obj, source, line=line, index=index)
        except Exception as exc:  # noqa: BLE001 - the last line of defence for one record
            self.quarantine.add(exc_reason(exc), source, exc_detail(exc), _raw(obj), line=line, record=index)

    def route(self, obj: Any, source: str, *, line: int | None = None, index: int | None = None,
              nesting: int = 0) -> None:
        """Place a parsed JSON value: a Records document, an envelope, a list or a bare record."""
        if isinstance(obj, list):
            if nesting >= MAX_LIST_NESTING:
                self.quarantine.add("too_deeply_nested", source,
                                    f"arrays nested more than {MAX_LIST_NESTING} levels deep hold no records; "
                                    "deliver records as objects (one level of array at most)",
                                    _raw(obj), line=line, record=index)
                return
            for i, item in enumerate(obj):
                self.route(item, source, line=line, index=i if index is None else index, nesting=nesting + 1)
            return
        if not isinstance(obj, dict):
            self.quarantine.add("not_an_object", source, f"expected a JSON object, got {type(obj).__name__}",
                                _raw(obj), line=line, record=index)
            return
        records = obj.get("Records")
        if isinstance(records, list):
            self.records(records, source, line=line, rest={k: v for k, v in obj.items() if k != "Records"})
            return
        detail = obj.get("detail")
        if isinstance(detail, dict) and ("detail-type" in obj or "source" in obj):
            envelope = {k: v for k, v in obj.items() if k != "detail"}
            table = "guardduty" if obj.get("source") == "aws.guardduty" else classify(detail)
            if table is not None:
                self.add(table, detail, source, line=line, index=index, extra={"eventbridge": envelope})
                return
        table = classify(obj)
        if table is None:
            self.quarantine.add("unrecognised_record", source,
                                "not a CloudTrail record, GuardDuty finding or VPC flow record", _raw(obj),
                                line=line, record=index)
            return
        self.add(table, obj, source, line=line, index=index)

    def records(self, records: Iterable[Any], source: str, *, line: int | None = None,
                rest: dict | None = None, start: int = 0) -> int:
        """CloudTrail records of one document; fields beside `Records` are kept with each record."""
        extra = {"document": rest} if rest else None
        writer = self.writer.table("cloudtrail")
        count = 0
        for i, record in enumerate(records, start):
            count += 1
            if extra is None and isinstance(record, dict):
                try:  # the hot path: no wrapper call per record
                    writer.add(record)
                    continue
                except Rejected as exc:
                    self.quarantine.add(exc.reason, source, exc.detail, _raw(record), line=line, record=i)
                    continue
                except Exception as exc:  # noqa: BLE001
                    self.quarantine.add(exc_reason(exc), source, exc_detail(exc), _raw(record), line=line,
                                        record=i)
                    continue
            self.add("cloudtrail", record, source, line=line, index=i, extra=extra)
        return count

    # -- objects ---------------------------------------------------------------------------

    def read(self, path: Path, source: str, resume: tuple[str, int] | None = None) -> None:
        """Read one object. `resume` = (format, positions): the object begins with the bytes of an
        earlier truncated copy whose first `positions` records are kept; pass over those."""
        self.skip = self.skipped = self.position = 0
        self.partial = False
        self.kind = ""
        try:
            decoded = Decoded(path)
            head = decoded.head(SNIFF)
        except OSError as exc:
            self.quarantine.add("unreadable_file", source, f"{path}: {exc.strerror or exc}")
            return
        if decoded.error is not None and not head:
            self._decode_failed(decoded.error, source, b"")
            return
        kind = self.kind = sniff(head)
        if resume is not None and resume[0] == kind:
            self.skip = resume[1]
        if kind == "empty":
            if decoded.error is not None:
                self._decode_failed(decoded.error, source, b"")
            return
        if kind in ("json_lines",):
            self._json_lines(decoded, source)
        elif kind == "vpc_flow":
            self._vpc_flow(decoded, source)
        elif kind in ("records_document", "json_document"):
            self._document(decoded, source, kind)
        else:
            self.quarantine.add("unknown_format", source,
                                "not CloudTrail, GuardDuty or VPC flow logs (looked at the content, not the name)",
                                head)

    def _decode_failed(self, error: DecodeError, source: str, raw: bytes, *, line: int | None = None) -> None:
        self.partial = True
        self.quarantine.add(error.reason, source, error.detail, raw, line=line)

    def _json_lines(self, decoded: Decoded, source: str) -> None:
        for number, raw, complete in lines(decoded.chunks()):
            if not complete and decoded.error is not None:
                self._decode_failed(decoded.error, source, raw, line=number)
                return
            if number <= self.skip:
                self.skipped += bool(raw.strip())
                self.position = number
                continue
            text = raw.strip()
            if not text:
                self.position = number
                continue
            try:
                obj = loads(text)
            except TooDeep as exc:
                self.quarantine.add("too_deeply_nested", source, f"line {number}: {_DEEP_HELP} ({exc})", raw,
                                    line=number)
                self.position = number
                continue
            except ValueError as exc:
                self.quarantine.add("invalid_json", source, f"line {number}: {exc}", raw, line=number)
                if complete:
                    self.position = number
                else:
                    self.partial = True  # a last line cut without a newline: the object was cut short
                continue
            self.place(obj, source, line=number)
            self.position = number
        if decoded.error is not None:
            self._decode_failed(decoded.error, source, b"")

    def _vpc_flow(self, decoded: Decoded, source: str) -> None:
        writer = self.writer.table("vpc_flow")
        plan = writer.plan
        header: list[str] | None = None
        binding: list = []
        start_at = -1
        for number, raw, complete in lines(decoded.chunks()):
            if not complete and decoded.error is not None:
                self._decode_failed(decoded.error, source, raw, line=number)
                return
            self.position = number  # a complete line: handled whole below, whatever it holds
            text = raw.decode("utf-8", "replace").strip()
            if not text:
                continue
            fields = text.split()
            if header is not None and number <= self.skip and fields != header:
                self.skipped += 1
                continue
            if header is None or fields == header:
                header = fields
                binding = [(i, name, (plan._resolve(plan.root, name) or (None,))[0]) for i, name in enumerate(header)]
                start_at = next((i for i, _, node in binding if node is not None and node.name == "start"), -1)
                continue
            if len(fields) != len(header):
                self.quarantine.add("wrong_field_count", source,
                                    f"line {number}: {len(fields)} fields, the header names {len(header)}",
                                    raw, line=number)
                if not complete:  # a last line cut without its newline: the object was cut short
                    self.partial, self.position = True, number - 1
                continue
            if start_at < 0:
                self.quarantine.add("missing_event_time", source, f"line {number}: the header has no start field",
                                    raw, line=number)
                continue
            try:
                writer.add_fields(binding, fields, start_at)
            except Rejected as exc:
                self.quarantine.add(exc.reason, source, f"line {number}: {exc.detail}", raw, line=number)
            except Exception as exc:  # noqa: BLE001 - one odd line must not stop the file
                self.quarantine.add(exc_reason(exc), source, f"line {number}: {exc_detail(exc)}", raw, line=number)
        if decoded.error is not None:
            self._decode_failed(decoded.error, source, b"")

    def _document(self, decoded: Decoded, source: str, kind: str) -> None:
        """One JSON document: parsed whole when small; streamed (and salvaged) otherwise."""
        chunks: list[bytes] = []
        size = 0
        stream = decoded.chunks()
        for chunk in stream:
            chunks.append(chunk)
            size += len(chunk)
            if size > WHOLE_LIMIT:
                self._stream_document(_Replay(chunks, stream), decoded, source, kind)
                return
        data = b"".join(chunks)
        if decoded.error is None and not self.skip:
            try:
                obj = loads(data)
            except ValueError:
                obj = None
            else:
                self.place(obj, source)
                return
        self._stream_document(_Replay([data], iter(())), decoded, source, kind)

    def _stream_document(self, replay: _Replay, decoded: Decoded, source: str, kind: str) -> None:
        prefix = "Records.item" if kind == "records_document" else ("item" if replay.first_byte() == b"[" else "")
        try:
            items = self._counted(ijson.items(replay, prefix, use_float=True))
            if prefix == "Records.item":
                self.records(items, source, start=self.skip)
            else:
                for index, obj in enumerate(items, self.skip):
                    self.place(obj, source, index=index if prefix else None)
        except (ijson.JSONError, ijson.IncompleteJSONError, ValueError) as exc:
            self.partial = True
            reason = decoded.error.reason if decoded.error is not None else "invalid_json"
            self.quarantine.add(reason, source,
                                f"document unreadable after its first complete records: {exc}",
                                replay.tail())
            return
        if decoded.error is not None:
            self._decode_failed(decoded.error, source, replay.tail())

    def _counted(self, items: Iterator[Any]) -> Iterator[Any]:
        """`items` without the first `skip`; `position` counts the items handled whole (a cut
        document raises from the parser between two of them)."""
        for n, item in enumerate(items):
            if n >= self.skip:
                yield item
            else:
                self.skipped += 1
            self.position = n + 1


class _Replay:
    """A file-like view over chunks already read followed by the rest of the stream (for ijson)."""

    def __init__(self, chunks: list[bytes], rest: Iterator[bytes]) -> None:
        self._chunks = list(chunks)
        self._rest = rest
        self._last = b""

    def first_byte(self) -> bytes:
        for chunk in self._chunks:
            stripped = chunk.lstrip(b"\xef\xbb\xbf \t\r\n")
            if stripped:
                return stripped[:1]
        return b""

    def read(self, size: int = -1) -> bytes:
        if size == 0:
            return b""  # ijson probes with read(0) to learn whether the stream is bytes or text
        while not self._chunks:
            chunk = next(self._rest, None)
            if chunk is None:
                return b""
            if chunk:
                self._chunks.append(chunk)
        chunk = self._chunks.pop(0)
        if 0 < size < len(chunk):
            self._chunks.insert(0, chunk[size:])
            chunk = chunk[:size]
        self._last = (self._last + chunk)[-SNIFF:]
        return chunk

    def tail(self) -> bytes:
        return self._last


_DEEP_HELP = "the value nests deeper than about 1,000 levels; no AWS log does, so check its producer"


def exc_reason(exc: BaseException) -> str:
    """The quarantine reason for an unexpected failure while placing one record."""
    return "too_deeply_nested" if isinstance(exc, TooDeep | RecursionError) else "normalize_error"


def exc_detail(exc: BaseException) -> str:
    if isinstance(exc, TooDeep | RecursionError):
        return _DEEP_HELP
    return f"{type(exc).__name__}: {exc} (please report: the record is kept here, the rest was ingested)"


def _raw(value: Any) -> str:
    try:
        return text_of(value)
    except Exception:  # noqa: BLE001 - quarantine must accept anything
        return f"<{type(value).__name__} that cannot be written as text>"
