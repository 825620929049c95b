"""Reading a backup archive as untrusted input: names, member types, manifest and checksums are
checked while members stream to disk, so nothing is held in memory and nothing lands outside the
staging folder.

The model is Python's tar extraction filters (PEP 706, the `data` filter): only regular files;
no links, devices, FIFOs or sparse members; no absolute names, no `..`, no empty or `.`
components. On top of that a backup member must sit under one of the backup's own folders, be
listed in `manifest.json` (which must come first, as `mantissa backup` writes it) with its exact
size, and match its SHA-256.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import tarfile
import zlib
from pathlib import Path, PurePosixPath
from typing import IO, Any

from workbench.backup.write import _PREFIXES, FORMAT, MANIFEST, VERSION, BackupError

CHUNK = 1 << 20
MAX_MANIFEST_BYTES = 16 << 20  # a manifest of a million members is well under this
_SHA256 = re.compile(r"[0-9a-f]{64}")
_BAD_CHARS = re.compile(r"[\x00-\x1f\x7f\\]")
_KINDS = {tarfile.SYMTYPE: "a symbolic link", tarfile.LNKTYPE: "a hard link", tarfile.CHRTYPE: "a character device",
          tarfile.BLKTYPE: "a block device", tarfile.FIFOTYPE: "a FIFO", tarfile.DIRTYPE: "a directory",
          tarfile.GNUTYPE_SPARSE: "a sparse file", tarfile.CONTTYPE: "a contiguous file"}
# Reading a damaged gzip/tar stream raises any of these; EOFError in particular must not escape,
# as click turns it into a bare "Aborted!".
READ_ERRORS = (tarfile.TarError, EOFError, zlib.error, OSError)


def safe_member_name(name: object) -> str | None:
    """Why `name` may not be a backup member, or None when it may. Checked on the raw text: a
    path library would quietly collapse `runs//tmp/x` into `runs/tmp/x`, hiding the absolute
    right-hand side the old restore joined onto the runs folder."""
    if not isinstance(name, str) or not name:
        return "not a file name"
    if _BAD_CHARS.search(name):
        return "control characters or backslashes in the name"
    if name.startswith("/"):
        return "an absolute path"
    parts = name.split("/")
    if any(part in ("", ".", "..") for part in parts):
        return "empty, '.' or '..' path components"
    if len(parts) < 2 or f"{parts[0]}/" not in _PREFIXES:
        return f"outside the backup's folders ({', '.join(_PREFIXES)})"
    return None


def contained(root: Path, relative: str) -> Path:
    """`root / relative`, refusing any result outside `root` once symbolic links are followed
    (the parent is resolved; the file itself may not be a link, so a replace cannot land elsewhere)."""
    base = root.resolve()
    target = base.joinpath(*PurePosixPath(relative).parts)
    parent = target.parent.resolve()
    if not parent.is_relative_to(base) or PurePosixPath(relative).is_absolute():
        raise BackupError(f"refusing to write {relative!r}: it resolves outside {base}")
    target = parent / target.name
    if target.is_symlink():
        raise BackupError(f"refusing to write {target}: it is a symbolic link (remove it, or restore elsewhere)")
    return target


def parse_manifest(data: bytes, where: str) -> dict[str, Any]:
    """The manifest, every field the restore relies on checked; one line naming the field otherwise."""
    damaged = "the archive is damaged or not from `mantissa backup` — use another copy"
    try:
        manifest = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise BackupError(f"{where}: {MANIFEST} is not UTF-8 text; {damaged}") from None
    except json.JSONDecodeError as exc:
        raise BackupError(f"{where}: {MANIFEST} is not valid JSON (line {exc.lineno}, column {exc.colno}: "
                          f"{exc.msg}); {damaged}") from None
    if not isinstance(manifest, dict):
        raise BackupError(f"{where}: {MANIFEST} is not a JSON object; {damaged}")
    version = manifest.get("version")
    if manifest.get("format") != FORMAT or not isinstance(version, int) or isinstance(version, bool):
        raise BackupError(f"{where}: {MANIFEST} says format {manifest.get('format')!r} version {version!r}; "
                          f"this workbench reads {FORMAT} versions 1 to {VERSION}")
    if version > VERSION:
        raise BackupError(f"{where}: format {FORMAT} v{version}; this workbench reads up to v{VERSION} (upgrade it)")
    files = manifest.get("files")
    if not isinstance(files, dict):
        raise BackupError(f"{where}: {MANIFEST} field 'files' is missing or not an object; {damaged}")
    for name, entry in files.items():
        if why := safe_member_name(name):
            raise BackupError(f"{where}: {MANIFEST} lists {name!r}: {why}; refusing the archive")
        if not isinstance(entry, dict):
            raise BackupError(f"{where}: {MANIFEST} field files.{name} is not an object; {damaged}")
        if not isinstance(entry.get("sha256"), str) or not _SHA256.fullmatch(entry["sha256"]):
            raise BackupError(f"{where}: {MANIFEST} field files.{name}.sha256 is not 64 lowercase hex digits; "
                              f"{damaged}")
        size = entry.get("bytes")
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise BackupError(f"{where}: {MANIFEST} field files.{name}.bytes is not a byte count; {damaged}")
    if not isinstance(manifest.get("counts", {}), dict):
        raise BackupError(f"{where}: {MANIFEST} field 'counts' is not an object; {damaged}")
    return manifest


def _member_kind(info: tarfile.TarInfo) -> str | None:
    if info.type in (tarfile.REGTYPE, tarfile.AREGTYPE):
        return None
    return _KINDS.get(info.type, f"a member of tar type {info.type!r}")


def _copy(source: IO[bytes], size: int, sink: IO[bytes] | None) -> str:
    """Stream `size` bytes through SHA-256 (and into `sink`), a chunk at a time."""
    digest = hashlib.sha256()
    left = size
    while left:
        chunk = source.read(min(CHUNK, left))
        if not chunk:
            raise EOFError("member ends early")
        digest.update(chunk)
        if sink is not None:
            sink.write(chunk)
        left -= len(chunk)
    return digest.hexdigest()


def _check_space(manifest: dict[str, Any], staging: Path, where: str) -> None:
    need = sum(entry["bytes"] for entry in manifest["files"].values())
    free = shutil.disk_usage(staging).free
    if need > free:
        raise BackupError(f"{where}: its members need {need:,} bytes but {staging} has {free:,} free; "
                          "free space (or set TMPDIR to a larger disk) and retry")


def read_verified(archive: Path, staging: Path | None, where: str | None = None) -> dict[str, Any]:
    """Check the whole archive and return its manifest; with `staging`, every member is also written
    under it (at its member name). Raises BackupError naming the archive, member or field."""
    where = where or str(archive)
    try:
        tar = tarfile.open(archive, "r|gz")  # a stream: members are read in order, never all at once
    except READ_ERRORS as exc:
        raise BackupError(f"{where}: not a gzip-compressed tar archive ({_why(exc)}); give the .tar.gz "
                          "`mantissa backup` wrote") from None
    manifest: dict[str, Any] | None = None
    seen: set[str] = set()
    current = "the first member"
    try:
        with tar:
            for info in tar:
                current = repr(info.name)
                if manifest is None and info.name != MANIFEST:
                    raise BackupError(f"{where}: the first member is {info.name!r}, not {MANIFEST}; "
                                      "not written by `mantissa backup`")
                if kind := _member_kind(info):
                    raise BackupError(f"{where}: refusing member {info.name!r}: {kind} (only regular files "
                                      "belong in a backup)")
                if info.name == MANIFEST:
                    if manifest is not None:
                        raise BackupError(f"{where}: {MANIFEST} appears twice; the archive was altered")
                    if info.size > MAX_MANIFEST_BYTES:
                        raise BackupError(f"{where}: {MANIFEST} is {info.size:,} bytes, too large to be real")
                    handle = tar.extractfile(info)
                    manifest = parse_manifest(handle.read() if handle else b"", where)
                    if staging is not None:
                        _check_space(manifest, staging, where)
                    continue
                if why := safe_member_name(info.name):
                    raise BackupError(f"{where}: refusing member {info.name!r}: {why}")
                listed = manifest["files"].get(info.name)
                if listed is None:
                    raise BackupError(f"{where}: member {info.name!r} is not in {MANIFEST}; the archive was altered")
                if info.name in seen:
                    raise BackupError(f"{where}: member {info.name!r} appears twice; the archive was altered")
                if info.size != listed["bytes"]:
                    raise BackupError(f"{where}: member {info.name!r} is {info.size:,} bytes, {MANIFEST} says "
                                      f"{listed['bytes']:,}; the archive was altered")
                seen.add(info.name)
                handle = tar.extractfile(info)
                if handle is None:  # pragma: no cover - regular files always have a handle
                    raise BackupError(f"{where}: member {info.name!r} cannot be read")
                if staging is None:
                    digest = _copy(handle, info.size, None)
                else:
                    target = staging.joinpath(*info.name.split("/"))
                    target.parent.mkdir(parents=True, exist_ok=True)
                    with open(target, "xb") as sink:  # noqa: PTH123 - 'x': a name never lands twice
                        digest = _copy(handle, info.size, sink)
                if digest != listed["sha256"]:
                    raise BackupError(f"{where}: checksum mismatch in {info.name}; the archive is damaged — "
                                      "use another copy")
    except READ_ERRORS as exc:
        if isinstance(exc, OSError) and exc.filename is not None and staging is not None:
            raise BackupError(f"cannot stage the backup in {staging}: {exc.strerror} ({exc.filename})") from None
        raise BackupError(f"{where}: the archive is truncated or damaged at {current} ({_why(exc)}); "
                          "use another copy") from None
    if manifest is None:
        raise BackupError(f"{where}: no {MANIFEST}; not written by `mantissa backup`")
    if missing := sorted(set(manifest["files"]) - seen):
        raise BackupError(f"{where}: members and manifest disagree ({', '.join(missing[:5])} missing); "
                          "the archive was altered or truncated")
    return manifest


def _why(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:200]
