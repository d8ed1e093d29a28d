"""
Static analysis of patterns for catastrophic backtracking, with ``regexploit`` when it is installed
(``pip install 'piiredact[lint]'``; the test suite always has it).

regexploit reads Python's ``sre`` syntax of before 3.11, so a pattern is first rewritten into a
form it reads that can only backtrack *more* than the original: possessive repeats become greedy
ones, atomic groups plain groups, Unicode properties character ranges, and the ``regex`` module's
repeated group names numbered. No danger found in the rewritten pattern means none in the original.
"""

from __future__ import annotations

import re
import warnings
from functools import lru_cache
from typing import Any


__all__ = ["catastrophic_backtracking", "loosened"]

# regexploit's own threshold: "starriness" above 2 (a repeat inside a repeat inside a repeat, or
# worse) is exponential or high-degree polynomial; quadratic cases are left to the pump tests.
_STARRINESS = 2

# A stand-in for Unicode letter properties: several ranges, as letters are for the matcher.
_LETTERS = "a-zA-Z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff"
_PROPERTY = re.compile(r"\\[pP]\{[^}]*\}")
_GROUP_NAME = re.compile(r"\(\?P?<([A-Za-z_]\w*)>")


def loosened(pattern: str) -> str:
    """*pattern* rewritten for regexploit, backtracking at least as much as the original."""
    out: list[str] = []
    in_class = False
    position = 0
    while position < len(pattern):
        char = pattern[position]
        if char == "\\":
            escape = _PROPERTY.match(pattern, position)
            if escape:
                out.append(_LETTERS if in_class else f"[{_LETTERS}]")
                position = escape.end()
                continue
            out.append(pattern[position : position + 2])
            position += 2
            continue
        if in_class:
            in_class = char != "]" or pattern[position - 1] == "["
            out.append(char)
        elif char == "[":
            in_class = True
            out.append(char)
            if pattern.startswith("^", position + 1):
                out.append("^")
                position += 1
        elif pattern.startswith("(?>", position):
            out.append("(?:")
            position += 3
            continue
        elif char == "+" and out and out[-1][-1:] in ("*", "+", "?", "}") and not _escaped(out):
            pass  # a possessive repeat's "+": the repeat becomes greedy
        else:
            out.append(char)
        position += 1
    return _number_repeated_names("".join(out))


def _escaped(out: list[str]) -> bool:
    """Whether the last character written was an escaped one (``\\+`` is no repeat)."""
    return len(out[-1]) == 2 and out[-1][0] == "\\"


def _number_repeated_names(pattern: str) -> str:
    seen: dict[str, int] = {}

    def rename(match: re.Match[str]) -> str:
        name = match.group(1)
        seen[name] = seen.get(name, 0) + 1
        return f"(?P<{name}{seen[name] if seen[name] > 1 else ''}>"

    return _GROUP_NAME.sub(rename, pattern)


@lru_cache(maxsize=1)
def _regexploit() -> tuple[Any, Any] | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # it imports sre_parse
            from regexploit.ast.sre import SreOpParser  # noqa: PLC0415 - optional
            from regexploit.redos import find  # noqa: PLC0415
    except ImportError:
        return None
    return SreOpParser, find


def catastrophic_backtracking(pattern: str, *, loosen: bool = True) -> list[str] | None:
    """
    What regexploit finds in *pattern* (compiled with ``VERBOSE``, as rules are): an empty list
    when nothing; None when it cannot tell (not installed, or syntax it does not read).

    With *loosen* (the default), possessive and atomic constructs are read as plain ones, so a
    pattern whose safety rests on them is reported too (the strict reading, for the built-in
    patterns); without, such a pattern is not read at all (None).
    """
    tools = _regexploit()
    if tools is None:
        return None
    parser, find = tools
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            parsed = parser().parse_sre(loosened(pattern) if loosen else pattern, re.VERBOSE)
            return [str(redos) for redos in find(parsed) if redos.starriness > _STARRINESS]
    except Exception:  # syntax of the regex module regexploit does not know
        return None
