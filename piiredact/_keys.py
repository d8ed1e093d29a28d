"""
Key names: splitting them into words, deciding which rules their values fall under, and finding
``key = value`` pairs inside text (JSON, Python reprs, logfmt, URL queries, HTTP headers, SQL).
"""

from __future__ import annotations

import itertools
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


@lru_cache(maxsize=4096)  # key names recur on every record
def key_words(key: str) -> tuple[str, ...]:
    """Split a key name into lower-case words: ``"X-Api-Key"`` and ``"x_api_key"`` give the same."""
    return tuple(word.lower() for word in _WORD_BOUNDARIES.split(key) if word)


# Words that may follow the words that name a kind without changing it: ``phone_number``,
# ``passport_no``, ``user_id`` or ``password_value`` still hold a phone, a passport, a user, ….
FILLER_WORDS = frozenset(
    {
        "number",
        "no",
        "num",
        "nr",
        "nbr",
        "id",
        "value",
        "val",
        "code",
        "str",
        "string",
        "text",
        "raw",
        "data",
        "field",
        "info",
        "input",
        "param",
        "plain",
        "plaintext",
        "cleartext",
        "clear",
        "line",
        "line1",
        "line2",
        "line3",
        "full",
        "formatted",
        "date",
    }
)
# What follows a key word in the formats we parse: = (logfmt, query, SQL), " and ' (JSON, reprs),
# : (headers), \ (escaped JSON), [ (arrays), or a connector or filler word (phone_number, callerId).
_JOINTS = ("_", "-", ".", "", " ")
_KEY_ENDINGS = ("=", '"', "'", ":", " =", "\\", "[", "_", "-", ".", "number", "id", "no")


def _names(words: tuple[str, ...], entry: tuple[str, ...]) -> bool:
    """True when *entry* occurs in *words* followed by filler words only."""
    size = len(entry)
    for i in range(len(words) - size, -1, -1):
        if words[i : i + size] == entry:
            return all(word in FILLER_WORDS for word in words[i + size :])
        if words[i + size - 1] not in FILLER_WORDS:
            return False
    return False


class KeyIndex:
    """Which rules apply to values under a given key; compiled once per policy."""

    __slots__ = ("_by_word", "_classify", "trigger_words")

    def __init__(self, rules: Sequence[tuple[int, Rule]]) -> None:
        by_word: dict[str, list[tuple[tuple[str, ...], frozenset[str], int]]] = {}
        triggers: set[str] = set()
        for index, rule in rules:
            excluded = frozenset(rule.key_exclude)
            for key in rule.keys:
                words = key_words(key)
                head = next((w for w in reversed(words) if w not in FILLER_WORDS), words[-1])
                by_word.setdefault(head, []).append((words, excluded, index))
                if len(words) == 1:
                    triggers.update(head + ending for ending in _KEY_ENDINGS)
                else:  # "tax_file", "taxFile", "tax-file": the first two words, joined
                    triggers.update(words[0] + joint + words[1] for joint in _JOINTS)
        self._by_word = {word: tuple(entries) for word, entries in by_word.items()}
        #: Strings (lower case) one of which occurs wherever a value sits under a known key.
        self.trigger_words = frozenset(triggers)
        self._classify = lru_cache(maxsize=4096)(self._classify_uncached)

    def rules_for(self, key: str) -> tuple[int, ...]:
        """Indexes of the rules that apply under *key*, most specific first."""
        return self._classify(key)

    def _classify_uncached(self, key: str) -> tuple[int, ...]:
        words = key_words(key)
        found: dict[int, int] = {}
        for word in set(words):
            for entry, excluded, index in self._by_word.get(word, ()):
                if _names(words, entry) and not any(w in excluded for w in words if w not in entry):
                    found[index] = max(found.get(index, 0), len(entry))
        return tuple(sorted(found, key=lambda i: (-found[i], i)))


class KeyValue(NamedTuple):
    """
    A ``key`` / ``value`` pair found in text, with the value's offsets.

    An unquoted (``bare``) value is ambiguous: ``password=p4ss,word`` and ``street=12 Main St``
    run on past where a plain value stops; see :func:`word_end` and :func:`phrase_end`.
    """

    key: str
    start: int
    end: int
    bare: bool


def word_end(text: str, pair: KeyValue) -> int:
    """Where a bare value ends if it runs to the next space or quote."""
    if not pair.bare:
        return pair.end
    match = _WORD_AFTER.match(text, pair.end)
    return match.end() if match else pair.end


def phrase_end(text: str, pair: KeyValue, word: int) -> int:
    """Where a bare value ends if it runs from *word* (its :func:`word_end`) over the following
    words up to the next ``key=``."""
    if not pair.bare:
        return pair.end
    match = _PHRASE_AFTER.match(text, word)
    return match.end() if match else word


# A key and its value, matched where the key starts. Values stop at whitespace, quotes and list
# punctuation unless quoted; every repeat is possessive, so a match is linear in its length.
_KEY_VALUE = regex.compile(
    r"""
    (?P<q>["'])(?P<jkey>[^"'\\\n]{1,64}+)(?P=q)\s*+:\s*+                   # JSON, Python repr
      (?:"(?P<jval>(?:[^"\\\n]++|\\.)*+)"|'(?P<jsval>(?:[^'\\\n]++|\\.)*+)'
        |(?P<jbare>-?\d[\w.+-]*+))
    |\\"(?P<ekey>[^"\\\n]{1,64}+)\\"\s*+:\s*+                              # JSON inside a string
      \\"(?P<eval>(?:[^"\\\n]++|\\\\.|\\[^"\\])*+)\\"
    |(?P<lkey>[A-Za-z_$@][\w.\-$@\[\]]{0,63}+)[ ]?=[ ]?                     # logfmt, query, SQL
      (?:"(?P<lq>(?:[^"\\\n]++|\\.)*+)"|'(?P<ls>(?:[^'\\\n]++|''|\\.)*+)'
        |(?P<lbare>[^\s"'&,;|)\]}>=]++={0,2}+))                               # = only as padding
    |(?P<hkey>[A-Za-z_][\w.\-]{0,63}+):[ \t]++(?P<hval>[^\s,;|"'}\]]++)    # header, YAML
    """,
    regex.VERBOSE,
)
# The key group of each value group.
_KEY_OF = {"jval": "jkey", "jsval": "jkey", "jbare": "jkey", "eval": "ekey", "lq": "lkey",
           "ls": "lkey", "lbare": "lkey", "hval": "hkey"}  # fmt: skip
_BARE_GROUPS = frozenset({"lbare", "hval"})
# By value group number: that number, its key group's number, and whether the value is bare.
# Groups are read by number, one span at a time: the regex module looks names up slowly, and
# builds every group's span for ``regs``.
_GROUP_NUMBERS = {
    _KEY_VALUE.groupindex[name]: (
        _KEY_VALUE.groupindex[name],
        _KEY_VALUE.groupindex[key],
        name in _BARE_GROUPS,
    )
    for name, key in _KEY_OF.items()
}
# Bounded, so that a hostile run of "key=key=…" stays linear.
_WORD_AFTER = regex.compile(r"[^\s\"'&]{0,256}+")
_PHRASE_AFTER = regex.compile(r"(?:[ ](?![\w.\-]{1,64}+[=:])[^\s\"'|=]{1,64}+){0,8}+")
_OUR_MASK = regex.compile(r"[A-Z][A-Z0-9_]*+\]")
_KEY_BEFORE = regex.compile(
    r"(?r)[A-Za-z_$@][\w.\-$@\[\]]{0,63}"
)  # matched backwards from a key word


def iter_key_values(text: str, hits: Sequence[int], timeout: float | None) -> Iterator[KeyValue]:
    """
    Yield the ``key = value`` pair around each of *hits*, positions of key words in *text*.

    The key may start before the word (``customer.dob``) and may be quoted (``"dob":``,
    ``\"dob\":`` inside a JSON string).
    """
    parsed = -1  # where the last value starts: key words before it belong to its key
    # The timeout goes by position: the regex module parses keywords slowly (see _matcher).
    for hit in hits:
        if hit < parsed:
            continue
        start = hit
        if hit and (text[hit - 1].isalnum() or text[hit - 1] in "_.-$@[]"):  # a longer key
            before = _KEY_BEFORE.match(text, max(0, hit - 64), hit, None, False, timeout)
            if before is not None:
                start = before.start()
        if start and text[start - 1] == "[" and _OUR_MASK.match(text, start):
            continue  # "[AWS_ACCESS_KEY] = …" is our own output, not a key
        # A quoted key ("dob": or \"dob\": inside a JSON string) starts at its quote; a quote may
        # also just open a value that holds pairs ('Cookie': 'sid=…').
        if text.startswith('\\"', start - 2):
            starts: tuple[int, ...] = (start - 2, start)
        elif start and text[start - 1] in "\"'":
            starts = (start - 1, start)
        else:
            starts = (start,)
        for key_start in starts:
            if match := _KEY_VALUE.match(text, key_start, None, None, False, timeout):
                break
        else:
            continue
        numbers = _GROUP_NUMBERS.get(match.lastindex or 0)  # every branch ends with its value
        if numbers is not None:
            value_number, key_number, bare = numbers
            parsed, value_end = match.span(value_number)
            name_start, name_end = match.span(key_number)
            yield KeyValue(text[name_start:name_end], parsed, value_end, bare)


# SQL ``INSERT INTO t (a, b) VALUES (1, 'x')``: columns and values pair up by position.
_INSERT = regex.compile(
    r"""(?i:insert\s++into)\s++[\w."`\[\]]{1,128}+\s*+\((?P<columns>[^()]{1,4000}+)\)\s*+
        (?i:values)\s*+\((?P<values>(?:'(?:[^']|'')*+'|[^()'])*+)\)""",
    regex.VERBOSE,
)
_SQL_VALUE = regex.compile(r"'(?P<quoted>(?:[^']|'')*+)'|(?P<bare>[^,\s][^,]*+)")


def iter_sql_insert_values(text: str, timeout: float | None) -> Iterator[KeyValue]:
    """Yield a column / value pair for every value of every ``INSERT … VALUES`` in *text*."""
    for match in _INSERT.finditer(text, timeout=timeout):
        columns = [c.strip(' `"[]') for c in match["columns"].split(",")]
        offset = match.start("values")
        values = [
            (m.start("quoted"), m.end("quoted"))
            if m.start("quoted") >= 0
            else (m.start("bare"), m.end("bare"))
            for m in itertools.islice(
                _SQL_VALUE.finditer(match["values"], timeout=timeout), len(columns)
            )
        ]
        for column, (start, end) in zip(columns, values, strict=False):
            yield KeyValue(column, offset + start, offset + end, bare=False)
