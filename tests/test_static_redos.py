"""
Static analysis of every built-in pattern for catastrophic backtracking, with ``regexploit``.

regexploit reads Python's ``sre`` syntax of before 3.11, so each pattern is first rewritten into
a form it reads that can only backtrack *more* than the original: possessive repeats become
greedy ones, atomic groups plain groups, Unicode properties character ranges, and the ``regex``
module's repeated group names numbered. No ReDoS in the rewritten pattern means none in ours.
The pump tests in ``test_redos.py`` measure the same thing dynamically.
"""

from __future__ import annotations

import re
import warnings

import pytest

from piiredact import BUILTIN_RULES


with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)  # regexploit imports sre_parse
    from regexploit.ast.sre import SreOpParser
    from regexploit.redos import find

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


@pytest.mark.parametrize("rule", BUILTIN_RULES, ids=lambda rule: rule.name)
def test_no_builtin_pattern_can_backtrack_catastrophically(rule: object) -> None:
    pattern = loosened(rule.pattern)  # type: ignore[attr-defined]
    parsed = SreOpParser().parse_sre(pattern, re.VERBOSE)  # as the matcher compiles them
    # regexploit's own threshold: starriness above 2 (a repeat inside a repeat inside a
    # repeat) is exponential or high-degree polynomial; 2 is quadratic, which the pump tests
    # bound separately.
    dangers = [redos for redos in find(parsed) if redos.starriness > 2]
    assert not dangers, [str(redos) for redos in dangers]


@pytest.mark.parametrize(
    ("pattern", "loose"),
    [
        (r"a++b", r"a+b"),
        (r"(?>ab|a)c", r"(?:ab|a)c"),
        (r"\p{L}+", rf"[{_LETTERS}]+"),
        (r"[\p{L}\d]{2,}+", rf"[{_LETTERS}\d]{{2,}}"),
        (r"\++", r"\++"),
        (r"[+]+", r"[+]+"),
        (r"(?P<v>a)|(?P<v>b)", r"(?P<v>a)|(?P<v2>b)"),
    ],
)
def test_loosening_keeps_the_repeats(pattern: str, loose: str) -> None:
    assert loosened(pattern) == loose


def test_the_analyser_finds_a_known_redos() -> None:
    """The check can fail: a classic catastrophic pattern is flagged."""
    parsed = SreOpParser().parse_sre(loosened(r"(?:a*+)*+b"))
    assert any(redos.starriness > 2 for redos in find(parsed))
