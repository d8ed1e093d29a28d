"""
Key names: splitting them into words, deciding which rules their values fall under, and finding
``key = value`` pairs inside text (JSON, Python reprs, logfmt, URL queries, HTTP headers, SQL).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import lru_cache
from typing import NamedTuple

import regex

from piiredact.rules import Rule


_WORD_BOUNDARIES = regex.compile(
    r"[^\p{L}\p{N}]+"  # snake_case, kebab-case, dotted.keys, spaces
    r"|(?<=\p{Ll})(?=\p{Lu})"  # camelCase
    r"|(?<=\p{Lu})(?=\p{Lu}\p{Ll})"  # HTTPHeader -> HTTP Header
)


def key_words(key: str) -> tuple[str, ...]:
    """Split a key name into lower-case words: ``"X-Api-Key"`` and ``"x_api_key"`` give the same."""
    return tuple(word.lower() for word in _WORD_BOUNDARIES.split(key) if word)


def _contains(words: tuple[str, ...], part: tuple[str, ...]) -> bool:
    size = len(part)
    return any(words[i : i + size] == part for i in range(len(words) - size + 1))


class KeyIndex:
    """Which rules apply to values under a given key; compiled once per policy."""

    __slots__ = ("_classify", "_entries", "trigger_words")

    def __init__(self, rules: Sequence[tuple[int, Rule]]) -> None:
        entries: list[tuple[tuple[str, ...], frozenset[str], int]] = []
        triggers: set[str] = set()
        for index, rule in rules:
            excluded = frozenset(rule.key_exclude)
            for key in rule.keys:
                words = key_words(key)
                entries.append((words, excluded, index))
                triggers.add(max(words, key=len))
        self._entries = tuple(entries)
        #: One word of every key entry: text without any of them has no sensitive key.
        self.trigger_words = frozenset(triggers)
        self._classify = lru_cache(maxsize=4096)(self._classify_uncached)

    def rules_for(self, key: str) -> tuple[int, ...]:
        """Indexes of the rules that apply under *key*, most specific first."""
        return self._classify(key)

    def _classify_uncached(self, key: str) -> tuple[int, ...]:
        words = key_words(key)
        if not words:
            return ()
        found: dict[int, int] = {}
        for entry, excluded, index in self._entries:
            if _contains(words, entry) and not any(w in excluded for w in words if w not in entry):
                found[index] = max(found.get(index, 0), len(entry))
        return tuple(sorted(found, key=lambda i: -found[i]))


class KeyValue(NamedTuple):
    """A ``key`` / ``value`` pair found in text, with the value's offsets."""

    key: str
    start: int
    end: int
    quoted: bool


# Values stop at whitespace, quotes and list punctuation unless quoted. Every repeat is possessive,
# and each branch starts at a key boundary, so the scan is linear.
_KEY_VALUE = regex.compile(
    r"""
    (?P<q>["'])(?P<jkey>[A-Za-z_@$][\w.\-@$ ]{0,63}+)(?P=q)\s*+:\s*+    # JSON / Python repr
      (?:(?P<vq>["'])(?P<jval>(?:\\.|(?!(?P=vq))[^\\\n])*+)(?P=vq)
        |(?P<jbare>-?\d[\w.+-]*+))
    |\\"(?P<ekey>[A-Za-z_@$][\w.\-@$ ]{0,63}+)\\"\s*+:\s*+               # JSON inside a JSON string
      \\"(?P<eval>(?:[^"\\]|\\\\.|\\[^"])*+)\\"
    |(?<![\w.\-$@/])(?P<lkey>[A-Za-z_$@][\w.\-$@\[\]]{0,63}+)[ ]?=[ ]?   # logfmt, query, SQL, CLI
      (?:"(?P<lq>(?:\\.|[^"\\])*+)"|'(?P<ls>(?:''|\\.|[^'\\])*+)'|(?P<lbare>[^\s"'&,;|)\]}>]++))
    |(?<![\w.\-])(?P<hkey>[A-Za-z_][\w.\-]{0,63}+):[ \t]++               # header, YAML
      (?P<hval>[^\s,;|"'}\]]++)
    """,
    regex.VERBOSE,
)
_VALUE_GROUPS = (("jkey", "jval"), ("jkey", "jbare"), ("ekey", "eval"), ("lkey", "lq"),
                 ("lkey", "ls"), ("lkey", "lbare"), ("hkey", "hval"))  # fmt: skip
_QUOTED = frozenset({"jval", "eval", "lq", "ls"})


def iter_key_values(text: str, timeout: float) -> Iterator[KeyValue]:
    """
    Yield every ``key = value`` pair in *text*.

    Quoted values are searched too (``msg="login token=abc"`` holds ``token=abc``): the scan resumes
    inside each value rather than after it.
    """
    position = 0
    search = _KEY_VALUE.search
    while True:
        match = search(text, position, timeout=timeout)
        if match is None:
            return
        for key_group, value_group in _VALUE_GROUPS:
            start = match.start(value_group)
            if start >= 0:
                yield KeyValue(match[key_group], start, match.end(value_group), value_group in _QUOTED)
                break
        position = max(start, match.start() + 1)


# SQL ``INSERT INTO t (a, b) VALUES (1, 'x')``: columns and values pair up by position.
_INSERT = regex.compile(
    r"""(?i:insert\s++into)\s++[\w."`\[\]]{1,128}+\s*+\((?P<columns>[^()]{1,4000}+)\)\s*+
        (?i:values)\s*+\((?P<values>(?:'(?:[^']|'')*+'|[^()'])*+)\)""",
    regex.VERBOSE,
)
_SQL_VALUE = regex.compile(r"'(?P<quoted>(?:[^']|'')*+)'|(?P<bare>[^,\s][^,]*+)")


def iter_sql_insert_values(text: str, timeout: float) -> Iterator[KeyValue]:
    """Yield a column / value pair for every value of every ``INSERT … VALUES`` in *text*."""
    for match in _INSERT.finditer(text, timeout=timeout):
        columns = [c.strip(' `"[]') for c in match["columns"].split(",")]
        offset = match.start("values")
        values = [
            (m.start("quoted"), m.end("quoted"), True)
            if m.start("quoted") >= 0
            else (m.start("bare"), m.end("bare"), False)
            for m in _SQL_VALUE.finditer(match["values"], timeout=timeout)
        ]
        for column, (start, end, quoted) in zip(columns, values, strict=False):
            yield KeyValue(column, offset + start, offset + end, quoted)
