"""
OpenTelemetry: redacting exporters for traces, logs and metrics.

Spans and log records reach exporters read-only (and log records are shared between
processors), so redaction happens in transparent exporter proxies that hand the real exporter
redacted *copies*::

    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from piiredact.otel import RedactingSpanExporter

    provider.add_span_processor(BatchSpanProcessor(RedactingSpanExporter(OTLPSpanExporter())))

Attributes are redacted by their semantic conventions (URLs, SQL, credential headers, users and
sessions, generative-AI content, old and new names) and otherwise by the engine, key-aware.
Without code changes: ``OTEL_TRACES_EXPORTER=piiredact_otlp`` (and the same for metrics and
logs) under ``opentelemetry-instrument``, or :func:`install` before building providers.

Requires the ``otel`` extra: ``pip install 'piiredact[otel]'``.
"""

from __future__ import annotations


try:  # the SDK, not just the API: exporters, spans and log records are SDK types
    import opentelemetry.sdk.trace  # noqa: F401
except ImportError as exc:
    _msg = "piiredact.otel requires the OpenTelemetry SDK: pip install 'piiredact[otel]'"
    raise ImportError(_msg) from exc

from piiredact.otel._auto import install, uninstall
from piiredact.otel._logs import RedactingLogRecordExporter
from piiredact.otel._metrics import MeterProviderOptions, RedactingMetricExporter, metrics_allowlist
from piiredact.otel._traces import RedactingSpanExporter


__all__ = [
    "MeterProviderOptions",
    "RedactingLogRecordExporter",
    "RedactingMetricExporter",
    "RedactingSpanExporter",
    "install",
    "metrics_allowlist",
    "uninstall",
]
