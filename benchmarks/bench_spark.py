#!/usr/bin/env python3
"""
Spark benchmark: ``piiredact redact`` and ``piiredact scan`` on about 1 GB of generated logs, with
``--engine spark`` on ``local[1]`` and ``local[2]`` against the single-process command, all in
the same session and interleaved.

Every run is a separate process, as in real use, timed from start to exit. Besides MB/s, the
report says where the time goes:

- ``spark start``: the same Spark command on a one-line file: the JVM, the session, one job;
- ``spark copy``: the same Spark job with the redaction left out (read the lines, pass them
  through Arrow to a Python worker and back, write them): what Spark itself costs;
- the rest of a Spark run is the engine (``redact`` or ``find`` on each line).

CPU time is user + system time of the run's whole process tree, sampled from ``/proc`` four times a
second, split into the JVM (``java``) and Python (the command and Spark's Python workers); CPU /
wall time says how many cores a run kept busy. The machine's load average is printed before
and after: other work on a shared machine takes cores from ``local[2]`` first.

The input is generated once into ``$TMPDIR/piiredact-bench-spark`` (never into the repository) and
reused by later runs. Run ``python benchmarks/bench_spark.py``; ``--quick`` for 100 MB,
``--size-mb N`` and ``--repeats N`` to choose.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench_cli import PII_SHARE, generate

import piiredact


DATA = Path(tempfile.gettempdir()) / "piiredact-bench-spark"
MASTERS = ("local[1]", "local[2]")

# The Spark job of ``piiredact redact --engine spark`` without the redaction: the lines as bytes
# through mapInArrow to a Python worker and back, written as text.
_SPARK_COPY = """
import sys
from pyspark.sql import SparkSession, functions as sf
builder = SparkSession.builder.master(sys.argv[1])
spark = builder.config("spark.ui.showConsoleProgress", "false").getOrCreate()
spark.sparkContext.setLogLevel("ERROR")
lines = spark.read.text(sys.argv[2]).select(sf.col("value").cast("binary"))
copied = lines.mapInArrow(lambda batches: batches, "value binary")
copied.select(sf.col("value").cast("string")).write.text(sys.argv[3])
spark.stop()
"""


@dataclass(frozen=True, slots=True)
class Run:
    """One process: its wall time and the CPU time of its process tree, by program."""

    seconds: float
    cpu: dict[str, float]

    @property
    def cpu_seconds(self) -> float:
        return sum(self.cpu.values())


_TICK = os.sysconf("SC_CLK_TCK")


def _processes() -> dict[int, tuple[int, str, float]]:
    """Every process: its parent, its program (java, python) and its CPU seconds so far."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            text = Path(f"/proc/{entry}/stat").read_text()
        except OSError:  # it ended meanwhile
            continue
        name = text[text.index("(") + 1 : text.rindex(")")]
        fields = text[text.rindex(")") + 2 :].split()
        program = "java" if name == "java" else "python" if name.startswith("python") else name
        found[int(entry)] = (int(fields[1]), program, (int(fields[11]) + int(fields[12])) / _TICK)
    return found


def _tree_cpu(root: int, seen: dict[int, tuple[str, float]]) -> None:
    """Note the CPU seconds of *root* and its descendants in *seen* (the latest reading)."""
    processes = _processes()
    children: dict[int, list[int]] = {}
    for pid, (parent, _, _) in processes.items():
        children.setdefault(parent, []).append(pid)
    pending = [root]
    while pending:
        pid = pending.pop()
        if pid in processes:
            _, program, cpu = processes[pid]
            seen[pid] = (program, cpu)
        pending.extend(children.get(pid, ()))


def run(command: Sequence[str], output: Path) -> Run:
    """Run *command* to its end (removing *output* first); its wall time and the CPU time of
    its process tree, sampled from /proc (what runs in the last sample interval is missed)."""
    if output.is_dir():
        shutil.rmtree(output)
    output.unlink(missing_ok=True)
    seen: dict[int, tuple[str, float]] = {}
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while process.poll() is None:
        _tree_cpu(process.pid, seen)
        time.sleep(0.25)
    seconds = time.perf_counter() - started
    if process.returncode not in (0, 1):  # scan exits 1 when it finds something
        msg = f"{' '.join(command)} exited with {process.returncode}"
        raise RuntimeError(msg)
    cpu: dict[str, float] = {}
    for program, used in seen.values():
        cpu[program] = cpu.get(program, 0.0) + used
    return Run(seconds, cpu)


def interleaved(commands: dict[str, list[str]], repeats: int, output: Path) -> dict[str, Run]:
    """Each command *repeats* times, taking turns; the best time of each."""
    best: dict[str, Run] = {}
    for number in range(repeats):
        for name, command in commands.items():
            print(f"  pass {number + 1}: {name} ...", file=sys.stderr, flush=True)
            result = run(command, output)
            if name not in best or result.seconds < best[name].seconds:
                best[name] = result
    return best


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "piiredact", *args]


def spark_cli(master: str, *args: str) -> list[str]:
    return cli(*args[:1], "--engine", "spark", "--spark-master", master, *args[1:])


def input_file(size: int) -> tuple[Path, int]:
    """The generated log of at least *size* bytes (made on first use) and its line count."""
    DATA.mkdir(exist_ok=True)
    path = DATA / f"logs-{size // 1_000_000}mb.log"
    if not path.exists():
        print(f"generating {size / 1e6:.0f} MB of log lines into {path} ...", file=sys.stderr)
        partial = path.with_suffix(".partial")
        generate(partial, size)
        partial.rename(path)
    with path.open("rb") as lines:
        return path, sum(1 for _ in lines)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="100 MB")
    parser.add_argument("--size-mb", type=int, help="input size in MB (default 1000)")
    parser.add_argument("--repeats", type=int, default=1, help="passes per command (default 1)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        print("this benchmark needs Java (java on PATH or JAVA_HOME)")
        return 2
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    size = (args.size_mb or (100 if args.quick else 1000)) * 1_000_000
    full, lines = input_file(size)
    tiny = DATA / "one-line.log"
    tiny.write_text("login from 203.0.113.7\n", encoding="utf-8")
    out = DATA / "out"
    mb = full.stat().st_size / 1e6
    commands = {"cli redact": cli("redact", str(full), "-o", str(out))}
    for master in MASTERS:
        commands[f"{master} redact"] = spark_cli(master, "redact", str(full), "-o", str(out))
    commands["cli scan"] = cli("scan", "--format", "json", "-o", str(out), str(full))
    for master in MASTERS:
        commands[f"{master} scan"] = spark_cli(
            master, "scan", "--format", "json", "-o", str(out), str(full)
        )
    for master in MASTERS:
        code = [sys.executable, "-c", _SPARK_COPY, master]
        commands[f"{master} copy"] = [*code, str(full), str(out)]
        commands[f"{master} start"] = spark_cli(master, "redact", str(tiny), "-o", str(out))

    load_before = os.getloadavg()
    print("timing ...", file=sys.stderr)
    timed = interleaved(commands, args.repeats, out)
    load_after = os.getloadavg()
    shutil.rmtree(out, ignore_errors=True)

    print(
        f"piiredact {piiredact.__version__} Spark benchmark, Python {platform.python_version()}, "
        f"{platform.machine()}, {os.cpu_count()} CPUs; best of {args.repeats} interleaved passes"
    )
    print(f"input: {mb:.0f} MB, {lines:,} generated lines, 1 in {PII_SHARE} with PII")
    print(
        "load average (1, 5, 15 min): before "
        + ", ".join(f"{x:.2f}" for x in load_before)
        + "; after "
        + ", ".join(f"{x:.2f}" for x in load_after)
    )
    print(
        f"\n{'run':<18}{'wall s':>8}{'MB/s':>8}{'cpu s':>8}{'java':>7}{'python':>8}{'cores':>7}"
        "   ratio"
    )
    for name, run_ in timed.items():
        rate = "" if name.endswith("start") else f"{mb / run_.seconds:8.1f}"
        task = name.rpartition(" ")[2]
        base = timed.get(f"cli {task}")
        ratio = (
            f"{run_.seconds / base.seconds:.2f}x the cli's time"
            if base is not None and not name.startswith("cli")
            else ""
        )
        cores = run_.cpu_seconds / run_.seconds
        java, python = run_.cpu.get("java", 0.0), run_.cpu.get("python", 0.0)
        print(
            f"{name:<18}{run_.seconds:8.1f}{rate:>8}{run_.cpu_seconds:8.1f}{java:7.1f}"
            f"{python:8.1f}{cores:7.2f}   {ratio}"
        )

    print("\nscaling, local[1] time / local[2] time (2.00 = linear):")
    for task in ("redact", "scan", "copy"):
        one, two = timed[f"local[1] {task}"], timed[f"local[2] {task}"]
        print(f"  {task:<8}{one.seconds / two.seconds:.2f}")
    print("\nwhere a Spark redact run's time goes (seconds):")
    for master in MASTERS:
        total = timed[f"{master} redact"].seconds
        start = timed[f"{master} start"].seconds
        copy = timed[f"{master} copy"].seconds
        print(
            f"  {master}: {total:.0f} = start {start:.0f} + Spark read/Arrow/write "
            f"{max(copy - start, 0):.0f} + engine {max(total - copy, 0):.0f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
