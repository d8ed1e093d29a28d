#!/usr/bin/env python3
"""
Command-line benchmark: ``piiredact redact`` and ``piiredact scan`` throughput (MB/s) on a
generated log of 100 MB or more, and their peak memory, against baselines run in the same session
and interleaved with them.

Every run is a separate process, as in real use, timed from start to exit (the ~0.3 s of start-up
and policy compilation included). Baselines:

- ``copy``: a Python loop that reads the file line by line and writes every line out, the I/O floor
  of any line filter written in Python;
- ``engine``: the same loop calling ``Redactor.redact`` (for redact) or ``Redactor.find`` (for
  scan) on each line: the engine alone. The ratio to it is what the command itself costs (JSON
  lines parsed and written back, terminators, bytes that are not UTF-8, the report).

Peak memory is the process's maximum resident set size as GNU ``/usr/bin/time`` reports it, on a
tenth of the input and on all of it: when memory does not grow with the input, their ratio stays
near 1.

Run ``python benchmarks/bench_cli.py``; ``--quick`` for a 20 MB pass, ``--size-mb N`` and
``--repeats N`` to choose.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench_engine import inject_pii, synthetic_lines

import piiredact


SEED = 20_240_601
CHUNK_LINES = 20_000  # lines generated per seed: every line of the file is distinct
PII_SHARE = 10  # one line in this many carries an injected value
JOB_FILES = 8  # files the input is cut into for the --jobs comparison
GNU_TIME = "/usr/bin/time"  # reports a command's peak memory (%M, kilobytes)

_COPY = """
import sys
out = open(sys.argv[2], "wb")
for line in open(sys.argv[1], "rb"):
    out.write(line)
"""
_ENGINE_REDACT = """
import sys
from piiredact import Redactor
redact = Redactor().redact
out = open(sys.argv[2], "wb")
for line in open(sys.argv[1], "rb"):
    text = line.decode("utf-8", "surrogateescape").rstrip("\\n")
    out.write(redact(text).encode("utf-8", "surrogateescape") + b"\\n")
"""
_ENGINE_FIND = """
import sys
from piiredact import Redactor
find = Redactor().find
found = 0
for line in open(sys.argv[1], "rb"):
    found += len(find(line.decode("utf-8", "surrogateescape").rstrip("\\n")))
print(found, file=open(sys.argv[2], "w"))
"""


def generate(path: Path, size: int) -> int:
    """Write at least *size* bytes of distinct log lines to *path* (five machine-log formats, JSON
    lines among them, one line in ten with an injected personal value); return the line count."""
    count = 0
    with path.open("w", encoding="utf-8") as out:
        seed = SEED
        while out.tell() < size:
            lines = synthetic_lines(CHUNK_LINES, seed=seed)
            injected = inject_pii(lines[::PII_SHARE], seed=seed)
            lines[::PII_SHARE] = [item.line for item in injected]
            out.write("\n".join(lines) + "\n")
            count += len(lines)
            seed += 1
    return count


def head(source: Path, target: Path, size: int) -> None:
    """The first whole lines of *source* up to about *size* bytes, into *target*."""
    with source.open("rb") as read, target.open("wb") as out:
        while out.tell() < size and (line := read.readline()):
            out.write(line)


def split(source: Path, directory: Path, parts: int) -> list[Path]:
    """*source* cut into *parts* files of whole lines in *directory*."""
    directory.mkdir(exist_ok=True)
    share = source.stat().st_size // parts + 1
    paths = [directory / f"part-{number}.log" for number in range(parts)]
    with source.open("rb") as read:
        for path in paths:
            with path.open("wb") as out:
                while out.tell() < share and (line := read.readline()):
                    out.write(line)
    return paths


@dataclass(frozen=True, slots=True)
class Run:
    """One process: its wall time and peak resident memory."""

    seconds: float
    peak_bytes: int


def run(command: Sequence[str], scratch: Path) -> Run:
    """Run *command* to its end under GNU time; its wall time and peak memory."""
    report = scratch / "time.txt"
    started = time.perf_counter()
    # GNU time forks a small process to exec the command; measuring a child of this process
    # directly would count this process's own memory, which a forked child starts with.
    status = subprocess.call(
        [GNU_TIME, "-f", "%M", "-o", str(report), *command], stdout=subprocess.DEVNULL
    )
    seconds = time.perf_counter() - started
    if status not in (0, 1):  # scan exits 1 when it finds something
        msg = f"{' '.join(command)} exited with {status}"
        raise RuntimeError(msg)
    kilobytes = int(report.read_text().split()[-1])
    return Run(seconds, kilobytes * 1024)


def interleaved(commands: dict[str, list[str]], repeats: int, scratch: Path) -> dict[str, Run]:
    """Each command *repeats* times, taking turns; the best time and the highest peak of each."""
    best: dict[str, Run] = {}
    for _ in range(repeats):
        for name, command in commands.items():
            result = run(command, scratch)
            old = best.get(name)
            best[name] = Run(
                min(result.seconds, old.seconds) if old else result.seconds,
                max(result.peak_bytes, old.peak_bytes) if old else result.peak_bytes,
            )
    return best


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "piiredact", *args]


def python(code: str, *args: str) -> list[str]:
    return [sys.executable, "-c", code, *args]


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="20 MB, one pass")
    parser.add_argument("--size-mb", type=int, help="input size in MB (default 100)")
    parser.add_argument("--repeats", type=int, help="passes per command (default 3)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if not os.access(GNU_TIME, os.X_OK):
        print(f"this benchmark needs GNU time at {GNU_TIME} (Debian: apt install time)")
        return 2
    size = (args.size_mb or (20 if args.quick else 100)) * 1_000_000
    repeats = args.repeats or (1 if args.quick else 3)
    with tempfile.TemporaryDirectory(prefix="piiredact-bench-") as scratch:
        directory = Path(scratch)
        full, tenth, out = directory / "full.log", directory / "tenth.log", directory / "out"
        print(f"generating {size / 1e6:.0f} MB of log lines ...", file=sys.stderr)
        lines = generate(full, size)
        head(full, tenth, size // 10)
        parts = split(full, directory / "parts", JOB_FILES)
        mb = full.stat().st_size / 1e6
        print("timing ...", file=sys.stderr)
        timed = interleaved(
            {
                "copy": python(_COPY, str(full), str(out)),
                "redact": cli("redact", str(full), "-o", str(out)),
                "engine redact": python(_ENGINE_REDACT, str(full), str(out)),
                "scan": cli("scan", "--format", "json", "-o", str(out), str(full)),
                "engine find": python(_ENGINE_FIND, str(full), str(out)),
                "scan --jobs 1": cli("scan", "--format", "json", "-o", str(out), *map(str, parts)),
                "scan --jobs 2": cli(
                    "scan", "--jobs", "2", "--format", "json", "-o", str(out), *map(str, parts)
                ),
            },
            repeats,
            directory,
        )
        small = interleaved(
            {
                "redact": cli("redact", str(tenth), "-o", str(out)),
                "scan": cli("scan", "--format", "json", "-o", str(out), str(tenth)),
            },
            repeats,
            directory,
        )
        rng = random.Random(SEED)
        sample = rng.sample(full.read_text(encoding="utf-8").splitlines(), 5)

    print(
        f"piiredact {piiredact.__version__} CLI benchmark, Python {platform.python_version()}, "
        f"{platform.machine()}, {os.cpu_count()} CPUs; best of {repeats} interleaved passes"
    )
    print(f"input: {mb:.1f} MB, {lines:,} distinct generated lines, 1 in {PII_SHARE} with PII")
    print("sample lines:\n  " + "\n  ".join(line[:110] for line in sample) + "\n")

    def rate(name: str) -> str:
        return f"{mb / timed[name].seconds:6.1f} MB/s"

    print(f"{'command':<16}{'throughput':>14}{'peak RSS':>12}   ratio (time / baseline time)")
    for name, baselines in (
        ("redact", ("engine redact", "copy")),
        ("scan", ("engine find", "copy")),
        ("scan --jobs 1", ()),
        ("scan --jobs 2", ("scan --jobs 1",)),
        ("engine redact", ()),
        ("engine find", ()),
        ("copy", ()),
    ):
        ratios = ", ".join(
            f"{timed[name].seconds / timed[base].seconds:.2f} vs {base}" for base in baselines
        )
        peak = f"{timed[name].peak_bytes / 1e6:7.1f} MB"
        print(f"{name:<16}{rate(name):>14}{peak:>12}   {ratios}")

    print("\npeak memory, full input / a tenth of it (1.00 = flat):")
    for name in ("redact", "scan"):
        ratio = timed[name].peak_bytes / small[name].peak_bytes
        print(
            f"  {name:<8}{small[name].peak_bytes / 1e6:7.1f} MB on {mb / 10:.0f} MB, "
            f"{timed[name].peak_bytes / 1e6:7.1f} MB on {mb:.0f} MB: {ratio:.2f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
