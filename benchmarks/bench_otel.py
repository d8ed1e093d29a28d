#!/usr/bin/env python3
"""
OpenTelemetry benchmark: exporting spans through RedactingSpanExporter against the bare exporter,
measured in one run, interleaved.

1,000 spans with 10 attributes each (HTTP server and database spans with semantic-convention
attributes) are exported in one batch by the real OTLP/HTTP exporter to a loopback receiver, and,
separately, only encoded to OTLP protobuf (no network), each through the wrapper and bare. The
ratio is wrapper time / bare time, best pass against best pass; the target is 2 on spans without
personal data. See ``benchmarks/README.md``.

Run ``python benchmarks/bench_otel.py``; ``--strict`` exits 1 when the target is missed.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExporter, SpanExportResult
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from piiredact import Policy
from piiredact.otel import RedactingSpanExporter


sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from otel_receiver import OTLPReceiver


TARGET = 2.0  # wrapper / bare, OTLP/HTTP export of spans without personal data


def make_spans(count: int, *, with_pii: bool, first: int = 0) -> list[ReadableSpan]:
    """*count* finished spans with 10 attributes each, numbered from *first* (the URL and a note
    differ from span to span, the other attributes repeat, as in a service); with an e-mail
    address in the name and in the note when *with_pii*."""
    memory = InMemorySpanExporter()
    provider = TracerProvider(resource=Resource.create({"service.name": "checkout"}))
    provider.add_span_processor(SimpleSpanProcessor(memory))
    tracer = provider.get_tracer("bench", "1.0")
    for number in range(first, first + count):
        who = f"user{number}@example.com" if with_pii else f"customer {number}"
        name = f"GET /orders for {who}" if with_pii else "GET /orders/{id}"
        with tracer.start_as_current_span(name, kind=SpanKind.SERVER) as span:
            span.set_attributes(
                {
                    "http.request.method": "GET",
                    "url.full": f"https://api.example.com/v1/orders/{number}?expand=items",
                    "http.route": "/v1/orders/{id}",
                    "http.response.status_code": 200,
                    "server.address": "api.example.com",
                    "server.port": 443,
                    "user_agent.original": "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0",
                    "db.system": "postgresql",
                    "db.query.text": "SELECT id, total FROM orders WHERE id = $1 LIMIT $2",
                    "app.note": f"order placed by {who}",
                }
            )
    provider.shutdown()
    return list(memory.get_finished_spans())


class EncodingExporter(SpanExporter):
    """What an OTLP exporter does before the network: encode and serialize."""

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        encode_spans(spans).SerializeToString()
        return SpanExportResult.SUCCESS


def time_interleaved(
    runs: dict[str, Callable[[list[ReadableSpan]], object]], batches: list[list[ReadableSpan]]
) -> dict[str, list[float]]:
    """Seconds per batch of each run, alternating between them so drift hits all alike. Every
    pass gets a batch of its own, so that the spans' varying values are new to the wrapper (it
    remembers clean values) as they would be in a service; the first batch warms up."""
    samples: dict[str, list[float]] = {name: [] for name in runs}
    for number, batch in enumerate(batches):
        for name, run in runs.items():
            gc.collect()
            start = time.perf_counter()
            run(batch)
            if number:
                samples[name].append(time.perf_counter() - start)
    return samples


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--spans", type=int, default=1_000, help="spans per batch")
    parser.add_argument("--repeats", type=int, default=9, help="passes per measurement")
    parser.add_argument("--strict", action="store_true", help="exit 1 when the target is missed")
    args = parser.parse_args(argv)

    policy = Policy()  # one compiled policy for every wrapper, as in an application
    workloads = {
        label: [
            make_spans(args.spans, with_pii=with_pii, first=number * args.spans)
            for number in range(args.repeats + 1)
        ]
        for label, with_pii in (("no PII", False), ("PII in name + 1 attribute", True))
    }
    print(
        f"{args.spans} spans x 10 attributes per batch, new spans each pass, best of {args.repeats}"
    )
    print(
        f"{'workload':<28}{'exporter':<14}{'bare ms':>9}{'wrapped ms':>12}{'ratio':>7}{'median':>8}"
    )
    passed = True
    with OTLPReceiver(decode=False) as receiver:
        endpoint = f"{receiver.endpoint}/v1/traces"
        exporters = {
            "otlp/http": (OTLPSpanExporter(endpoint=endpoint), OTLPSpanExporter(endpoint=endpoint)),
            "encode only": (EncodingExporter(), EncodingExporter()),
        }
        for workload, batches in workloads.items():
            for kind, (bare, inner) in exporters.items():
                wrapped = RedactingSpanExporter(inner, policy)
                samples = time_interleaved(
                    {"bare": bare.export, "wrapped": wrapped.export}, batches
                )
                bare_ms, wrapped_ms = (min(samples[name]) * 1e3 for name in ("bare", "wrapped"))
                ratio = wrapped_ms / bare_ms
                median = statistics.median(samples["wrapped"]) / statistics.median(samples["bare"])
                mark = ""
                if workload == "no PII" and kind == "otlp/http":
                    ok = ratio <= TARGET
                    passed = passed and ok
                    mark = f"  target <= {TARGET}: {'PASS' if ok else 'FAIL'}"
                print(
                    f"{workload:<28}{kind:<14}{bare_ms:>9.1f}{wrapped_ms:>12.1f}"
                    f"{ratio:>7.2f}{median:>8.2f}{mark}"
                )
        for bare, inner in exporters.values():
            bare.shutdown()
            inner.shutdown()
    return 1 if args.strict and not passed else 0


if __name__ == "__main__":
    sys.exit(main())
