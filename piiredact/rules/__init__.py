"""
The rule model and the built-in catalog.

A :class:`Rule` is data: a name, a category, a ``regex`` pattern, the literal *triggers* that let the
matcher skip it cheaply, an optional validator (checksum, structure, known ranges), optional context cues
and the default action.
The built-in rules live in one private module per family and are collected in :data:`BUILTIN_RULES`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from piiredact.exceptions import InvalidRuleError


__all__ = ["ACTIONS", "BUILTIN_RULES", "CATEGORIES", "Rule", "builtin_rule"]

#: The categories a rule can belong to; policies may set an action per category.
CATEGORIES = frozenset(
    {"contact", "network", "financial", "government_id", "credential", "location", "personal"}
)

#: The actions a rule can take (see :mod:`piiredact.policy`).
ACTIONS = frozenset({"mask", "partial", "token", "generalize", "drop"})


@dataclass(frozen=True, slots=True, kw_only=True)
class Rule:
    """
    One kind of personal data or secret, and how to find it in text.

    Args:
        name: Unique upper-case rule name (``"PHONE_NATIONAL"``).
        kind: The kind of data it finds, reported in findings and printed by ``mask``
            (``"PHONE"``); defaults to *name*. Several rules may find the same kind.
        category: One of :data:`CATEGORIES`.
        pattern: A ``regex`` pattern (compiled with ``VERBOSE``). If it has a group named ``value``,
            only that group is redacted; otherwise the whole match is.
            Repeats that can overlap with what follows must be possessive or atomic.
        triggers: Literal strings, matched case-insensitively, one of which every match contains or
            follows. The rule's pattern only runs on text in which a trigger occurs. A rule with no
            triggers, shapes or context runs on every text.
        shapes: Shape triggers, written in the prefilter's fold: ``0`` stands for any digit,
            letters are lower case, other characters are themselves (``0000 0000 0000``,
            ``de00``), and a leading ``^`` means "at the start of a word" (see
            :mod:`piiredact.rules._shape`). They gate the rule like ``triggers``.
        anchored: Every match starts where one of the rule's triggers or shapes starts, at the
            start of a word, so the matcher only tries those positions.
        window: ``(before, after)``: every match starts at most *before* characters before an
            occurrence of a trigger or shape and ends at most *after* characters after that
            occurrence, so the matcher only searches there. Without it (and without
            ``anchored``), a triggered rule searches the whole text.
        word_bounded: With ``window``: every match starts a word (no letter or digit before
            it), so a trigger deep inside a longer word (a hex id) is skipped without running the
            pattern.
        validator: Called with the redacted span; a false result rejects the match.
        context: Cue words; when given, a match only counts if one of them occurs (case-insensitively)
            in the ``context_window`` characters before it. Cue words are triggers too. A cue counts
            at the start of a word (``InvalidSIN`` starts one too); a leading ``^`` restricts it to
            words after a delimiter (``^tin`` is not in ``Continuing`` nor in ``InvalidTin``).
        anti_context: Words that reject a match when they occur in the window before it
            (``version`` before ``4.2.17.147``).
        context_window: How far before a match to look for ``context`` and ``anti_context`` words.
        keys: Key names (any spelling: ``"tax_file_number"``, ``"TaxFileNumber"``) under which a
            value is of this kind. Keys are compared word by word: the rule applies to a key whose
            words contain all the words of one of these, in order (``employee.sin`` has ``sin``).
            Under such a key, context cues are not needed, but the *whole* value must match the
            pattern and the validator.
        key_exclude: Words that disqualify a key (``host`` in ``host_name`` for a name rule).
        keyed_only: Never search free text with this rule, only values under its ``keys``.
        action: The default action: ``mask``, ``partial``, ``token``, ``generalize`` or ``drop``.
        priority: Breaks ties between overlapping matches of equal length (higher wins).
        description: One line for humans (``piiredact rules``).

    .. versionadded:: 0.1.0
    """

    name: str
    kind: str = ""
    category: str
    pattern: str
    triggers: tuple[str, ...] = ()
    shapes: tuple[str, ...] = ()
    anchored: bool = False
    window: tuple[int, int] | None = None
    word_bounded: bool = False
    validator: Callable[[str], bool] | None = field(default=None, compare=False)
    context: tuple[str, ...] = ()
    anti_context: tuple[str, ...] = ()
    context_window: int = 48
    keys: tuple[str, ...] = ()
    key_exclude: tuple[str, ...] = ()
    keyed_only: bool = False
    action: str = "mask"
    priority: int = 0
    description: str = ""

    def __post_init__(self) -> None:
        if not self.kind:
            object.__setattr__(self, "kind", self.name)
        for label in (self.name, self.kind):
            if not label.replace("_", "").isalnum() or not label.isupper() or not label.isascii():
                raise InvalidRuleError(self.name, "name and kind must be UPPER_SNAKE_CASE")
        if self.category not in CATEGORIES:
            raise InvalidRuleError(
                self.name, f"unknown category {self.category!r}; use one of {sorted(CATEGORIES)}"
            )
        if self.action not in ACTIONS:
            raise InvalidRuleError(
                self.name, f"unknown action {self.action!r}; use one of {sorted(ACTIONS)}"
            )
        if any(not t for t in (*self.triggers, *self.shapes, *self.context, *self.anti_context)):
            raise InvalidRuleError(self.name, "triggers and context words must be non-empty")
        if self.anchored and not (self.triggers or self.shapes):
            raise InvalidRuleError(self.name, "an anchored rule needs triggers or shapes")
        if self.keyed_only and not self.keys:
            raise InvalidRuleError(self.name, "a keyed_only rule needs keys")
        if self.context_window < 1:
            raise InvalidRuleError(self.name, "context_window must be positive")


def _collect() -> tuple[Rule, ...]:
    from piiredact.rules import (
        _contact,
        _credentials,
        _financial,
        _government,
        _keyed,
        _network,
        _personal,
    )

    return (
        *_contact.RULES,
        *_network.RULES,
        *_financial.RULES,
        *_government.RULES,
        *_credentials.RULES,
        *_personal.RULES,
        *_keyed.RULES,
    )


#: Every built-in rule, in catalog order.
BUILTIN_RULES: tuple[Rule, ...] = _collect()


def builtin_rule(name: str) -> Rule:
    """
    Return the built-in rule called *name*.

    Raises:
        KeyError: There is no such rule.

    .. versionadded:: 0.1.0
    """
    for rule in BUILTIN_RULES:
        if rule.name == name:
            return rule
    raise KeyError(name)
