"""
Data minimization: :class:`~piiredact.FieldRules` compiled into one decision per scope and field
path (drop, keep, transform, or look inside), cached, so that a record costs a dictionary lookup
per field once its field names have been seen.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

from piiredact.policy import FieldRules


if TYPE_CHECKING:
    from piiredact._redactor import Redactor

__all__ = ["Decision", "FieldPlan", "FieldWalk", "ScopeRules"]

DROP, KEEP, TRANSFORM, DESCEND = range(4)

Path = tuple[str, ...]
_NOT_KIND = re.compile(r"[^A-Z0-9]+")


class Decision(NamedTuple):
    """What becomes of the field at one path."""

    action: int  # DROP, KEEP, TRANSFORM or DESCEND
    #: For DESCEND: whether a value that is no container is kept (it is allowed itself).
    allowed: bool = False
    #: For TRANSFORM: the transform and the kind it names.
    transform: tuple[str, str] = ("", "")


_DROPPED = Decision(DROP)
_KEPT = Decision(KEEP)


def _covers(pattern: Path, path: Path) -> bool:
    """*path* is *pattern* or lies below it."""
    return len(pattern) <= len(path) and all(
        p in ("*", s) for p, s in zip(pattern, path, strict=False)
    )


def _below(pattern: Path, path: Path) -> bool:
    """*pattern* lies below *path*: the value at *path* must be looked inside."""
    return len(pattern) > len(path) and all(
        p in ("*", s) for p, s in zip(pattern, path, strict=False)
    )


def _kind_of(path: Path) -> str:
    """The kind a field's tokens and masks carry by default: its last name in upper case."""
    kind = _NOT_KIND.sub("_", path[-1].upper()).strip("_")[:64]
    return kind if kind[:1].isalpha() else "FIELD"


class ScopeRules:
    """The field rules of one scope, its ancestors' merged in; decisions cached by path."""

    __slots__ = ("allow", "decide", "deny", "max_length", "transforms")

    def __init__(self, chain: tuple[FieldRules, ...]) -> None:
        allow: list[Path] | None = None
        deny: list[Path] = []
        transforms: dict[Path, str] = {}
        self.max_length: int | None = None
        for rules in chain:
            if rules.allow is not None:
                allow = [*(allow or ()), *(_split(name) for name in rules.allow)]
            deny.extend(_split(name) for name in rules.deny)
            transforms.update((_split(name), spec) for name, spec in rules.transforms.items())
            if rules.max_length is not None:
                self.max_length = rules.max_length
        self.allow = None if allow is None else tuple(allow)
        self.deny = tuple(deny)
        self.transforms = tuple(transforms.items())
        self.decide = lru_cache(maxsize=4096)(self._decide)

    def _decide(self, path: Path) -> Decision:
        if any(_covers(pattern, path) for pattern in self.deny):
            return _DROPPED
        for pattern, spec in self.transforms:
            if len(pattern) == len(path) and _covers(pattern, path):
                transform, _, kind = spec.partition(":")
                return Decision(TRANSFORM, transform=(transform, kind or _kind_of(path)))
        allowed = self.allow is None or any(_covers(pattern, path) for pattern in self.allow)
        # Inside an allowed value only a denied or transformed field changes anything; inside
        # another one, only an allowed or transformed field survives.
        inner = [*self.deny] if allowed else [*(self.allow or ())]
        inner.extend(pattern for pattern, _ in self.transforms)
        if any(_below(pattern, path) for pattern in inner):
            return Decision(DESCEND, allowed=allowed)
        return _KEPT if allowed else _DROPPED


def _split(name: str) -> Path:
    return tuple(name.split("."))


class FieldPlan:
    """:class:`~piiredact.FieldRules` compiled: the :class:`ScopeRules` of any scope."""

    __slots__ = ("_merged", "_root", "active", "for_scope")

    def __init__(self, rules: FieldRules) -> None:
        self._root = rules
        #: False when the rules change nothing (then records are only redacted).
        self.active = bool(rules)
        # Scopes that meet the same overrides on the way down share their rules and decisions.
        self._merged = lru_cache(maxsize=256)(self._merge)
        #: The rules that apply in a scope (a logger or instrumentation scope name).
        self.for_scope = lru_cache(maxsize=1024)(self._for_scope)

    def _merge(self, names: tuple[str, ...]) -> ScopeRules:
        return ScopeRules((self._root, *(self._root.scopes[name] for name in names)))

    def _for_scope(self, scope: str) -> ScopeRules:
        parts = scope.split(".") if scope else []
        prefixes = (".".join(parts[:end]) for end in range(1, len(parts) + 1))
        return self._merged(tuple(name for name in prefixes if name in self._root.scopes))


_ABSENT = object()  # a field value that minimization dropped


class FieldWalk:
    """
    One :meth:`Redactor.redact_fields <piiredact.Redactor.redact_fields>` call: the rules of its
    scope, the containers being walked (to stop at cycles), and the counters it moves (added to
    the Redactor's at the end, under one lock).
    """

    __slots__ = ("_active", "_marker", "_redactor", "_rules", "tally")

    def __init__(self, redactor: Redactor, rules: ScopeRules) -> None:
        from piiredact._redactor import FAILED_MARKER  # noqa: PLC0415 - it imports this module

        self._redactor = redactor
        self._rules = rules
        self._marker = FAILED_MARKER
        self._active: set[int] = set()
        self.tally: list[str] = []

    def mapping(self, fields: Mapping[Any, Any], path: Path, depth: int) -> dict[Any, Any]:
        """*fields*, found at *path*, minimized and redacted."""
        limits = self._redactor.policy.limits
        failed = {self._marker: self._marker}
        if depth >= limits.max_depth:
            self.tally.append("error:too_deep")
            return failed
        if id(fields) in self._active:
            self.tally.append("error:cycle")
            return failed
        self._active.add(id(fields))
        result: dict[Any, Any] = {}
        for number, (key, value) in enumerate(fields.items()):
            if number >= limits.max_items:
                self.tally.append("error:too_many_items")
                result.update(failed)
                break
            name = key if isinstance(key, str) else str(key)
            here = (*path, *name.split("."))
            decision = self._rules.decide(here)
            if decision.action == TRANSFORM:
                result[key] = self._transform(*decision.transform, value)
            elif decision.action != DROP:
                kept = self._value(value, name, here, decision, depth + 1)
                if kept is not _ABSENT:
                    result[key] = kept
            else:
                self.tally.append("field:dropped")
        self._active.discard(id(fields))
        return result

    def _value(self, value: Any, name: str, path: Path, decision: Decision, depth: int) -> Any:
        """A kept field's *value*, or _ABSENT when nothing of it may stay."""
        if decision.action == KEEP:
            return self._cut(self._redactor._walk_item(value, name, depth, self._active))
        # DESCEND: rules for fields below this one apply.
        if isinstance(value, Mapping):
            inner: Any = self.mapping(value, path, depth)
        elif isinstance(value, list | tuple | set | frozenset):
            items = [self._value(item, name, path, decision, depth + 1) for item in value]
            kept = [item for item in items if item is not _ABSENT]
            inner = kept if isinstance(value, list) else type(value)(kept)
        else:
            inner = _ABSENT
        if inner is not _ABSENT:
            # A container that was not allowed and lost all it held is dropped too.
            return inner if inner or decision.allowed or not value else _ABSENT
        if not decision.allowed:
            self.tally.append("field:dropped")
            return _ABSENT
        return self._cut(self._redactor._walk_item(value, name, depth, self._active))

    def _transform(self, transform: str, kind: str, value: Any) -> Any:
        if value is None:  # nothing to hide
            return None
        try:
            result = self._redactor._transform(transform, kind, value)
        except Exception:  # a value the transform cannot read: fail closed, for this field only
            self.tally.append(f"error:transform_{transform}")
            return self._marker
        self.tally.append(f"field:{transform}")
        return result

    def _cut(self, value: Any) -> Any:
        """*value* with every string longer than the scope's ``max_length`` cut, ending in ``…``."""
        length = self._rules.max_length
        if length is None:
            return value
        if isinstance(value, str):
            if len(value) <= length:
                return value
            self.tally.append("field:truncated")
            return value[: length - 1] + "…"
        if isinstance(value, Mapping):
            return {key: self._cut(item) for key, item in value.items()}
        if isinstance(value, list | tuple | set | frozenset):
            items = [self._cut(item) for item in value]
            return items if isinstance(value, list) else type(value)(items)
        return value
