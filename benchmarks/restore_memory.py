"""Peak memory of `mantissa restore --check` and `restore` on an archive holding one big member of
zeros (a few hundred KB compressed, like the zip bomb of issue 18), each run in a process of its
own so its peak RSS (ru_maxrss) is its own. Prints one row per size.

    .venv/bin/python benchmarks/restore_memory.py --sizes 100 500 1500
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

CHUNK = 1 << 20
PROBE = """
import resource, sys, time
from workbench.backup import read_manifest, restore
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
began = time.perf_counter()
if sys.argv[1] == "check":
    read_manifest(sys.argv[2])
else:
    assert restore(sys.argv[2], sys.argv[3]).ok
print(base, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, time.perf_counter() - began)
"""


class Zeros(io.RawIOBase):
    def __init__(self, size: int) -> None:
        self.left = size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        n = min(len(buffer), self.left)
        buffer[:n] = bytes(n)
        self.left -= n
        return n


def build(path: Path, size: int) -> None:
    digest = hashlib.sha256()
    zeros = Zeros(size)
    while chunk := zeros.read(CHUNK):
        digest.update(chunk)
    manifest = json.dumps({"format": "mantissa-backup", "version": 1, "counts": {}, "files": {
        "runs/big.ipynb": {"sha256": digest.hexdigest(), "bytes": size}}}).encode()
    with tarfile.open(path, "w:gz", compresslevel=9) as tar:
        info = tarfile.TarInfo("manifest.json")
        info.size = len(manifest)
        tar.addfile(info, io.BytesIO(manifest))
        info = tarfile.TarInfo("runs/big.ipynb")
        info.size = size
        tar.addfile(info, Zeros(size))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 500, 1500], help="member sizes in MiB")
    args = parser.parse_args()
    print(f"{'member MiB':>10} {'archive KB':>10} {'mode':>7} {'RSS before MB':>13} {'peak RSS MB':>11} "
          f"{'growth MB':>9} {'seconds':>7}")
    for mib in args.sizes:
        with tempfile.TemporaryDirectory(prefix="restore-bench-") as tmp:
            archive = Path(tmp) / "bomb.tar.gz"
            build(archive, mib << 20)
            for mode in ("check", "restore"):
                done = subprocess.run([sys.executable, "-c", PROBE, mode, str(archive), str(Path(tmp) / "ws")],
                                      capture_output=True, text=True, check=True)
                base, peak, seconds = done.stdout.split()
                print(f"{mib:>10} {archive.stat().st_size / 1024:>10.0f} {mode:>7} {int(base) / 1024:>13.0f} "
                      f"{int(peak) / 1024:>11.0f} {(int(peak) - int(base)) / 1024:>9.0f} {float(seconds):>7.1f}")


if __name__ == "__main__":
    main()
