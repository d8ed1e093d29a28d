#!/usr/bin/env python3
"""
Differential-privacy benchmark: the cost of a :mod:`piiredact.dp` release against the exact,
non-private statistic computed in plain Python over the same records, measured in one run.

The baseline is what a team would write without DP: group the records and count the distinct
users per group (or average their first value), with dicts and no noise. Passes alternate between
the two, and the report gives the ratio of their times (DP ÷ exact). See ``benchmarks/README.md``.

Run ``python benchmarks/bench_dp.py``; ``--quick`` for a fast pass.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import random
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from piiredact.dp import Aggregator, Budget
from piiredact.dp._noise import laplace_threshold


SEED = 20_240_301
COUNTRIES = ("DE", "FR", "US", "BR", "IN", "JP", "MX", "NG", "GB", "IT")

Record = dict[str, Any]


def feedback(count: int, users: int, rng: random.Random) -> list[Record]:
    """Feedback events: a user token, a country (fixed per user), a rating, a timestamp."""
    homes = [rng.choice(COUNTRIES) for _ in range(users)]
    events = []
    for _ in range(count):
        user = rng.randrange(users)
        events.append(
            {
                "user": f"tok_{user:06d}",
                "country": homes[user],
                "rating": rng.randint(1, 5),
                "ts": f"2024-03-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:00:00Z",
            }
        )
    return events


def exact_count(records: list[Record]) -> dict[str, int]:
    """Distinct users per country, no noise: the non-private baseline."""
    seen: dict[str, set[str]] = {}
    for record in records:
        seen.setdefault(record["country"], set()).add(record["user"])
    return {country: len(users) for country, users in seen.items()}


def exact_mean(records: list[Record]) -> dict[str, float]:
    """Each user's first rating, averaged per country, no noise."""
    first: dict[str, Record] = {}
    for record in records:
        first.setdefault(record["user"], record)
    totals: dict[str, list[int]] = {}
    for record in first.values():
        cell = totals.setdefault(record["country"], [0, 0])
        cell[0] += 1
        cell[1] += record["rating"]
    return {country: total / n for country, (n, total) in totals.items()}


def exact_weeks(records: list[Record]) -> dict[tuple[str, str], int]:
    """Distinct users per country and ISO week (from the timestamp), no noise."""
    seen: dict[tuple[str, str], set[str]] = {}
    for record in records:
        year, week, _ = dt.date.fromisoformat(record["ts"][:10]).isocalendar()
        seen.setdefault((record["country"], f"{year}-W{week:02d}"), set()).add(record["user"])
    return {key: len(users) for key, users in seen.items()}


def best_and_median(
    first: Callable[[], object], second: Callable[[], object], repeats: int
) -> tuple[list[float], list[float]]:
    """Times of *repeats* passes of each, alternating, after a warm-up of both."""
    first()
    second()
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeats):
        for function, sink in ((first, times[0]), (second, times[1])):
            gc.collect()
            start = time.perf_counter()
            function()
            sink.append(time.perf_counter() - start)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--records", type=int, default=200_000, help="events (default 200,000)")
    parser.add_argument("--users", type=int, default=20_000, help="users (default 20,000)")
    parser.add_argument("--repeats", type=int, default=7, help="passes of each (default 7)")
    parser.add_argument("--quick", action="store_true", help="20,000 events, 3 passes")
    args = parser.parse_args(argv)
    if args.quick:
        args.records, args.users, args.repeats = 20_000, 2_000, 3

    rng = random.Random(SEED)
    records = feedback(args.records, args.users, rng)
    # Far more budget than any real data set gets: the benchmark measures time, not utility.
    aggregator = Aggregator(records, unit="user", budget=Budget(1e9, 0.999))
    declared = {"country": COUNTRIES}

    rows: list[tuple[str, Callable[[], object], Callable[[], object]]] = [
        (
            "count by country, found in the data",
            lambda: aggregator.count(by=["country"], epsilon=1.0, delta=1e-7),
            lambda: exact_count(records),
        ),
        (
            "count by country, declared",
            lambda: aggregator.count(by=["country"], categories=declared, epsilon=1.0),
            lambda: exact_count(records),
        ),
        (
            "mean rating by country, found",
            lambda: aggregator.mean(
                "rating", bounds=(1, 5), by=["country"], epsilon=1.0, delta=1e-7
            ),
            lambda: exact_mean(records),
        ),
        (
            "count by country and week",
            lambda: aggregator.count(
                by=["country", "ts"],
                generalize={"ts": "week"},
                epsilon=1.0,
                delta=1e-7,
                max_groups=4,
            ),
            lambda: exact_weeks(records),
        ),
    ]

    print(f"{args.records:,} events of {args.users:,} users, {args.repeats} passes each")
    print(f"{'row':38} {'DP ms':>9} {'exact ms':>9} {'ratio':>7} {'median':>7}")
    for name, private, exact in rows:
        dp_times, exact_times = best_and_median(private, exact, args.repeats)
        ratio = min(dp_times) / min(exact_times)
        median = statistics.median(dp_times) / statistics.median(exact_times)
        print(
            f"{name:38} {min(dp_times) * 1e3:9.1f} {min(exact_times) * 1e3:9.1f} "
            f"{ratio:7.2f} {median:7.2f}"
        )

    # The first release with new (ε, δ, bounds) searches for its threshold; later ones reuse it.
    laplace_threshold.cache_clear()
    start = time.perf_counter()
    laplace_threshold(3, 2, 0.37, 3e-7)
    cold = (time.perf_counter() - start) * 1e3
    print(f"threshold search for new parameters (once per process, then cached): {cold:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
