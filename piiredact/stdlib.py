"""
Redaction for the standard library's :mod:`logging`.

:func:`install` redacts every record of every logger exactly once, before any handler sees it:
handlers added later (``dictConfig``, pytest, OpenTelemetry, Sentry), ``logging.lastResort``, the
handlers behind a ``QueueHandler`` and ``Handler.handleError``, which prints a record's raw
``msg`` and ``args`` when formatting fails. :class:`RedactingFilter` does the same for handlers
configured explicitly, such as those a ``QueueListener`` in another process feeds.

Records are redacted in place: the message (``msg % args``, mapping args, non-str and dict
messages), every ``extra`` field (by key: ``extra={"password": ...}`` loses its value), the
exception (its rendered traceback *and* the ``exc_info`` that JSON formatters re-render), the stack
and the thread, process and task names. A record without anything to redact is left as it was.
A record that meets redaction twice (``install()`` and a ``RedactingFilter``, or a handler that
hands it to another logger) is scanned again and left unchanged: redacted output is never
redacted again.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import logging
import os
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from piiredact._records import NAME_FIELDS, PLAIN_RECORD_SIZE, STANDARD_FIELDS, TRACEBACKS
from piiredact._redactor import (
    FAILED_MARKER,
    Redactor,
    collect_rules,
    redactor_for,
    safe_str,
)
from piiredact.exceptions import ConfigurationError
from piiredact.policy import Policy


__all__ = ["RedactingFilter", "disabled", "install", "uninstall"]

_MAX_CLEAN_NAMES = 1024

# How deep redaction is nested in this context: an argument whose __str__ logs re-enters it.
_depth: contextvars.ContextVar[int] = contextvars.ContextVar("piiredact_depth", default=0)
_disabled: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "piiredact_disabled", default=False
)
# Called with each record that had something redacted and the names of the rules that found it
# (the pytest plugin's strict mode); never with values.
_observers: list[Callable[[logging.LogRecord, tuple[str, ...]], object]] = []


@contextlib.contextmanager
def _observe(
    callback: Callable[[logging.LogRecord, tuple[str, ...]], object],
) -> Iterator[None]:
    _observers.append(callback)
    try:
        yield
    finally:
        _observers.remove(callback)


def _notify(record: logging.LogRecord, rules: tuple[str, ...]) -> None:
    for callback in list(_observers):
        with contextlib.suppress(Exception):  # an observer must not break logging
            callback(record, rules)


class _RecordRedactor:
    """Redacts a :class:`logging.LogRecord` in place; never raises."""

    __slots__ = ("_clean_names", "redactor")

    def __init__(self, redactor: Redactor) -> None:
        self.redactor = redactor
        # Thread and task names repeat on every record; remember those known to be clean.
        self._clean_names: set[tuple[object, ...]] = set()

    def __call__(self, record: logging.LogRecord) -> None:
        if _disabled.get():
            return
        depth = _depth.get()
        token = _depth.set(depth + 1)
        try:
            if depth:
                # Redacting this record logged another one (an argument's __str__ that logs):
                # going on could recurse without end, and the record is not worth a leak.
                raise RecursionError
            if _observers:
                with collect_rules() as found:
                    self._redact(record)
                if found:
                    _notify(record, tuple(found))
            else:
                self._redact(record)
        except Exception as exc:  # fail closed: the record is still emitted, with nothing raw
            _fail_closed(record)
            self.redactor.count_failure(type(exc).__name__)
        finally:
            _depth.reset(token)

    def _redact(self, record: logging.LogRecord) -> None:
        redact = self.redactor.redact
        fields = record.__dict__
        self._redact_message(record)

        exc_info = record.exc_info
        if exc_info and exc_info[1] is not None:
            text = record.exc_text or TRACEBACKS.formatException(exc_info)
            redacted = redact(text)
            if redacted is not text:
                record.exc_text = redacted
                # Formatters that render exc_info themselves (JSON formatters, the OpenTelemetry
                # handler) get a stand-in whose messages are redacted, with the same traceback.
                exception = _redacted_exception(exc_info[1], redact, set())
                record.exc_info = (type(exception), exception, exc_info[2])
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)

        if record.stack_info:
            record.stack_info = redact(record.stack_info)

        # A record as makeRecord leaves it has exactly the standard fields: skip the set
        # difference then (it is the most expensive step for a clean record).
        extra = fields.keys() - STANDARD_FIELDS if len(fields) != PLAIN_RECORD_SIZE else ()
        if extra:
            values = {key: fields[key] for key in extra}
            # By field: the policy's field rules may drop or transform some (data minimization).
            redacted_values = self.redactor.redact_fields(values, scope=record.name)
            if FAILED_MARKER in redacted_values and FAILED_MARKER not in values:
                raise RuntimeError(FAILED_MARKER)  # the fields could not be handled at all
            for key in extra:
                if key in redacted_values:
                    fields[key] = redacted_values[key]
                else:  # the policy drops this field
                    del fields[key]

        names = (fields.get("threadName"), fields.get("processName"), fields.get("taskName"))
        if names not in self._clean_names:
            self._redact_names(fields, names)

    def _redact_names(self, fields: dict[str, Any], names: tuple[object, ...]) -> None:
        clean = True
        for name, value in zip(NAME_FIELDS, names, strict=True):
            if type(value) is str:
                redacted = self.redactor.redact(value)
                if redacted is not value:
                    fields[name] = redacted
                    clean = False
        if clean and len(self._clean_names) < _MAX_CLEAN_NAMES:
            self._clean_names.add(names)

    def _redact_message(self, record: logging.LogRecord) -> None:
        msg, args = record.msg, record.args
        if type(msg) is str and not args:
            record.msg = self.redactor.redact(msg)
            return
        if isinstance(msg, Mapping) and not args:
            # A dict message stays a dict (structlog's ProcessorFormatter and JSON formatters
            # read it as one), and is minimized like extra fields.
            record.msg = self.redactor.redact_fields(msg, scope=record.name)
            return
        try:
            text = record.getMessage()
        except Exception:
            # Bad %-arguments: Handler.handleError would print the raw msg and args. Emit the
            # record instead, with both redacted and the failure said.
            template = self.redactor.redact(safe_str(msg))
            arguments = safe_str(self.redactor.redact_value(args))
            record.msg = f"{template} [arguments not formatted: {arguments}]"
            record.args = ()
            return
        redacted = self.redactor.redact(text)
        if redacted is not text or type(msg) is not str:
            # Freeze the message: formatting again later must not bring a value back.
            record.msg, record.args = redacted, ()


def _fail_closed(record: logging.LogRecord) -> None:
    """Leave nothing of *record* that could hold a value; keep the record itself."""
    fields = record.__dict__
    record.msg, record.args = FAILED_MARKER, ()
    record.exc_info = record.exc_text = record.stack_info = None
    for key in fields.keys() - STANDARD_FIELDS:
        fields[key] = FAILED_MARKER
    for name in NAME_FIELDS:
        if isinstance(fields.get(name), str):
            fields[name] = FAILED_MARKER


_stand_in_types: dict[type[BaseException], type[Exception]] = {}


def _stand_in_type(original: type[BaseException]) -> type[Exception]:
    """An exception type that renders with *original*'s name, for redacted copies."""
    stand_in = _stand_in_types.get(original)
    if stand_in is None:
        namespace = {
            "__module__": original.__module__,
            "__qualname__": original.__qualname__,
            "__doc__": "A redacted copy of an exception, made by piiredact for a log record.",
        }
        stand_in = _stand_in_types.setdefault(
            original, type(original.__name__, (Exception,), namespace)
        )
    return stand_in


def _redacted_exception(exception: BaseException, redact: Any, seen: set[int]) -> BaseException:
    """A copy of *exception* and its chain with every message and note redacted."""
    seen.add(id(exception))
    copy = _stand_in_type(type(exception))(redact(safe_str(exception)))
    copy.__traceback__ = exception.__traceback__
    copy.__suppress_context__ = exception.__suppress_context__
    notes = getattr(exception, "__notes__", None)
    if isinstance(notes, list):
        copy.__notes__ = [redact(safe_str(note)) for note in notes]
    cause, context = exception.__cause__, exception.__context__
    if cause is not None and id(cause) not in seen:
        copy.__cause__ = _redacted_exception(cause, redact, seen)
    if context is not None and id(context) not in seen:
        copy.__context__ = _redacted_exception(context, redact, seen)
    return copy


# ------------------------------------------------------------------------------------ install
class _Installation:
    """What :func:`install` put in place: the record redactor and the class-level patches."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.active: _RecordRedactor | None = None
        # (class, method name) -> the function we put there
        self.patches: dict[tuple[type, str], Any] = {}

    def patch(self) -> None:
        for owner, name, make_patch in (
            (logging.Logger, "callHandlers", self._call_handlers),
            (logging.Handler, "handleError", self._handle_error),
        ):
            current = owner.__dict__[name]
            if not _reaches(current, self.patches.get((owner, name))):
                patch = functools.wraps(current)(make_patch(current))
                setattr(owner, name, patch)
                self.patches[owner, name] = patch

    def unpatch(self) -> None:
        for (owner, name), patch in list(self.patches.items()):
            # Under a patch someone made on top of ours, ours stays (taking it out would take
            # theirs out too) and does nothing until the next install().
            original = patch.__wrapped__
            if owner.__dict__.get(name) is patch:
                setattr(owner, name, original)
                del self.patches[owner, name]

    # The patches are plain functions rather than wrapt wrappers: they run on every record,
    # and a wrapt wrapper costs about ten times as much per call.
    def _call_handlers(self, original: Any) -> Any:
        def call_handlers(logger: logging.Logger, record: logging.LogRecord) -> None:
            redact_record = self.active
            if redact_record is not None and isinstance(record, logging.LogRecord):
                redact_record(record)
            original(logger, record)

        return call_handlers

    def _handle_error(self, original: Any) -> Any:
        def handle_error(handler: logging.Handler, record: logging.LogRecord) -> None:
            """
            ``Handler.handleError`` prints the exception being handled with its whole chain,
            and that chain holds the *application's* exception when the logging call was made
            in an ``except`` block: print a redacted stand-in instead.
            """
            redact_record = self.active
            exception = sys.exception()
            if redact_record is None or exception is None or _disabled.get():
                original(handler, record)
                return
            if isinstance(record, logging.LogRecord):  # a record handed straight to a handler
                redact_record(record)
            try:
                stand_in = _redacted_exception(exception, redact_record.redactor.redact, set())
            except Exception:
                stand_in = _stand_in_type(type(exception))(FAILED_MARKER)
            cause, context = stand_in.__cause__, stand_in.__context__
            try:
                raise stand_in  # handleError reads the exception being handled
            except BaseException as handled:
                # Raising chained the raw exception and added this frame: put the copies back.
                handled.__cause__, handled.__context__ = cause, context
                handled.__suppress_context__ = exception.__suppress_context__
                handled.__traceback__ = exception.__traceback__
                original(handler, record)

        return handle_error


def _reaches(function: Any, patch: Any) -> bool:
    """Whether *patch* is *function* or under it (patches made with wrapt or functools.wraps)."""
    for _ in range(32):  # a cycle of __wrapped__ attributes must not hang install()
        if function is None or patch is None:
            return False
        if function is patch:
            return True
        function = getattr(function, "__wrapped__", None)
    return False


_installation = _Installation()


def install(policy: Policy | None = None, *, capture_warnings: bool = False) -> Redactor:
    """
    Redact every log record of every logger, once, before any handler sees it.

    Idempotent and thread-safe: calling it again replaces the policy. Wraps
    ``logging.Logger.callHandlers`` at class level, so loggers and handlers created later are
    covered too, and ``logging.Handler.handleError``, which would print the application's
    exception raw when a handler fails inside an ``except`` block.

    Args:
        policy: The policy; when omitted, the one the environment describes
            (:meth:`Policy.from_env`: ``PIIREDACT_POLICY``, ``PIIREDACT_PRESET`` …), which is
            the default policy when no such variable is set.
        capture_warnings: Also route :mod:`warnings` to logging (``logging.captureWarnings``),
            so that they are redacted too.

    Returns:
        The :class:`~piiredact.Redactor` in use; its ``stats`` count what was redacted.

    Raises:
        ConfigurationError: The environment describes an invalid policy.

    .. versionadded:: 0.1.0
    """
    redactor = redactor_for(policy)
    with _installation.lock:
        _installation.active = _RecordRedactor(redactor)
        _installation.patch()
    if capture_warnings:
        logging.captureWarnings(True)
    return redactor


def uninstall() -> None:
    """
    Stop redacting log records; records are emitted as they are logged again.

    Safe to call when not installed. If another library wrapped ``Logger.callHandlers`` or
    ``Handler.handleError`` after :func:`install`, our wrapper stays in place (removing it would
    remove theirs) but does nothing.

    .. versionadded:: 0.1.0
    """
    with _installation.lock:
        _installation.active = None
        _installation.unpatch()


@contextlib.contextmanager
def disabled() -> Iterator[None]:
    """
    Switch redaction off for records logged inside the block (in this thread or task).

    For the rare test that needs raw records, e.g. to assert on ``caplog.records``. Covers
    :func:`install` and every :class:`RedactingFilter`.

    .. versionadded:: 0.1.0
    """
    token = _disabled.set(True)
    try:
        yield
    finally:
        _disabled.reset(token)


# ------------------------------------------------------------------------------------ filter
class RedactingFilter(logging.Filter):
    """
    A filter that redacts each record in place and lets it through.

    For configurations that name their handlers: attach it to *handlers* (a logger's filter
    misses records of its child loggers), including those behind a ``QueueListener``. From
    ``dictConfig``::

        "filters": {"pii": {"()": "piiredact.stdlib.RedactingFilter", "preset": "strict"}},
        "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["pii"]}},

    Args:
        name: As for :class:`logging.Filter`: only records of this logger and its children
            are *redacted*; the others pass unchanged. Empty (the default) means all.
        policy: A :class:`~piiredact.Policy`.
        policy_file: A TOML policy file (:meth:`Policy.from_toml`).
        preset: A preset name (``default``, ``strict``, ``secrets``).

    Give at most one of *policy*, *policy_file* and *preset*; with none, the policy the
    environment describes is used, as by :func:`install`.

    Raises:
        ConfigurationError: Conflicting options or an invalid policy.

    .. versionadded:: 0.1.0
    """

    def __init__(
        self,
        name: str = "",
        *,
        policy: Policy | None = None,
        policy_file: str | os.PathLike[str] | None = None,
        preset: str | None = None,
    ) -> None:
        super().__init__(name)
        given = [option for option in (policy, policy_file, preset) if option is not None]
        if len(given) > 1:
            msg = "RedactingFilter: give at most one of policy, policy_file and preset"
            raise ConfigurationError(msg)
        if policy_file is not None:
            policy = Policy.from_toml(policy_file)
        elif preset is not None:
            policy = Policy(preset=preset)
        elif policy is None:
            policy = Policy.from_env()
        elif not isinstance(policy, Policy):  # dictConfig passes whatever the file says
            msg = f"RedactingFilter: policy must be a piiredact.Policy, not {type(policy).__name__}"  # type: ignore[unreachable]
            raise ConfigurationError(msg)
        self._redact_record = _RecordRedactor(redactor_for(policy))

    @property
    def redactor(self) -> Redactor:
        """The :class:`~piiredact.Redactor` this filter uses; its ``stats`` count what it did."""
        return self._redact_record.redactor

    def filter(self, record: logging.LogRecord) -> bool:
        # Mutate and return True: Python 3.11 ignores a returned record, and 3.12+ would apply a
        # copy to this handler only.
        if not self.name or super().filter(record):
            self._redact_record(record)
        return True

    def __repr__(self) -> str:
        return f"<RedactingFilter name={self.name!r} policy={self.redactor.policy!r}>"
