"""
A guard against super-linear matching time (ReDoS and quadratic scans).

For every built-in rule, pump strings are built from what wakes the rule up (its triggers, its
shapes with ``0`` as a digit and ``a`` as a letter, its context cues, or for key-only rules its
key words), repeated to 10 KB and 100 KB. Growing the input ten times may cost at most 50 times
the expected ten-fold time (a generous bound that only super-linear growth breaks), and every
100 KB run must finish within 2 s. A run that passes 2 s is interrupted so that the suite stays
short even when a rule regresses.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from piiredact import BUILTIN_RULES, FAILED_MARKER, Limits, Policy, Redactor, Rule


SMALL, LARGE = 10_000, 100_000
MAX_SECONDS = 2.0
ALLOWED_RATIO = 50 * (LARGE // SMALL)  # 50 times what linear growth would cost
SLACK_SECONDS = 0.05  # timer noise on tiny runs

# The strict preset runs every rule, the strict-only ones included.
REDACTOR = Redactor(Policy(preset="strict", limits=Limits(max_value_length=1_000_000)))
GENERIC_UNITS = ("1", "a", "1.", "a@", "0:", "%20", "A")


class _Overtime(BaseException):
    """Raised by the alarm; a BaseException so that the redactor's fail-closed handler, which
    catches Exception, lets it through."""


@contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    def expire(signum: int, frame: object) -> None:
        raise _Overtime

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _expand(shape: str) -> str:
    """A concrete string of a shape: ``0`` becomes a digit, ``a`` a letter."""
    return shape.replace("0", "7").replace("a", "A")


def _spread(items: tuple[str, ...], count: int) -> list[str]:
    """Up to *count* items taken evenly from *items*, deterministically."""
    if len(items) <= count:
        return list(items)
    step = len(items) / count
    return [items[int(i * step)] for i in range(count)]


def _units(rule: Rule) -> list[str]:
    units = [*_spread(rule.triggers, 3), *(_expand(s) for s in _spread(rule.shapes, 3)),
             *_spread(rule.context, 2), *(f"{key}=" for key in _spread(rule.keys, 1))]  # fmt: skip
    if not units:  # a rule without any cue runs on every text: pump its character class
        units = ["k9Xq2Lm7Pz4R", "k9Xq2Lm7Pz4R+/="]
    return units


def _pumps(units: list[str]) -> list[str]:
    return [variant for unit in units for variant in (unit, unit + " ", unit + "a1")]


def _assign() -> dict[str, list[str]]:
    """Each distinct pump unit, tested once, under the first rule that produces it."""
    seen: set[str] = set()
    by_rule: dict[str, list[str]] = {}
    for rule in BUILTIN_RULES:
        pumps = [p for p in _pumps(_units(rule)) if p not in seen]
        seen.update(pumps)
        by_rule[rule.name] = pumps
    by_rule["GENERIC"] = [p for p in GENERIC_UNITS if p not in seen]
    return by_rule


PUMPS = _assign()


def _build(unit: str, size: int) -> str:
    return (unit * (size // len(unit) + 1))[:size]


def _time(text: str, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        REDACTOR.redact(text)
        best = min(best, time.perf_counter() - start)
    return best


def _timeouts() -> int:
    return sum(n for name, n in REDACTOR.stats.items() if "timeout" in name.lower())


def _problems(pumps: list[str]) -> list[str]:
    problems = []
    for unit in pumps:
        timeouts = _timeouts()
        small = _time(_build(unit, SMALL), repeat=3)
        try:
            with _deadline(MAX_SECONDS):
                large = _time(_build(unit, LARGE), repeat=1)
        except _Overtime:
            problems.append(f"{unit!r}: 10 KB {small:.3f} s, 100 KB over {MAX_SECONDS} s")
            break  # one overrun per rule is enough to report; keep the suite short
        if large >= MAX_SECONDS or large > ALLOWED_RATIO * small + SLACK_SECONDS:
            problems.append(f"{unit!r}: 10 KB {small:.3f} s, 100 KB {large:.3f} s")
        if _timeouts() > timeouts:  # a pattern ran out of its CPU budget and failed closed
            problems.append(f"{unit!r}: a regex timed out")
    return problems


def test_every_rule_has_pumps() -> None:
    """Every built-in rule has pump units (they may be shared with earlier rules)."""
    assert [rule.name for rule in BUILTIN_RULES if not _pumps(_units(rule))] == []


def test_every_rule_runs() -> None:
    """The timed redactor runs every built-in rule, so that every rule is pumped."""
    assert {rule.name for rule in BUILTIN_RULES} == {rule.name for rule in REDACTOR.policy.rules()}


@pytest.mark.parametrize("rule", [pytest.param(name, id=name.lower()) for name in PUMPS])
def test_time_grows_linearly(rule: str) -> None:
    """Redacting 100 KB of a rule's pump string takes under 2 s and at most 50 times the
    linear extrapolation of the 10 KB time."""
    assert _problems(PUMPS[rule]) == []


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("-----BEGIN RSA PRIVATE KEY-----\\n" + "A" * LARGE, id="unterminated-pem"),
        pytest.param("Authorization: Bearer " + "a" * LARGE, id="endless-bearer"),
        pytest.param('{"password": "' + "\\\\" * (LARGE // 2), id="unterminated-json-string"),
        pytest.param("a" * LARGE + "@", id="endless-local-part"),
        pytest.param("x@" + "a." * (LARGE // 2), id="endless-domain"),
        pytest.param("+" + "1 " * (LARGE // 2), id="endless-phone"),
        pytest.param("https://" + "u" * LARGE + ":", id="endless-url-userinfo"),
    ],
)
def test_long_single_values_finish(text: str) -> None:
    """One huge almost-match finishes within 2 s and is either scanned or failed closed."""
    try:
        with _deadline(MAX_SECONDS):
            redacted = REDACTOR.redact(text)
    except _Overtime:
        pytest.fail(f"redacting {len(text)} characters took over {MAX_SECONDS} s")

    assert isinstance(redacted, str)
    assert redacted == FAILED_MARKER or len(redacted) <= len(text)
