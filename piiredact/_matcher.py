"""
The compiled matcher: finds every span of personal data in a text, and nothing else.

One pass of an Aho-Corasick automaton over a fold of the text (digits as ``0``, letters in lower
case) tells which literal and shape triggers, context cues and key words occur, and where. Then only
the patterns that can match run, and only there: anchored rules at their trigger positions,
windowed rules near them, context rules just after their cues, and ``key = value`` pairs around
key words. Validators reject what patterns over-match, and overlapping findings resolve
deterministically (longest span, then rule priority, then position).
"""

from __future__ import annotations

import bisect
import operator
from collections.abc import Iterable, Sequence
from typing import NamedTuple
from urllib.parse import unquote

import ahocorasick
import regex

from piiredact._keys import (
    KeyIndex,
    KeyValue,
    iter_key_values,
    iter_sql_insert_values,
    phrase_end,
    word_end,
)
from piiredact._unhide import unhide
from piiredact.exceptions import LimitExceeded
from piiredact.rules import BUILTIN_RULES, Rule
from piiredact.rules._shape import expand_word_start, fold


__all__ = ["Finding", "Matcher"]


class Finding(NamedTuple):
    """
    One span of personal data: its kind, offsets into the text and the rule that found it
    (never the text itself).

    .. versionadded:: 0.1.0
    """

    kind: str
    start: int
    end: int
    rule: str


class _Candidates(list["_Candidate"]):
    """The candidates of one search, and how many more matches (kept or rejected) it may afford."""

    __slots__ = ("matches_left",)

    def __init__(self, matches_left: int) -> None:
        self.matches_left = matches_left  # no list.__init__: the list is new, and empty

    def keep(self, candidate: _Candidate) -> bool:
        """Add *candidate*, counting it against the budget."""
        self.append(candidate)
        self._spend(1)
        return True

    def reject(self) -> bool:
        """Count one rejected match against the budget, twice: a near miss costs as much as a
        finding (a match and a validation) and is what hostile input is made of."""
        self._spend(_NEAR_MISS_COST)
        return False

    def _spend(self, cost: int) -> None:
        # A text that keeps producing matches, near misses above all, is no log record: stop.
        self.matches_left -= cost
        if self.matches_left < 0:
            reason = "too_many_candidates"
            raise LimitExceeded(reason)


class _Candidate(NamedTuple):
    start: int
    end: int
    priority: int
    kind: str
    spans: tuple[tuple[str, int, int], ...]  # the (kind, start, end) pieces to redact
    rule: str


# Our own output (masks, partial forms, tokens, the failure marker): a second pass leaves it alone.
_PLACEHOLDER = regex.compile(
    r"\[[A-Z][A-Z0-9_]*+(?:[ ][^\]]{1,40}+)?\]|<[A-Z][A-Z0-9_]*+:[\w-]{1,16}+:[\w-]{8,64}+>"
)
# The start of our own output: "[EMAIL]", "[IBAN …3000]", "<EMAIL:k1:…>".
_OUR_OUTPUT = regex.compile(r"[\[<]([A-Z][A-Z0-9_]*+)(?:(?<=\[\1)(?=[ \]]|\Z)|(?<=<\1):)")
_LITERALS = frozenset({"true", "false", "null", "none", "nil", "undefined", ""})
_RULE, _CUE, _KEY = 0, 1, 2
_KEYED_SECRET = 15  # a value under a credential key: above other kinds, below credential formats
# A regex timeout costs a CPU-clock read per call, more than matching a whole log line. Built-in
# patterns are linear by construction (possessive repeats, bounded windows; the test suite pumps
# each one), so on short texts they run untimed; custom patterns and long texts always get the
# policy's timeout.
_UNTIMED_LENGTH = 4096
# The regex module parses keyword arguments slowly (0.4 µs a call, more than most matches take),
# so the hot paths pass the timeout by position: (string, pos, endpos, concurrent, partial,
# timeout). They read groups by number, one span at a time: ``match.regs`` builds every group's.

# Query parameter placeholders (qmark, format, pyformat, numeric styles). ``:name`` is left out:
# a value may start with a colon.
_QUERY_PLACEHOLDER = regex.compile(r"\?|%s|%\([\w.]{1,64}+\)s|\$\d{1,3}+")
# Characters that end one field and start another (logfmt, JSON, query strings, pipes).
_FIELD_BREAK = regex.compile(r"[=\"|;&{}\[\]<>]")
# Matches (findings and look-alikes that fail validation) one text may produce: at least this
# many, or one per _MATCH_SPACING characters, a look-alike counting _NEAR_MISS_COST times. Real
# logs stay far below; input that keeps the matcher busy (a flood of near misses, or of values)
# fails closed instead.
_MATCH_BUDGET = 1024
_MATCH_SPACING = 20
_NEAR_MISS_COST = 2
# Past this many trigger positions, and more than one per _DENSE characters, one search of the
# whole text is cheaper than one around every trigger, and hostile input stays linear.
_MANY = 64
_DENSE = 64


# The fold's characters, the most frequent in machine logs first (measured on loghub; the order
# only affects speed).
_FREQUENT = "0 etaonrisdcl:.-mupbfhgkv/_[wy=x\"j()qz@<'\\+%"
_RANK = {char: rank for rank, char in enumerate(_FREQUENT)}


def _by_frequency(entry: tuple[str, object]) -> list[int]:
    return [_RANK.get(char, len(_RANK)) for char in entry[0]]


def _dense(positions: list[int], text: str) -> bool:
    return len(positions) > _MANY and len(positions) * _DENSE > len(text)


# Longest match a context rule may make past its window (phone numbers, ids, dates, keys).
_CONTEXT_MATCH_LENGTH = 80


def _is_word(text: str, folded: str, start: int, end: int) -> bool:
    """A cue counts at the start of a word (``InvalidSIN`` starts one too); a short one (up to
    4 letters) only as a whole word."""
    if start > 0 and folded[start - 1].isalnum():
        camel = text[start - 1].islower() and text[start].isupper()
        if not camel:
            return False
    return end - start > 4 or end >= len(folded) or not folded[end].isalnum()


def _starts_word(folded: str, position: int) -> bool:
    """Whether an anchored rule's trigger at *position* may start a match: not inside a word."""
    return not (position and folded[position - 1].isalnum() and folded[position].isalnum())


def _value_groups(pattern: regex.Pattern[str], kind: str) -> tuple[tuple[int, str], ...]:
    """(group number, kind) for every group that marks a span to redact: ``value…`` groups hold
    the rule's *kind*, upper-case groups the kind they are named after."""
    groups = []
    for name, number in pattern.groupindex.items():
        if name.startswith("value"):
            groups.append((number, kind))
        elif name.isupper():
            groups.append((number, name))
    return tuple(sorted(groups))


class _CompiledRule:
    __slots__ = (
        "anti_context",
        "custom",
        "groups",
        "index",
        "match_here",
        "pattern",
        "rule",
        "validator",
    )

    def __init__(self, index: int, rule: Rule) -> None:
        self.custom = rule not in BUILTIN_RULES
        self.index = index
        self.rule = rule
        self.pattern = regex.compile(rule.pattern, regex.VERBOSE)
        self.groups = _value_groups(self.pattern, rule.kind)
        self.validator = rule.validator
        self.anti_context = tuple(fold(word) for word in rule.anti_context)  # seen in the fold
        # Built-in anchored rules take a short path in Matcher.find for a single trigger.
        self.match_here = self.pattern.match if rule.anchored and not self.custom else None


class Matcher:
    """
    Find personal data in text with a fixed set of rules; immutable and thread-safe once built.

    Args:
        rules: The rules, in priority order for ties.
        timeout: CPU seconds each regex call may take before ``TimeoutError`` is raised.
        max_key_pairs: Most key words one text may hold before :class:`LimitExceeded`.

    .. versionadded:: 0.1.0
    """

    __slots__ = (
        "_always",
        "_automaton",
        "_keys",
        "_max_key_pairs",
        "_rules",
        "_timeout",
        "context_reach",
        "kinds",
        "kinds_by_rule",
    )

    def __init__(self, rules: Sequence[Rule], *, timeout: float, max_key_pairs: int) -> None:
        self._timeout = timeout
        self._max_key_pairs = max_key_pairs
        self._rules = tuple(_CompiledRule(i, rule) for i, rule in enumerate(rules))
        #: Rule name to the kinds its findings have (URL_CREDENTIALS: USERNAME and PASSWORD).
        self.kinds_by_rule = {
            c.rule.name: frozenset({c.rule.kind, *(kind for _, kind in c.groups)})
            for c in self._rules
        }
        self.kinds = frozenset().union(*self.kinds_by_rule.values())
        #: How far before a match a cue or an anti-cue may stand (the longest context window).
        self.context_reach = max(
            (rule.context_window for rule in rules if rule.context or rule.anti_context),
            default=0,
        )
        self._keys = KeyIndex([(c.index, c.rule) for c in self._rules if c.rule.keys])
        # One automaton finds literal triggers, shape triggers, cues and key words in the fold.
        entries: dict[str, set[tuple[int, int]]] = {}
        offsets: dict[str, int] = {}  # characters before the match in a word-start shape
        always = []
        for compiled in self._rules:
            rule = compiled.rule
            if rule.keyed_only:
                continue
            for trigger in (*rule.triggers, *rule.shapes):
                for word, offset in expand_word_start(fold(trigger)):
                    entries.setdefault(word, set()).add((_RULE, compiled.index))
                    offsets[word] = offset
            for cue in rule.context:
                for word, offset in expand_word_start(fold(cue)):
                    entries.setdefault(word, set()).add((_CUE, compiled.index))
                    offsets[word] = offset
            if not (rule.triggers or rule.shapes or rule.context):
                always.append(compiled.index)
        for word in (*self._keys.trigger_words, "insert"):
            entries.setdefault(fold(word), set()).add((_KEY, -1))
        automaton = ahocorasick.Automaton()
        # pyahocorasick looks a character up among a node's children one by one, in the order
        # they were added: adding the words in the order of their characters' frequency puts
        # the common characters first at every node (the pass over a log line is 10% faster).
        for word, payload in sorted(entries.items(), key=_by_frequency):
            triggered = tuple(sorted(index for kind, index in payload if kind == _RULE))
            cued = tuple(sorted(index for kind, index in payload if kind == _CUE))
            length = len(word) - offsets.get(word, 0)  # from where the match may start
            automaton.add_word(word, (length, triggered, cued, (_KEY, -1) in payload))
        automaton.make_automaton()
        self._automaton = automaton
        self._always = frozenset(always)

    # ------------------------------------------------------------------------------------------
    def find(self, text: str) -> list[Finding]:
        """Every finding in *text*, sorted by position, none overlapping (see :meth:`scan`)."""
        return self.scan(text)[0]

    def scan(self, text: str) -> tuple[list[Finding], bool]:
        """
        Every finding in *text*, sorted by position, none overlapping; and whether a dropped
        overlapping candidate stuck out of the kept findings (the text must then be looked at
        again once they are replaced). Values in disguise (invisible characters inside,
        look-alike digits, JSON escapes) are found too, spanning the disguise.

        Raises:
            TimeoutError: A pattern ran out of its CPU budget (the caller fails closed).
            LimitExceeded: The text holds more key words or near misses than the limits allow.
        """
        if text.isascii() and "\\u" not in text:  # the common case: nothing can be disguised
            return self._scan_plain(text)
        hidden = unhide(text)
        if hidden is None:
            return self._scan_plain(text)
        plain, origin = hidden
        findings, sticks_out = self._scan_plain(plain)
        return [
            Finding(kind, origin[start], origin[end], rule) for kind, start, end, rule in findings
        ], sticks_out

    def _scan_plain(self, text: str) -> tuple[list[Finding], bool]:
        folded = fold(text)
        # The automaton reads the fold behind one space, so that a shape bound to the start of a
        # word also matches at the start of the text; ``end`` is therefore an end in the text.
        starts: dict[int, list[int]] = {}
        cues: dict[int, list[int]] = {}
        keys: list[int] = []
        for end, (length, rule_indexes, cue_rules, is_key) in self._automaton.iter(" " + folded):
            start = end - length
            for index in rule_indexes:
                if index in starts:
                    starts[index].append(start)
                else:
                    starts[index] = [start]
            if is_key:
                keys.append(start)
            if cue_rules and _is_word(text, folded, start, end):
                for index in cue_rules:
                    cues.setdefault(index, []).append(end)
        if not (starts or cues or keys or self._always):
            return [], False  # the common case: nothing in the text can match
        size = len(text)
        candidates = _Candidates(
            _MATCH_BUDGET if size < _MATCH_BUDGET * _MATCH_SPACING else size // _MATCH_SPACING
        )
        timeout = self._timeout if len(text) > _UNTIMED_LENGTH else None
        rules = self._rules
        for index, positions in starts.items():
            compiled = rules[index]
            match_here = compiled.match_here
            if match_here is not None and len(positions) < 4:
                # The common case, inline: a built-in anchored rule triggered where one word
                # starts (an IP address wakes its rule three times: at 203.…, 03.… and 3.…).
                starting = (
                    positions
                    if len(positions) == 1
                    else [p for p in positions if _starts_word(folded, p)]
                )
                if len(starting) == 1 and _starts_word(folded, starting[0]):
                    found = match_here(text, starting[0], None, None, False, timeout)
                    if found is None:
                        candidates.reject()
                    else:
                        self._accept(compiled, found, folded, candidates)
                    continue
                if len(starting) < 2:
                    continue
            self._scan(compiled, text, folded, positions, candidates=candidates, timeout=timeout)
        for index, cue_ends in cues.items():
            self._scan_after(
                rules[index], text, folded, cue_ends, candidates=candidates, timeout=timeout
            )
        for index in self._always:
            self._scan(rules[index], text, folded, None, candidates=candidates, timeout=timeout)
        if keys:
            if len(keys) > self._max_key_pairs:
                reason = "too_many_keys"
                raise LimitExceeded(reason)
            self._scan_keys(text, keys, candidates, timeout)
        if not candidates:
            return [], False
        return _resolve(candidates)

    def has_key_rules(self, key: str) -> bool:
        """Whether any rule reads values under *key* (``password``, ``lat`` …)."""
        return bool(self._keys.rules_for(key))

    def find_under_key(self, key: str, text: str) -> tuple[list[Finding], bool]:
        """Like :meth:`find`, for a value known to sit under *key* (a mapping entry)."""
        indexes = self._keys.rules_for(key)
        if indexes and (whole := self._whole_value(text, 0, len(text))) is not None:
            for index in indexes:  # the first rule that accepts the whole value
                candidate = self._match_whole(self._rules[index], *whole)
                if candidate is not None:
                    return _resolve([candidate])
        return self.scan(text)

    @staticmethod
    def _accept(
        compiled: _CompiledRule,
        match: regex.Match[str],
        folded: str,
        candidates: _Candidates,
    ) -> bool:
        """Validate *match* and add it as a candidate; True when it was added."""
        rule = compiled.rule
        text = match.string
        if compiled.groups:
            spans = [
                (kind, *group)
                for number, kind in compiled.groups
                if (group := match.span(number))[0] >= 0
            ]
            if len(spans) > 1:
                spans = _join_adjacent(spans)
        else:
            spans = [(rule.kind, *match.span())]
        for span in spans:
            if text[span[1]] in "[<":
                spans = [span for span in spans if not _is_placeholder(text, span)]
                if not spans:
                    return candidates.reject()
                break
        validator = compiled.validator
        if validator is not None:
            for _, start, end in spans:
                if not validator(text[start:end]):
                    return candidates.reject()
        if rule.anti_context:
            window = folded[max(0, match.start() - rule.context_window) : match.start()]
            if any(word in window for word in compiled.anti_context):
                return candidates.reject()
        if len(spans) == 1:
            start, end = spans[0][1], spans[0][2]
        else:
            start, end = min(s for _, s, _ in spans), max(e for _, _, e in spans)
        return candidates.keep(
            _Candidate(start, end, rule.priority, rule.kind, tuple(spans), rule.name)
        )

    def _scan(
        self,
        compiled: _CompiledRule,
        text: str,
        folded: str,
        positions: list[int] | None,
        *,
        candidates: _Candidates,
        timeout: float | None,
    ) -> None:
        """Match a rule at or near its trigger positions, or anywhere when it says nothing."""
        rule = compiled.rule
        if compiled.custom:
            timeout = self._timeout
        if positions is not None and rule.anchored:
            # Anchored rules start words: a trigger inside a word is no start.
            positions = [p for p in positions if _starts_word(folded, p)]
        # Anchored rules are tried at their trigger positions however many there are (a flood of
        # near misses runs into the rejection budget); other rules search windows around their
        # triggers unless the triggers are dense.
        if positions is not None and (rule.anchored or not _dense(positions, text)):
            if rule.anchored:
                match_at = compiled.pattern.match
                covered = 0
                for position in sorted(set(positions)) if len(positions) > 1 else positions:
                    if position < covered:  # inside the previous match
                        continue
                    found = match_at(text, position, None, None, False, timeout)
                    if found is None:
                        candidates.reject()  # a trigger that starts nothing is a near miss too
                    elif self._accept(compiled, found, folded, candidates):
                        covered = found.end()
                return
            if rule.window is not None:
                if rule.word_bounded:
                    # A match starts a word at most ``before`` characters before its trigger:
                    # if all of those are letters or digits, no match can hold this trigger.
                    before = rule.window[0]
                    positions = [
                        p
                        for p in positions
                        if p <= before or not folded[p - before - 1 : p].isalnum()
                    ]
                    if not positions:
                        return
                for start, end in _windows(sorted(set(positions)), rule.window, len(text)):
                    self._search(
                        compiled, text, folded, (start, end), candidates=candidates, timeout=timeout
                    )
                return
        # No triggers, no window, or triggers so dense that one pass over the text is cheaper
        # than one per trigger.
        self._search(compiled, text, folded, (0, len(text)), candidates=candidates, timeout=timeout)

    def _search(
        self,
        compiled: _CompiledRule,
        text: str,
        folded: str,
        span: tuple[int, int],
        *,
        candidates: _Candidates,
        timeout: float | None,
    ) -> None:
        """Every match of a rule in ``text[start:end]``; after a rejected match, the search goes
        on from the next character (a shorter or later match may start inside it)."""
        search = compiled.pattern.search
        position, end = span
        while (match := search(text, position, end, None, False, timeout)) is not None:
            if self._accept(compiled, match, folded, candidates):
                position = match.end()
            else:
                position = match.start() + 1

    def _scan_after(
        self,
        compiled: _CompiledRule,
        text: str,
        folded: str,
        cue_ends: list[int],
        *,
        candidates: _Candidates,
        timeout: float | None,
    ) -> None:
        """Match a context rule only where it starts within its window after a cue."""
        if compiled.custom:
            timeout = self._timeout
        search = compiled.pattern.search
        window = compiled.rule.context_window
        if _dense(cue_ends, text):  # one pass, each match against the nearest cue
            for each in compiled.pattern.finditer(text, timeout=timeout):
                nearest = bisect.bisect_right(cue_ends, each.start()) - 1
                cue_end = cue_ends[nearest] if nearest >= 0 else -window - 1
                if each.start() - cue_end <= window and not _FIELD_BREAK.search(
                    text, cue_end, each.start()
                ):
                    self._accept(compiled, each, folded, candidates)
            return
        position = 0
        for cue_end in cue_ends:
            position = max(position, cue_end)
            # A context rule's match is short: it starts in the window and ends soon after.
            stop = min(len(text), cue_end + window + _CONTEXT_MATCH_LENGTH)
            while (match := search(text, position, stop, None, False, timeout)) is not None:
                if match.start() > cue_end + window:
                    break
                # The cue must speak of this value: no other field may stand between them.
                accepted = not _FIELD_BREAK.search(text, cue_end, match.start()) and self._accept(
                    compiled, match, folded, candidates
                )
                position = match.end() if accepted else match.start() + 1

    def _scan_keys(
        self, text: str, hits: list[int], candidates: _Candidates, timeout: float | None
    ) -> None:
        pairs: Iterable[KeyValue] = iter_key_values(text, hits, timeout)
        if "insert" in text or "INSERT" in text:
            pairs = (*pairs, *iter_sql_insert_values(text, timeout))
        for pair in pairs:
            indexes = self._keys.rules_for(pair.key)
            if indexes:
                self._match_value(indexes, text, pair, candidates)

    def _match_value(
        self, indexes: tuple[int, ...], text: str, pair: KeyValue, candidates: _Candidates
    ) -> None:
        """Add a candidate for the first rule under the key that accepts the whole value."""
        if (
            pair.bare
            and text[pair.start] in "?%$"
            and _QUERY_PLACEHOLDER.fullmatch(text, pair.start, pair.end)
        ):
            return  # ``password = ?``: a placeholder stands for a value, it is none
        # A bare value's extent is ambiguous: a secret runs to the next space, anything else may
        # be the longest reading that its rule accepts whole (``street=12 Main St``). Both are
        # worked out only when a rule needs them.
        secret_ends: tuple[int, ...] | None = None
        other_ends: tuple[int, ...] | None = None
        wholes: dict[int, tuple[int, str, str] | None] = {}  # by end: shared by the rules
        for index in indexes:
            compiled = self._rules[index]
            if not pair.bare:
                ends: tuple[int, ...] = (pair.end,)
            elif compiled.rule.category == "credential":
                if secret_ends is None:
                    secret_ends = (word_end(text, pair),)
                ends = secret_ends
            else:
                if other_ends is None:
                    other_ends = _plain_ends(text, pair)
                ends = other_ends
            for end in ends:
                if end not in wholes:
                    wholes[end] = self._whole_value(text, pair.start, end)
                whole = wholes[end]
                if whole is None:
                    continue
                candidate = self._match_whole(compiled, *whole)
                if candidate is not None:
                    candidates.append(candidate)
                    return

    def _whole_value(self, text: str, start: int, end: int) -> tuple[int, str, str] | None:
        """The value in ``text[start:end]`` without surrounding space: where it starts, itself
        and its URL-decoded form; None when it is no value (``null``, our own output)."""
        value = text[start:end]
        if value[:1].isspace() or value[-1:].isspace():
            stripped = value.strip()
            start += value.index(stripped)
            value = stripped
        if len(value) < 10 and value.lower() in _LITERALS:
            return None
        if value[:1] in "[<" and (ours := _OUR_OUTPUT.match(value)) and ours[1] in self.kinds:
            return None  # our own output (or its first word), maybe with what followed it
        return start, value, unquote(value) if "%" in value else value

    def _match_whole(
        self, compiled: _CompiledRule, start: int, value: str, decoded: str
    ) -> _Candidate | None:
        """A candidate when *compiled* accepts the whole value (see :meth:`_whole_value`)."""
        timeout = self._timeout if compiled.custom or len(value) > _UNTIMED_LENGTH else None
        match = compiled.pattern.fullmatch(decoded, 0, None, None, False, timeout)
        if match is None:
            return None
        kind = compiled.rule.kind
        spans = [
            (group_kind, *group)
            for number, group_kind in compiled.groups
            if (group := match.span(number))[0] >= 0
        ] or [(kind, 0, len(decoded))]
        validator = compiled.validator
        if validator is not None:
            for _, s, e in spans:
                if not validator(decoded[s:e]):
                    return None
        if decoded is not value:  # offsets in the decoded value do not map back: take it all
            spans = [(spans[0][0], 0, len(value))]
        shifted = tuple(
            (k, start + s, start + e) for k, s, e in spans if not _is_placeholder(value, (k, s, e))
        )
        if not shifted:
            return None
        # Under a credential key the key decides: a password that looks like an address is still
        # a password. Any other value yields to a pattern finding of the same span.
        priority = _KEYED_SECRET if compiled.rule.category == "credential" else 0
        return _Candidate(
            shifted[0][1], shifted[-1][2], priority, kind, shifted, compiled.rule.name
        )


def _plain_ends(text: str, pair: KeyValue) -> tuple[int, ...]:
    """
    Where a bare value that is no secret may end: over the following words, at the next space,
    or where the parser stopped. Nowhere when the value is the next key: in ``logname= uid=0``
    (PAM writes such lines on every failed login) logname is empty. A secret is read on all the
    same (``password= abc=def``): masking a key by mistake costs nothing.
    """
    if (
        text[pair.end - 1] == "="
        and text[pair.start - 1] == " "
        and text[pair.end : pair.end + 1].strip()
    ):
        return ()
    word = word_end(text, pair)
    return tuple(dict.fromkeys((phrase_end(text, pair, word), word, pair.end)))


def _windows(positions: list[int], window: tuple[int, int], size: int) -> list[tuple[int, int]]:
    """The stretches of text around sorted trigger *positions* that a windowed rule searches,
    merged where they overlap (a match never starts inside one window and ends in the next)."""
    before, after = window
    merged: list[tuple[int, int]] = []
    for position in positions:
        # +2: the last character of a match and one more for its look-ahead.
        start, end = max(0, position - before), min(size, position + after + 2)
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _is_placeholder(text: str, span: tuple[str, int, int]) -> bool:
    """Our own output (``[EMAIL]``, a token): a second pass must leave it alone."""
    return text[span[1] : span[1] + 1] in "[<" and bool(
        _PLACEHOLDER.fullmatch(text, span[1], span[2])
    )


def _join_adjacent(spans: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """Pieces of one kind that touch are one finding (a value split across a lookbehind)."""
    joined = [spans[0]]
    for kind, start, end in spans[1:]:
        last_kind, last_start, last_end = joined[-1]
        if kind == last_kind and start == last_end:
            joined[-1] = (kind, last_start, end)
        else:
            joined.append((kind, start, end))
    return joined


_START = operator.itemgetter(1)  # a Finding's start


def _resolve(candidates: list[_Candidate]) -> tuple[list[Finding], bool]:
    """
    Keep the longest candidates, then the higher priority, then the earlier; drop overlaps.

    Also says whether a dropped candidate stuck out of the kept ones: once those are replaced,
    the part that stuck out may match on its own, so the caller must look again.
    """
    if len(candidates) == 1:
        (candidate,) = candidates
        return [
            Finding(kind, start, end, candidate.rule)
            for kind, start, end in candidate.spans
            if end > start
        ], False
    candidates.sort(key=lambda c: (c.start - c.end, -c.priority, c.start))
    starts: list[int] = []  # the kept spans, sorted and disjoint
    ends: list[int] = []
    findings: list[Finding] = []
    sticks_out = False
    for candidate in candidates:
        at = bisect.bisect_right(starts, candidate.start)
        if (at and ends[at - 1] > candidate.start) or (
            at < len(starts) and starts[at] < candidate.end
        ):
            if not (at and starts[at - 1] <= candidate.start and ends[at - 1] >= candidate.end):
                sticks_out = True
            continue
        starts.insert(at, candidate.start)
        ends.insert(at, candidate.end)
        for kind, start, end in candidate.spans:
            if end > start:
                findings.append(Finding(kind, start, end, candidate.rule))
    findings.sort(key=_START)
    return findings, sticks_out
