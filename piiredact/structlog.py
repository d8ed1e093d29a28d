"""
structlog integration: :class:`RedactingProcessor` redacts every event before a renderer sees it,
and :func:`install` puts one into structlog's configured processor chain, right before the renderer.

Needs the ``piiredact[structlog]`` extra.
"""

from __future__ import annotations

import contextlib
import logging
import warnings
from collections.abc import Mapping, MutableSequence
from typing import Any


try:
    import structlog
    from structlog.processors import ExceptionPrettyPrinter, format_exc_info
    from structlog.typing import EventDict, WrappedLogger
except ImportError as exc:  # tested in a subprocess, where structlog cannot be imported
    msg = "piiredact.structlog requires structlog: pip install 'piiredact[structlog]'"
    raise ImportError(msg) from exc

from piiredact import FAILED_MARKER, ConfigurationError, Policy
from piiredact._redactor import redactor_for


__all__ = ["RedactingProcessor", "install"]

# Keys and most values recur (event names, levels, logger names, methods, service names), so a
# clean verdict is remembered for each key and, under it, for short strings and ints: that skips
# the Redactor's own caches and their call layers. The memo is emptied when full: no per-event
# bookkeeping, unlike an LRU.
_MEMO_SIZE = 4096
_MEMO_LENGTH = 256

# Keys structlog and its processors own: field rules (data minimization) leave them alone.
_OWN_KEYS = frozenset(
    {"event", "level", "log_level", "timestamp", "logger", "logger_name", "exc_info",
     "exception", "stack", "positional_args", "_record", "_from_structlog"}
)  # fmt: skip

# Event keys that a processor or handler further down formats into text (a traceback, a %-format)
# which this processor would never see: on failure they are dropped rather than masked, since a
# masked ``exc_info`` is still true and makes ConsoleRenderer print the current exception.
_FORMATTED_LATER = ("exc_info", "positional_args")

# ProcessorFormatter's bookkeeping: the record and where it came from. Processors after this one
# expect them (remove_processors_meta deletes them without a default) and no renderer prints them.
_META = ("_record", "_from_structlog")


class RedactingProcessor:
    """
    A structlog processor that redacts the event dict: every value under its key, recursively.

    Values are redacted key-aware (``password="hunter2"`` loses its value whatever it looks like)
    and recursively (dicts, lists, tuples, sets, bytes, numbers and any other object in the text a
    renderer would print for it), and so are keys. That covers the ``event`` text (after
    ``PositionalArgumentsFormatter``), values bound with ``bind()`` or through
    ``structlog.contextvars``, and the exception data of ``format_exc_info``, ``dict_tracebacks``
    and ``ExceptionRenderer``, frame locals included (they sit under their names). An ``exc_info``
    still in the event is rendered first, as ``format_exc_info`` does: the renderers that would
    format it later (``ConsoleRenderer``, with Rich and frame locals) run where this processor
    cannot see their text.

    Place it after every processor that adds data and before the renderer (see :func:`install`).
    Events with nothing to redact go on unchanged, so they render byte for byte as without it
    (unless they carry an ``exc_info`` that the renderer would have formatted).

    It never raises: if an event cannot be redacted, every value but ``None`` and booleans
    becomes :data:`~piiredact.FAILED_MARKER`, the event is still emitted, and the first such
    failure is reported with a :class:`RuntimeWarning` that names the error's type only.

    Args:
        policy: The policy; when omitted, the one the environment describes
            (:meth:`Policy.from_env <piiredact.Policy.from_env>`), which is the default policy
            when no ``PIIREDACT_*`` variable is set. The default policy shares
            :func:`piiredact.default_redactor`.

    Raises:
        ConfigurationError: *policy* is not a :class:`~piiredact.Policy`, or the environment
            describes an invalid one.

    .. versionadded:: 0.1.0
    """

    __slots__ = ("_known", "_remembered", "_warned", "redactor")

    def __init__(self, policy: Policy | None = None) -> None:
        if policy is not None and not isinstance(policy, Policy):
            name = type(policy).__name__  # type: ignore[unreachable]
            msg = f"RedactingProcessor: policy must be a piiredact.Policy, not {name}"
            raise ConfigurationError(msg)
        #: The :class:`~piiredact.Redactor` doing the work; its ``stats`` count what it did.
        self.redactor = redactor_for(policy)
        # Keys found clean, each with the values (short strings, ints) found clean under it.
        self._known: dict[str, set[object]] = {}
        self._remembered = 0  # keys and values in _known
        self._warned = False

    def __repr__(self) -> str:
        return f"RedactingProcessor({self.redactor!r})"

    def __reduce__(self) -> tuple[type[RedactingProcessor], tuple[Policy]]:
        return (type(self), (self.redactor.policy,))

    def __call__(self, logger: WrappedLogger, method_name: str, event_dict: EventDict) -> EventDict:
        try:
            if event_dict.get("exc_info"):  # the renderer would format it out of our sight
                event_dict = format_exc_info(logger, method_name, event_dict)
            if self.redactor.minimizes:
                event_dict = self._minimize(logger, event_dict)
            return self._redact_event(event_dict)
        except Exception as exc:  # never into the application: emit the event with nothing in it
            return self._fail_closed(event_dict, exc)

    # --------------------------------------------------------------------------------- events
    def _minimize(self, logger: WrappedLogger, event_dict: EventDict) -> EventDict:
        """The event with the policy's field rules applied to its fields (not structlog's own
        keys), scoped by the logger's name."""
        fields = {key: value for key, value in event_dict.items() if key not in _OWN_KEYS}
        scope = event_dict.get("logger") or getattr(logger, "name", "") or ""
        kept = self.redactor.redact_fields(fields, scope=str(scope))
        if FAILED_MARKER in kept and FAILED_MARKER not in fields:
            raise RuntimeError(FAILED_MARKER)  # the fields could not be handled at all
        return {
            key: kept[key] if key in fields else value
            for key, value in event_dict.items()
            if key in kept or key not in fields
        }

    def _redact_event(self, event_dict: EventDict) -> EventDict:
        known = self._known
        redact_key = self.redactor.redact
        redact_value = self.redactor.redact_value
        keeps = self.redactor.keeps
        changes: list[tuple[Any, Any, Any]] = []
        for key, value in event_dict.items():
            if key in _META and _is_meta(key, value):
                continue
            kind = type(value)
            memo = kind is str or kind is int
            values = known.get(key)
            if values is not None:  # a key found clean
                if memo and value in values:
                    continue
                new_key = key
            else:
                new_key = redact_key(key)
                if new_key is key:
                    values = self._remember_key(key)
            if kind is not int and keeps(value, key):  # a timestamp, an id, a duration: no scan
                new_value = value
            elif memo or kind is float:  # scalars: the engine's copy is what to emit
                new_value = redact_value(value, key)
            else:
                new_value = self._redact_value(value, key)
            if new_key is not key or new_value is not value:
                changes.append((key, new_key, new_value))
            elif memo and values is not None and (kind is int or len(value) <= _MEMO_LENGTH):
                if self._remembered >= _MEMO_SIZE:
                    values = self._remember_key(key)  # after starting again
                values.add(value)
                self._remembered += 1
        if not changes:
            return event_dict
        if all(new_key is key for key, new_key, _ in changes):
            for key, _, new_value in changes:
                event_dict[key] = new_value
            return event_dict
        # A key was redacted: rebuild the event to keep the order of its keys.
        replaced = {key: (new_key, new_value) for key, new_key, new_value in changes}
        rebuilt: EventDict = {}
        for key, value in event_dict.items():
            new_key, new_value = replaced.get(key, (key, value))
            rebuilt[new_key] = new_value
        return rebuilt

    def _remember_key(self, key: str) -> set[object]:
        """Remember *key* as clean, emptying the memo first when it is full; the key's set of
        clean values, to fill."""
        if self._remembered >= _MEMO_SIZE:
            self._known.clear()
            self._remembered = 0
        values: set[object] = set()
        self._known[key] = values
        self._remembered += 1
        return values

    def _fail_closed(self, event_dict: EventDict, exc: Exception) -> EventDict:
        """The event with every value but ``None`` and booleans replaced by the marker."""
        self.redactor.count_failure(type(exc).__name__)
        self._warn(exc)
        result: EventDict = {}
        try:
            for key, value in event_dict.items():
                if key in _FORMATTED_LATER:
                    if key == "exc_info":
                        result["exception"] = FAILED_MARKER
                elif _is_meta(key, value) or value is None or isinstance(value, bool):
                    result[key] = value
                else:
                    result[self.redactor.redact(key)] = FAILED_MARKER
        except Exception:  # the event cannot even be read: emit what says so
            result = {}
            with contextlib.suppress(Exception):
                for key in _META:
                    if _is_meta(key, value := event_dict.get(key)):
                        result[key] = value
        result.setdefault("event", FAILED_MARKER)
        return result

    def _warn(self, exc: Exception) -> None:
        if self._warned:
            return
        self._warned = True  # before warning: warnings routed into logging come back here
        msg = (
            f"piiredact.structlog: an event could not be redacted ({type(exc).__name__}); it was "
            f"emitted with its values replaced by {FAILED_MARKER}. Later failures are not reported."
        )
        try:
            warnings.warn(msg, RuntimeWarning, stacklevel=3)
        except Exception:  # warnings turned into errors must not reach the application either
            return

    # --------------------------------------------------------------------------------- values
    def _redact_key(self, key: object) -> Any:
        return self.redactor.redact(key) if isinstance(key, str) else key

    def _redact_value(self, value: Any, key: str | None) -> Any:
        redacted = self.redactor.redact_value(value, key)
        return value if redacted is value else self._settle(value, redacted, key)

    def _settle(self, value: Any, redacted: Any, key: str | None) -> Any:
        """
        What to emit for *value*, given the engine's redacted copy: *value* itself when nothing
        a renderer prints changed, else the copy with the unchanged parts of *value* put back.

        The engine rebuilds containers as plain dicts, lists and tuples and turns other objects
        into their ``str()``; emitting its copy of a clean value would change how it renders
        (``UUID('…')`` becomes ``'…'``, an ``OrderedDict`` a ``dict``).
        """
        if redacted is value or isinstance(value, str | bytes | bytearray | int | float):
            return redacted
        if isinstance(value, Mapping):
            if not isinstance(redacted, dict) or len(redacted) != len(value):
                return redacted  # a part failed closed, or the mapping was cut at a limit
            pairs = []
            changed = False
            for item_key, item in value.items():
                name = item_key if isinstance(item_key, str) else None
                new_key = self._redact_key(item_key)
                new_item = self._settle(item, redacted[item_key], name)
                changed = changed or new_key is not item_key or new_item is not item
                pairs.append((new_key, new_item))
            return dict(pairs) if changed else value
        if isinstance(value, list | tuple):
            if not isinstance(redacted, list | tuple) or len(redacted) != len(value):
                return redacted
            items = [
                self._settle(item, new, key) for item, new in zip(value, redacted, strict=True)
            ]
            if all(new is item for new, item in zip(items, value, strict=True)):
                return value
            return items if isinstance(redacted, list) else type(redacted)(items)
        if isinstance(value, set | frozenset):
            return value if redacted == value else redacted
        return value if self._prints_clean(value, redacted, key) else redacted

    def _prints_clean(self, value: object, redacted: object, key: str | None) -> bool:
        """
        Whether every text a renderer makes of *value* is clean: its ``str()`` (logfmt), which
        the engine redacted into *redacted*; its ``repr()`` (the key-value and console renderers,
        JSON's fallback); and what its ``__structlog__()`` returns (JSON).
        """
        try:
            if redacted != str(value):
                return False
            text = repr(value)
            if self.redactor.redact_value(text, key) is not text:
                return False
            if hasattr(type(value), "__structlog__"):
                form = value.__structlog__()  # type: ignore[attr-defined]
                return self._settle(form, self.redactor.redact_value(form, key), key) is form
        except Exception:  # a form that cannot be made cannot be printed either: emit the copy
            return False
        return True


def _is_meta(key: str, value: object) -> bool:
    return (key == "_record" and isinstance(value, logging.LogRecord)) or (
        key == "_from_structlog" and isinstance(value, bool)
    )


def install(policy: Policy | None = None) -> RedactingProcessor:
    """
    Put a :class:`RedactingProcessor` into structlog's configured chain, right before its renderer.

    The renderer is the last processor (``JSONRenderer``, ``ConsoleRenderer``,
    ``ProcessorFormatter.wrap_for_formatter``, ``render_to_log_kwargs`` …); everything before it
    adds data and runs first. An ``ExceptionPrettyPrinter``, which prints exceptions itself,
    comes after the processor too. The chain is changed in place, so loggers that structlog
    already cached see it; call this after ``structlog.configure()``.

    Calling it again replaces the processor it put there (with a new policy, say).

    Args:
        policy: Passed to :class:`RedactingProcessor`.

    Returns:
        The processor, to put into a ``ProcessorFormatter``'s ``foreign_pre_chain`` as well.

    Raises:
        ConfigurationError: structlog's processors are not a list (``configure()`` was given a
            tuple) or are empty, or the policy is invalid.

    .. versionadded:: 0.1.0
    """
    processor = RedactingProcessor(policy)
    chain = structlog.get_config()["processors"]
    if not isinstance(chain, MutableSequence):
        msg = (
            "install: structlog's processors are a tuple; pass structlog.configure() a list, "
            "which can be changed where loggers bound already see it"
        )
        raise ConfigurationError(msg)
    for index, step in enumerate(chain):
        if isinstance(step, RedactingProcessor):
            chain[index] = processor
            return processor
    if not chain:
        msg = "install: structlog has no processors, so no renderer to put the redaction before"
        raise ConfigurationError(msg)
    position = len(chain) - 1
    for index, step in enumerate(chain[:position]):
        if isinstance(step, ExceptionPrettyPrinter):
            position = index
            break
    chain.insert(position, processor)
    return processor
