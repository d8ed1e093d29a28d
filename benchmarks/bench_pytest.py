#!/usr/bin/env python3
"""
pytest plugin benchmark: a generated suite (tests that log DEBUG and INFO records) run in-process
by ``pytest.main``, with the plugin in its modes against pytest capturing the same records alone.

Each row is timed (CPU time) against its baseline in the same run, the two alternating pass by
pass, and the report gives the ratio of the best passes (and of the medians).

Run ``python benchmarks/bench_pytest.py`` (``--quick`` for a short pass).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import io
import os
import statistics
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest

import piiredact


# The records pytest itself would capture at DEBUG, without the plugin: the fair baseline for an
# enabled plugin, which lowers the root logger to DEBUG too.
WITHOUT = ("-p", "no:piiredact", "--log-level=DEBUG")
ROWS = {
    # name: (arguments, baseline arguments, install() in the suite)
    "loaded, not enabled": (("--log-level=DEBUG",), WITHOUT, False),
    "leak mode": (("--piiredact",), WITHOUT, False),
    "strict mode, install()": (("--piiredact", "--piiredact-mode=strict"), WITHOUT, True),
}
COMMON = ("-q", "-p", "no:cacheprovider", "-p", "no:randomly", "-p", "no:hypothesispytest")

SUITE = """
import logging
import pytest

import piiredact

log = logging.getLogger("bench.shop")


@pytest.mark.parametrize("number", range({tests}))
def test_order(number):
    for item in range({records}):
        log.debug("item %d of order %d: sku=%s qty=%d", item, number, "SKU-1842", 2)
        log.info("order %d: charged %s EUR in %d ms (node-%d)", number, "19.90", 42, item)
"""

CONFTEST = """
import os
import pytest

import piiredact
import piiredact


@pytest.fixture(autouse=True, scope="session")
def installed():
    if os.environ.get("BENCH_INSTALL"):
        piiredact.install()
        yield
        piiredact.uninstall()
    else:
        yield
"""


def run(directory: Path, arguments: tuple[str, ...], install: bool) -> float:
    """
    CPU seconds one in-process run of the suite takes (its output is discarded): the CPU time of
    this process, which other processes on a shared machine disturb less than wall time.
    """
    os.environ["BENCH_INSTALL"] = "1" if install else ""
    gc.collect()
    start = time.process_time()
    with contextlib.redirect_stdout(io.StringIO()):
        code = pytest.main([*COMMON, *arguments, str(directory)])
    elapsed = time.process_time() - start
    if code != pytest.ExitCode.OK:
        msg = f"the suite failed with {arguments}: {code!r}"
        raise SystemExit(msg)
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer tests and passes")
    options = parser.parse_args(argv)
    tests, records, passes = (50, 10, 3) if options.quick else (200, 10, 7)
    with tempfile.TemporaryDirectory() as name:
        directory = Path(name)
        (directory / "test_bench.py").write_text(
            textwrap.dedent(SUITE).replace("{tests}", str(tests)).replace("{records}", str(records))
        )
        (directory / "conftest.py").write_text(textwrap.dedent(CONFTEST))
        # Warm-up: imports, rewritten modules, and the engine, compiled once a process (timed
        # on its own below, since a real run pays it once, not once per test).
        run(directory, ("--piiredact",), install=True)
        count = tests * records * 2
        print(f"{tests} tests, {count:,} records (DEBUG and INFO, no PII), {passes} passes each")
        print(f"{'row':<26}{'ratio':>8}{'median':>8}{'µs/record':>11}")
        for row, (arguments, baseline, install) in ROWS.items():
            times: dict[str, list[float]] = {"row": [], "baseline": []}
            for number in range(passes):
                # Alternate which side goes first, so drift in the machine's speed hits both alike.
                order = ("row", "baseline") if number % 2 == 0 else ("baseline", "row")
                for side in order:
                    args = arguments if side == "row" else baseline
                    times[side].append(run(directory, args, install))
            best = min(times["row"]) / min(times["baseline"])
            median = statistics.median(times["row"]) / statistics.median(times["baseline"])
            extra = (min(times["row"]) - min(times["baseline"])) / count * 1e6
            print(f"{row:<26}{best:>8.2f}{median:>8.2f}{extra:>11.1f}")
    start = time.perf_counter()
    piiredact.Redactor(piiredact.Policy())
    print(f"once a process: compiling the default policy, {time.perf_counter() - start:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
