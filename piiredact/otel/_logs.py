"""
:class:`RedactingLogRecordExporter`: the logs SDK shares one record between its processors, so
the exporter hands its inner exporter redacted copies and never touches the original.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING

from opentelemetry.sdk._logs import ReadableLogRecord
from opentelemetry.sdk._logs.export import LogRecordExporter, LogRecordExportResult

from piiredact.otel._core import RedactingProxy, Scrubber, bounded
from piiredact.policy import Policy


__all__ = ["RedactingLogRecordExporter"]


if TYPE_CHECKING:
    # For type checkers the proxy is what it stands in for, so that it can be passed wherever a
    # LogRecordExporter is expected; at run time it is a wrapt proxy (isinstance holds through it).
    class _LogRecordExporterProxy(RedactingProxy, LogRecordExporter):
        def shutdown(self) -> None: ...
        def force_flush(self, timeout_millis: int = 30000) -> bool: ...

else:
    _LogRecordExporterProxy = RedactingProxy


class RedactingLogRecordExporter(_LogRecordExporterProxy):
    """
    Wrap a log record exporter so that it only ever sees redacted copies of log records.

    Redacted: the body (text, bytes, and mappings and lists key-aware), the attributes (by their
    semantic conventions, ``exception.message`` and ``exception.stacktrace`` included), the event
    name, and the resource and instrumentation-scope attributes (once per resource). The
    exception object a record may still carry is not passed on: its text is in the redacted
    ``exception.*`` attributes. Kept: timestamps, trace context, severity and the dropped count.
    The records the SDK shares between processors are never mutated.

    The proxy is transparent, like :class:`RedactingSpanExporter`, and fails the same way:
    a batch that cannot be redacted is dropped with ``FAILURE``, never exported raw.

    Args:
        exporter: The exporter to wrap, e.g. ``OTLPLogExporter()``.
        policy: The policy; when omitted, the one the ``PIIREDACT_*`` environment variables
            describe (the default policy when none is set).

    Raises:
        ConfigurationError: *exporter* is not a ``LogRecordExporter`` or *policy* not a ``Policy``,
            or the environment describes an invalid policy.

    .. versionadded:: 0.1.0
    """

    _expected = LogRecordExporter
    _items = "log_records"

    def __init__(self, exporter: LogRecordExporter, policy: Policy | None = None) -> None:
        super().__init__(exporter, policy)

    def export(self, batch: Sequence[ReadableLogRecord]) -> LogRecordExportResult:
        """Export redacted copies of *batch* through the wrapped exporter."""
        scrubber = self._self_scrubber
        try:
            redacted = [redact_log_record(record, scrubber) for record in batch]
        except Exception as exc:  # never export what could not be redacted
            self._failed(len(batch), exc)
            return LogRecordExportResult.FAILURE
        result: LogRecordExportResult = self.__wrapped__.export(redacted)
        return result


def redact_log_record(record: ReadableLogRecord, scrubber: Scrubber) -> ReadableLogRecord:
    """A redacted copy of *record*, or *record* itself when nothing in it changes."""
    original = record.log_record
    body = scrubber.body(original.body)
    where = record.instrumentation_scope.name if record.instrumentation_scope else ""
    attributes = scrubber.attributes(original.attributes, scope=where)
    event_name = original.event_name and scrubber.text(original.event_name)
    resource = scrubber.resource(record.resource)
    scope = scrubber.scope(record.instrumentation_scope)
    exception = getattr(original, "exception", None)  # an API field since 1.38
    if (
        (body is original.body or body == original.body)
        and attributes is None
        and event_name is original.event_name
        and resource is record.resource
        and scope is record.instrumentation_scope
        and exception is None
    ):
        return record
    # A shallow copy keeps the context and trace ids as they are; re-constructing the record
    # would derive them again from the current context.
    log_record = copy.copy(original)
    log_record.body = body
    if attributes is not None:
        log_record.attributes = bounded(attributes, record.dropped_attributes)
    log_record.event_name = event_name
    if exception is not None:
        log_record.exception = None
    return dataclasses.replace(
        record, log_record=log_record, resource=resource, instrumentation_scope=scope
    )
