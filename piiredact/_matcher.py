"""
The compiled matcher: finds every span of personal data in a text, and nothing else.

One pass of an Aho-Corasick automaton over an ASCII case fold of the text tells which triggered
rules, context cues and key words occur. Then only the patterns that can match run: the rules
without triggers share one combined alternation, triggered rules run on their own, and ``key = value``
pairs are parsed only when a sensitive key word occurs. Validators reject what patterns over-match, and
overlapping findings resolve deterministically (longest span, then rule priority, then position).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple
from urllib.parse import unquote

import ahocorasick
import regex

from piiredact._keys import KeyIndex, iter_key_values, iter_sql_insert_values
from piiredact.rules import Rule


__all__ = ["Finding", "Matcher"]


class Finding(NamedTuple):
    """
    One span of personal data: its kind and offsets into the text (never the text itself).

    .. versionadded:: 0.1.0
    """

    kind: str
    start: int
    end: int


class _Candidate(NamedTuple):
    start: int
    end: int
    priority: int
    kind: str
    spans: tuple[tuple[str, int, int], ...]  # the (kind, start, end) pieces to redact


_NAMED_GROUP = regex.compile(r"\(\?P<(\w+)>")
_NAMED_REFERENCE = regex.compile(r"\(\?P=(\w+)\)")
_ASCII_FOLD = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_LITERALS = frozenset({"true", "false", "null", "none", "nil", "undefined", ""})
# Key findings yield to any pattern finding of the same span: ``token=<JWT>`` is reported as JWT.
_RULE, _CUE, _KEY = 0, 1, 2


def _fold(text: str) -> str:
    """Lower-case ASCII letters only, so that offsets in the fold are offsets in the text."""
    folded = text.lower()
    return folded if len(folded) == len(text) else text.translate(_ASCII_FOLD)


def _value_groups(pattern: regex.Pattern[str], suffix: str = "") -> tuple[tuple[str, str], ...]:
    """(group name, kind or "") for every group that marks a span to redact."""
    groups = []
    for name in pattern.groupindex:
        base = name[: -len(suffix)] if suffix and name.endswith(suffix) else name
        if base.startswith("value"):
            groups.append((name, ""))
        elif base.isupper():
            groups.append((name, base))
    return tuple(groups)


class _CompiledRule:
    __slots__ = ("context", "groups", "index", "pattern", "rule", "validator")

    def __init__(self, index: int, rule: Rule) -> None:
        self.index = index
        self.rule = rule
        self.pattern = regex.compile(rule.pattern, regex.VERBOSE)
        self.groups = _value_groups(self.pattern)
        self.validator = rule.validator
        self.context = bool(rule.context)


class Matcher:
    """
    Find personal data in text with a fixed set of rules; immutable and thread-safe once built.

    Args:
        rules: The rules, in priority order for ties.
        timeout: CPU seconds each regex call may take before ``TimeoutError`` is raised.

    .. versionadded:: 0.1.0
    """

    __slots__ = (
        "_always",
        "_automaton",
        "_combined",
        "_combined_groups",
        "_keys",
        "_rules",
        "_timeout",
        "kinds",
    )

    def __init__(self, rules: Sequence[Rule], *, timeout: float) -> None:
        self._timeout = timeout
        self._rules = tuple(_CompiledRule(i, rule) for i, rule in enumerate(rules))
        self.kinds = frozenset(rule.kind for rule in rules)
        self._keys = KeyIndex([(c.index, c.rule) for c in self._rules if c.rule.keys])
        automaton = ahocorasick.Automaton()
        entries: dict[str, list[tuple[int, int]]] = {}
        always: list[_CompiledRule] = []
        for compiled in self._rules:
            rule = compiled.rule
            if rule.keyed_only:
                continue
            for trigger in rule.triggers:
                entries.setdefault(trigger.lower(), []).append((_RULE, compiled.index))
            for cue in rule.context:
                entries.setdefault(cue.lower(), []).append((_CUE, compiled.index))
            if not rule.triggers and not rule.context:
                always.append(compiled)
        for word in self._keys.trigger_words:
            entries.setdefault(word, []).append((_KEY, -1))
        entries.setdefault("insert", []).append((_KEY, -1))
        for word, payload in entries.items():
            automaton.add_word(word, tuple(payload))
        automaton.make_automaton()
        self._automaton = automaton
        self._always = tuple(always)
        self._combined, self._combined_groups = self._combine(always)

    @staticmethod
    def _combine(
        rules: Sequence[_CompiledRule],
    ) -> tuple[regex.Pattern[str] | None, dict[str, tuple[_CompiledRule, tuple[tuple[str, str], ...]]]]:
        """One alternation of every trigger-less rule; group names get a per-rule suffix."""
        if not rules:
            return None, {}
        parts = []
        dispatch: dict[str, tuple[_CompiledRule, tuple[tuple[str, str], ...]]] = {}
        for compiled in rules:
            suffix = f"__{compiled.index}"
            source = _NAMED_GROUP.sub(lambda m, s=suffix: f"(?P<{m[1]}{s}>", compiled.rule.pattern)
            source = _NAMED_REFERENCE.sub(lambda m, s=suffix: f"(?P={m[1]}{s})", source)
            parts.append(f"(?P<_rule{suffix}>{source})")
            dispatch[f"_rule{suffix}"] = (compiled, ())
        combined = regex.compile("|".join(parts), regex.VERBOSE)
        for name, (compiled, _) in list(dispatch.items()):
            dispatch[name] = (compiled, _value_groups(combined, name.removeprefix("_rule")))
        return combined, dispatch

    # ------------------------------------------------------------------------------------------
    def find(self, text: str) -> list[Finding]:
        """
        Every finding in *text*, sorted by position, none overlapping.

        Raises:
            TimeoutError: A pattern ran out of its CPU budget (the caller fails closed).
        """
        folded = _fold(text)
        triggered: set[int] = set()
        cues: dict[int, list[int]] = {}
        keys = False
        for end, payload in self._automaton.iter(folded):
            for kind, index in payload:
                if kind == _RULE:
                    triggered.add(index)
                elif kind == _CUE:
                    cues.setdefault(index, []).append(end + 1)
                else:
                    keys = True
        candidates: list[_Candidate] = []
        if self._combined is not None:
            self._scan_combined(text, folded, candidates)
        for index in triggered:
            self._scan_rule(self._rules[index], text, folded, candidates, None)
        for index, cue_ends in cues.items():
            self._scan_rule(self._rules[index], text, folded, candidates, cue_ends)
        if keys:
            self._scan_keys(text, candidates)
        if not candidates:
            return []
        return _resolve(candidates)

    def find_under_key(self, key: str, text: str) -> list[Finding]:
        """Like :meth:`find`, for a value known to sit under *key* (a mapping entry)."""
        indexes = self._keys.rules_for(key)
        if indexes:
            candidates: list[_Candidate] = []
            self._match_value(indexes, text, 0, len(text), candidates)
            if candidates:
                return _resolve(candidates)
        return self.find(text)

    def _accept(
        self,
        compiled: _CompiledRule,
        match: regex.Match[str],
        groups: tuple[tuple[str, str], ...],
        folded: str,
        candidates: list[_Candidate],
    ) -> None:
        rule = compiled.rule
        spans = tuple(
            (kind or rule.kind, match.start(name), match.end(name))
            for name, kind in groups
            if match.start(name) >= 0
        ) or ((rule.kind, match.start(), match.end()),)
        validator = compiled.validator
        if validator is not None:
            for _, start, end in spans:
                if not validator(match.string[start:end]):
                    return
        if rule.anti_context:
            window = folded[max(0, match.start() - rule.context_window) : match.start()]
            if any(word in window for word in rule.anti_context):
                return
        candidates.append(_Candidate(match.start(), match.end(), rule.priority, rule.kind, spans))

    def _scan_combined(self, text: str, folded: str, candidates: list[_Candidate]) -> None:
        assert self._combined is not None  # noqa: S101 - checked by the caller
        search = self._combined.search
        dispatch = self._combined_groups
        position = 0
        while True:
            match = search(text, position, timeout=self._timeout)
            if match is None:
                return
            compiled, groups = dispatch[match.lastgroup]  # type: ignore[index]
            before = len(candidates)
            self._accept(compiled, match, groups, folded, candidates)
            # After a rejected candidate, try again one character later: a shorter rule may match.
            position = match.end() if len(candidates) > before else match.start() + 1

    def _scan_rule(
        self,
        compiled: _CompiledRule,
        text: str,
        folded: str,
        candidates: list[_Candidate],
        cue_ends: list[int] | None,
    ) -> None:
        window = compiled.rule.context_window
        for match in compiled.pattern.finditer(text, timeout=self._timeout):
            if cue_ends is not None and not any(
                0 <= match.start() - end <= window for end in cue_ends
            ):
                continue
            self._accept(compiled, match, compiled.groups, folded, candidates)

    def _scan_keys(self, text: str, candidates: list[_Candidate]) -> None:
        pairs: Iterable[Any] = iter_key_values(text, self._timeout)
        if "insert" in text or "INSERT" in text:
            pairs = (*pairs, *iter_sql_insert_values(text, self._timeout))
        for key, start, end, _quoted in pairs:
            indexes = self._keys.rules_for(key)
            if indexes:
                self._match_value(indexes, text, start, end, candidates)

    def _match_value(
        self, indexes: tuple[int, ...], text: str, start: int, end: int, candidates: list[_Candidate]
    ) -> None:
        value = text[start:end].strip()
        if value.lower() in _LITERALS:
            return
        start = text.index(value, start)
        end = start + len(value)
        decoded = unquote(value) if "%" in value else value
        for index in indexes:
            compiled = self._rules[index]
            match = compiled.pattern.fullmatch(decoded, timeout=self._timeout)
            if match is None:
                continue
            spans = tuple(
                (kind or compiled.rule.kind, match.start(name), match.end(name))
                for name, kind in compiled.groups
                if match.start(name) >= 0
            ) or ((compiled.rule.kind, 0, len(decoded)),)
            validator = compiled.validator
            if validator is not None and not all(validator(decoded[s:e]) for _, s, e in spans):
                continue
            if decoded is not value:  # offsets in the decoded value do not map back: take it all
                spans = ((spans[0][0], 0, len(value)),)
            shifted = tuple((kind, start + s, start + e) for kind, s, e in spans)
            candidates.append(_Candidate(start, end, 0, compiled.rule.kind, shifted))
            return


def _resolve(candidates: list[_Candidate]) -> list[Finding]:
    """Keep the longest candidates, then the higher priority, then the earlier; drop overlaps."""
    candidates.sort(key=lambda c: (c.start - c.end, -c.priority, c.start))
    taken: list[tuple[int, int]] = []
    findings: list[Finding] = []
    for candidate in candidates:
        if any(candidate.start < end and start < candidate.end for start, end in taken):
            continue
        taken.append((candidate.start, candidate.end))
        findings.extend(Finding(kind, start, end) for kind, start, end in candidate.spans if end > start)
    findings.sort(key=lambda f: f.start)
    return findings
