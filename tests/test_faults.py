"""
Fault injection across every integration: with the engine raising, timing out or over its caps,
the application's logging, structlog and OpenTelemetry calls return normally, the record, event
or span is still emitted, it holds the fixed marker and none of the canary values, and an error
counter moved.

The faults come in through the public API, as a real one would: a custom rule whose validator
raises, a CPU budget a custom pattern cannot meet, and a length cap below the value.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable

import pytest

import piiredact
from piiredact import FAILED_MARKER, Limits, Policy, Rule


EMAIL = "jane.doe@example.com"
CARD = "4111 1111 1111 1111"
CANARIES = (EMAIL, CARD, "jane.doe", "4111111111111111")
PADDING = "word " * 20_000  # long enough for the slow custom rule to run out of time


def _raise(value: str) -> bool:
    raise RuntimeError(type(value).__name__)


FAULTS: dict[str, tuple[Policy, str, str]] = {
    # name: (policy, the message that meets the fault, the error counter it moves)
    "engine raises": (
        Policy(
            custom_rules=[
                Rule(
                    name="FAULTY",
                    category="personal",
                    pattern=r"order-\d+",
                    triggers=("order-",),
                    validator=_raise,
                )
            ]
        ),
        f"order-42 paid by {EMAIL} with {CARD}",
        "error:RuntimeError",
    ),
    "engine times out": (
        Policy(
            limits=Limits(match_timeout=1e-6),
            custom_rules=[
                Rule(
                    name="SLOW",
                    category="personal",
                    pattern=r"(?:[a-z]++\s)++zzz",
                    triggers=("zzz",),
                )
            ],
        ),
        f"{PADDING}zzz paid by {EMAIL} with {CARD}",
        "error:timeout",
    ),
    "over the length cap": (
        Policy(limits=Limits(max_value_length=40)),
        f"a long message: paid by {EMAIL} with {CARD}",
        "error:too_large",
    ),
}
fault = pytest.mark.parametrize("name", sorted(FAULTS))


def assert_failed_closed(text: str) -> None:
    assert FAILED_MARKER in text
    assert [canary for canary in CANARIES if canary in text] == []


@fault
def test_stdlib(name: str) -> None:
    policy, message, counter = FAULTS[name]
    stream = io.StringIO()
    logger = logging.getLogger(f"tests.faults.{name}")
    logger.handlers[:] = [logging.StreamHandler(stream)]
    logger.propagate = False
    redactor = piiredact.install(policy)
    try:
        logger.warning(message)
        logger.warning("%s", message)
    finally:
        piiredact.uninstall()
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    for line in lines:
        assert_failed_closed(line)
    assert redactor.stats[counter] == 2


@fault
def test_structlog(name: str) -> None:
    structlog = pytest.importorskip("structlog")
    from piiredact.structlog import RedactingProcessor

    policy, message, counter = FAULTS[name]
    processor = RedactingProcessor(policy)
    stream = io.StringIO()
    log = structlog.wrap_logger(
        structlog.PrintLogger(stream),
        processors=[processor, structlog.processors.JSONRenderer()],
    )
    log.info(message, detail=message)
    (line,) = stream.getvalue().splitlines()
    assert_failed_closed(line)
    assert json.loads(line)["event"] == FAILED_MARKER
    assert processor.redactor.stats[counter] == 2


def _otel_spans(policy: Policy, message: str) -> tuple[list[object], Callable[[], dict[str, int]]]:
    trace = pytest.importorskip("opentelemetry.sdk.trace")
    export = pytest.importorskip("opentelemetry.sdk.trace.export")
    memory = pytest.importorskip("opentelemetry.sdk.trace.export.in_memory_span_exporter")
    from piiredact.otel import RedactingSpanExporter

    exporter = memory.InMemorySpanExporter()
    wrapper = RedactingSpanExporter(exporter, policy)
    # Exporters share one engine per policy (and its counters): count from here on.
    before = dict(wrapper.redaction_stats)
    provider = trace.TracerProvider()
    provider.add_span_processor(export.SimpleSpanProcessor(wrapper))
    with provider.get_tracer("tests.faults").start_as_current_span("checkout") as span:
        span.set_attribute("note", message)
        span.add_event("paid", {"detail": message})
    return list(exporter.get_finished_spans()), lambda: _since(before, wrapper.redaction_stats)


def _since(before: dict[str, int], now: dict[str, int]) -> dict[str, int]:
    return {name: count - before.get(name, 0) for name, count in now.items()}


@fault
def test_opentelemetry_spans(name: str) -> None:
    policy, message, counter = FAULTS[name]
    spans, stats = _otel_spans(policy, message)
    (span,) = spans
    exported = json.dumps(
        {
            "attributes": dict(span.attributes or {}),  # type: ignore[attr-defined]
            "events": [dict(e.attributes or {}) for e in span.events],  # type: ignore[attr-defined]
        }
    )
    assert_failed_closed(exported)
    assert stats()[counter] == 2


@fault
def test_opentelemetry_logs(name: str) -> None:
    logs_sdk = pytest.importorskip("opentelemetry.sdk._logs")
    logs_export = pytest.importorskip("opentelemetry.sdk._logs.export")
    from piiredact.otel import RedactingLogRecordExporter

    policy, message, counter = FAULTS[name]
    memory = logs_export.InMemoryLogRecordExporter()
    wrapper = RedactingLogRecordExporter(memory, policy)
    before = dict(wrapper.redaction_stats)
    provider = logs_sdk.LoggerProvider()
    provider.add_log_record_processor(logs_export.SimpleLogRecordProcessor(wrapper))
    provider.get_logger("tests.faults").emit(body=message, attributes={"detail": message})
    provider.shutdown()
    (record,) = memory.get_finished_logs()
    assert_failed_closed(json.dumps([record.log_record.body, dict(record.log_record.attributes)]))
    assert _since(before, wrapper.redaction_stats)[counter] == 2
