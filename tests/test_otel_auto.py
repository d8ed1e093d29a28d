"""
Activation without code changes: the ``piiredact_otlp`` exporter entry points under
``opentelemetry-instrument`` (environment variables only), :func:`piiredact.otel.install`, and
the import error without the extra.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import (
    InMemoryLogRecordExporter,
    SimpleLogRecordProcessor,
)
from opentelemetry.sdk.metrics.export import (
    ConsoleMetricExporter,
    PeriodicExportingMetricReader,
)
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    ConsoleSpanExporter,
    SimpleSpanProcessor,
)
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from otel_receiver import OTLPReceiver, attributes

import piiredact
from piiredact.otel import (
    RedactingLogRecordExporter,
    RedactingMetricExporter,
    RedactingSpanExporter,
    install,
    uninstall,
)


# The application knows nothing of piiredact: it uses the OpenTelemetry API only.
_APP = textwrap.dedent(
    """
    from opentelemetry import metrics, trace
    from opentelemetry._logs import get_logger_provider

    tracer = trace.get_tracer("shop")
    with tracer.start_as_current_span("signup jane.doe@example.com") as span:
        span.set_attribute("client.address", "203.0.113.77")
        span.set_attribute("url.full", "https://jane:hunter2@shop.example.com/?sig=s3cr3tsig")
        span.set_attribute("http.route", "/signup")
    get_logger_provider().get_logger("shop").emit(body="welcome mail to jane.doe@example.com")
    counter = metrics.get_meter("shop").create_counter("signups")
    counter.add(1, {"user.email": "jane.doe@example.com", "plan": "pro"})
    counter.add(1, {"user.email": "joe.roe@example.com", "plan": "pro"})
    """
)


def _environment(receiver: OTLPReceiver, **extra: str) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", ""),
        "OTEL_SERVICE_NAME": "shop",
        "OTEL_TRACES_EXPORTER": "piiredact_otlp",
        "OTEL_METRICS_EXPORTER": "piiredact_otlp",
        "OTEL_LOGS_EXPORTER": "piiredact_otlp",
        "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint,
        "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",
        "OTEL_METRIC_EXPORT_INTERVAL": "3600000",
        **extra,
    }


def _run_instrumented(
    tmp_path: Path, receiver: OTLPReceiver, **environment: str
) -> subprocess.CompletedProcess[str]:
    """The sample app under opentelemetry-instrument, configured by environment variables only."""
    app = tmp_path / "app.py"
    app.write_text(_APP)
    instrument = Path(sys.executable).with_name("opentelemetry-instrument")
    return subprocess.run(
        [str(instrument), sys.executable, str(app)],
        env=_environment(receiver, **environment),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_zero_code(tmp_path: Path) -> None:
    """Under opentelemetry-instrument, with environment variables only, all three signals are
    redacted on the wire, by the policy the environment describes."""
    with OTLPReceiver() as receiver:
        result = _run_instrumented(tmp_path, receiver, PIIREDACT_ACTIONS="network=generalize")
    spans = receiver.spans()
    span_attributes = attributes(spans[0].attributes)
    bodies = [record.body.string_value for record in receiver.log_records()]
    points = [point for metric in receiver.metrics() for point in metric.sum.data_points]

    assert result.returncode == 0, result.stderr
    assert b"jane" not in receiver.raw()
    assert b"s3cr3tsig" not in receiver.raw()
    assert [span.name for span in spans] == ["signup [EMAIL]"]
    assert span_attributes == {
        "client.address": "203.0.113.0/24",
        "url.full": "https://REDACTED:REDACTED@shop.example.com/?sig=REDACTED",
        "http.route": "/signup",
    }
    assert bodies == ["welcome mail to [EMAIL]"]
    assert [(attributes(point.attributes), point.as_int) for point in points] == [
        ({"user.email": "[EMAIL]", "plan": "pro"}, 2)
    ]


def test_zero_code_bad_configuration(tmp_path: Path) -> None:
    """A policy error in the environment stops telemetry, not the application, and says why;
    nothing is exported unredacted."""
    with OTLPReceiver() as receiver:
        result = _run_instrumented(tmp_path, receiver, PIIREDACT_ACTIONS="EMAIL=shred")

    assert result.returncode == 0
    assert "actions.EMAIL: 'shred' is not one of" in result.stderr
    assert receiver.payloads == []


@pytest.mark.parametrize(
    ("group", "proxy", "inner"),
    [
        ("opentelemetry_traces_exporter", RedactingSpanExporter, OTLPSpanExporter),
        ("opentelemetry_metrics_exporter", RedactingMetricExporter, OTLPMetricExporter),
        ("opentelemetry_logs_exporter", RedactingLogRecordExporter, OTLPLogExporter),
    ],
)
def test_entry_points_wrap_otlp(
    monkeypatch: pytest.MonkeyPatch, group: str, proxy: type, inner: type
) -> None:
    """``piiredact_otlp`` builds the OTLP exporter the SDK would have built (HTTP here: gRPC is
    not installed), inside the matching redacting proxy."""
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_PROTOCOL", raising=False)
    entry_point_class = next(iter(entry_points(group=group, name="piiredact_otlp"))).load()

    exporter = entry_point_class()

    assert type(exporter) is proxy
    assert isinstance(exporter, inner)
    exporter.shutdown()


def test_entry_point_inner_exporter_is_configurable(monkeypatch: pytest.MonkeyPatch) -> None:
    """``PIIREDACT_OTEL_TRACES_EXPORTER`` names the exporter to wrap, like OTEL_TRACES_EXPORTER."""
    monkeypatch.setenv("PIIREDACT_OTEL_TRACES_EXPORTER", "console")
    entry_point_class = next(
        iter(entry_points(group="opentelemetry_traces_exporter", name="piiredact_otlp"))
    ).load()

    assert isinstance(entry_point_class(), ConsoleSpanExporter)


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("PIIREDACT_OTEL_TRACES_EXPORTER", "zipkin_json", "no traces exporter named 'zipkin_json'"),
        ("PIIREDACT_OTEL_TRACES_EXPORTER", "piiredact_otlp", "cannot wrap itself"),
        ("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/json", "'http/json' is not supported"),
    ],
)
def test_entry_point_configuration_errors(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, message: str
) -> None:
    """A wrong inner exporter or protocol is a configuration error that names the problem."""
    monkeypatch.setenv(variable, value)
    entry_point_class = next(
        iter(entry_points(group="opentelemetry_traces_exporter", name="piiredact_otlp"))
    ).load()

    with pytest.raises(piiredact.ConfigurationError, match=message):
        entry_point_class()


@pytest.fixture(name="installed")
def _installed() -> Iterator[None]:
    install()
    yield
    uninstall()


@pytest.mark.usefixtures("installed")
def test_install_wraps_exporters_of_new_processors() -> None:
    """After install(), processors and readers built by the application export through
    redacting proxies, whether the exporter is passed by position or by name."""
    spans = InMemorySpanExporter()
    logs = InMemoryLogRecordExporter()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(spans))
    logger_provider = LoggerProvider()
    logger_provider.add_log_record_processor(SimpleLogRecordProcessor(exporter=logs))
    reader = PeriodicExportingMetricReader(
        exporter=ConsoleMetricExporter(), export_interval_millis=3_600_000
    )

    with tracer_provider.get_tracer("t").start_as_current_span("mail jane@example.com"):
        pass
    logger_provider.get_logger("l").emit(body="mail jane@example.com")

    assert [span.name for span in spans.get_finished_spans()] == ["mail [EMAIL]"]
    assert [record.log_record.body for record in logs.get_finished_logs()] == ["mail [EMAIL]"]
    assert type(reader._exporter) is RedactingMetricExporter
    reader.shutdown()


@pytest.mark.usefixtures("installed")
def test_install_leaves_redacting_exporters_alone() -> None:
    """An exporter that is already redacting is not wrapped a second time."""
    exporter = RedactingSpanExporter(InMemorySpanExporter())

    processor = SimpleSpanProcessor(exporter)

    assert processor.span_exporter is exporter


def test_uninstall_stops_wrapping() -> None:
    """After uninstall(), new processors get the exporter as it was given; install() and
    uninstall() can be repeated."""
    install()
    install()
    uninstall()
    uninstall()
    exporter = InMemorySpanExporter()

    processor = BatchSpanProcessor(exporter)

    assert processor._batch_processor._exporter is exporter
    processor.shutdown()


def test_install_rejects_a_bad_policy() -> None:
    """A policy of the wrong type is refused when installing, not when exporting."""
    with pytest.raises(piiredact.ConfigurationError, match=r"piiredact\.Policy"):
        install({"preset": "strict"})  # type: ignore[arg-type]
