"""
The installed ``piiredact`` console script and ``python -m piiredact``, run as processes: in pipes,
with a terminal for the progress bar, without the cli extra, and when the reader of its output goes
away.
"""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest


SCRIPT = Path(sys.executable).with_name("piiredact")
pytestmark = pytest.mark.skipif(not SCRIPT.exists(), reason="the console script is not installed")

LOG = b"login ok for jane.doe@example.com from 203.0.113.7\nclean line\n"


def piiredact(
    *args: str, data: bytes = b"", **kwargs: object
) -> subprocess.CompletedProcess[bytes]:
    """Run the console script with *args*, *data* on stdin."""
    return subprocess.run(
        [str(SCRIPT), *args], input=data, capture_output=True, timeout=120, check=False, **kwargs
    )  # type: ignore[call-overload, no-any-return]


def test_redact_in_a_pipe() -> None:
    """``… | piiredact redact`` filters standard input to standard output."""
    result = piiredact("redact", data=LOG)

    assert (result.returncode, result.stdout, result.stderr) == (
        0,
        b"login ok for [EMAIL] from [IPV4]\nclean line\n",
        b"",
    )


def test_warnings_are_one_line() -> None:
    """A warning (tokens without a configured key) is one line on stderr, and the output is
    still redacted."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIIREDACT_")}

    result = piiredact("redact", data=LOG, env={**env, "PIIREDACT_ACTIONS": "EMAIL=token"})

    assert result.returncode == 0
    assert result.stdout.startswith(b"login ok for <EMAIL:tmp:")
    assert result.stderr.decode().splitlines() == [
        "piiredact: warning: no token key configured (policy token_key or PIIREDACT_KEY); "
        "using a random per-process key, so tokens will differ between processes"
    ]


def test_python_m_piiredact_scan_statuses(tmp_path: Path) -> None:
    """``python -m piiredact scan`` exits 1 with findings, 0 when clean, 2 on an error."""
    (tmp_path / "dirty.log").write_bytes(LOG)
    (tmp_path / "clean.log").write_bytes(b"clean line\n")

    def scan(*paths: str) -> tuple[int, str]:
        result = subprocess.run(
            [sys.executable, "-m", "piiredact", "scan", "--format", "json", *paths],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            cwd=tmp_path,
        )
        return result.returncode, result.stderr

    assert scan("dirty.log") == (1, "")
    assert scan("clean.log") == (0, "")
    assert scan("missing.log") == (
        2,
        "piiredact scan: error: 'missing.log': no such file or directory\n",
    )


def test_redact_flushes_each_line_of_a_stream() -> None:
    """From a pipe, each redacted line is written as soon as it is read (``kubectl logs -f |
    piiredact redact`` shows lines as they come), not when a buffer fills."""
    with subprocess.Popen(
        [str(SCRIPT), "redact"], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    ) as process:
        assert process.stdin is not None
        assert process.stdout is not None
        lines = []
        for line in (b"first 203.0.113.7\n", b"second jane@example.com\n"):
            process.stdin.write(line)
            process.stdin.flush()
            ready, _, _ = select.select([process.stdout], [], [], 30)
            lines.append(process.stdout.readline() if ready else b"(nothing within 30 s)")
        process.stdin.close()
        process.wait(timeout=30)

    assert lines == [b"first [IPV4]\n", b"second [EMAIL]\n"]


def test_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    """When the reader goes away (``| head -1``), the command stops without a traceback, with
    the status a shell reports for a closed pipe."""
    log = tmp_path / "big.log"
    log.write_bytes(LOG * 50_000)

    with subprocess.Popen(
        [str(SCRIPT), "redact", str(log)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as process:
        assert process.stdout is not None
        assert process.stderr is not None
        first = process.stdout.readline()
        process.stdout.close()
        status = process.wait(timeout=60)
        stderr = process.stderr.read()

    assert (first, status, stderr) == (b"login ok for [EMAIL] from [IPV4]\n", 141, b"")


def test_without_the_cli_extra_it_says_how_to_install_it() -> None:
    """Without rich (the cli extra), the command says what to install and exits 2."""
    code = (
        "import sys; sys.modules['rich'] = None\n"
        "from piiredact._cli import main\n"
        "sys.exit(main(['rules']))"
    )

    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )

    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        "piiredact: the command line needs the cli extra: pip install 'piiredact[cli]'\n"
    )


@pytest.fixture(name="large_log", scope="module")
def _large_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 9 MB log (over the size that shows a progress bar) with one finding at its end."""
    path = tmp_path_factory.mktemp("large") / "large.log"
    line = b"2024-05-01T10:00:00Z INFO GET /api/v2/orders/1234 200 12ms trace=4bf92f3577b34da6\n"
    path.write_bytes(line * (9_000_000 // len(line)) + b"from 203.0.113.7\n")
    return path


def test_progress_bar_on_a_terminal(large_log: Path) -> None:
    """With stderr on a terminal, a large scan shows a progress bar with bytes per second there;
    the JSON report on stdout stays clean."""
    controller, terminal = pty.openpty()
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "120"}
    with subprocess.Popen(
        [str(SCRIPT), "scan", "--format", "json", str(large_log)],
        stdout=subprocess.PIPE,
        stderr=terminal,
        env=env,
    ) as process:
        os.close(terminal)
        shown = b""
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            ready, _, _ = select.select([controller], [], [], 1)
            if ready:
                try:
                    chunk = os.read(controller, 65536)
                except OSError:  # the terminal closed with the process
                    break
                if not chunk:
                    break
                shown += chunk
            elif process.poll() is not None:
                break
        assert process.stdout is not None
        report = json.loads(process.stdout.read())
        status = process.wait(timeout=30)
    os.close(controller)

    assert status == 1
    assert report["summary"]["findings"] == 1
    assert b"scanning" in shown
    assert b"/s" in shown


def test_no_progress_bar_when_stderr_is_not_a_terminal(large_log: Path) -> None:
    """Redirected, the scan writes nothing to stderr but errors."""
    result = piiredact("scan", "--format", "json", str(large_log))

    assert (result.returncode, result.stderr) == (1, b"")
