"""
``piiredact redact``: a stream filter for plain-text and JSON-lines logs.

Every line comes out as one line with its own terminator. A line that holds a JSON object or array
is parsed and redacted key-aware (``{"password": 123}`` loses its value), then written again in
the input's style (compact or spaced, escaped or raw non-ASCII) with its keys in order; any other
line is redacted as text. A line with nothing to redact is written back byte for byte.
"""

from __future__ import annotations

import gzip
import json
import os
import sys
from collections.abc import Sequence
from typing import BinaryIO

from piiredact import FAILED_MARKER, Redactor
from piiredact._cli._inputs import STDIN, Input


__all__ = ["redact_files", "redact_line", "same_file"]

_FAILED_BYTES = FAILED_MARKER.encode()


def redact_line(redactor: Redactor, text: str) -> str:
    """
    *text* (one line, without its terminator) redacted: as JSON when it holds a JSON object or
    array, as text otherwise; *text* itself when there is nothing to redact.
    """
    if text.lstrip()[:1] in ("{", "["):
        try:
            value = json.loads(text, object_pairs_hook=_unique_keys)
        except (ValueError, RecursionError):  # not JSON after all (or ambiguous): a text line
            pass
        else:
            if isinstance(value, dict | list):
                return _redact_json(redactor, text, value)
    return redactor.redact(text)


def _unique_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    """A JSON object, refused when a key repeats: parsing keeps only the last value, so the
    others would neither be searched nor written back (the line is redacted as text instead)."""
    value = dict(pairs)
    if len(value) != len(pairs):
        msg = "duplicate keys"
        raise ValueError(msg)
    return value


def _redact_json(redactor: Redactor, text: str, value: dict[str, object] | list[object]) -> str:
    redacted = _redact_keys(redactor, redactor.redact_value(value))
    if redacted == value:
        return text
    # Write it back as the producer did: ``{"a": 1, "b": 2}`` (Python's json) or ``{"a":1}``
    # (most others); raw non-ASCII text stays raw, escaped text stays escaped.
    spaced = '": ' in text or (isinstance(value, list) and ", " in text)
    separators = (", ", ": ") if spaced else (",", ":")
    try:
        return json.dumps(redacted, separators=separators, ensure_ascii=text.isascii())
    except (TypeError, ValueError):  # a value json cannot write back: fail closed, stay JSON
        return json.dumps(FAILED_MARKER)


def _redact_keys(redactor: Redactor, value: object) -> object:
    """*value* with its mapping keys redacted as text: keys are data too (``{"jane@example.com":
    3}``), and ``redact_value`` reads them only to judge their values. Keys that become the same
    mask merge, the last value winning."""
    if isinstance(value, dict):
        return {
            redactor.redact(key) if isinstance(key, str) else key: _redact_keys(redactor, item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_redact_keys(redactor, item) for item in value]
    return value


def redact_files(redactor: Redactor, names: Sequence[str], output: str | None) -> None:
    """
    Redact each input of *names* in turn into *output* (a path, gzip-compressed when it ends in
    ``.gz``) or standard output.

    Output is flushed line by line when an input is a pipe or a terminal (``kubectl logs -f |
    piiredact redact`` shows each line as it comes) and buffered otherwise.

    Raises:
        InputError: An input cannot be read to its end.
        OSError: The output cannot be written.
    """
    out: BinaryIO | gzip.GzipFile
    if output is None:
        out = sys.stdout.buffer
    elif output.endswith(".gz"):
        out = gzip.open(output, "wb")  # noqa: SIM115 - closed below
    else:
        out = open(output, "wb")  # noqa: SIM115 - closed below
    max_chars = redactor.policy.limits.max_value_length
    write = out.write
    try:
        for name in names:
            with Input(name, max_chars=max_chars) as source:
                flush = out.flush if source.is_stream else None
                for line in source:
                    if line.text is None:
                        write(_FAILED_BYTES + line.end)
                    else:
                        redacted = redact_line(redactor, line.text)
                        write(line.raw if redacted is line.text else _encode(redacted) + line.end)
                    if flush is not None:
                        flush()
    finally:
        if output is None:
            out.flush()
        else:
            out.close()


def _encode(text: str) -> bytes:
    try:
        # Bytes that were not UTF-8 on the way in come back out as they were.
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a lone surrogate from a JSON escape: write it escaped again
        return text.encode("utf-8", "backslashreplace")


def same_file(output: str, names: Sequence[str]) -> str | None:
    """The input among *names* that *output* would overwrite, if any."""
    if not os.path.exists(output):
        return None
    for name in names:
        if name != STDIN and os.path.exists(name) and os.path.samefile(name, output):
            return name
    return None
