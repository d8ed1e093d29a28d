"""
:class:`RedactingSpanExporter`: spans are immutable once they end (SDK ≥ 1.43), so the exporter
hands its inner exporter redacted copies.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from opentelemetry.sdk.trace import Event, ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult
from opentelemetry.sdk.util import BoundedList
from opentelemetry.trace import Link, Status

from piiredact.otel._core import RedactingProxy, Scrubber, bounded
from piiredact.policy import Policy


__all__ = ["RedactingSpanExporter"]


if TYPE_CHECKING:
    # For type checkers the proxy is what it stands in for, so that it can be passed wherever a
    # SpanExporter is expected; at run time it is a wrapt proxy (isinstance holds through it).
    class _SpanExporterProxy(RedactingProxy, SpanExporter): ...

else:
    _SpanExporterProxy = RedactingProxy


class RedactingSpanExporter(_SpanExporterProxy):
    """
    Wrap a span exporter so that it only ever sees redacted copies of spans.

    Redacted: the span name, attributes (tuple values too, by their semantic conventions),
    event names and attributes (``exception.message``, ``exception.stacktrace``), link
    attributes, the status description, and the resource and instrumentation-scope attributes
    (once per resource). Kept: ids, trace state, kind, times and every dropped count. A span with
    nothing to redact is passed on as it is.

    The proxy is transparent: ``isinstance``, ``shutdown(timeout_millis=...)``, ``force_flush``
    and any other attribute reach the wrapped exporter.

    ``export`` never raises because of redaction: a batch that cannot be redacted is dropped,
    never exported raw, and the result is ``FAILURE``; see :attr:`redaction_stats`.

    Args:
        exporter: The exporter to wrap, e.g. ``OTLPSpanExporter()``.
        policy: The policy; when omitted, the one the ``PIIREDACT_*`` environment variables
            describe (the default policy when none is set).

    Raises:
        ConfigurationError: *exporter* is not a ``SpanExporter`` or *policy* not a ``Policy``,
            or the environment describes an invalid policy.

    .. versionadded:: 0.1.0
    """

    _expected = SpanExporter
    _items = "spans"

    def __init__(self, exporter: SpanExporter, policy: Policy | None = None) -> None:
        super().__init__(exporter, policy)

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        """Export redacted copies of *spans* through the wrapped exporter."""
        scrubber = self._self_scrubber
        try:
            redacted = [redact_span(span, scrubber) for span in spans]
        except Exception as exc:  # never export what could not be redacted
            self._failed(len(spans), exc)
            return SpanExportResult.FAILURE
        result: SpanExportResult = self.__wrapped__.export(redacted)
        return result


def redact_span(span: ReadableSpan, scrubber: Scrubber) -> ReadableSpan:
    """A redacted copy of *span*, or *span* itself when nothing in it changes."""
    # The SDK builds a new view or tuple on each of these reads: read them once.
    original_attributes, original_events, original_links = span.attributes, span.events, span.links
    name = scrubber.text(span.name)
    where = span.instrumentation_scope.name if span.instrumentation_scope else ""
    attributes = scrubber.attributes(original_attributes, scope=where)
    events = [_event(event, scrubber, where) for event in original_events]
    links = [_link(link, scrubber, where) for link in original_links]
    status = span.status
    if status.description:
        description = scrubber.text(status.description)
        if description is not status.description:
            status = Status(status.status_code, description)
    resource = scrubber.resource(span.resource)
    scope = scrubber.scope(span.instrumentation_scope)
    if (
        name is span.name
        and attributes is None
        and all(new is old for new, old in zip(events, original_events, strict=True))
        and all(new is old for new, old in zip(links, original_links, strict=True))
        and status is span.status
        and resource is span.resource
        and scope is span.instrumentation_scope
    ):
        return span
    return ReadableSpan(
        name=name,
        context=span.context,
        parent=span.parent,
        resource=resource,
        attributes=bounded(
            attributes if attributes is not None else original_attributes or {},
            span.dropped_attributes,
        ),
        events=_bounded_list(events, span.dropped_events),
        links=_bounded_list(links, span.dropped_links),
        kind=span.kind,
        status=status,
        start_time=span.start_time,
        end_time=span.end_time,
        instrumentation_scope=scope,
    )


def _event(event: Event, scrubber: Scrubber, where: str) -> Event:
    name = scrubber.text(event.name)
    attributes = scrubber.attributes(event.attributes, scope=where)
    if name is event.name and attributes is None:
        return event
    kept = attributes if attributes is not None else event.attributes or {}
    return Event(name, bounded(kept, event.dropped_attributes), event.timestamp)


def _link(link: Link, scrubber: Scrubber, where: str) -> Link:
    attributes = scrubber.attributes(link.attributes, scope=where)
    if attributes is None:
        return link
    return Link(link.context, bounded(attributes, link.dropped_attributes))


def _bounded_list(items: list[Any], dropped: int) -> Sequence[Any]:
    """The SDK's list type when something was dropped: it is where the count is read from."""
    if not dropped:
        return items
    container = BoundedList.from_seq(None, items)
    container.dropped = dropped
    return container
