#!/usr/bin/env python3
"""
structlog benchmark: a production-style ``JSONRenderer`` pipeline with and without
:class:`piiredact.structlog.RedactingProcessor`, measured in one run.

Both pipelines log the same events (nine keys each, four of them bound per request through
``structlog.contextvars``, plus the level and the timestamp) to a real file; passes alternate
between them, and the report gives the ratio of their times (with ÷ without). See
``benchmarks/README.md``.

Run ``python benchmarks/bench_structlog.py``; ``--quick`` for a fast pass, ``--strict`` to exit
non-zero when the clean-event ratio misses its target.
"""

from __future__ import annotations

import argparse
import gc
import logging
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from typing import IO, Any

import structlog

from piiredact.structlog import RedactingProcessor


SEED = 20_240_601
TARGET = 1.5  # with ÷ without, on events with nothing to redact

Event = tuple[
    dict[str, Any], dict[str, Any]
]  # what to bind for the request, the log call's arguments

_MESSAGES = (
    "request handled", "cache miss", "upstream call retried", "order created", "payment captured",
    "session refreshed", "job finished", "slow query", "feature flag evaluated", "item shipped",
)  # fmt: skip
_METHODS = ("GET", "GET", "GET", "POST", "PUT", "DELETE")
_ROUTES = ("/api/v1/orders/{n}", "/api/v1/carts/{n}/items", "/healthz", "/api/v2/search", "/login")
_STATUSES = (200, 200, 200, 201, 204, 301, 304, 400, 404, 500)
_SERVICES = ("checkout", "catalog", "billing")
_REGIONS = ("eu-west-1", "us-east-1", "ap-south-1")
EVENTS_PER_REQUEST = 4


def clean_events(count: int, rng: random.Random) -> list[Event]:
    """
    Events as a web service logs them. Per request, bound through contextvars: a request id, a
    user id, the method and the route (with an id). Per event: a message from a small set, a
    status, a duration, the service and the region.
    """
    events: list[Event] = []
    request: dict[str, Any] = {}
    for number in range(count):
        if number % EVENTS_PER_REQUEST == 0:
            request = {
                "request_id": f"{rng.getrandbits(128):032x}",
                "user_id": rng.randint(1, 20_000),
                "method": rng.choice(_METHODS),
                "path": rng.choice(_ROUTES).format(n=rng.randint(1, 500)),
            }
        fields = {
            "event": rng.choice(_MESSAGES),
            "status": rng.choice(_STATUSES),
            "duration_ms": round(rng.uniform(0.5, 900.0), 2),
            "service": rng.choice(_SERVICES),
            "region": rng.choice(_REGIONS),
        }
        events.append((request, fields))
    return events


def unique_events(count: int, rng: random.Random) -> list[Event]:
    """The same shape with every string value new (no value recurs): the worst case."""
    return [
        (
            {key: _fresh(value, rng) for key, value in request.items()},
            {key: _fresh(value, rng) for key, value in fields.items()},
        )
        for request, fields in clean_events(count, rng)
    ]


def _fresh(value: Any, rng: random.Random) -> Any:
    if isinstance(value, str):
        return f"{value}-{rng.getrandbits(40):010x}"
    return rng.randint(0, 10**6) if isinstance(value, int) else value


def dirty_events(count: int, rng: random.Random) -> list[Event]:
    """The clean events, each with one e-mail address in it (for reference, no target)."""
    return [
        (request, {**fields, "customer": f"user{number}@example.com"})
        for number, (request, fields) in enumerate(clean_events(count, rng))
    ]


def make_logger(sink: IO[str], *, redact: bool) -> Any:
    """A logger with structlog's production-style chain, writing JSON lines to *sink*."""
    processors: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.StackInfoRenderer(),
        structlog.dev.set_exc_info,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.dict_tracebacks,
        structlog.processors.JSONRenderer(),
    ]
    if redact:
        processors.insert(-1, RedactingProcessor())
    return structlog.wrap_logger(
        structlog.WriteLogger(sink),
        processors=processors,
        wrapper_class=structlog.make_filtering_bound_logger(logging.INFO),
    )


def run(logger: Any, events: Sequence[Event], sink: IO[str]) -> float:
    """Seconds to log *events*."""
    sink.seek(0)
    sink.truncate()
    bind = structlog.contextvars.bind_contextvars
    info = logger.info
    gc.collect()
    start = time.perf_counter()
    for request, fields in events:
        bind(**request)
        info(**fields)
    elapsed = time.perf_counter() - start
    structlog.contextvars.clear_contextvars()
    return elapsed


def compare(
    build: Callable[[int, random.Random], list[Event]],
    count: int,
    passes: int,
    make: Callable[[bool], tuple[Any, IO[str]]],
) -> tuple[float, float, float, float]:
    """Best and median seconds per event, without and with the processor, passes alternating.

    Every pass logs new events (drawn alike): replaying one stream would let the caches answer
    for values that, in a service, come new (request ids, user ids)."""
    (plain, plain_sink), (redacting, redacting_sink) = make(False), make(True)
    warm_up = build(500, random.Random(SEED - 1))  # fills the caches as a running service has
    run(plain, warm_up, plain_sink)
    run(redacting, warm_up, redacting_sink)
    without: list[float] = []
    with_: list[float] = []
    for number in range(passes):
        events = build(count, random.Random(SEED + number))
        without.append(run(plain, events, plain_sink) / len(events))
        with_.append(run(redacting, events, redacting_sink) / len(events))
    return min(without), min(with_), statistics.median(without), statistics.median(with_)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[1])
    parser.add_argument("--quick", action="store_true", help="fewer events and passes")
    parser.add_argument("--strict", action="store_true", help="exit 1 when the target is missed")
    args = parser.parse_args(argv)
    count, passes = (4_000, 5) if args.quick else (20_000, 9)

    with tempfile.TemporaryDirectory() as directory:
        sinks: list[IO[str]] = []

        def make(redact: bool) -> tuple[Any, IO[str]]:
            sink = open(f"{directory}/{len(sinks)}.log", "w", encoding="utf-8")  # noqa: SIM115
            sinks.append(sink)
            return make_logger(sink, redact=redact), sink

        rows = [
            ("clean events", clean_events, True),
            ("clean, no value recurs", unique_events, False),
            ("one e-mail address each", dirty_events, False),
        ]
        print(
            f"structlog {structlog.__version__}, {count:,} events, {passes} passes (best / median)"
        )
        print(
            f"{'workload':<26} {'without µs':>11} {'with µs':>9} {'ratio':>6} {'median':>7}  target"
        )
        met = True
        for label, build, targeted in rows:
            best_without, best_with, median_without, median_with = compare(
                build, count, passes, make
            )
            ratio = best_with / best_without
            verdict = ""
            if targeted:
                verdict = f"≤ {TARGET} {'PASS' if ratio <= TARGET else 'FAIL'}"
                met = met and ratio <= TARGET
            print(
                f"{label:<26} {best_without * 1e6:>11.2f} {best_with * 1e6:>9.2f} {ratio:>6.2f} "
                f"{median_with / median_without:>7.2f}  {verdict}"
            )
        for sink in sinks:
            sink.close()
    return 1 if args.strict and not met else 0


if __name__ == "__main__":
    sys.exit(main())
