"""``piiredact demo``: (being built) redact built-in sample lines and show them before and after."""

from __future__ import annotations

from typing import TextIO

from piiredact import Redactor
from piiredact.demo import SAMPLE_LINES


__all__ = ["run_demo"]


def run_demo(stream: TextIO) -> int:
    """Print each sample line before and after redaction with the default policy."""
    redactor = Redactor()
    for line in SAMPLE_LINES:
        stream.write(f"  before: {line}\n  after:  {redactor.redact(line)}\n\n")
    return 0
