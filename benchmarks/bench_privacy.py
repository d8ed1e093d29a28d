#!/usr/bin/env python3
"""
Privacy-transform benchmark: what keyed tokens, reversible tokens and field minimization cost,
each against a baseline timed in the same run, passes alternating.

Rows (see ``benchmarks/README.md``): ``token`` and ``encrypt`` against ``mask`` on log lines
holding an e-mail address and a phone number; ``Keyring.token`` against a bare HMAC of the same
values; ``redact_fields`` with an allowlist, and without field rules, against ``redact_value`` on
the same records.

Run ``python benchmarks/bench_privacy.py``; ``--quick`` for a fast pass.
"""

from __future__ import annotations

import argparse
import base64
import gc
import hmac
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

from piiredact import FieldRules, Keyring, Policy, Redactor


SEED = 20_240_601
KEY = "benchmark-token-key-0123456789abcdefghij"
_WORDS = ("login", "order", "reset", "shipped", "refund", "ticket", "retry", "sync")


def lines(count: int, rng: random.Random) -> list[str]:
    """Log lines with one e-mail address and one phone number each, all different."""
    return [
        f"{rng.choice(_WORDS)} for user{n}.{rng.randrange(10**6)}@example.com "
        f"phone +1 415 {rng.randrange(200, 999)} {rng.randrange(10**4):04d} took {n % 97} ms"
        for n in range(count)
    ]


def records(count: int, rng: random.Random) -> list[dict[str, Any]]:
    """Span-attribute-like records: twelve fields, four of them on the allowlist."""
    return [
        {
            "http.request.method": rng.choice(("GET", "POST")),
            "http.route": "/api/v1/orders/{id}",
            "http.response.status_code": rng.choice((200, 201, 404)),
            "duration_ms": rng.random() * 100,
            "user.email": f"user{n}@example.com",
            "user.agent": "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
            "client.address": f"198.51.{n % 250}.{rng.randrange(1, 255)}",
            "session.note": f"cart {n} items, referrer https://mail.example/inbox/{n}",
            "db.statement": f"SELECT * FROM orders WHERE id = {n}",  # noqa: S608 - data
            "thread.name": f"worker-{n % 8}",
            "feature.flags": ["checkout_v2", f"exp_{n % 5}"],
            "retry.count": n % 3,
        }
        for n in range(count)
    ]


def best_and_median(
    first: Callable[[], object], second: Callable[[], object], repeats: int
) -> tuple[float, float]:
    """(best ratio, median ratio) of first's time to second's, passes alternating."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeats):
        for index, run in enumerate((first, second)):
            gc.collect()
            start = time.perf_counter()
            run()
            times[index].append(time.perf_counter() - start)
    return (
        min(times[0]) / min(times[1]),
        statistics.median(times[0]) / statistics.median(times[1]),
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="fewer values and passes")
    args = parser.parse_args(argv)
    count, repeats = (2_000, 3) if args.quick else (10_000, 7)
    rng = random.Random(SEED)
    texts, fields = lines(count, rng), records(count, rng)

    def redactor(action: str, **settings: Any) -> Redactor:
        return Redactor(Policy(actions={"contact": action}, token_key=f"k1:{KEY}", **settings))

    masking, tokenizing, encrypting = redactor("mask"), redactor("token"), redactor("encrypt")
    keyring = Keyring.from_secret(KEY)
    key = KEY.encode()
    emails = [f"User{n}@Example.COM" for n in range(count)]
    allowlist = Redactor(
        Policy(fields=FieldRules(allow=("http.request.method", "http.route",
                                        "http.response.status_code", "duration_ms")))
    )  # fmt: skip
    plain = Redactor()

    def bare_hmac() -> None:
        for value in emails:
            mac = hmac.digest(key, b"EMAIL\x00" + value.encode(), "sha256")[:16]
            base64.urlsafe_b64encode(mac)

    rows = [
        ("token vs mask, per line", lambda: [tokenizing.redact(t) for t in texts],
         lambda: [masking.redact(t) for t in texts]),
        ("encrypt vs mask, per line", lambda: [encrypting.redact(t) for t in texts],
         lambda: [masking.redact(t) for t in texts]),
        ("Keyring.token vs bare HMAC", lambda: [keyring.token("EMAIL", v) for v in emails],
         bare_hmac),
        ("redact_fields, allowlist vs redact_value", lambda: [allowlist.redact_fields(f)
                                                              for f in fields],
         lambda: [plain.redact_value(f) for f in fields]),
        ("redact_fields, no rules vs redact_value", lambda: [plain.redact_fields(f)
                                                             for f in fields],
         lambda: [plain.redact_value(f) for f in fields]),
    ]  # fmt: skip

    print(f"piiredact privacy transforms, Python {sys.version.split()[0]}, {count:,} values, "
          f"best of {repeats} alternating passes")  # fmt: skip
    print(f"{'row':<44}{'ratio':>8}{'median':>8}")
    for name, first, second in rows:
        best, median = best_and_median(first, second, repeats)
        print(f"{name:<44}{best:8.2f}{median:8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
