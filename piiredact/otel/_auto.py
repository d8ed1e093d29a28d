"""
Activation without changing how exporters are built: the ``piiredact_otlp`` exporter entry points
(``OTEL_TRACES_EXPORTER=piiredact_otlp`` under ``opentelemetry-instrument``) and :func:`install`
for applications that build their own providers.
"""

from __future__ import annotations

import os
import threading
from importlib.metadata import entry_points
from typing import Any

import wrapt
from opentelemetry.sdk._logs.export import (
    BatchLogRecordProcessor,
    LogRecordExporter,
    SimpleLogRecordProcessor,
)
from opentelemetry.sdk.metrics.export import MetricExporter, PeriodicExportingMetricReader
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor, SpanExporter

from piiredact.exceptions import ConfigurationError
from piiredact.otel._core import RedactingProxy, scrubber_for
from piiredact.otel._logs import RedactingLogRecordExporter
from piiredact.otel._metrics import RedactingMetricExporter
from piiredact.otel._traces import RedactingSpanExporter
from piiredact.policy import Policy


__all__ = [
    "RedactingOTLPLogRecordExporter",
    "RedactingOTLPMetricExporter",
    "RedactingOTLPSpanExporter",
    "install",
    "uninstall",
]

_ENTRY_POINT = "piiredact_otlp"
# OTEL_EXPORTER_OTLP_PROTOCOL values and the exporters the SDK resolves them to.
_OTLP_BY_PROTOCOL = {"grpc": "otlp_proto_grpc", "http/protobuf": "otlp_proto_http"}


# ------------------------------------------------------------------------------ entry points
def inner_exporter_class(signal: str, base: type) -> type:
    """
    The exporter class ``piiredact_otlp`` wraps for *signal* (``traces``, ``metrics``, ``logs``):
    ``PIIREDACT_OTEL_<SIGNAL>_EXPORTER`` names it like ``OTEL_<SIGNAL>_EXPORTER`` does (default
    ``otlp``, resolved by ``OTEL_EXPORTER_OTLP[_<SIGNAL>]_PROTOCOL`` as the SDK does; when no
    protocol is set, gRPC if its exporter is installed, else HTTP, which the extra installs).

    Raises:
        ConfigurationError: No such exporter, or one of the wrong kind; the message names the
            variable to change.
    """
    variable = f"PIIREDACT_OTEL_{signal.upper()}_EXPORTER"
    group = f"opentelemetry_{signal}_exporter"
    name = os.environ.get(variable, "").strip() or "otlp"
    if name == "otlp":
        name = _otlp_exporter_name(signal, group)
    if name == _ENTRY_POINT:
        msg = f"{variable}: {_ENTRY_POINT} cannot wrap itself; name the exporter to wrap"
        raise ConfigurationError(msg)
    found = entry_points(group=group, name=name)
    if not found:
        msg = (
            f"{variable}: no {signal} exporter named {name!r} is installed (entry point group "
            f"{group}); for OTLP over HTTP: pip install 'piiredact[otel]'"
        )
        raise ConfigurationError(msg)
    exporter_class = next(iter(found)).load()
    if not (isinstance(exporter_class, type) and issubclass(exporter_class, base)):
        msg = f"{variable}: {name!r} is not a {base.__name__} and cannot be wrapped"
        raise ConfigurationError(msg)
    return exporter_class


def _otlp_exporter_name(signal: str, group: str) -> str:
    protocol = (
        os.environ.get(f"OTEL_EXPORTER_OTLP_{signal.upper()}_PROTOCOL")
        or os.environ.get("OTEL_EXPORTER_OTLP_PROTOCOL")
        or ""
    ).strip()
    if protocol:
        if protocol not in _OTLP_BY_PROTOCOL:
            msg = (
                f"OTLP protocol {protocol!r} is not supported; use one of {list(_OTLP_BY_PROTOCOL)}"
            )
            raise ConfigurationError(msg)
        return _OTLP_BY_PROTOCOL[protocol]
    grpc = _OTLP_BY_PROTOCOL["grpc"]
    return grpc if entry_points(group=group, name=grpc) else _OTLP_BY_PROTOCOL["http/protobuf"]


# The SDK checks entry-point classes with issubclass and instantiates them without arguments;
# __new__ returns the transparent proxy around the exporter the user would have had instead
# (so __init__ is not called, and the object is no instance of the entry-point class).
class RedactingOTLPSpanExporter(SpanExporter):
    """
    Entry point ``piiredact_otlp`` of ``opentelemetry_traces_exporter``: the OTLP span exporter
    (see :func:`inner_exporter_class`) wrapped in a
    :class:`~piiredact.otel.RedactingSpanExporter` with the policy from the environment.

    .. versionadded:: 0.1.0
    """

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        inner = inner_exporter_class("traces", SpanExporter)(*args, **kwargs)
        return RedactingSpanExporter(inner)


class RedactingOTLPMetricExporter(MetricExporter):
    """
    Entry point ``piiredact_otlp`` of ``opentelemetry_metrics_exporter``: the OTLP metric
    exporter wrapped in a :class:`~piiredact.otel.RedactingMetricExporter`.

    .. versionadded:: 0.1.0
    """

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        inner = inner_exporter_class("metrics", MetricExporter)(*args, **kwargs)
        return RedactingMetricExporter(inner)


class RedactingOTLPLogRecordExporter(LogRecordExporter):
    """
    Entry point ``piiredact_otlp`` of ``opentelemetry_logs_exporter``: the OTLP log exporter
    wrapped in a :class:`~piiredact.otel.RedactingLogRecordExporter`.

    .. versionadded:: 0.1.0
    """

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        inner = inner_exporter_class("logs", LogRecordExporter)(*args, **kwargs)
        return RedactingLogRecordExporter(inner)


# ---------------------------------------------------------------------------------- install
# What install() patches: the constructors that receive an exporter, the name of that
# parameter, and the proxy that wraps it.
_TARGETS: tuple[tuple[type, str, type[RedactingProxy]], ...] = (
    (SimpleSpanProcessor, "span_exporter", RedactingSpanExporter),
    (BatchSpanProcessor, "span_exporter", RedactingSpanExporter),
    (SimpleLogRecordProcessor, "exporter", RedactingLogRecordExporter),
    (BatchLogRecordProcessor, "exporter", RedactingLogRecordExporter),
    (PeriodicExportingMetricReader, "exporter", RedactingMetricExporter),
)


class _Installation:
    __slots__ = ("active", "lock", "patches", "policy")

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.active = False
        self.policy: Policy | None = None
        self.patches: list[tuple[type, Any]] = []


_INSTALLATION = _Installation()


def install(policy: Policy | None = None) -> None:
    """
    Redact what every span processor, log record processor and periodic metric reader built from
    now on exports: their exporter is wrapped in the matching redacting exporter.

    For applications that build their own providers; call it before building them (processors
    that exist already are not changed). Exporters that are already redacting are left alone.
    Calling it again changes the policy for processors built afterwards.

    Args:
        policy: The policy; when omitted, the one the ``PIIREDACT_*`` environment variables
            describe (the default policy when none is set).

    Raises:
        ConfigurationError: *policy* is not a :class:`~piiredact.Policy`, or the environment
            describes an invalid policy.

    .. versionadded:: 0.1.0
    """
    scrubber_for(policy)  # validate and compile now, not in the first processor
    state = _INSTALLATION
    with state.lock:
        state.policy = policy
        state.active = True
        if state.patches:
            return
        for target, parameter, proxy in _TARGETS:
            patch = wrapt.wrap_function_wrapper(target, "__init__", _wrapping(parameter, proxy))
            state.patches.append((target, patch))


def uninstall() -> None:
    """
    Undo :func:`install` for processors built from now on. Idempotent.

    .. versionadded:: 0.1.0
    """
    state = _INSTALLATION
    with state.lock:
        state.active = False
        remaining = []
        for target, patch in state.patches:
            original = patch.__wrapped__
            if target.__dict__.get("__init__") is patch:
                target.__init__ = original  # type: ignore[misc]
            else:  # someone patched on top of us: stay in the chain, inactive
                remaining.append((target, patch))
        state.patches = remaining


def _wrapping(parameter: str, proxy: type[RedactingProxy]) -> Any:
    def wrapper(wrapped: Any, _: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        if args:
            args = (_wrapped_exporter(args[0], proxy), *args[1:])
        elif parameter in kwargs:
            kwargs = {**kwargs, parameter: _wrapped_exporter(kwargs[parameter], proxy)}
        return wrapped(*args, **kwargs)

    return wrapper


def _wrapped_exporter(exporter: Any, proxy: type[RedactingProxy]) -> Any:
    state = _INSTALLATION
    already = issubclass(type(exporter), RedactingProxy)  # type() sees through the proxy
    if not state.active or already or not isinstance(exporter, proxy._expected):
        return exporter
    return proxy(exporter, state.policy)
