"""
What a stdlib :class:`logging.LogRecord` holds, for the code that redacts records
(:mod:`piiredact.stdlib`) and the code that audits them (:mod:`piiredact.testing`).
"""

from __future__ import annotations

import logging


__all__ = ["NAME_FIELDS", "PLAIN_RECORD_SIZE", "STANDARD_FIELDS", "TRACEBACKS"]

_PLAIN = vars(logging.LogRecord("", 0, "", 0, "", (), None))

#: What a record holds before anyone adds to it; everything else is an ``extra`` field. Computed
#: from a real record so that it is right for the running Python (``taskName`` is standard from
#: 3.12 on). ``message`` and ``asctime`` are written by formatters from the other fields.
STANDARD_FIELDS = frozenset(_PLAIN) | {"message", "asctime"}
#: How many fields a record has as ``Logger.makeRecord`` leaves it, without ``extra``.
PLAIN_RECORD_SIZE = len(_PLAIN)
#: Names users choose (``threading.Thread(name=f"worker-{email}")``) that formatters print.
NAME_FIELDS = ("threadName", "processName", "taskName")
#: Renders ``exc_info`` as the default formatter does.
TRACEBACKS = logging.Formatter()
