"""
Metrics: attributes are best kept out at aggregation time (:func:`metrics_allowlist`, Views with
an attribute allowlist and exemplars off); :class:`RedactingMetricExporter` is the backstop for
what gets through, and merges the points that redaction makes identical.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypedDict

from opentelemetry.sdk.metrics import AlwaysOffExemplarFilter, ExemplarFilter
from opentelemetry.sdk.metrics.export import (
    Buckets,
    ExponentialHistogramDataPoint,
    Gauge,
    HistogramDataPoint,
    Metric,
    MetricExporter,
    MetricExportResult,
    MetricsData,
    NumberDataPoint,
    ResourceMetrics,
    ScopeMetrics,
)
from opentelemetry.sdk.metrics.view import View

from piiredact.exceptions import ConfigurationError
from piiredact.otel._core import RedactingProxy, Scrubber
from piiredact.policy import Policy


__all__ = ["MeterProviderOptions", "RedactingMetricExporter", "metrics_allowlist"]

_Point = NumberDataPoint | HistogramDataPoint | ExponentialHistogramDataPoint


class MeterProviderOptions(TypedDict):
    """Keyword arguments for ``MeterProvider``, from :func:`metrics_allowlist`."""

    views: Sequence[View]
    exemplar_filter: ExemplarFilter


def metrics_allowlist(attribute_keys: Iterable[str]) -> MeterProviderOptions:
    """
    Keep only the listed attributes on every metric, and no exemplars.

    Returns the keyword arguments for ``MeterProvider``: one View for every instrument whose
    ``attribute_keys`` is the allowlist (other attributes are dropped when measurements are
    aggregated, so they never reach an exporter, and series stay distinct), and the
    always-off exemplar filter (exemplars carry the attributes a View dropped)::

        MeterProvider(metric_readers=[reader], **metrics_allowlist({"http.route"}))

    Args:
        attribute_keys: The attribute names to keep; empty keeps none.

    Raises:
        ConfigurationError: *attribute_keys* is a single string or holds a non-string.

    .. versionadded:: 0.1.0
    """
    if isinstance(attribute_keys, str | bytes):
        msg = "attribute_keys must be a collection of attribute names, not one string"
        raise ConfigurationError(msg)
    keys: set[object] = set(attribute_keys)
    if not all(isinstance(key, str) and key for key in keys):
        msg = "attribute_keys must hold non-empty strings"
        raise ConfigurationError(msg)
    return {
        "views": (View(instrument_name="*", attribute_keys={str(key) for key in keys}),),
        "exemplar_filter": AlwaysOffExemplarFilter(),
    }


if TYPE_CHECKING:
    # For type checkers the proxy is what it stands in for, so that it can be passed wherever a
    # MetricExporter is expected; at run time it is a wrapt proxy (isinstance holds through it).
    class _MetricExporterProxy(RedactingProxy, MetricExporter):
        def shutdown(self, timeout_millis: float = 30000, **kwargs: Any) -> None: ...
        def force_flush(self, timeout_millis: float = 10000) -> bool: ...

else:
    _MetricExporterProxy = RedactingProxy


class RedactingMetricExporter(_MetricExporterProxy):
    """
    Wrap a push metric exporter so that it only ever sees redacted metrics.

    Redacted: data-point attributes, exemplar attributes, and the resource and
    instrumentation-scope attributes. Points of one metric whose attributes become equal after
    redaction are merged, so that no series is exported twice: sums are added, gauges keep the
    latest value, histograms add their buckets (exponential ones at the coarser scale).

    It is a backstop: a value redacted after aggregation still costs one series per original
    value in the SDK. :func:`metrics_allowlist` keeps attributes out before that. Pull readers
    (Prometheus) do not go through exporters at all.

    The proxy is transparent (``PeriodicExportingMetricReader`` reads the wrapped exporter's
    preferred temporality and aggregation through it) and fails like
    :class:`RedactingSpanExporter`.

    Args:
        exporter: The exporter to wrap, e.g. ``OTLPMetricExporter()``.
        policy: The policy; when omitted, the one the ``PIIREDACT_*`` environment variables
            describe (the default policy when none is set).

    Raises:
        ConfigurationError: *exporter* is not a ``MetricExporter`` or *policy* not a ``Policy``,
            or the environment describes an invalid policy.

    .. versionadded:: 0.1.0
    """

    _expected = MetricExporter
    _items = "metrics"

    def __init__(self, exporter: MetricExporter, policy: Policy | None = None) -> None:
        super().__init__(exporter, policy)

    def export(
        self, metrics_data: MetricsData, timeout_millis: float = 10_000, **kwargs: Any
    ) -> MetricExportResult:
        """Export a redacted copy of *metrics_data* through the wrapped exporter."""
        scrubber = self._self_scrubber
        try:
            redacted = redact_metrics_data(metrics_data, scrubber)
        except Exception as exc:  # never export what could not be redacted
            self._failed(_size(metrics_data), exc)
            return MetricExportResult.FAILURE
        result: MetricExportResult = self.__wrapped__.export(
            redacted, timeout_millis=timeout_millis, **kwargs
        )
        return result


def _size(data: MetricsData) -> int:
    """How many metrics *data* holds, for the failure count (0 when it cannot even be read)."""
    try:
        return sum(
            len(scope.metrics)
            for resource in data.resource_metrics
            for scope in resource.scope_metrics
        )
    except Exception:  # the batch was malformed to begin with
        return 0


def redact_metrics_data(data: MetricsData, scrubber: Scrubber) -> MetricsData:
    """A redacted copy of *data*, or *data* itself when nothing in it changes."""
    resources = [_resource_metrics(item, scrubber) for item in data.resource_metrics]
    if all(new is old for new, old in zip(resources, data.resource_metrics, strict=True)):
        return data
    return dataclasses.replace(data, resource_metrics=resources)


def _resource_metrics(item: ResourceMetrics, scrubber: Scrubber) -> ResourceMetrics:
    resource = scrubber.resource(item.resource)
    scopes = [_scope_metrics(scope, scrubber) for scope in item.scope_metrics]
    if resource is item.resource and all(
        new is old for new, old in zip(scopes, item.scope_metrics, strict=True)
    ):
        return item
    return dataclasses.replace(item, resource=resource, scope_metrics=scopes)


def _scope_metrics(item: ScopeMetrics, scrubber: Scrubber) -> ScopeMetrics:
    scope = scrubber.scope(item.scope) or item.scope
    metrics = [_metric(metric, scrubber) for metric in item.metrics]
    if scope is item.scope and all(
        new is old for new, old in zip(metrics, item.metrics, strict=True)
    ):
        return item
    return dataclasses.replace(item, scope=scope, metrics=metrics)


def _metric(metric: Metric, scrubber: Scrubber) -> Metric:
    data: Any = metric.data  # Sum, Gauge, Histogram or ExponentialHistogram: all have points
    points = [_point(point, scrubber) for point in data.data_points]
    if all(new is old for new, old in zip(points, data.data_points, strict=True)):
        return metric
    merged: dict[tuple[Any, ...], Any] = {}
    for point in points:
        key = _series(point.attributes)
        earlier = merged.get(key)
        if earlier is None:
            merged[key] = point
            continue
        combined = _combine(earlier, point, gauge=isinstance(data, Gauge))
        scrubber.count("export:merged_points" if combined is not None else "export:dropped_points")
        if combined is not None:
            merged[key] = combined
    return dataclasses.replace(
        metric, data=dataclasses.replace(data, data_points=list(merged.values()))
    )


def _point(point: _Point, scrubber: Scrubber) -> _Point:
    attributes = scrubber.attributes(point.attributes)
    exemplars = [_exemplar(exemplar, scrubber) for exemplar in point.exemplars]
    if attributes is None and all(
        new is old for new, old in zip(exemplars, point.exemplars, strict=True)
    ):
        return point
    return dataclasses.replace(
        point,
        attributes=attributes if attributes is not None else point.attributes,
        exemplars=exemplars,
    )


def _exemplar(exemplar: Any, scrubber: Scrubber) -> Any:
    attributes = scrubber.attributes(exemplar.filtered_attributes)
    if attributes is None:
        return exemplar
    return dataclasses.replace(exemplar, filtered_attributes=attributes)


def _series(attributes: Mapping[str, Any] | None) -> tuple[Any, ...]:
    """What identifies a series: its attributes, hashable and in a fixed order."""
    return tuple(sorted((key, _hashable(value)) for key, value in (attributes or {}).items()))


def _hashable(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return tuple(_hashable(item) for item in value)
    if isinstance(value, Mapping):
        return _series(value)
    return value


def _combine(first: Any, second: Any, *, gauge: bool) -> Any:
    """One point for two of the same series, or None when they cannot be merged."""
    if gauge:
        return second if second.time_unix_nano >= first.time_unix_nano else first
    times = {
        "start_time_unix_nano": min(first.start_time_unix_nano, second.start_time_unix_nano),
        "time_unix_nano": max(first.time_unix_nano, second.time_unix_nano),
        "exemplars": [*first.exemplars, *second.exemplars],
    }
    if isinstance(first, NumberDataPoint):
        return dataclasses.replace(first, value=first.value + second.value, **times)
    totals = {
        "count": first.count + second.count,
        "sum": first.sum + second.sum,
        "min": min(first.min, second.min),
        "max": max(first.max, second.max),
    }
    if isinstance(first, HistogramDataPoint):
        if list(first.explicit_bounds) != list(second.explicit_bounds):
            return None
        counts = [a + b for a, b in zip(first.bucket_counts, second.bucket_counts, strict=True)]
        return dataclasses.replace(first, bucket_counts=counts, **totals, **times)
    if isinstance(first, ExponentialHistogramDataPoint):
        scale = min(first.scale, second.scale)
        return dataclasses.replace(
            first,
            scale=scale,
            zero_count=first.zero_count + second.zero_count,
            positive=_buckets(first.positive, first.scale, second.positive, second.scale, scale),
            negative=_buckets(first.negative, first.scale, second.negative, second.scale, scale),
            flags=first.flags | second.flags,
            **totals,
            **times,
        )
    return None


def _buckets(
    first: Buckets, first_scale: int, second: Buckets, second_scale: int, scale: int
) -> Buckets:
    """Two exponential bucket ranges added at *scale*: index ``i`` at scale ``s`` falls into
    index ``i >> (s - scale)`` at a coarser one (every bucket boundary is kept)."""
    counts: Counter[int] = Counter()
    for buckets, own_scale in ((first, first_scale), (second, second_scale)):
        shift = own_scale - scale
        for index, count in enumerate(buckets.bucket_counts):
            if count:
                counts[(buckets.offset + index) >> shift] += count
    if not counts:
        return Buckets(offset=0, bucket_counts=[])
    low, high = min(counts), max(counts)
    return Buckets(offset=low, bucket_counts=[counts[index] for index in range(low, high + 1)])
