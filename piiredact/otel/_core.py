"""
What the three exporters share: the :class:`Scrubber` (attribute values by their semantic
conventions, resources and scopes cached) and :class:`RedactingProxy`, the transparent wrapt
proxy that counts and reports failed batches without their contents.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import Counter
from collections.abc import Callable, Collection, Mapping
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar, cast

import wrapt
from opentelemetry.attributes import BoundedAttributes
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.util.instrumentation import InstrumentationScope

from piiredact._redactor import FAILED_MARKER, Redactor
from piiredact.exceptions import ConfigurationError
from piiredact.otel import _sanitize
from piiredact.otel._semconv import IDENTITY_RULES, Treatment, treatment
from piiredact.policy import Policy


__all__ = ["RedactingProxy", "Scrubber", "bounded", "scrubber_for"]

_logger = logging.getLogger("piiredact.otel")

# Treatments that only need the string: applied to each string of a value (headers are
# string[] attributes).
_STRING_TREATMENTS: dict[Treatment, Callable[[str, Redactor], str]] = {
    Treatment.URL: _sanitize.url,
    Treatment.QUERY: _sanitize.query,
    Treatment.SQL: _sanitize.sql,
    Treatment.JSON: _sanitize.json_content,
    Treatment.AUTHORIZATION: lambda text, _: _sanitize.authorization(text),
    Treatment.COOKIE: lambda text, _: _sanitize.cookie(text),
    Treatment.SET_COOKIE: lambda text, _: _sanitize.set_cookie(text),
    Treatment.CREDENTIAL: lambda text, _: _sanitize.credential(text),
}
_IDENTITY_KEYS = {kind: rule.keys[0] for kind, rule in IDENTITY_RULES.items()}
_CACHE_SIZE = 64  # resources and scopes: a process has a handful
_CLEAN_SIZE = 4096  # clean attribute values remembered
_CLEAN_LENGTH = 512  # longest value remembered (characters)
_NUMBERS = frozenset({int, float, bool})

_T = TypeVar("_T")


class Scrubber:
    """
    Redacts the parts of telemetry for one policy: text, attribute values (by semantic
    convention), bodies, resources and instrumentation scopes. Never raises from a value: a value
    that cannot be redacted becomes :data:`~piiredact.FAILED_MARKER` and an error is counted.
    """

    __slots__ = ("_cache", "_clean", "_counts", "_handlers", "_lock", "_safe", "redactor")

    def __init__(self, policy: Policy) -> None:
        rules = tuple(rule for rule in IDENTITY_RULES.values() if rule not in policy.custom_rules)
        self.redactor = Redactor(policy.evolve(custom_rules=(*policy.custom_rules, *rules)))
        # Attribute names are canonical in OpenTelemetry: safe keys are matched exactly.
        self._safe = frozenset(policy.safe_keys)
        self._cache: dict[int, tuple[object, object]] = {}
        # Attribute values that came out unchanged, by name: services repeat them in every span
        # (methods, routes, hosts, statements), and the URL and SQL treatments parse before
        # the engine (which remembers clean texts itself) is even asked. Only clean values are
        # kept, so no personal data lingers here.
        self._clean: dict[tuple[str, type, Any], None] = {}
        self._handlers: dict[str, Callable[[Any], Any]] = {}
        self._counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    # ------------------------------------------------------------------------------ values
    def text(self, text: str) -> str:
        """Free text: a span name, an event name, a status description, a log body."""
        return self.redactor.redact(text)

    def body(self, body: Any) -> Any:
        """A log body: text, bytes, a mapping (key-aware) or a list."""
        return self.redactor.redact_value(body)

    def value(self, name: str, value: Any) -> Any:
        """The redacted value of the attribute *name*; *value* itself when nothing changes."""
        kind = type(value)
        remembered = (
            len(value) <= _CLEAN_LENGTH if kind is str or kind is bytes else kind in _NUMBERS
        )
        if remembered and (name, kind, value) in self._clean:
            return value
        handler = self._handlers.get(name) or self._handler(name)
        try:
            redacted = handler(value)
        except Exception as exc:  # a bug or a pathological value: fail closed, never raise
            self.redactor.count_failure(type(exc).__name__)
            return FAILED_MARKER
        if redacted is not value and redacted != value:
            return redacted
        if remembered:
            if len(self._clean) >= _CLEAN_SIZE:
                self._clean.clear()
            self._clean[name, kind, value] = None
        return value

    def _handler(self, name: str) -> Callable[[Any], Any]:
        """How the values of the attribute *name* are redacted, decided once per name."""
        kind = treatment(name)
        handler: Callable[[Any], Any]
        if kind is None:
            handler = partial(self.redactor.redact_value, key=name)
        elif kind in _IDENTITY_KEYS:
            handler = partial(self.redactor.redact_value, key=_IDENTITY_KEYS[kind])
        else:
            handler = partial(_each_string, _STRING_TREATMENTS[kind], self.redactor, name)
        if len(self._handlers) >= _CLEAN_SIZE:
            self._handlers.clear()
        self._handlers[name] = handler
        return handler

    def attributes(
        self, attributes: Mapping[str, Any] | None, *, scope: str | None = None
    ) -> dict[str, Any] | None:
        """
        A redacted copy of *attributes*, or None when nothing in them changes.

        With a *scope* (the instrumentation scope's name: span, event, link and log-record
        attributes, not those of resources and scopes, which describe the emitter), the
        policy's field rules drop and transform attributes first.
        """
        if not attributes:
            return None
        if scope is not None and self.redactor.minimizes:
            kept = self.redactor.redact_fields(attributes, scope=scope)
            if FAILED_MARKER in kept and FAILED_MARKER not in attributes:
                raise RuntimeError(FAILED_MARKER)  # fails the batch: nothing is exported raw
            final = {name for name in kept if self.redactor.transforms_field(name, scope=scope)}
            return self._attributes(kept, final) or kept
        return self._attributes(attributes, ())

    def _attributes(
        self, attributes: Mapping[str, Any], final: Collection[str]
    ) -> dict[str, Any] | None:
        changed: dict[str, Any] | None = None
        for number, (name, value) in enumerate(attributes.items()):
            keep = name in self._safe or name in final
            new = value if keep else self.value(name, value)
            if changed is None:
                if new is value:
                    continue
                changed = dict(list(attributes.items())[:number])
            changed[name] = new
        return changed

    # -------------------------------------------------------------- resources and scopes
    def resource(self, resource: Resource) -> Resource:
        """The redacted resource, computed once per resource (it is a grouping key in OTLP)."""
        cached = self._cached(resource)
        if cached is not None:
            return cached
        attributes = self.attributes(resource.attributes)
        redacted = resource if attributes is None else Resource(attributes, resource.schema_url)
        return self._remember(resource, redacted)

    def scope(self, scope: InstrumentationScope | None) -> InstrumentationScope | None:
        """The instrumentation scope with its attributes redacted, computed once per scope."""
        if scope is None:
            return None
        cached = self._cached(scope)
        if cached is not None:
            return cached
        attributes = self.attributes(scope.attributes)
        redacted = (
            scope
            if attributes is None
            else InstrumentationScope(scope.name, scope.version, scope.schema_url, attributes)
        )
        return self._remember(scope, redacted)

    def _cached(self, original: _T) -> _T | None:
        entry = self._cache.get(id(original))
        # The original is kept alive in the entry, so its id cannot be reused meanwhile.
        return cast("_T", entry[1]) if entry is not None and entry[0] is original else None

    def _remember(self, original: _T, redacted: _T) -> _T:
        with self._lock:
            if len(self._cache) >= _CACHE_SIZE:
                self._cache.clear()
            self._cache[id(original)] = (original, redacted)
        return redacted

    # ------------------------------------------------------------------------------ stats
    def count(self, name: str, amount: int = 1) -> None:
        """Count an event of the exporters (``export:…``; never with a value in its name)."""
        with self._lock:
            self._counts[name] += amount

    @property
    def stats(self) -> dict[str, int]:
        """The engine's counters and this package's own, summed by name."""
        with self._lock:
            own = Counter(self._counts)
        return dict(Counter(self.redactor.stats) + own)


def _each_string(
    apply: Callable[[str, Redactor], str], redactor: Redactor, name: str, value: Any
) -> Any:
    """A string treatment applied to a string or to each string of a string[] value (headers);
    anything else is scanned by the engine under the attribute's name."""
    if isinstance(value, str):
        return apply(value, redactor)
    if isinstance(value, tuple | list) and all(isinstance(item, str) for item in value):
        return type(value)(apply(item, redactor) for item in value)
    return redactor.redact_value(value, key=name)


def bounded(attributes: Mapping[str, Any], dropped: int) -> BoundedAttributes:
    """Attributes in the SDK's container, which is where exporters read dropped counts from."""
    container = BoundedAttributes(attributes=attributes, immutable=True)
    container.dropped = dropped
    return container


# One Scrubber (one compiled Redactor) per policy, shared by the exporters of all three signals:
# by identity for Policy objects (they hold a read-only mapping and do not hash), by the
# PIIREDACT_* variables for the policy of the environment.
_SCRUBBERS: dict[object, tuple[Policy | None, Scrubber]] = {}
_SCRUBBERS_LOCK = threading.Lock()


def scrubber_for(policy: Policy | None) -> Scrubber:
    """
    The shared :class:`Scrubber` for *policy*; for the policy of the environment
    (:meth:`~piiredact.Policy.from_env`) when None, like the other integrations.

    Raises:
        ConfigurationError: *policy* is not a :class:`~piiredact.Policy`, or the environment
            describes an invalid one.
    """
    given: object = policy  # from callers without type checks
    if given is not None and not isinstance(given, Policy):
        msg = f"policy must be a piiredact.Policy or None, not {type(policy).__name__}"
        raise ConfigurationError(msg)
    key: object = id(policy)
    if policy is None:
        key = tuple(sorted(item for item in os.environ.items() if item[0].startswith("PIIREDACT_")))
    with _SCRUBBERS_LOCK:
        entry = _SCRUBBERS.get(key)
        if entry is None or entry[0] is not policy:
            if len(_SCRUBBERS) >= _CACHE_SIZE:
                _SCRUBBERS.clear()
            entry = (policy, Scrubber(policy if policy is not None else Policy.from_env()))
            _SCRUBBERS[key] = entry
        return entry[1]


if TYPE_CHECKING:
    _ProxyBase = wrapt.BaseObjectProxy[Any]
else:  # wrapt 1.x only has ObjectProxy
    _ProxyBase = getattr(wrapt, "BaseObjectProxy", wrapt.ObjectProxy)


class RedactingProxy(_ProxyBase):
    """
    A transparent proxy around an exporter: ``isinstance``, ``shutdown``, ``force_flush`` and
    private attributes (``_preferred_temporality`` …) all reach the wrapped exporter, with their
    signatures, because the proxy does not define them. Only ``export`` is its own.
    """

    _expected: type
    _items: str

    def __init__(self, exporter: Any, policy: Policy | None = None) -> None:
        if not isinstance(exporter, self._expected):
            msg = (
                f"{type(self).__name__} wraps a {self._expected.__name__}, "
                f"not {type(exporter).__name__}"
            )
            raise ConfigurationError(msg)
        super().__init__(exporter)
        # wrapt writes attributes through to the wrapped object unless they start with _self_.
        self._self_scrubber = scrubber_for(policy)
        self._self_reported = False

    @property
    def redaction_stats(self) -> dict[str, int]:
        """
        Counters: the engine's (``kind:``, ``rule:``, ``action:``, ``error:``) and the
        exporters' own (``export:failed_batches``, ``export:dropped_<items>``,
        ``export:merged_points``). They belong to the policy, so the exporters that share a
        policy share them. Never values.
        """
        return self._self_scrubber.stats

    def _failed(self, size: int, exc: Exception) -> None:
        """Count a batch dropped because it could not be redacted; report the first one."""
        scrubber = self._self_scrubber
        scrubber.count("export:failed_batches")
        scrubber.count(f"export:dropped_{self._items}", size)
        if self._self_reported:
            return
        # Set before logging: the warning may come back here through an OpenTelemetry logging
        # handler, and it must not loop.
        self._self_reported = True
        _logger.warning(
            "piiredact: dropped a batch of %d %s that could not be redacted (%s); "
            "later failures are only counted",
            size,
            self._items,
            type(exc).__name__,
        )
