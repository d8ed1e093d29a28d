"""
``piiredact demo``: the service's output through the three hosts without and with piiredact, the
audit of both, a run that leaves no global state behind, and the same output every time.
"""

from __future__ import annotations

import logging
import subprocess
import sys

import pytest
from test_cli import run

from piiredact import Redactor
from piiredact._cli._demo import HOSTS, emit


def test_every_host_emits_values_without_piiredact_and_none_with_it() -> None:
    """Without piiredact each host emits personal data; with it, the same events come out with
    none left (the engine finds nothing in them) and lines without any are unchanged."""
    before, missing = emit(protected=False)
    after, _ = emit(protected=True)
    redactor = Redactor()

    assert missing == {}
    assert list(before) == list(after) == list(HOSTS)
    for host in HOSTS:
        assert len(before[host]) == len(after[host])
        assert any(redactor.find(line) for line in before[host]), host
        assert [line for line in after[host] if redactor.find(line)] == [], host
        unchanged = [a == b for b, a in zip(before[host], after[host], strict=True)]
        assert unchanged == [not redactor.find(line) for line in before[host]], host


def test_demo_leaves_logging_as_it_found_it() -> None:
    """After the demo, records are no longer redacted: ``install()`` was undone."""
    emit(protected=True)
    record = logging.LogRecord("x", logging.INFO, "", 0, "to %s", ("jane@example.com",), None)
    handler = logging.Handler()
    seen: list[str] = []
    handler.emit = lambda r: seen.append(r.getMessage())  # type: ignore[method-assign]
    logger = logging.getLogger("tests.demo.after")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.handle(record)
    finally:
        logger.removeHandler(handler)

    assert seen == ["to jane@example.com"]


def test_demo_shows_both_sides_and_a_clean_audit(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``piiredact demo`` prints, per host, the output without and with piiredact, then the audit:
    findings in the unprotected output, none in the protected one."""
    monkeypatch.setenv("COLUMNS", "200")

    status, stdout, stderr = run(capsys, "demo")
    audit = stdout[stdout.index("Audit of what was emitted") :].splitlines()

    assert (status, stderr) == (0, "")
    assert stdout.count("without piiredact") == 3 + 1
    assert all(f"{host}: {how}" in stdout for host, how in HOSTS.items())
    assert "jane.doe@example.com" in stdout
    assert "[EMAIL]" in stdout
    assert audit[1].startswith("  without piiredact: 17 findings (EMAIL 4, CREDIT_CARD 3,")
    assert audit[2] == "  with piiredact:    No findings in 3 files (11 lines)."


def test_demo_output_is_the_same_every_time() -> None:
    """Two runs of the console command print the same bytes (no times, ids or paths)."""
    command = [sys.executable, "-m", "piiredact", "demo"]

    first, second = (
        subprocess.run(command, capture_output=True, timeout=120, check=True) for _ in range(2)
    )

    assert first.stdout == second.stdout
    assert first.stderr == second.stderr == b""
