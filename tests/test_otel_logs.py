"""
RedactingLogRecordExporter: bodies of every type, the shared record left alone, trace context
kept, transparency and failing closed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from opentelemetry.sdk._logs import LoggerProvider, ReadableLogRecord
from opentelemetry.sdk._logs.export import (
    BatchLogRecordProcessor,
    InMemoryLogRecordExporter,
    LogRecordExporter,
    LogRecordExportResult,
    SimpleLogRecordProcessor,
)
from opentelemetry.sdk.trace import TracerProvider

import piiredact
from piiredact.otel import RedactingLogRecordExporter


class RecordingLogExporter(LogRecordExporter):
    """A log record exporter that writes down how the SDK calls it."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []

    def export(self, batch: Sequence[ReadableLogRecord]) -> LogRecordExportResult:
        self.calls.append(("export", [record.log_record.body for record in batch]))
        return LogRecordExportResult.SUCCESS

    def shutdown(self) -> None:
        self.calls.append(("shutdown", None))

    def force_flush(self, timeout_millis: int = 30_000) -> bool:
        self.calls.append(("force_flush", timeout_millis))
        return True


def _provider(*exporters: LogRecordExporter) -> LoggerProvider:
    provider = LoggerProvider()
    for exporter in exporters:
        provider.add_log_record_processor(SimpleLogRecordProcessor(exporter))
    return provider


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param("mail jane@example.com", "mail [EMAIL]", id="str"),
        pytest.param(b"mail jane@example.com", b"mail [EMAIL]", id="bytes"),
        pytest.param(
            {"user": {"email": "jane@example.com", "plan": "pro"}, "password": "hunter2"},
            {"user": {"email": "[EMAIL]", "plan": "pro"}, "password": "[PASSWORD]"},
            id="map",
        ),
        pytest.param(["jane@example.com", 7, None], ["[EMAIL]", 7, None], id="list"),
        pytest.param(42, 42, id="number"),
        pytest.param(None, None, id="none"),
    ],
)
def test_bodies(body: Any, expected: Any) -> None:
    """Bodies of every AnyValue type are redacted, structures key-aware, types kept."""
    memory = InMemoryLogRecordExporter()

    _provider(RedactingLogRecordExporter(memory)).get_logger("l").emit(body=body)

    assert [record.log_record.body for record in memory.get_finished_logs()] == [expected]


def test_shared_record_is_not_changed() -> None:
    """A processor registered after the redacting one still sees the record as it was emitted
    (the SDK hands both the same object)."""
    redacted = InMemoryLogRecordExporter()
    bare = InMemoryLogRecordExporter()
    provider = _provider(RedactingLogRecordExporter(redacted), bare)

    provider.get_logger("l").emit(body="mail jane@example.com", attributes={"to": "joe@x.org"})

    assert [
        (r.log_record.body, dict(r.log_record.attributes or {}))
        for r in redacted.get_finished_logs()
    ] == [("mail [EMAIL]", {"to": "[EMAIL]"})]
    assert [
        (r.log_record.body, dict(r.log_record.attributes or {})) for r in bare.get_finished_logs()
    ] == [("mail jane@example.com", {"to": "joe@x.org"})]


def test_trace_context_and_exception() -> None:
    """The copy keeps its trace context and severity; the exception's text arrives redacted in
    its attributes, and the exception object itself is not passed on."""
    memory = InMemoryLogRecordExporter()
    logger = _provider(RedactingLogRecordExporter(memory)).get_logger("l")
    tracer = TracerProvider().get_tracer("t")

    with tracer.start_as_current_span("request") as span:
        try:
            message = "no account for jane@example.com"
            raise LookupError(message)
        except LookupError as exc:
            logger.emit(body="failed", severity_text="ERROR", exception=exc)

    (record,) = memory.get_finished_logs()
    context = span.get_span_context()
    assert (record.log_record.trace_id, record.log_record.span_id) == (
        context.trace_id,
        context.span_id,
    )
    assert record.log_record.severity_text == "ERROR"
    assert record.log_record.attributes["exception.message"] == "no account for [EMAIL]"
    assert "jane" not in record.log_record.attributes["exception.stacktrace"]
    assert record.log_record.exception is None


def test_clean_record_is_passed_on_as_it_is() -> None:
    """A record with nothing to redact is not copied."""
    redacted = InMemoryLogRecordExporter()
    bare = InMemoryLogRecordExporter()
    provider = _provider(RedactingLogRecordExporter(redacted), bare)

    provider.get_logger("l").emit(body="order shipped", attributes={"order.id": "A-1"})

    assert redacted.get_finished_logs()[0].log_record is bare.get_finished_logs()[0].log_record


def test_batch_processor_sees_no_difference() -> None:
    """Through BatchLogRecordProcessor, the wrapped exporter is called as the bare one is."""

    def run(exporter: LogRecordExporter) -> None:
        provider = LoggerProvider()
        provider.add_log_record_processor(BatchLogRecordProcessor(exporter))
        provider.get_logger("l").emit(body="order shipped")
        provider.force_flush()
        provider.shutdown()

    bare = RecordingLogExporter()
    inner = RecordingLogExporter()

    run(bare)
    run(RedactingLogRecordExporter(inner))

    assert inner.calls == bare.calls
    assert isinstance(RedactingLogRecordExporter(inner), RecordingLogExporter)


class _UnreadableRecord(ReadableLogRecord):
    """A record whose body cannot be read."""

    @property
    def log_record(self) -> Any:
        message = "no body for jane@example.com"
        raise RuntimeError(message)

    @log_record.setter
    def log_record(self, _: Any) -> None:
        """The dataclass sets it; reading it is what fails."""


def test_unredactable_batch_is_dropped() -> None:
    """A batch that cannot be redacted is not exported and is counted."""
    inner = RecordingLogExporter()
    exporter = RedactingLogRecordExporter(inner, piiredact.Policy())
    provider = LoggerProvider()

    result = exporter.export([_UnreadableRecord(None, provider.resource)])  # type: ignore[arg-type]

    assert result == LogRecordExportResult.FAILURE
    assert inner.calls == []
    assert exporter.redaction_stats["export:dropped_log_records"] == 1


def test_wrapping_something_else_fails() -> None:
    """Only a LogRecordExporter can be wrapped."""
    with pytest.raises(piiredact.ConfigurationError, match="wraps a LogRecordExporter"):
        RedactingLogRecordExporter(TracerProvider())  # type: ignore[arg-type]
