"""
Static analysis of every built-in pattern for catastrophic backtracking, with ``regexploit``, on
the loosened form described in ``piiredact._redos``. The pump tests in ``test_redos.py`` measure
the same thing dynamically; custom patterns get the same analysis when a policy is built.
"""

from __future__ import annotations

import pytest

from piiredact import BUILTIN_RULES, Rule
from piiredact._redos import _LETTERS, catastrophic_backtracking, loosened


@pytest.mark.parametrize("rule", BUILTIN_RULES, ids=lambda rule: rule.name)
def test_no_builtin_pattern_can_backtrack_catastrophically(rule: Rule) -> None:
    assert catastrophic_backtracking(rule.pattern) == []  # [] analysed and clean; None: not read


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
    assert catastrophic_backtracking(r"(?:a*+)*+b")
