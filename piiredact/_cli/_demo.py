"""
``piiredact demo``: a small checkout service logs realistic events through stdlib logging,
structlog and an OpenTelemetry tracer, once as it is and once with piiredact installed; the two
outputs are shown side by side, then both are audited with the code of ``piiredact scan``.

The run leaves no global state behind (``piiredact.install()`` is undone, structlog and the tracer
are configured locally) and prints the same output every time: no timestamps, ids or paths. The
values are synthetic: documentation addresses, test card numbers, invented people.
"""

from __future__ import annotations

import io
import json
import logging
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import piiredact
from piiredact import Policy
from piiredact._cli._report import Output, TableReport, Verdict, rule_rows
from piiredact._cli._scan import Catalog, FileSummary, Location, audit_redactor, scan_files


if TYPE_CHECKING:
    from opentelemetry.sdk.trace import ReadableSpan


__all__ = ["emit", "run_demo"]

#: The hosts the demo logs through, with the module each one's redaction comes from.
HOSTS = {
    "stdlib logging": "piiredact.install()",
    "structlog": "piiredact.structlog.RedactingProcessor before the renderer",
    "OpenTelemetry": "piiredact.otel.RedactingSpanExporter around the exporter",
}
_FILES = {"stdlib logging": "app.log", "structlog": "events.jsonl", "OpenTelemetry": "spans.jsonl"}

EMAIL = "jane.doe@example.com"
CARD = "4111 1111 1111 1111"


def _stdlib(protected: bool) -> list[str]:
    """What the service's stdlib loggers write."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    log = logging.getLogger("piiredact.demo.shop")
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False
    if protected:
        piiredact.install(Policy())
    try:
        log.info("login ok for %s from %s", EMAIL, "203.0.113.7")
        log.info("cache warm: %d keys in %.1f ms", 1200, 4.2)
        log.warning("payment declined: card %s, iban %s", CARD, "DE89 3704 0044 0532 0130 00")
        log.error("db unreachable: postgres://app:s3cr3t-P4ss@db.internal:5432/orders")
        log.info("GET /api/v2/orders/A-1001 200 12ms trace=4bf92f3577b34da6a3ce929d0e0e4736")
    finally:
        if protected:
            piiredact.uninstall()
        log.removeHandler(handler)
    return stream.getvalue().splitlines()


def _structlog(protected: bool) -> list[str]:
    """What the service's structlog events render to."""
    import structlog  # noqa: PLC0415 - the demo's hosts load only when it runs

    processors: list[Any] = [structlog.processors.add_log_level]
    if protected:
        from piiredact.structlog import RedactingProcessor  # noqa: PLC0415

        processors.append(RedactingProcessor(Policy()))
    processors.append(structlog.processors.JSONRenderer())
    stream = io.StringIO()
    log = structlog.wrap_logger(structlog.PrintLogger(stream), processors=processors)
    log.info("signup", email=EMAIL, phone="+44 20 7946 0958", plan="pro")
    log.info("password reset", user="jdoe", password="hunter2!", via="email")  # noqa: S106 - synthetic
    log.info("order shipped", order_id="A-1001", address="221B Baker Street, London")
    log.info("retry", attempt=2, backoff_ms=250)
    return stream.getvalue().splitlines()


def _span_line(span: ReadableSpan) -> str:
    """A span as one JSON line: name, attributes, events, status (no ids nor times, which
    would change from run to run)."""
    record: dict[str, Any] = {"name": span.name, "attributes": dict(span.attributes or {})}
    record["events"] = [
        {"name": event.name, "attributes": dict(event.attributes or {})} for event in span.events
    ]
    if span.status.description:
        record["status"] = span.status.description
    return json.dumps(record) + "\n"


def _opentelemetry(protected: bool) -> list[str]:
    """What the service's tracer exports."""
    from opentelemetry.sdk.trace import TracerProvider  # noqa: PLC0415
    from opentelemetry.sdk.trace.export import (  # noqa: PLC0415
        ConsoleSpanExporter,
        SimpleSpanProcessor,
    )
    from opentelemetry.trace import Status, StatusCode  # noqa: PLC0415

    stream = io.StringIO()
    console = ConsoleSpanExporter(out=stream, formatter=_span_line)
    if protected:
        from piiredact.otel import RedactingSpanExporter  # noqa: PLC0415

        # A transparent proxy of a SpanExporter, though not typed as one.
        redacting = RedactingSpanExporter(console, Policy())
        processor = SimpleSpanProcessor(redacting)
    else:
        processor = SimpleSpanProcessor(console)
    provider = TracerProvider()  # local: the demo does not set the global provider
    provider.add_span_processor(processor)
    tracer = provider.get_tracer("piiredact.demo")
    with tracer.start_as_current_span("POST /checkout") as span:
        span.set_attributes(
            {
                "url.full": "https://shop.example.com/checkout?email=jane.doe%40example.com",
                "client.address": "198.51.100.23",
                "user.email": EMAIL,
                "http.response.status_code": 402,
            }
        )
        with tracer.start_as_current_span("UPDATE customers") as query:
            query.set_attribute(
                "db.query.text", "UPDATE customers SET ssn = '536-90-4399' WHERE id = 7"
            )
        span.add_event("payment.failed", {"card": CARD, "amount": 12.5})
        span.set_status(Status(StatusCode.ERROR, f"card {CARD} declined"))
    provider.shutdown()
    return stream.getvalue().splitlines()


_EMITTERS: dict[str, Callable[[bool], list[str]]] = {
    "stdlib logging": _stdlib,
    "structlog": _structlog,
    "OpenTelemetry": _opentelemetry,
}


def emit(protected: bool) -> tuple[dict[str, list[str]], dict[str, str]]:
    """
    Run the service once, with piiredact installed or not.

    Returns:
        The lines each host emitted, and for each host that could not run (its extra or its
        adapter is missing) the reason.
    """
    emitted: dict[str, list[str]] = {}
    missing: dict[str, str] = {}
    for host, run in _EMITTERS.items():
        try:
            emitted[host] = run(protected)
        except ImportError as exc:
            missing[host] = str(exc)
    return emitted, missing


class _Quiet:
    """A scan reporter that keeps nothing: the demo only needs the counts."""

    def location(self, name: str, location: Location) -> None:
        """Ignore a finding."""

    def file_done(self, summary: FileSummary) -> None:
        """Ignore the end of a file."""


@contextmanager
def _written(emitted: dict[str, list[str]]) -> Iterator[list[str]]:
    """The emitted lines in one file per host, as a log shipper would store them."""
    with tempfile.TemporaryDirectory(prefix="piiredact-demo-") as directory:
        names = []
        for host, lines in emitted.items():
            path = Path(directory) / _FILES[host]
            path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
            names.append(str(path))
        yield names


def run_demo(stream: TextIO) -> int:
    """Show the service's output without and with piiredact, and audit both; return 0."""
    from rich.console import Console  # noqa: PLC0415 - rich loads only for the demo's tables
    from rich.table import Table  # noqa: PLC0415

    # Output holds log text ("[EMAIL]", "[INFO]"): no markup, no emoji codes.
    console = Console(file=stream, highlight=False, markup=False, emoji=False)
    before, missing = emit(protected=False)
    after, _ = emit(protected=True)
    console.print(
        "piiredact demo: a checkout service logs through stdlib logging, structlog and an "
        "OpenTelemetry tracer. The values are synthetic.\n"
    )
    for host, lines in before.items():
        table = Table(title=f"{host}: {HOSTS[host]}", title_justify="left", show_lines=True)
        table.add_column("without piiredact", style="red", overflow="fold", ratio=1)
        table.add_column("with piiredact", style="green", overflow="fold", ratio=1)
        for raw, redacted in zip(lines, after[host], strict=True):
            table.add_row(raw, redacted)
        console.print(table)
    for host, reason in missing.items():
        console.print(f"{host}: not shown ({reason})")

    catalog = Catalog(Policy())
    redactor = audit_redactor(catalog.policy)
    console.print("\nAudit of what was emitted, with the code of `piiredact scan`:")
    with _written(before) as names:
        summaries = scan_files(names, redactor, _Quiet())
    kinds: Counter[str] = Counter()
    for row in rule_rows(catalog, summaries):
        kinds[row["kind"]] += row["findings"]
    found = ", ".join(f"{kind} {count}" for kind, count in kinds.most_common())
    console.print(f"  without piiredact: {kinds.total()} findings ({found})")
    console.print("  with piiredact:    ", end="")
    with _written(after) as names:
        report = TableReport(Output(stream), catalog)
        summaries = scan_files(names, redactor, report)
        counted = catalog.counted(summaries, frozenset())
        report.finish(summaries, Verdict(counted=counted, max_findings=0, fail_on=(), errors=()))
    return 0
