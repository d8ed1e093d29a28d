"""
End to end on the wire: the real OTLP/HTTP exporters, wrapped, send to a loopback receiver that
decodes the protobuf. Canaries sit in every field that can carry personal data; none may reach
the wire, while everything else (ids, names, numbers, dropped counts) arrives unchanged.
"""

from __future__ import annotations

import itertools
import json

import pytest
from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk._logs import LoggerProvider, LogRecordLimits
from opentelemetry.sdk._logs.export import BatchLogRecordProcessor
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
from opentelemetry.sdk.metrics.view import View
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanLimits, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import Link, SpanKind
from otel_receiver import OTLPReceiver, any_value, attributes

from piiredact.otel import (
    RedactingLogRecordExporter,
    RedactingMetricExporter,
    RedactingSpanExporter,
)


class Canaries:
    """Unique markers, one per field; a marker found on the wire is a leak, and says where."""

    def __init__(self) -> None:
        self.issued: dict[str, str] = {}
        self._numbers = itertools.count(1000)

    def __call__(self, field: str) -> str:
        token = f"cnry{next(self._numbers)}q"
        self.issued[token] = field
        return token

    def email(self, field: str) -> str:
        return f"{self(field)}@example.com"

    def leaked(self, raw: bytes) -> list[str]:
        """The fields whose canary is in *raw*."""
        return sorted(field for token, field in self.issued.items() if token.encode() in raw)


@pytest.fixture(name="receiver")
def _receiver() -> OTLPReceiver:
    with OTLPReceiver() as receiver:
        yield receiver


def test_traces_on_the_wire(receiver: OTLPReceiver) -> None:
    """No canary of a span reaches the wire; ids, plain attributes and dropped counts do."""
    canary = Canaries()
    exporter = RedactingSpanExporter(OTLPSpanExporter(endpoint=f"{receiver.endpoint}/v1/traces"))
    provider = TracerProvider(
        resource=Resource.create(
            {"service.name": "checkout", "host.owner": canary.email("resource attribute")}
        ),
        span_limits=SpanLimits(
            max_span_attributes=19, max_events=2, max_event_attributes=3, max_link_attributes=1
        ),
    )
    provider.add_span_processor(BatchSpanProcessor(exporter))
    tracer = provider.get_tracer("shop", attributes={"owner": canary.email("scope attribute")})
    with tracer.start_as_current_span("linked") as linked:
        pass
    link = Link(
        linked.get_span_context(),
        {"dropped.first": 1, "peer.email": canary.email("link attribute")},
    )
    messages = json.dumps(
        [{"role": "user", "content": f"call me at {canary.email('gen_ai content')}"}]
    )
    try:
        with tracer.start_as_current_span(
            f"signup {canary.email('span name')}", kind=SpanKind.SERVER, links=[link]
        ) as span:
            span.set_attributes(
                {
                    "dropped.one": 1,  # the oldest attributes go when the limit is hit
                    "dropped.two": 2,
                    "http.route": "/cart/{id}",
                    "http.response.status_code": 200,
                    "db.system": "postgresql",
                    "db.statement": "SELECT * FROM orders WHERE id = $1 AND state = %s",
                    "url.full": f"https://{canary('url user')}:{canary('url password')}"
                    f"@shop.example.com/cart?color=blue&X-Amz-Signature={canary('amz signature')}"
                    f"&sig={canary('sas signature')}&email={canary('query email')}%40example.com",
                    "http.url": f"https://{canary('old url user')}:{canary('old url password')}"
                    f"@shop.example.com/?X-Goog-Signature={canary('goog signature')}",
                    "db.query.text": f"SELECT * FROM users WHERE login = '{canary('sql string')}'"  # noqa: S608
                    " AND pin = 97531864",
                    "http.request.header.authorization": (f"Bearer {canary('bearer token')}",),
                    "http.request.header.cookie": (
                        f"session={canary('cookie')}; theme={canary('second cookie')}",
                    ),
                    "http.response.header.set_cookie": (f"sid={canary('set-cookie')}; Path=/",),
                    "client.address": "203.0.113.77",
                    "net.peer.ip": "198.51.100.78",
                    "user.id": canary("user.id"),
                    "user.email": canary.email("user.email"),
                    "user.full_name": f"Zed {canary('user.full_name')}",
                    "enduser.id": canary("enduser.id"),
                    "session.id": canary("session.id"),
                    "gen_ai.input.messages": messages,
                    "app.contacts": (canary.email("tuple value"), "kept"),
                }
            )
            span.add_event("dropped event")
            span.add_event(
                f"notified {canary.email('event name')}",
                {"dropped": 1, "to": canary.email("event attribute"), "channel": "mail", "n": 2},
            )
            message = f"no account for {canary.email('exception message')}"
            raise ValueError(message)
    except ValueError:
        pass
    provider.shutdown()

    raw = receiver.raw()

    assert canary.leaked(raw) == []

    wire = {span.name: span for span in receiver.spans()}
    sent = wire["signup [EMAIL]"]
    sent_attributes = attributes(sent.attributes)

    assert [
        value for value in (b"203.0.113.77", b"198.51.100.78", b"97531864") if value in raw
    ] == []
    assert {"signup [EMAIL]", "linked"} == set(wire)
    assert span.get_span_context().trace_id == int.from_bytes(sent.trace_id, "big")
    assert span.get_span_context().span_id == int.from_bytes(sent.span_id, "big")
    assert sent.kind == sent.SPAN_KIND_SERVER
    assert {
        "http.route": "/cart/{id}",
        "http.response.status_code": 200,
        "db.system": "postgresql",
        "db.statement": "SELECT * FROM orders WHERE id = $1 AND state = %s",
        "db.query.text": "SELECT * FROM users WHERE login = ? AND pin = ?",
        "client.address": "[IPV4]",
        "user.id": "[USERNAME]",
        "app.contacts": ("[EMAIL]", "kept"),
        "http.request.header.authorization": ("Bearer [REDACTED]",),
        "http.request.header.cookie": ("session=[REDACTED]; theme=[REDACTED]",),
        "http.response.header.set_cookie": ("sid=[REDACTED]; Path=/",),
    }.items() <= sent_attributes.items()
    assert sent_attributes["url.full"] == (
        "https://REDACTED:REDACTED@shop.example.com/cart?color=blue&X-Amz-Signature=REDACTED"
        "&sig=REDACTED&email=[EMAIL]"
    )
    assert "dropped.one" not in sent_attributes
    assert (
        sent.dropped_attributes_count,
        sent.dropped_events_count,
        sent.events[0].dropped_attributes_count,
    ) == (2, 1, 1)
    assert sent.links[0].dropped_attributes_count == 1
    assert attributes(sent.links[0].attributes) == {"peer.email": "[EMAIL]"}
    assert sent.status.message == "ValueError: no account for [EMAIL]"
    assert sent.events[1].name == "exception"
    assert {"checkout", "[EMAIL]"} <= set(
        attributes(
            receiver.messages["/v1/traces"][0].resource_spans[0].resource.attributes
        ).values()
    )


@pytest.mark.filterwarnings("ignore::opentelemetry.sdk._logs.LogRecordDroppedAttributesWarning")
def test_logs_on_the_wire(receiver: OTLPReceiver) -> None:
    """No canary of a log record reaches the wire, whatever the body's type; the rest does."""
    canary = Canaries()
    exporter = RedactingLogRecordExporter(OTLPLogExporter(endpoint=f"{receiver.endpoint}/v1/logs"))
    provider = LoggerProvider(
        resource=Resource.create({"service.name": "checkout", "owner": canary.email("resource")}),
        log_record_limits=LogRecordLimits(max_attributes=3),
    )
    provider.add_log_record_processor(BatchLogRecordProcessor(exporter))
    logger = provider.get_logger("shop", attributes={"owner": canary.email("scope attribute")})
    logger.emit(
        body=f"signup of {canary.email('str body')}",
        severity_text="INFO",
        attributes={
            "dropped": 1,
            "order.id": "A-1001",
            "tenant": "acme",
            "user.id": canary("user.id"),
        },
    )
    logger.emit(body=f"raw {canary.email('bytes body')}".encode(), severity_text="DEBUG")
    logger.emit(
        body={"user": {"email": canary.email("map body")}, "password": canary("map password")},
        event_name="signup",
    )
    logger.emit(body=[canary.email("list body"), 42])
    try:
        message = f"no account for {canary.email('exception')}"
        raise KeyError(message)
    except KeyError as exc:
        logger.emit(body="lookup failed", severity_text="ERROR", exception=exc)
    provider.shutdown()

    raw = receiver.raw()
    records = receiver.log_records()
    bodies = [any_value(record.body) for record in records]
    first = attributes(records[0].attributes)
    failure = attributes(records[4].attributes)

    assert canary.leaked(raw) == []
    assert bodies == [
        "signup of [EMAIL]",
        b"raw [EMAIL]",
        {"user": {"email": "[EMAIL]"}, "password": "[PASSWORD]"},
        ("[EMAIL]", 42),
        "lookup failed",
    ]
    assert first == {"order.id": "A-1001", "tenant": "acme", "user.id": "[USERNAME]"}
    assert records[0].dropped_attributes_count == 1
    assert [record.severity_text for record in records] == ["INFO", "DEBUG", "", "", "ERROR"]
    assert records[2].event_name == "signup"
    assert failure["exception.type"] == "KeyError"
    assert "[EMAIL]" in failure["exception.message"]
    assert "[EMAIL]" in failure["exception.stacktrace"]


def test_metrics_on_the_wire(receiver: OTLPReceiver) -> None:
    """No canary of a metric (points, exemplars, resource, scope) reaches the wire; points that
    redaction makes identical arrive as one series with their values added."""
    canary = Canaries()
    exporter = RedactingMetricExporter(
        OTLPMetricExporter(endpoint=f"{receiver.endpoint}/v1/metrics")
    )
    reader = PeriodicExportingMetricReader(exporter, export_interval_millis=3_600_000)
    provider = MeterProvider(
        resource=Resource.create({"service.name": "checkout", "owner": canary.email("resource")}),
        metric_readers=[reader],
        # "customer" is dropped at aggregation, and comes back in exemplars.
        views=[View(instrument_name="orders", attribute_keys={"outcome", "user.email"})],
    )
    meter = provider.get_meter("shop", attributes={"owner": canary.email("scope attribute")})
    orders = meter.create_counter("orders")
    latency = meter.create_histogram("latency", unit="ms")
    tracer = TracerProvider().get_tracer("shop")
    with tracer.start_as_current_span("sampled"):  # exemplars are taken in sampled spans
        orders.add(1, {"outcome": "ok", "user.email": canary.email("first user")})
        orders.add(2, {"outcome": "ok", "user.email": canary.email("second user")})
        orders.add(
            5,
            {
                "outcome": "failed",
                "user.email": canary.email("third user"),
                "customer": canary.email("exemplar attribute"),
            },
        )
        latency.record(12.0, {"client.address": "203.0.113.9", "route": "/a"})
        latency.record(30.0, {"client.address": "203.0.113.10", "route": "/a"})
    provider.shutdown()  # collects and exports once

    raw = receiver.raw()
    metrics = {metric.name: metric for metric in receiver.metrics()}
    order_points = {
        attributes(point.attributes)["outcome"]: point
        for point in metrics["orders"].sum.data_points
    }
    latency_points = metrics["latency"].histogram.data_points

    assert canary.leaked(raw) == []
    assert b"203.0.113." not in raw
    assert {k: point.as_int for k, point in order_points.items()} == {"ok": 3, "failed": 5}
    assert attributes(order_points["failed"].attributes) == {
        "outcome": "failed",
        "user.email": "[EMAIL]",
    }
    assert attributes(order_points["failed"].exemplars[0].filtered_attributes) == {
        "customer": "[EMAIL]"
    }
    assert len(latency_points) == 1
    assert (latency_points[0].count, latency_points[0].sum) == (2, 42.0)
    assert attributes(latency_points[0].attributes) == {"client.address": "[IPV4]", "route": "/a"}
