"""
Test helpers: find personal data in what code under test emitted, and fail when there is some.

:func:`find_pii` and :func:`assert_no_pii` take text, bytes, :class:`logging.LogRecord` objects,
mappings (structured events such as structlog's ``capture_logs()``) or iterables of these, so they
work on ``caplog.records``, ``caplog.text``, ``capsys.readouterr().out`` and captured events alike.
They report *which* rule found something and *where* (:class:`PiiFinding`), never the value, so
their messages are safe in CI logs. This module does not import pytest; the pytest plugin builds
on it.

Example::

    from piiredact.testing import assert_no_pii

    def test_signup_logs_no_pii(caplog):
        caplog.set_level("DEBUG")
        signup("jane@example.com")
        assert_no_pii(caplog.records)
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from piiredact._records import NAME_FIELDS, STANDARD_FIELDS, TRACEBACKS
from piiredact._redactor import (
    FAILED_MARKER,
    Redactor,
    collect_rules,
    default_redactor,
    safe_str,
)
from piiredact.exceptions import ConfigurationError, PiiFoundError
from piiredact.rules import BUILTIN_RULES, CATEGORIES


__all__ = ["UNSCANNED", "PiiFinding", "assert_no_pii", "find_pii"]

#: The kind and rule of a finding for a value that could not be scanned within the policy's
#: limits (too large, too many candidates, a pattern timeout): treated as a finding, fail closed.
UNSCANNED = "UNSCANNED"

_MARKER_BYTES = FAILED_MARKER.encode()
_MAX_CLEAN_NAMES = 1024
_MARKER_DEPTH = 16  # how deep to look for a failure marker in a redacted copy


@dataclass(frozen=True, slots=True, kw_only=True)
class PiiFinding:
    """
    Personal data found in test output: which rule found it and where, never the value.

    Args:
        rule: The name of the rule that found it (``"EMAIL"``, ``"PASSWORD_VALUE"``), or
            :data:`UNSCANNED`.

        kind: The kind of data (``"EMAIL"``, ``"PASSWORD"``), or :data:`UNSCANNED`.

        where: The field it is in: ``"text"``, ``"message"``, ``"exception, line 3"``,
            ``"extra 'password'"``, ``"stdout, line 2"``; empty when only the record is known.

        logger: For a log record: the logger's name (redacted itself).

        level: For a log record: its level name.

        origin: For a log record: ``file.py:line`` of the logging call.

        phase: Set by the pytest plugin: ``"setup"``, ``"call"`` or ``"teardown"``.

        redacted: Set by the pytest plugin's strict mode: the value was logged, and redacted by
            piiredact before any handler saw it.

    .. versionadded:: 0.1.0
    """

    rule: str
    kind: str
    where: str
    logger: str | None = None
    level: str | None = None
    origin: str | None = None
    phase: str | None = None
    redacted: bool = False

    def __str__(self) -> str:
        text = self.kind if self.rule == self.kind else f"{self.kind} (rule {self.rule})"
        if self.where:
            text += f" in {self.where}"
        if self.logger is not None:
            text += f" (logger {self.logger!r}, {self.level}, {self.origin})"
        if self.kind == UNSCANNED:
            text += ": too large or complex to scan within the policy's limits"
        if self.redacted:
            text += ": logged, then redacted by piiredact before any handler saw it"
        return f"{self.phase}: {text}" if self.phase else text


def find_pii(subject: object, *, redactor: Redactor | None = None) -> tuple[PiiFinding, ...]:
    """
    The personal data in *subject*: rules and places, never values.

    Args:
        subject: Text, bytes, a :class:`logging.LogRecord` (its message, exception, stack,
            ``extra`` fields by key, thread and logger names: everything a formatter prints), a
            mapping (scanned by key, like ``extra`` fields), or an iterable of these.

        redactor: The :class:`~piiredact.Redactor` whose policy decides what counts; the default
            policy when omitted.

    Raises:
        TypeError: *subject* is of another type (the message names the type only).

    .. versionadded:: 0.1.0
    """
    return tuple(_Scanner(redactor or default_redactor()).subject(subject))


def assert_no_pii(
    subject: object, *, redactor: Redactor | None = None, allow: Iterable[str] = ()
) -> None:
    """
    Fail when *subject* holds personal data; the message says which rules and where, never
    the values.

    Args:
        subject: What :func:`find_pii` takes.

        redactor: As for :func:`find_pii`.

        allow: Rule names, kinds or categories that may occur (``"EMAIL"``, ``"network"``).

    Raises:
        PiiFoundError: Something was found (it is an :class:`AssertionError`).
        ConfigurationError: A name in *allow* is not a rule, kind or category.

    .. versionadded:: 0.1.0
    """
    scanner = _Scanner(redactor or default_redactor())
    allowed = scanner.allowlist(allow, source="allow")
    found = [f for f in scanner.subject(subject) if not scanner.allows(allowed, f)]
    if found:
        raise PiiFoundError(_describe(found, "personal data found (values not shown):"))


def _describe(findings: Iterable[PiiFinding], headline: str, *, limit: int = 20) -> str:
    """*headline* and one line per distinct finding (with a count), at most *limit* lines."""
    counts: dict[str, int] = {}
    for finding in findings:
        line = str(finding)
        counts[line] = counts.get(line, 0) + 1
    lines = [headline]
    for line, count in list(counts.items())[:limit]:
        lines.append(f"  {line}" + (f" (x{count})" if count > 1 else ""))
    if len(counts) > limit:
        lines.append(f"  ... and {len(counts) - limit} more")
    return "\n".join(lines)


class _Scanner:
    """
    Finds personal data in texts, structured values and log records with one redactor, and
    knows its policy's rules (their kinds and categories, for allowlists).
    """

    __slots__ = ("_categories", "_clean_names", "_kinds", "_names", "redactor")

    def __init__(self, redactor: Redactor) -> None:
        self.redactor = redactor
        # Logger, thread and process names repeat on every record: remember the clean ones.
        self._clean_names: set[str] = set()
        rules = {rule.name: rule for rule in (*BUILTIN_RULES, *redactor.policy.rules())}
        self._kinds = {name: rule.kind for name, rule in rules.items()}
        self._categories = {name: rule.category for name, rule in rules.items()}
        self._names = {*rules, *self._kinds.values(), *CATEGORIES, UNSCANNED}

    # ----------------------------------------------------------------------------- allowlists
    def allowlist(self, names: Iterable[str], *, source: str) -> frozenset[str]:
        """
        *names* as an allowlist.

        Raises:
            ConfigurationError: A name is not a rule, kind or category (*source* says where
                it came from).
        """
        if isinstance(names, str):
            names = (names,)
        allowed = frozenset(names)
        unknown = sorted(name for name in allowed if name not in self._names)
        if unknown:
            msg = f"{source}: {unknown} not a rule name, kind or category of the policy"
            raise ConfigurationError(msg)
        return allowed

    def allows(self, allowed: frozenset[str], finding: PiiFinding) -> bool:
        """Whether *finding* is of a rule, kind or category in *allowed*."""
        return bool(allowed) and (
            finding.rule in allowed
            or finding.kind in allowed
            or self._categories.get(finding.rule) in allowed
        )

    # -------------------------------------------------------------------------------- scanning
    def subject(self, subject: object) -> list[PiiFinding]:
        if isinstance(subject, str):
            return self.text(subject, "text")
        if isinstance(subject, bytes | bytearray):
            return self.text(bytes(subject).decode("utf-8", "surrogateescape"), "text")
        if isinstance(subject, logging.LogRecord):
            return self.record(subject)
        if isinstance(subject, Mapping):
            return self.mapping(subject)
        if isinstance(subject, Iterable):
            found = []
            for number, item in enumerate(subject):
                for finding in self.subject(item):
                    where = f"item {number}, {finding.where}" if finding.where else f"item {number}"
                    found.append(replace(finding, where=where))
            return found
        msg = (
            "expected text, bytes, a LogRecord, a mapping or an iterable of them, "
            f"not {type(subject).__name__}"
        )
        raise TypeError(msg)

    def text(self, text: str, where: str) -> list[PiiFinding]:
        """The findings in *text*, placed by line when it has several."""
        try:
            findings = self.redactor.find(text)
        except Exception:  # over a limit, a timeout, or a bug: fail closed
            return [PiiFinding(rule=UNSCANNED, kind=UNSCANNED, where=where)]
        if "\n" not in text:
            return [PiiFinding(rule=f.rule, kind=f.kind, where=where) for f in findings]
        return [
            PiiFinding(rule=f.rule, kind=f.kind, where=f"{where}, line {_line(text, f.start)}")
            for f in findings
        ]

    def value(self, value: Any, key: str | None, where: str) -> list[PiiFinding]:
        """The findings in a structured *value* held under *key* (the key counts)."""
        with collect_rules() as fired:
            redacted = self.redactor.redact_value(value, key)
        if fired:
            return [self.found(rule, where) for rule in dict.fromkeys(fired)]
        if _holds_marker(redacted, 0) and not _holds_marker(value, 0):
            return [PiiFinding(rule=UNSCANNED, kind=UNSCANNED, where=where)]
        return []

    def mapping(self, mapping: Mapping[Any, Any]) -> list[PiiFinding]:
        found = []
        for key, item in mapping.items():
            name = key if isinstance(key, str) else None
            found += self.value(item, name, f"field {self.redactor.redact(str(key))!r}")
        return found

    def found(self, rule: str, where: str) -> PiiFinding:
        """A finding of *rule*, known by name only (its kind comes from the catalog)."""
        return PiiFinding(rule=rule, kind=self._kinds.get(rule, rule), where=where)

    def record(self, record: logging.LogRecord) -> list[PiiFinding]:
        """
        The findings in everything of *record* that a formatter or handler may print: the
        message, the exception, the stack, ``extra`` fields (by key), thread, process, task and
        logger names.
        """
        found = self.text(_message(record), "message")
        traceback = _traceback(record)
        if traceback:
            found += self.text(traceback, "exception")
        if record.stack_info:
            found += self.text(record.stack_info, "stack")
        fields = record.__dict__
        for key in fields.keys() - STANDARD_FIELDS:
            found += self.value(fields[key], key, f"extra {self.redactor.redact(key)!r}")
        for name in (*NAME_FIELDS, "name"):
            value = fields.get(name)
            if isinstance(value, str) and value not in self._clean_names:
                in_name = self.text(value, "logger name" if name == "name" else name)
                if in_name:
                    found += in_name
                elif len(self._clean_names) < _MAX_CLEAN_NAMES:
                    self._clean_names.add(value)
        return [self.about(record, finding) for finding in found]

    def about(self, record: logging.LogRecord, finding: PiiFinding) -> PiiFinding:
        """*finding* with the logger, level and origin of *record*."""
        return replace(
            finding,
            logger=self.redactor.redact(str(record.name)),
            level=str(record.levelname),
            origin=f"{record.filename}:{record.lineno}",
        )


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _message(record: logging.LogRecord) -> str:
    try:
        return record.getMessage()
    except Exception:  # %-arguments that do not fit: handleError would print both raw
        return f"{safe_str(record.msg)} {safe_str(record.args)}"


def _traceback(record: logging.LogRecord) -> str:
    """The exception text a formatter prints for *record* (its cache, or rendered as it would)."""
    if record.exc_text:
        return record.exc_text
    if record.exc_info and record.exc_info[1] is not None:
        try:
            return TRACEBACKS.formatException(record.exc_info)
        except Exception:
            return FAILED_MARKER
    return ""


def _holds_marker(value: object, depth: int) -> bool:
    """Whether *value* holds the failure marker somewhere (a part that failed closed)."""
    if isinstance(value, str):
        return FAILED_MARKER in value
    if isinstance(value, bytes | bytearray):
        return _MARKER_BYTES in value
    if depth >= _MARKER_DEPTH:  # the input may be deep or cyclic; redacted copies are bounded
        return False
    if isinstance(value, Mapping):
        return any(
            _holds_marker(key, depth + 1) or _holds_marker(item, depth + 1)
            for key, item in value.items()
        )
    if isinstance(value, list | tuple | set | frozenset):
        return any(_holds_marker(item, depth + 1) for item in value)
    return False
