"""
A loopback OTLP/HTTP receiver for tests and benchmarks: a standard-library HTTP server on
127.0.0.1 (ephemeral port) in a thread, which decodes every request into its
``opentelemetry.proto`` message and keeps the decompressed bytes to search for canaries.
"""

from __future__ import annotations

import gzip
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import (
    ExportLogsServiceRequest,
    ExportLogsServiceResponse,
)
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest,
    ExportMetricsServiceResponse,
)
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)


_MESSAGES: dict[str, tuple[Any, Any]] = {
    "/v1/traces": (ExportTraceServiceRequest, ExportTraceServiceResponse),
    "/v1/logs": (ExportLogsServiceRequest, ExportLogsServiceResponse),
    "/v1/metrics": (ExportMetricsServiceRequest, ExportMetricsServiceResponse),
}


class OTLPReceiver:
    """
    Collects what OTLP/HTTP exporters send. Use as a context manager; :attr:`endpoint` is the
    base URL (``OTEL_EXPORTER_OTLP_ENDPOINT``), ``endpoint + "/v1/traces"`` a signal's URL.
    """

    def __init__(self, *, decode: bool = True) -> None:
        self.decode = decode
        self.payloads: list[tuple[str, bytes]] = []
        self.messages: dict[str, list[Any]] = {path: [] for path in _MESSAGES}
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                encoding = self.headers.get("Content-Encoding", "")
                if encoding == "gzip":
                    body = gzip.decompress(body)
                elif encoding == "deflate":
                    body = zlib.decompress(body)
                receiver._received(self.path, body)
                _, response = _MESSAGES.get(self.path, (None, ExportTraceServiceResponse))
                payload = response().SerializeToString()
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: the test output is not the place for request lines."""

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def endpoint(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def _received(self, path: str, body: bytes) -> None:
        with self._lock:
            self.payloads.append((path, body))
            if self.decode and path in _MESSAGES:
                request, _ = _MESSAGES[path]
                self.messages[path].append(request.FromString(body))

    def raw(self) -> bytes:
        """Every payload received, decompressed, joined."""
        with self._lock:
            return b"\n".join(body for _, body in self.payloads)

    def spans(self) -> list[Any]:
        """Every span received, across requests, resources and scopes."""
        return [
            span
            for request in self.messages["/v1/traces"]
            for resource in request.resource_spans
            for scope in resource.scope_spans
            for span in scope.spans
        ]

    def log_records(self) -> list[Any]:
        """Every log record received."""
        return [
            record
            for request in self.messages["/v1/logs"]
            for resource in request.resource_logs
            for scope in resource.scope_logs
            for record in scope.log_records
        ]

    def metrics(self) -> list[Any]:
        """Every metric received."""
        return [
            metric
            for request in self.messages["/v1/metrics"]
            for resource in request.resource_metrics
            for scope in resource.scope_metrics
            for metric in scope.metrics
        ]

    def __enter__(self) -> OTLPReceiver:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)


def attributes(key_values: Any) -> dict[str, Any]:
    """OTLP ``KeyValue`` list as a dict of plain Python values."""
    return {item.key: any_value(item.value) for item in key_values}


def any_value(value: Any) -> Any:
    """An OTLP ``AnyValue`` as a plain Python value."""
    field = value.WhichOneof("value")
    if field == "array_value":
        return tuple(any_value(item) for item in value.array_value.values)
    if field == "kvlist_value":
        return attributes(value.kvlist_value.values)
    return None if field is None else getattr(value, field)
