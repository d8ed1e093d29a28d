"""
:class:`Redactor`: a policy compiled into a matcher and its actions, applied to text and to
structured values; counts what it did and fails closed.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections import Counter
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from functools import lru_cache
from typing import Any

from piiredact._actions import apply_action, apply_transform, mask
from piiredact._keyring import Keyring
from piiredact._keys import key_words
from piiredact._matcher import Finding, Matcher
from piiredact._minimize import TRANSFORM, FieldPlan, FieldWalk
from piiredact._reversible import require_crypto
from piiredact.exceptions import ConfigurationError, LimitExceeded
from piiredact.policy import Policy


__all__ = ["FAILED_MARKER", "Redactor", "default_redactor"]

#: What a value becomes when it cannot be redacted safely (error, timeout, over the size limit).
FAILED_MARKER = "[REDACTION_FAILED]"

# Values machines make, alone: an ISO 8601 date and time (what TimeStamper and most loggers
# write), a UUID, a lower-case hex id or digest with a letter in it (request, trace and span ids,
# hashes; upper case and digits alone may be an IBAN or a card).
_MACHINE_VALUE = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?"
    r"|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    r"|(?=[0-9]*[a-f])[0-9a-f]{16,128}"
)
_MACHINE_VALUE_LENGTHS = range(16, 129)
_CLEAN_CACHE_SIZE = 4096  # clean texts remembered per Redactor
_CLEAN_CACHE_LENGTH = 80  # values and short messages repeat; long log lines (timestamps) do not
# Replacement passes before a text that keeps yielding findings fails closed: each pass may free
# the next value of a run of spaced numbers (phone numbers one after another).
_ROUNDS = 8
_REACH = 48  # how far around a replacement a new value may appear
# Characters that keep a replacement apart from its neighbours (spaces, quotes, the separators
# of fields): next to anything else (``)``, ``+``, ``:`` …) a replacement can wake a rule that
# the original value kept asleep.
_SEPARATORS = frozenset(" \t\r\n\"'`=,;|&")


class Redactor:
    """
    Redact text and structured values according to a :class:`~piiredact.Policy`.

    Building one compiles the policy (a few milliseconds); share it. It is immutable and
    thread-safe, and it never raises from :meth:`redact` or :meth:`redact_value`: on any internal
    failure the whole value becomes :data:`FAILED_MARKER` and an error is counted.

    Args:
        policy: The policy; the ``default`` preset when omitted.

    .. versionadded:: 0.1.0
    """

    __slots__ = (
        "_clean",
        "_counts",
        "_fields",
        "_found",
        "_key_has_rules",
        "_keyring",
        "_lock",
        "_machine_values_are_clean",
        "_matcher",
        "_plans",
        "_safe_keys",
        "policy",
    )

    def __init__(self, policy: Policy | None = None) -> None:
        self.policy = policy if policy is not None else Policy()
        rules = self.policy.rules()
        limits = self.policy.limits
        self._matcher = Matcher(
            rules, timeout=limits.match_timeout, max_key_pairs=limits.max_key_pairs
        )
        actions = {
            (rule.name, kind): self.policy.action_for(rule, kind)
            for rule in rules
            for kind in self._matcher.kinds_by_rule[rule.name]
        }
        self._fields = FieldPlan(self.policy.fields)
        self._keyring = self._make_keyring(set(actions.values()))
        # Per rule and kind: the action, the replacement when it does not depend on the value
        # (a mask), and whether what it leaves is still a value to look around (drop, generalize).
        self._plans = {
            (rule, kind): (
                action,
                mask(kind) if action == "mask" else None,
                action in ("drop", "generalize"),
            )
            for (rule, kind), action in actions.items()
        }
        self._safe_keys = frozenset(key_words(key) for key in self.policy.safe_keys)
        self._counts: Counter[str] = Counter()
        self._found: Counter[tuple[str, str]] = Counter()  # by rule and kind: one count a finding
        self._lock = threading.Lock()
        # Short texts found clean, to answer again without scanning: log messages, attribute
        # values and field values repeat ("GET", "connection closed", a route). Only clean
        # texts are kept, so the cache never holds a value the policy protects.
        self._clean: dict[str | tuple[str, str], None] = {}
        # A custom rule may read anything, timestamps and ids included.
        self._machine_values_are_clean = not self.policy.custom_rules
        # Asked for every new timestamp and duration: one C call instead of three.
        self._key_has_rules = lru_cache(maxsize=4096)(self._matcher.has_key_rules)

    def _make_keyring(self, actions: set[str]) -> Keyring | None:
        """The keyring, when an action or a field transform makes tokens."""
        fields = self.policy.fields
        for rules in (fields, *fields.scopes.values()):
            actions.update(spec.partition(":")[0] for spec in rules.transforms.values())
        if "encrypt" in actions:
            require_crypto()
            keyring = Keyring.from_policy(self.policy)
            if keyring is None:  # a random key would make tokens nobody can ever reveal
                msg = "action 'encrypt' needs a key: token_key, token_key_file or PIIREDACT_KEY"
                raise ConfigurationError(msg)
            return keyring
        if "token" in actions:
            return Keyring.from_policy(self.policy) or Keyring.ephemeral(
                token_bits=self.policy.token_bits
            )
        return None

    def __repr__(self) -> str:
        return f"Redactor(preset={self.policy.preset!r}, kinds={sorted(self._matcher.kinds)!r})"

    def __reduce__(self) -> tuple[type[Redactor], tuple[Policy]]:
        return (type(self), (self.policy,))

    # ------------------------------------------------------------------------------ text
    def find(self, text: str) -> tuple[Finding, ...]:
        """
        The findings in *text*: kinds and offsets, never values.

        Raises:
            TimeoutError: A pattern ran out of time (unlike :meth:`redact`, this does not fail
                closed: it is for audits, which must know).
            LimitExceeded: The text needs more work than the policy's limits allow.
        """
        return tuple(self._matcher.find(text))

    def redact(self, text: str) -> str:
        """
        *text* with every finding replaced by its action's output; *text* itself when clean.

        Never raises: on failure the whole text becomes :data:`FAILED_MARKER`.
        """
        try:
            length = len(text)
            if length > self.policy.limits.max_value_length:
                self._count("error:too_large")
                return FAILED_MARKER
            # Only short texts repeat: a long one (a log line with its timestamp) is neither
            # looked up nor kept.
            short = length <= _CLEAN_CACHE_LENGTH
            if short and text in self._clean:
                return text
            findings, sticks_out = self._matcher.scan(text)
            if not findings:
                if short:
                    self._remember_clean(text, text)
                return text
            return self._apply_until_stable(text, findings, sticks_out)
        except Exception as exc:  # fail closed on anything, and count it
            self._count(f"error:{failure_reason(exc)}")
            return FAILED_MARKER

    def _apply_until_stable(self, text: str, findings: list[Finding], sticks_out: bool) -> str:
        """
        Apply *findings*. A replacement changes what stands next to it: where it is glued to
        its neighbours (``00+33 6…``), one space from a number (runs of spaced numbers are read
        whole), where a value was dropped or generalized, or where an overlapping candidate
        stuck out, a value that was hidden may now stand alone. The
        output is looked at again around those places (the whole of it only if something turns
        up), so it is idempotent: a second pass finds nothing.
        """
        for _ in range(_ROUNDS):
            text, around = self._apply(text, findings, sticks_out)
            if not around:
                return text
            nearby = self._find_near(text, around)
            if nearby is None:  # something at the edge of a window: look at the whole text
                findings, sticks_out = self._matcher.scan(text)
            else:
                findings, sticks_out = nearby
            if not findings:
                return text
        return FAILED_MARKER  # still finding new values after several rounds: give up safely

    def _find_near(
        self, text: str, stretches: list[tuple[int, int]]
    ) -> tuple[list[Finding], bool] | None:
        """
        The findings in *stretches* of *text*, around replacements (a long text is not scanned
        whole again for one glued value), or None when one touches the edge of the stretch
        looked at and may be a piece of something longer.
        """
        windows: list[tuple[int, int]] = []
        for start, end in stretches:
            low, high = max(0, start), min(len(text), end)
            if windows and low <= windows[-1][1]:
                windows[-1] = (windows[-1][0], max(high, windows[-1][1]))
            else:
                windows.append((low, high))
        findings: list[Finding] = []
        sticks_out = False
        for low, high in windows:
            found, stuck = self._matcher.scan(text[low:high])
            for kind, start, end, rule in found:
                if (start == 0 and low > 0) or (end == high - low and high < len(text)):
                    return None
                findings.append(Finding(kind, low + start, low + end, rule))
            sticks_out = sticks_out or stuck
        return findings, sticks_out

    def _apply(
        self, text: str, findings: list[Finding], sticks_out: bool
    ) -> tuple[str, list[tuple[int, int]]]:
        """
        The text with *findings* replaced, and the stretches of it to look at again: around
        every replacement when a dropped candidate stuck out, else around those glued to a
        neighbour and those that dropped or generalized a value (what is left is still a value,
        10.0.0.0/24, that other rules may read differently), and on the side of a replacement
        one space from a number.
        """
        parts = []
        around = []
        position = 0
        length = 0
        plans = self._plans
        size = len(text)
        reach_back = self._matcher.context_reach
        for kind, start, end, rule in findings:
            action, replacement, recheck = plans[rule, kind]
            kept = text[position:start]
            parts.append(kept)
            length += len(kept)
            if replacement is None:
                replacement = apply_action(
                    action, kind, text[start:end], self._keyring, self.policy
                )
            parts.append(replacement)
            glued = (
                sticks_out
                or recheck
                or (start and text[start - 1] not in _SEPARATORS)
                or (end < size and text[end] not in _SEPARATORS)
            )
            # Next to a number, only that side's reading changes. A value found again may have
            # its cue (``phone``, ``ssn``) before the replacement: the look reaches back so far.
            before = glued or _number_before(text, start)
            after = glued or _number_after(text, end)
            if before or after:
                around.append(
                    (
                        length - reach_back - (_REACH if before else 0),
                        length + len(replacement) + (_REACH if after else 0),
                    )
                )
            length += len(replacement)
            position = end
        parts.append(text[position:])
        with self._lock:
            counts = self._found
            for finding in findings:
                counts[finding.rule, finding.kind] += 1
        found = _found_rules.get()
        if found is not None:
            found.extend(finding.rule for finding in findings)
        return "".join(parts), around

    # ------------------------------------------------------------------------- structures
    def redact_value(self, value: Any, key: str | None = None) -> Any:
        """
        A redacted copy of a JSON-like value: mappings, lists, tuples, strings, bytes, scalars.

        Keys are taken into account (``{"password": 123}`` loses its value), containers are
        rebuilt (the input is never mutated), and depth, size and cycles are bounded by the
        policy's limits. Non-string scalars stay as they are unless their key says otherwise.
        Never raises: a part that cannot be redacted becomes :data:`FAILED_MARKER`.
        """
        try:
            if key is not None and self._safe_keys and key_words(key) in self._safe_keys:
                return value
            kind = type(value)  # the common cases first, without the walk's bookkeeping
            if kind is str:
                return self._walk_text(value, key)
            if kind is int or kind is float:
                return self._walk_number(value, key)
            return self._walk(value, key, 0, set())
        except Exception as exc:  # fail closed on anything, and count it
            self._count(f"error:{failure_reason(exc)}")
            return FAILED_MARKER

    def _walk(self, value: Any, key: str | None, depth: int, active: set[int]) -> Any:
        if isinstance(value, str):
            return self._walk_text(value, key)
        if value is None or isinstance(value, bool):
            return value
        if isinstance(value, int | float):
            return self._walk_number(value, key)
        if isinstance(value, bytes | bytearray):
            text = bytes(value).decode("utf-8", "surrogateescape")
            redacted = self._walk_text(text, key)
            return value if redacted == text else redacted.encode("utf-8", "surrogateescape")
        limits = self.policy.limits
        if depth >= limits.max_depth:
            self._count("error:too_deep")
            return FAILED_MARKER
        marker = id(value)
        if marker in active:
            self._count("error:cycle")
            return FAILED_MARKER
        active.add(marker)
        try:
            if isinstance(value, Mapping):
                result: dict[Any, Any] = {}
                for number, (item_key, item) in enumerate(value.items()):
                    if number >= limits.max_items:
                        self._count("error:too_many_items")
                        result[FAILED_MARKER] = FAILED_MARKER
                        break
                    name = item_key if isinstance(item_key, str) else None
                    result[item_key] = self._walk_item(item, name, depth + 1, active)
                return result
            if isinstance(value, list | tuple | set | frozenset):
                items = []
                for number, item in enumerate(value):
                    if number >= limits.max_items:
                        self._count("error:too_many_items")
                        items.append(FAILED_MARKER)
                        break
                    items.append(self._walk(item, key, depth + 1, active))
                return items if isinstance(value, list) else _rebuild(value, items)
            # Any other object: its text form is what a renderer would print.
            return self._walk_text(safe_str(value), key)
        finally:
            active.discard(marker)

    def keeps(self, value: object, key: str | None = None) -> bool:
        """
        Whether :meth:`redact_value` returns *value* under *key* as it is, known from what it is
        alone, without a scan: ``None``, booleans, and, under keys no rule reads, floats of
        durations and ratios and the timestamps, UUIDs and hex ids machines write. False says
        only that the value must go through :meth:`redact_value`. Integrations ask this first
        for values that are new on every record. Never raises.

        .. versionadded:: 0.1.0
        """
        try:
            if isinstance(value, str):
                return self._is_machine_value(value, key)
            if isinstance(value, float):
                return self._is_plain_number(value, key)
        except Exception:  # a key that is no string, say: the value must be looked at
            return False
        return value is None or value is True or value is False

    def _is_plain_number(self, value: float, key: str | None) -> bool:
        """A float of durations, ratios, prices: too few digits for any number-shaped rule, and
        no rule reads its key."""
        return (
            type(value) is float
            and -1e6 < value < 1e6
            and (key is None or not self._key_has_rules(key))
        )

    def _is_machine_value(self, text: str, key: str | None) -> bool:
        """A timestamp, UUID or hex id and nothing else (structlog's TimeStamper, a request id):
        new on every record, so never in the cache, and never personal data unless its key says
        so (``dob``, ``api_key`` have key rules) or a custom rule may read it. No built-in rule
        matches one (tests/test_properties.py checks that)."""
        return (
            self._machine_values_are_clean
            and len(text) in _MACHINE_VALUE_LENGTHS
            and _MACHINE_VALUE.fullmatch(text) is not None
            and (key is None or not self._key_has_rules(key))
        )

    def _walk_number(self, value: float, key: str | None) -> Any:
        """A number stays a number unless its key says otherwise or its digits are a value
        (``{"ssn": 536904399}``, a phone number as a float)."""
        if key is None or self._is_plain_number(value, key):
            return value
        text = str(value)
        redacted = self._walk_text(text, key)
        return value if redacted == text else redacted

    def _walk_item(self, value: Any, key: str | None, depth: int, active: set[int]) -> Any:
        """The value under *key* in a mapping: left alone under a safe key, else redacted."""
        if key is not None and self._safe_keys and key_words(key) in self._safe_keys:
            return value
        return self._walk(value, key, depth, active)

    def _walk_text(self, text: str, key: str | None) -> str:
        if len(text) > self.policy.limits.max_value_length:
            self._count("error:too_large")
            return FAILED_MARKER
        # The clean-text cache holds texts on their own and (key, text) pairs.
        entry: str | tuple[str, str] = text if key is None else (key, text)
        if entry in self._clean:
            return text
        if self._is_machine_value(text, key):
            return text
        if key is None:
            findings, sticks_out = self._matcher.scan(text)
        else:
            findings, sticks_out = self._matcher.find_under_key(key, text)
        if not findings:
            self._remember_clean(entry, text)
            return text
        return self._apply_until_stable(text, findings, sticks_out)

    def _remember_clean(self, entry: str | tuple[str, str], text: str) -> None:
        if len(text) <= _CLEAN_CACHE_LENGTH:
            if len(self._clean) >= _CLEAN_CACHE_SIZE:
                self._clean.clear()  # simpler and cheaper than LRU order; refills in a moment
            self._clean[entry] = None

    # ---------------------------------------------------------------------------- fields
    def redact_fields(self, fields: Mapping[str, Any], *, scope: str = "") -> dict[str, Any]:
        """
        A minimized and redacted copy of a record's fields: the ``extra`` of a stdlib record, the
        keys of a structlog event, the attributes of a span.

        The policy's :class:`~piiredact.FieldRules` decide, by field path and *scope*, which
        fields are dropped (denied, or not allowed in allowlist mode), which are transformed as a
        whole, and how long strings may be; every kept value is then redacted as
        :meth:`redact_value` does. Without field rules this is :meth:`redact_value` on a
        mapping. Never raises: a field that cannot be handled becomes :data:`FAILED_MARKER`, and
        fields that cannot be handled at all become ``{FAILED_MARKER: FAILED_MARKER}``.

        Args:
            fields: The record's fields, by name.

            scope: Where the record comes from: the logger name for log records and events,
                the instrumentation scope name for spans (``""``: the policy's top level).
        """
        walk = FieldWalk(self, self._fields.for_scope(scope)) if self._fields.active else None
        try:
            given: object = fields  # integrations pass whatever the host holds
            if not isinstance(given, Mapping):
                msg = "fields must be a mapping"
                raise TypeError(msg)
            if walk is None:
                result: dict[str, Any] = self._walk(given, None, 0, set())
                return result
            return walk.mapping(given, (), 0)
        except Exception as exc:  # fail closed on anything, and count it
            self._count(f"error:{failure_reason(exc)}")
            return {FAILED_MARKER: FAILED_MARKER}
        finally:
            if walk is not None and walk.tally:
                with self._lock:
                    self._counts.update(walk.tally)

    @property
    def minimizes(self) -> bool:
        """Whether the policy has field rules, so integrations must call :meth:`redact_fields`."""
        return self._fields.active

    def transforms_field(self, name: str, *, scope: str = "") -> bool:
        """
        Whether the policy's field rules transform the field *name* in *scope*: its value, once
        through :meth:`redact_fields`, is final (an integration must not treat it again).
        """
        if not self._fields.active:
            return False
        decision = self._fields.for_scope(scope).decide(tuple(name.split(".")))
        return decision.action == TRANSFORM

    def _transform(self, transform: str, kind: str, value: Any) -> Any:
        """A field transform applied to a whole value (see :class:`~piiredact.FieldRules`)."""
        return apply_transform(transform, kind, value, self._keyring, self.policy)

    # ------------------------------------------------------------------------------ stats
    def count_failure(self, reason: str) -> None:
        """
        Count a failure that an integration handled by failing closed, as ``error:<reason>``
        in :attr:`stats` (*reason* names what went wrong, e.g. an exception type; never a value).
        """
        self._count(f"error:{reason}")

    def _count(self, name: str) -> None:
        with self._lock:
            self._counts[name] += 1

    @property
    def stats(self) -> dict[str, int]:
        """
        Counters: findings by ``kind:<KIND>`` and ``rule:<RULE>``, replacements by
        ``action:<action>``, fields dropped, transformed or cut by :meth:`redact_fields` by
        ``field:dropped``, ``field:<transform>`` and ``field:truncated``, and failures by
        ``error:<what>``. Never values, never field names.
        """
        with self._lock:
            counts = self._counts.copy()
            found = self._found.copy()
        for (rule, kind), count in found.items():
            counts[f"kind:{kind}"] += count
            counts[f"rule:{rule}"] += count
            counts[f"action:{self._plans[rule, kind][0]}"] += count
        return dict(counts)


# Rules read runs of spaced numbers as a whole: a group of a run is no id (``2393 0197 0273
# 5548 0827 1692 2436``), and a phone number that runs into the next number is no phone number
# (``+44 20 7946 0958 1.0.0.0``). Once a value next to a number (one space away) is replaced,
# that number and what it belongs to may stand alone.


def _number_before(text: str, start: int) -> bool:
    return start >= 2 and text[start - 1] == " " and text[start - 2].isdigit()


def _number_after(text: str, end: int) -> bool:
    return text[end : end + 1] == " " and text[end + 1 : end + 2].isdigit()


def failure_reason(exc: Exception) -> str:
    """The counter name for a failure: what went wrong, never a value."""
    if isinstance(exc, LimitExceeded):
        return exc.reason
    if isinstance(exc, TimeoutError):
        return "timeout"
    return type(exc).__name__


def _rebuild(value: tuple[Any, ...] | set[Any] | frozenset[Any], items: list[Any]) -> Any:
    """A container of *value*'s type holding *items*; the plain built-in type when that fails."""
    kind = type(value)
    if kind in (tuple, set, frozenset):
        return kind(items)
    make = getattr(kind, "_make", None)  # a named tuple
    try:
        return make(items) if make is not None else kind(items)
    except Exception:  # a subclass whose constructor takes something else: the plain type will do
        if isinstance(value, tuple):
            return tuple(items)
        return frozenset(items) if isinstance(value, frozenset) else set(items)


def safe_str(value: object) -> str:
    try:
        return str(value)
    except Exception:  # an object whose __str__ raises must not break logging
        return FAILED_MARKER


_found_rules: ContextVar[list[str] | None] = ContextVar("piiredact_found_rules", default=None)


@contextlib.contextmanager
def collect_rules() -> Iterator[list[str]]:
    """
    Collect the names of the rules whose findings are replaced inside the block, in this
    thread or task, by any :class:`Redactor` (for audits such as the pytest plugin's strict
    mode: rule names, never values).
    """
    found: list[str] = []
    token = _found_rules.set(found)
    try:
        yield found
    finally:
        _found_rules.reset(token)


def redactor_for(policy: Policy | None) -> Redactor:
    """
    The engine an integration uses for *policy*: the one the ``PIIREDACT_*`` environment
    describes when None; the shared :func:`default_redactor` for the default policy, so that it
    is compiled once per process; a new :class:`Redactor` otherwise.
    """
    if policy is None:
        policy = Policy.from_env()
    return default_redactor() if policy == Policy() else Redactor(policy)


@lru_cache(maxsize=1)
def default_redactor() -> Redactor:
    """
    The shared :class:`Redactor` for the default policy, built on first use.

    .. versionadded:: 0.1.0
    """
    return Redactor()
