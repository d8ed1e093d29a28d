"""
RedactingSpanExporter: redacted copies that keep everything else, transparency towards the
SDK's processors, and failing closed.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Sequence
from typing import Any

import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    SimpleSpanProcessor,
    SpanExporter,
    SpanExportResult,
)
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import piiredact
from piiredact.otel import RedactingSpanExporter


class RecordingSpanExporter(SpanExporter):
    """A span exporter that writes down how the SDK calls it."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []
        self._private_setting = "kept"

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        self.calls.append(("export", [span.name for span in spans]))
        return SpanExportResult.SUCCESS

    def shutdown(self, timeout_millis: float = 30_000) -> None:
        # Processors pass what is left of their own timeout: whole seconds compare.
        self.calls.append(("shutdown", round(timeout_millis / 1000)))

    def force_flush(self, timeout_millis: int = 30_000) -> bool:
        self.calls.append(("force_flush", timeout_millis))
        return True


def _run_batch_processor(exporter: SpanExporter) -> None:
    provider = TracerProvider()
    processor = BatchSpanProcessor(exporter, schedule_delay_millis=60_000)
    provider.add_span_processor(processor)
    for name in ("one", "two"):
        with provider.get_tracer("t").start_as_current_span(name):
            pass
    processor.force_flush(timeout_millis=5_000)
    processor.shutdown()


def test_batch_processor_sees_no_difference() -> None:
    """Through BatchSpanProcessor (export, force_flush, shutdown with its introspected
    timeout), the wrapped exporter is called exactly as the bare one is."""
    bare = RecordingSpanExporter()
    inner = RecordingSpanExporter()

    _run_batch_processor(bare)
    _run_batch_processor(RedactingSpanExporter(inner))

    assert inner.calls == bare.calls
    assert ("shutdown", 30) in inner.calls


def test_proxy_is_transparent() -> None:
    """isinstance, signatures and private attributes are those of the wrapped exporter."""
    inner = RecordingSpanExporter()
    exporter = RedactingSpanExporter(inner)

    assert isinstance(exporter, RecordingSpanExporter)
    assert isinstance(exporter, SpanExporter)
    assert inspect.getfullargspec(exporter.shutdown) == inspect.getfullargspec(inner.shutdown)
    assert exporter._private_setting == "kept"
    assert exporter.force_flush(timeout_millis=7) is True
    exporter.shutdown(timeout_millis=2_000)
    assert inner.calls == [("force_flush", 7), ("shutdown", 2)]


def test_shared_span_is_not_changed() -> None:
    """Another processor on the same provider still sees the span as it was recorded."""
    bare = InMemorySpanExporter()
    redacted = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(RedactingSpanExporter(redacted)))
    provider.add_span_processor(SimpleSpanProcessor(bare))

    with provider.get_tracer("t").start_as_current_span("mail jane@example.com") as span:
        span.set_attribute("to", "jane@example.com")

    assert [(s.name, dict(s.attributes or {})) for s in redacted.get_finished_spans()] == [
        ("mail [EMAIL]", {"to": "[EMAIL]"})
    ]
    assert [(s.name, dict(s.attributes or {})) for s in bare.get_finished_spans()] == [
        ("mail jane@example.com", {"to": "jane@example.com"})
    ]


def test_clean_span_is_passed_on_as_it_is() -> None:
    """A span with nothing to redact is not copied."""
    captured: list[ReadableSpan] = []
    memory = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(RedactingSpanExporter(memory)))
    provider.add_span_processor(SimpleSpanProcessor(_Capture(captured)))

    with provider.get_tracer("t").start_as_current_span("GET /orders") as span:
        span.set_attribute("http.response.status_code", 200)

    assert memory.get_finished_spans()[0] is captured[0]


class _Capture(SpanExporter):
    def __init__(self, into: list[ReadableSpan]) -> None:
        self.into = into

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        self.into.extend(spans)
        return SpanExportResult.SUCCESS


class _UnreadableSpan(ReadableSpan):
    """A span from some other SDK whose events cannot be read."""

    @property
    def events(self) -> Any:
        message = "cannot read events of jane@example.com"
        raise RuntimeError(message)


def test_unredactable_batch_is_dropped(caplog: pytest.LogCaptureFixture) -> None:
    """A batch that cannot be redacted is never exported: FAILURE, counted, and one warning
    that holds no value."""
    inner = RecordingSpanExporter()
    exporter = RedactingSpanExporter(inner, piiredact.Policy())  # its own counters
    spans = [_UnreadableSpan(name="jane@example.com"), ReadableSpan(name="fine")]

    with caplog.at_level(logging.WARNING, logger="piiredact.otel"):
        first = exporter.export(spans)
        second = exporter.export(spans)

    assert (first, second) == (SpanExportResult.FAILURE, SpanExportResult.FAILURE)
    assert inner.calls == []
    assert exporter.redaction_stats["export:failed_batches"] == 2
    assert exporter.redaction_stats["export:dropped_spans"] == 4
    assert [record.getMessage() for record in caplog.records] == [
        "piiredact: dropped a batch of 2 spans that could not be redacted (RuntimeError); "
        "later failures are only counted"
    ]


def test_stats_and_repr_hold_no_values() -> None:
    """Counters (those of the policy, shared by the exporters that use it) say what was found;
    neither they nor the repr say what it was."""
    exporter = RedactingSpanExporter(InMemorySpanExporter(), piiredact.Policy())
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))

    with provider.get_tracer("t").start_as_current_span("x") as span:
        span.set_attribute("user.id", "jdoe-4711")
        span.set_attribute("note", "jane@example.com")

    stats = exporter.redaction_stats
    assert stats["kind:EMAIL"] == 1
    assert stats["rule:OTEL_USER"] == 1
    assert "jdoe" not in repr(stats) + repr(exporter)
    assert "jane" not in repr(stats) + repr(exporter)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ((object(),), "wraps a SpanExporter, not object"),
        ((InMemorySpanExporter(), {"preset": "strict"}), r"must be a piiredact\.Policy"),
    ],
)
def test_configuration_errors(arguments: tuple[Any, ...], message: str) -> None:
    """Wrapping something that is not a span exporter, or passing no Policy, fails at once."""
    with pytest.raises(piiredact.ConfigurationError, match=message):
        RedactingSpanExporter(*arguments)


def test_field_rules_minimize_span_event_and_link_attributes_by_scope() -> None:
    policy = piiredact.Policy.from_mapping(
        {"fields": {"allow": ["http.route"], "scopes": {"billing": {"allow": ["order.id"]}}}}
    )
    memory = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(RedactingSpanExporter(memory, policy)))
    for scope in ("billing", "shop"):
        with provider.get_tracer(scope).start_as_current_span("pay") as span:
            span.set_attributes({"http.route": "/pay", "order.id": 7, "user.email": "a@b.io"})
            span.add_event("charged", {"order.id": 7, "card.last4": "1111"})
    billing, shop = memory.get_finished_spans()
    assert dict(billing.attributes or {}) == {"http.route": "/pay", "order.id": 7}
    assert dict(billing.events[0].attributes or {}) == {"order.id": 7}
    assert dict(shop.attributes or {}) == {"http.route": "/pay"}
    assert dict(shop.events[0].attributes or {}) == {}
    assert billing.resource.attributes["service.name"]  # the resource describes the emitter
