"""
Metrics: the allowlist helper (Views and exemplars off) and the RedactingMetricExporter backstop,
which merges the points redaction makes identical.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from opentelemetry.sdk.metrics import Counter as CounterInstrument
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics._internal.exponential_histogram.mapping.exponent_mapping import (
    ExponentMapping,
)
from opentelemetry.sdk.metrics._internal.exponential_histogram.mapping.logarithm_mapping import (
    LogarithmMapping,
)
from opentelemetry.sdk.metrics.export import (
    AggregationTemporality,
    InMemoryMetricReader,
    MetricExporter,
    MetricExportResult,
    MetricsData,
    PeriodicExportingMetricReader,
)
from opentelemetry.sdk.metrics.view import ExponentialBucketHistogramAggregation, View
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider

import piiredact
from piiredact.otel import RedactingMetricExporter, metrics_allowlist


class RecordingMetricExporter(MetricExporter):
    """A push metric exporter that keeps what it is given and how it is called."""

    def __init__(self, **preferences: Any) -> None:
        super().__init__(**preferences)
        self.exported: list[MetricsData] = []
        self.calls: list[tuple[str, Any]] = []

    def export(
        self, metrics_data: MetricsData, timeout_millis: float = 10_000, **kwargs: Any
    ) -> MetricExportResult:
        self.exported.append(metrics_data)
        temporalities = [
            metric.data.aggregation_temporality
            for resource in metrics_data.resource_metrics
            for scope in resource.scope_metrics
            for metric in scope.metrics
        ]
        self.calls.append(("export", temporalities))
        return MetricExportResult.SUCCESS

    def force_flush(self, timeout_millis: float = 10_000) -> bool:
        self.calls.append(("force_flush", None))
        return True

    def shutdown(self, timeout_millis: float = 30_000, **kwargs: Any) -> None:
        self.calls.append(("shutdown", sorted(kwargs)))


def _collect(record: Any, *, views: tuple[View, ...] = ()) -> dict[str, Any]:
    """Record with *record(meter)*, export through a RedactingMetricExporter; the data points
    the inner exporter received, by metric name."""
    inner = RecordingMetricExporter()
    reader = PeriodicExportingMetricReader(
        RedactingMetricExporter(inner), export_interval_millis=3_600_000
    )
    provider = MeterProvider(metric_readers=[reader], views=list(views))
    record(provider.get_meter("m"))
    provider.shutdown()
    (data,) = inner.exported
    return {
        metric.name: list(metric.data.data_points)
        for resource in data.resource_metrics
        for scope in resource.scope_metrics
        for metric in scope.metrics
    }


def test_sum_points_that_collide_are_added() -> None:
    """Two users become one [EMAIL] series whose value is their sum; other series stay apart."""

    def record(meter: Any) -> None:
        orders = meter.create_counter("orders")
        orders.add(1, {"user.email": "jane@example.com", "plan": "pro"})
        orders.add(2, {"user.email": "joe@example.com", "plan": "pro"})
        orders.add(4, {"user.email": "ann@example.com", "plan": "free"})

    points = _collect(record)["orders"]

    assert [(dict(point.attributes), point.value) for point in points] == [
        ({"user.email": "[EMAIL]", "plan": "pro"}, 3),
        ({"user.email": "[EMAIL]", "plan": "free"}, 4),
    ]


def test_gauge_points_that_collide_keep_the_latest() -> None:
    """A gauge cannot be added up: the last value recorded for the merged series wins."""

    def record(meter: Any) -> None:
        queue = meter.create_gauge("queue")
        queue.set(5, {"client.address": "203.0.113.1"})
        queue.set(7, {"client.address": "203.0.113.2"})

    points = _collect(record)["queue"]

    assert [(dict(point.attributes), point.value) for point in points] == [
        ({"client.address": "[IPV4]"}, 7)
    ]


def test_histogram_points_that_collide_add_their_buckets() -> None:
    """Explicit-bucket histograms add counts, sums and buckets, and keep the extremes."""

    def record(meter: Any) -> None:
        latency = meter.create_histogram("latency")
        latency.record(3, {"user.id": "jane"})
        latency.record(60, {"user.id": "joe"})
        latency.record(70, {"user.id": "joe"})

    (point,) = _collect(record)["latency"]

    assert (point.count, point.sum, point.min, point.max) == (3, 133, 3, 70)
    assert sum(point.bucket_counts) == 3
    assert point.bucket_counts[1] == 1  # (0, 5]
    assert point.bucket_counts[5] == 2  # (50, 75]


def test_exponential_histograms_merge_at_the_coarser_scale() -> None:
    """Exponential histograms of different scales merge at the coarser one, each value in the
    bucket the SDK's own mapping puts it in at that scale."""
    narrow = [1.0, 1.01, 1.02]
    wide = [0.5, 3.0, 900.0]

    def record(meter: Any) -> None:
        sizes = meter.create_histogram("sizes")
        for value in narrow:
            sizes.record(value, {"user.name": "jane"})
        for value in wide:
            sizes.record(value, {"user.name": "joe"})

    view = View(instrument_name="sizes", aggregation=ExponentialBucketHistogramAggregation())
    (point,) = _collect(record, views=(view,))["sizes"]
    mapping = LogarithmMapping(point.scale) if point.scale > 0 else ExponentMapping(point.scale)
    expected = Counter(mapping.map_to_index(value) for value in narrow + wide)
    actual = {
        point.positive.offset + index: count
        for index, count in enumerate(point.positive.bucket_counts)
        if count
    }

    assert (point.count, point.min, point.max) == (6, 0.5, 900.0)
    assert point.sum == pytest.approx(sum(narrow + wide))
    assert actual == dict(expected)


def test_exemplar_attributes_are_redacted() -> None:
    """Attributes that a View dropped come back in exemplars; they are redacted there too."""

    def record(meter: Any) -> None:
        orders = meter.create_counter("orders")
        with TracerProvider().get_tracer("t").start_as_current_span("sampled"):
            orders.add(1, {"outcome": "ok", "customer": "jane@example.com"})

    view = View(instrument_name="orders", attribute_keys={"outcome"})
    (point,) = _collect(record, views=(view,))["orders"]

    assert dict(point.attributes) == {"outcome": "ok"}
    assert [dict(exemplar.filtered_attributes) for exemplar in point.exemplars] == [
        {"customer": "[EMAIL]"}
    ]


def test_clean_metrics_are_passed_on_as_they_are() -> None:
    """Metrics with nothing to redact reach the inner exporter as the very same object."""
    inner = RecordingMetricExporter()
    exporter = RedactingMetricExporter(inner)
    reader = InMemoryMetricReader()
    provider = MeterProvider(resource=Resource({"service.name": "shop"}), metric_readers=[reader])
    provider.get_meter("m").create_counter("orders").add(1, {"plan": "pro"})
    data = reader.get_metrics_data()
    assert data is not None

    exporter.export(data)

    assert inner.exported[0] is data


def test_allowlist_keeps_listed_attributes_only_and_no_exemplars() -> None:
    """The allowlist helper drops other attributes at aggregation, and exemplars with them."""
    reader = InMemoryMetricReader()
    provider = MeterProvider(metric_readers=[reader], **metrics_allowlist({"http.route"}))
    requests = provider.get_meter("m").create_counter("requests")
    with TracerProvider().get_tracer("t").start_as_current_span("sampled"):
        requests.add(1, {"http.route": "/a", "user.email": "jane@example.com"})
        requests.add(1, {"http.route": "/a", "user.email": "joe@example.com"})
    data = reader.get_metrics_data()
    assert data is not None

    (point,) = data.resource_metrics[0].scope_metrics[0].metrics[0].data.data_points
    assert (dict(point.attributes), point.value, list(point.exemplars)) == (
        {"http.route": "/a"},
        2,
        [],
    )


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        ("http.route", "not one string"),
        ({"http.route", ""}, "non-empty strings"),
        ([1], "non-empty"),
    ],
)
def test_allowlist_configuration_errors(keys: Any, message: str) -> None:
    """A single string (a classic slip) or a non-string is refused."""
    with pytest.raises(piiredact.ConfigurationError, match=message):
        metrics_allowlist(keys)


def test_periodic_reader_sees_no_difference() -> None:
    """PeriodicExportingMetricReader reads the wrapped exporter's preferred temporality and shuts
    it down with its own keyword, exactly as with the bare exporter."""

    def run(exporter: MetricExporter) -> None:
        reader = PeriodicExportingMetricReader(exporter, export_interval_millis=3_600_000)
        provider = MeterProvider(metric_readers=[reader])
        provider.get_meter("m").create_counter("orders").add(1)
        provider.force_flush()
        provider.shutdown()

    delta = {CounterInstrument: AggregationTemporality.DELTA}
    bare = RecordingMetricExporter(preferred_temporality=delta)
    inner = RecordingMetricExporter(preferred_temporality=delta)

    run(bare)
    run(RedactingMetricExporter(inner))

    assert inner.calls == bare.calls
    assert ("export", [AggregationTemporality.DELTA]) in inner.calls


def test_unreadable_batch_is_dropped() -> None:
    """A batch that cannot even be read is not exported, and export does not raise."""
    inner = RecordingMetricExporter()
    exporter = RedactingMetricExporter(inner, piiredact.Policy())

    result = exporter.export(MetricsData(resource_metrics=None))  # type: ignore[arg-type]

    assert result == MetricExportResult.FAILURE
    assert inner.exported == []
    assert exporter.redaction_stats["export:failed_batches"] == 1
