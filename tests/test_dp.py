"""
piiredact.dp: differentially private counts, sums, means and histograms on OpenDP.

The statistical tests use bounded run counts with tolerances derived in each test, so that a
correct implementation fails with probability below 1e-6; an implementation that is off by one,
clips noise, skips contribution bounding or releases small groups fails them.
"""

from __future__ import annotations

import json
import math
import pickle
import re
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest


pytest.importorskip(
    "opendp", reason="the dp extra is not installed (pip install 'piiredact[dp]'; make test does)"
)

import piiredact.dp
from piiredact import ConfigurationError, PiiRedactError
from piiredact.dp import Aggregator, Budget, BudgetExceeded, Release, generalizer
from piiredact.dp._grouping import Grouping, contributions


RUNS = 1_000
FAILURE = 1e-6  # the largest acceptable chance that a correct implementation fails a test


def discrete_laplace_tolerance(scale: float, runs: int, failure: float) -> float:
    """
    A t such that the mean of *runs* independent discrete Laplace draws of *scale* (OpenDP's
    noise) lies outside [-t, t] with probability at most *failure*, by the Chernoff bound
    P(|mean| >= t) <= 2 exp(-runs * (λt - log M(λ))) for every 0 < λ < 1/scale, where
    M(λ) = (1-p)^2 / ((1 - p e^λ)(1 - p e^-λ)), p = e^(-1/scale), is the noise's moment
    generating function. (For scale 1 and 1,000 runs at 2.5e-7, t is 0.245; the standard error
    is 0.043, so a bias of a quarter of a count or more is caught.)
    """
    p = math.exp(-1 / scale)

    def log_mgf(lam: float) -> float:
        return (
            2 * math.log(1 - p) - math.log(1 - p * math.exp(lam)) - math.log(1 - p * math.exp(-lam))
        )

    lambdas = [i / 1000 / scale for i in range(1, 1000)]

    def bound(t: float) -> float:
        return 2 * math.exp(min(-runs * (lam * t - log_mgf(lam)) for lam in lambdas))

    t = 0.0
    while bound(t) > failure:
        t += 0.005
    return t


def people(group: str, n: int, *, prefix: str = "", **fields: Any) -> list[dict[str, Any]]:
    """One record for each of *n* distinct units in *group*."""
    return [{"user": f"{prefix or group}-{i}", "country": group, **fields} for i in range(n)]


def big_budget() -> Budget:
    return Budget(epsilon=1e9, delta=0.5)


# ------------------------------------------------------------------------------- statistical


def test_noisy_counts_are_unbiased_integers() -> None:
    """Over 1,000 releases, each declared group's noisy count averages to its true count within
    a Chernoff tolerance; an empty declared group averages to 0 (no clipping at 0); every noisy
    count is an int."""
    truth = {"DE": 40, "FR": 7, "IT": 1, "ES": 0}
    records = [r for country, n in truth.items() for r in people(country, n)]
    aggregator = Aggregator(records, unit="user", budget=big_budget())
    sums = dict.fromkeys(truth, 0)
    scales = set()

    for _ in range(RUNS):
        release = aggregator.count(by=["country"], categories={"country": truth}, epsilon=1.0)
        scales.add(release.mechanisms[0].scale)
        for country, count in release.rows:
            assert type(count) is int
            sums[str(country)] += count

    assert scales == {1.0}  # sensitivity 1 at ε = 1
    tolerance = discrete_laplace_tolerance(1.0, RUNS, FAILURE / len(truth))  # union bound
    assert 0.2 < tolerance < 0.3
    for country, n in truth.items():
        assert abs(sums[country] / RUNS - n) <= tolerance, country


def test_a_cohort_of_one_unit_is_suppressed() -> None:
    """A group found in the data that holds one unit is released in under 1% of 1,000
    releases; a group of 50 units is released every time."""
    records = [*people("DE", 50), {"user": "lonely", "country": "IS"}]
    aggregator = Aggregator(records, unit="user", budget=big_budget())
    released = {"DE": 0, "IS": 0}

    for _ in range(RUNS):
        release = aggregator.count(by=["country"], epsilon=1.0, delta=1e-6)
        for country, _count in release.rows:
            released[str(country)] += 1

    # One release shows IS with probability at most the mechanism's δ (below 1e-6, for a unit
    # in one group); 10 or more of 1,000 then has probability below C(1000,10) δ^10 < 1e-30.
    # DE is missed when noise of scale 1 falls below 15 - 50, probability e^-35 per release.
    assert release.delta <= 1e-6
    assert release.threshold == 15
    assert released["IS"] < RUNS // 100
    assert released["DE"] == RUNS


def binomial_upper(runs: int, p: float, failure: float) -> int:
    """The smallest k with P(Binomial(runs, p) >= k) <= failure, summed exactly."""
    tail, k = 0.0, runs
    while k > 0:
        term = math.comb(runs, k - 1) * p ** (k - 1) * (1 - p) ** (runs - k + 1)
        if tail + term > failure:
            return k
        tail, k = tail + term, k - 1
    return 0


def test_the_reported_delta_is_what_a_single_unit_risks() -> None:
    """At a δ large enough to measure (0.05), a group of one unit is released no more often
    than the release's δ says. OpenDP 0.16 reports the δ of the next threshold up
    (opendp#2922): trusting it would release this group 2.7 times as often as reported."""
    records = [{"user": "lonely", "country": "IS"}]

    shown = 0
    for _ in range(RUNS):  # a budget each: 1,000 releases of this δ are far past any total
        aggregator = Aggregator(records, unit="user", budget=Budget(1.0, 0.05))
        release = aggregator.count(by=["country"], epsilon=1.0, delta=0.05)
        shown += len(release.rows)

    # Each release shows the group with probability exactly P(1 + noise >= threshold), which
    # the δ must cover; at δ = 0.036, 69 or more of 1,000 have probability below 1e-6.
    # OpenDP's own δ would put the threshold at 3 and show the group about 99 times.
    assert (release.threshold, round(release.delta, 4)) == (4, 0.0364)
    assert shown < binomial_upper(RUNS, release.delta, FAILURE) <= 70


def test_one_unit_with_a_thousand_events_moves_a_count_by_its_bound() -> None:
    """A unit that sends 1,000 events moves the average noisy count of its group by
    max_rows (2), not by 1,000: within a Chernoff tolerance of scale 2 noise."""
    records = [*people("DE", 30), *({"user": "loud", "country": "DE"} for _ in range(1_000))]
    aggregator = Aggregator(records, unit="user", budget=big_budget())

    total = 0
    for _ in range(RUNS):
        release = aggregator.count(
            by=["country"], categories={"country": ["DE"]}, epsilon=1.0, max_rows=2
        )
        total += release.rows[0][1]  # type: ignore[operator]

    assert release.mechanisms[0].scale == 2.0
    assert abs(total / RUNS - 32) <= discrete_laplace_tolerance(2.0, RUNS, FAILURE)


@pytest.mark.parametrize(("max_groups", "max_rows"), [(1, 1), (3, 2), (5, 10)])
def test_contribution_bounding_is_exact(max_groups: int, max_rows: int) -> None:
    """Before noise: adding a unit with 1,000 events over 50 groups changes at most max_groups
    groups, each by at most max_rows rows, and a sum by at most max_rows * the larger bound."""
    base = [{"user": f"u{i}", "g": f"g{i % 7}", "v": i % 5} for i in range(200)]
    loud = [{"user": "loud", "g": f"g{i % 50}", "v": 10_000} for i in range(1_000)]
    grouping = Grouping(["g"], {}, {})

    def totals(records: list[dict[str, Any]]) -> dict[Any, tuple[int, int]]:
        return contributions(
            records,
            unit="user",
            grouping=grouping,
            value=lambda r: min(max(r["v"], -3), 4),
            max_groups=max_groups,
            max_rows=max_rows,
        )

    without, with_loud = totals(base), totals(base + loud)
    changed = {k for k in with_loud if with_loud[k] != without.get(k, (0, 0))}

    assert 0 < len(changed) <= max_groups
    for key in changed:
        rows, total = with_loud[key]
        old_rows, old_total = without.get(key, (0, 0))
        assert 0 < rows - old_rows <= max_rows
        assert abs(total - old_total) <= max_rows * 4


def test_outputs_are_integers_where_they_should_be() -> None:
    """Counts, sums and histogram counts are ints; means are floats within the bounds, or None
    when the noisy count is not positive."""
    records = [
        {"user": f"u{i}", "country": "DE" if i % 2 else "FR", "rating": 1 + i % 5}
        for i in range(200)
    ]
    aggregator = Aggregator(records, unit="user", budget=big_budget())
    declared = {"country": ["DE", "FR", "XX"]}

    count = aggregator.count(by=["country"], epsilon=1.0, delta=1e-6)
    total = aggregator.sum("rating", bounds=(1, 5), by=["country"], categories=declared, epsilon=1)
    mean = aggregator.mean("rating", bounds=(1, 5), by=["country"], categories=declared, epsilon=1)
    histogram = aggregator.histogram("rating", bins=[1, 3, 6], epsilon=1.0)

    assert count.columns == ("country", "count")
    assert all(type(row[1]) is int for row in count.rows)
    assert total.columns == ("country", "sum")
    assert all(type(row[1]) is int for row in total.rows)
    assert mean.columns == ("country", "count", "sum", "mean")
    for _country, n, _sum, average in mean.rows:
        assert type(n) is int
        assert (average is None) if n <= 0 else (type(average) is float and 1 <= average <= 5)  # type: ignore[operator]
    assert [row[0] for row in histogram.rows] == ["[1, 3)", "[3, 6)"]
    assert all(type(row[1]) is int for row in histogram.rows)


# ------------------------------------------------------------------------------------ budget


def test_the_ledger_refuses_the_release_that_would_exceed_it() -> None:
    """Releases are charged until the total ε is reached; the one that would pass it raises
    BudgetExceeded, is not charged, and a smaller release still fits afterwards."""
    budget = Budget(epsilon=1.0, delta=1e-6)
    aggregator = Aggregator(people("DE", 30), unit="user", budget=budget)
    declared = {"country": ["DE"]}

    first = aggregator.count(by=["country"], categories=declared, epsilon=0.6)
    with pytest.raises(BudgetExceeded, match="nothing was released") as refused:
        aggregator.count(by=["country"], categories=declared, epsilon=0.5)

    assert first.epsilon == 0.6
    assert refused.value.needed == (0.5, 0.0)
    assert refused.value.remaining[0] == pytest.approx(0.4)
    assert [c.epsilon for c in budget.charges] == [0.6]
    assert aggregator.count(epsilon=0.4).epsilon == 0.4
    assert budget.remaining == (0.0, 1e-6)


def test_the_ledger_refuses_on_delta_too() -> None:
    """A thresholded release whose δ would pass the total δ is refused, whatever ε is left."""
    budget = Budget(epsilon=10.0, delta=1e-6)
    aggregator = Aggregator(people("DE", 30), unit="user", budget=budget)
    aggregator.count(by=["country"], epsilon=1.0, delta=9e-7)

    with pytest.raises(BudgetExceeded):
        aggregator.count(by=["country"], epsilon=1.0, delta=9e-7)

    assert len(budget.charges) == 1


def test_an_even_split_spends_the_whole_budget() -> None:
    """Three releases of ε/3 fit a budget of ε, floating-point rounding notwithstanding."""
    budget = Budget(epsilon=1.0)
    aggregator = Aggregator(people("DE", 3), unit="user", budget=budget)

    for _ in range(3):
        aggregator.count(epsilon=1 / 3)

    assert budget.spent[0] == pytest.approx(1.0)
    with pytest.raises(BudgetExceeded):
        aggregator.count(epsilon=1e-6)


def test_concurrent_releases_never_overspend() -> None:
    """Eight threads racing for a budget of five releases get exactly five."""
    budget = Budget(epsilon=5.0)
    aggregator = Aggregator(people("DE", 10), unit="user", budget=budget)
    outcomes: list[str] = []
    start = threading.Barrier(8)

    def release() -> None:
        start.wait()
        try:
            aggregator.count(epsilon=1.0)
            outcomes.append("released")
        except BudgetExceeded:
            outcomes.append("refused")

    threads = [threading.Thread(target=release) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["refused"] * 3 + ["released"] * 5
    assert budget.spent == (5.0, 0.0)


def test_a_release_that_fails_its_checks_spends_nothing() -> None:
    """Invalid parameters are reported before the ledger is charged."""
    budget = Budget(epsilon=1.0)
    aggregator = Aggregator(people("DE", 3), unit="user", budget=budget)

    with pytest.raises(ConfigurationError):
        aggregator.sum("rating", bounds=(5, 1), epsilon=0.5)

    assert budget.charges == ()


def test_budget_round_trips_through_json() -> None:
    """to_dict and from_dict keep totals and charges; a malformed or overspent ledger is a
    ConfigurationError."""
    budget = Budget(epsilon=2.0, delta=1e-6)
    budget.charge(0.5, 1e-7, label="count by country")

    restored = Budget.from_dict(json.loads(json.dumps(budget.to_dict())))

    assert restored.total == (2.0, 1e-6)
    assert restored.charges == budget.charges
    with pytest.raises(ConfigurationError, match="not a privacy-budget ledger"):
        Budget.from_dict({"epsilon": 1.0, "charges": [{"epsilon": 0.5}]})
    with pytest.raises(ConfigurationError, match="more than its total"):
        Budget.from_dict({"epsilon": 1.0, "charges": [{"label": "", "epsilon": 2, "delta": 0}]})


@pytest.mark.parametrize(
    ("epsilon", "delta"),
    [(0, 0), (-1, 0), (math.nan, 0), (math.inf, 0), (1, 1), (1, -0.1), (True, 0), ("1", 0)],
)
def test_budget_rejects_bad_totals(epsilon: Any, delta: Any) -> None:
    """ε must be a finite number above 0, δ a number in [0, 1)."""
    with pytest.raises(ConfigurationError):
        Budget(epsilon, delta)


def test_budget_exceeded_pickles() -> None:
    """The refusal survives pickling (multiprocessing), message and numbers intact."""
    error = BudgetExceeded((1.0, 0.0), (0.5, 0.0))

    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own data

    assert (str(copy), copy.needed, copy.remaining) == (str(error), (1.0, 0.0), (0.5, 0.0))
    assert isinstance(copy, PiiRedactError)


# ---------------------------------------------------------------------------------- releases


def test_a_release_carries_its_cost_bounds_and_mechanisms() -> None:
    """A thresholded mean spends ε/2 on a thresholded count and ε/2 on a Laplace sum whose
    sensitivity is max_groups * max_rows * the larger bound, and says so in to_dict."""
    # 300 units: far past the threshold (83 at noise scale 6), so the group is released.
    records = [{"user": f"u{i}", "country": "DE", "rating": 4} for i in range(300)]
    aggregator = Aggregator(records, unit="user", budget=big_budget())

    release = aggregator.mean(
        "rating", bounds=(-2, 5), by=["country"], epsilon=1.0, delta=1e-6, max_rows=3
    )
    data = json.loads(json.dumps(release.to_dict()))

    assert isinstance(release, Release)
    assert data["statistic"] == "mean"
    assert data["bounds"] == [-2, 5]
    assert data["groups"] == "thresholded"
    assert data["epsilon"] == pytest.approx(1.0)
    assert 0 < data["delta"] <= 1e-6
    assert [(m["statistic"], m["mechanism"], m["sensitivity"]) for m in data["mechanisms"]] == [
        ("count", "laplace_threshold", 3),
        ("sum", "laplace", 15),
    ]
    assert [m["epsilon"] for m in data["mechanisms"]] == [0.5, 0.5]
    assert data["rows"][0]["country"] == "DE"
    assert set(data["rows"][0]) == {"country", "count", "sum", "mean"}


def test_declared_groups_are_all_released_in_declared_order() -> None:
    """Every declared group is released, empty or not, in the order declared; records outside
    the declared values are left out, so a unit there takes no group's place."""
    records = [
        {"user": "a", "country": "US"},  # undeclared: must not use up a's one group
        {"user": "a", "country": "FR"},
        *people("DE", 20),
    ]
    budget = big_budget()
    aggregator = Aggregator(records, unit="user", budget=budget)

    release = aggregator.count(
        by=["country"], categories={"country": ["FR", "DE", "ZZ"]}, epsilon=100.0
    )

    assert release.declared
    assert release.delta == 0
    assert release.threshold is None
    assert [row[0] for row in release.rows] == ["FR", "DE", "ZZ"]
    assert [row[1] for row in release.rows] == [1, 20, 0]  # noise of scale 0.01


def test_groups_combine_several_fields_and_generalizers() -> None:
    """Grouping by two fields, one generalized to ISO weeks and one to age brackets, gives one
    row per combination found; a missing value is a group (None), sorted last."""
    records = [
        {"user": f"u{i}", "ts": "2024-02-29T23:30:00-02:00", "age": 34 + i % 3} for i in range(60)
    ] + [{"user": f"v{i}", "ts": 1_704_067_200} for i in range(60)]  # 2024-01-01, no age
    aggregator = Aggregator(records, unit="user", budget=big_budget())

    release = aggregator.count(
        by=["ts", "age"], generalize={"ts": "week", "age": "age"}, epsilon=50.0, delta=1e-6
    )

    assert [(row[0], row[1]) for row in release.rows] == [
        ("2024-W01", None),
        ("2024-W09", "30-39"),  # 2024-03-01T01:30Z, still ISO week 9
    ]


def test_unreadable_values_fall_in_the_none_group() -> None:
    """A value a generalizer cannot read (an IP that is none) counts in the None group."""
    records = [{"user": f"u{i}", "ip": "203.0.113.9" if i % 2 else "nope"} for i in range(80)]
    aggregator = Aggregator(records, unit="user", budget=big_budget())

    release = aggregator.count(by=["ip"], generalize={"ip": "ip/16"}, epsilon=50.0, delta=1e-6)

    assert [row[0] for row in release.rows] == ["203.0.0.0/16", None]


def test_the_unit_may_be_nested_and_records_without_one_are_ignored() -> None:
    """A dotted unit reaches into nested objects; records without a unit, and values that are
    not records, count for nothing."""
    records: list[Any] = [{"user": {"id": f"u{i}"}, "country": "DE"} for i in range(5)]
    records += [{"country": "DE"}] * 50 + [["not", "a", "record"], "text", 7]
    aggregator = Aggregator(records, unit="user.id", budget=big_budget())

    release = aggregator.count(by=["country"], categories={"country": ["DE"]}, epsilon=100.0)

    assert release.rows == (("DE", 5),)


def test_sums_clamp_and_round_values() -> None:
    """Values are rounded, clamped to the bounds, and records without a number are left out
    (without taking their unit's group)."""
    records = [
        {"user": "a", "v": "n/a"},  # no number: skipped before it takes a's group
        {"user": "a", "v": 1_000_000},  # clamped to 10
        {"user": "b", "v": -50},  # clamped to -5
        {"user": "c", "v": 2.6},  # rounded to 3
        {"user": "d", "v": True},  # a bool is no number
    ]
    aggregator = Aggregator(records, unit="user", budget=big_budget())

    release = aggregator.sum("v", bounds=(-5, 10), epsilon=1_000.0)

    assert release.rows == ((8,),)


def test_histogram_without_bins_counts_values() -> None:
    """Without bins, a histogram counts each value of its field; declaring the values makes
    every one appear."""
    records = [{"user": f"u{i}", "rating": 1 + i % 3} for i in range(90)]
    aggregator = Aggregator(records, unit="user", budget=big_budget())

    release = aggregator.histogram(
        "rating", categories={"rating": [1, 2, 3, 4]}, epsilon=100.0, max_rows=1
    )

    assert release.by == ()
    assert release.columns == ("rating", "count")
    assert release.rows == (("1", 30), ("2", 30), ("3", 30), ("4", 0))


# ------------------------------------------------------------------------------ configuration


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda a: a.count(by=["country"], epsilon=1.0), "needs a delta above 0"),
        (lambda a: a.sum("rating", bounds=None, epsilon=1.0), "bounds are required"),
        (lambda a: a.sum("rating", bounds=(1.5, 5), epsilon=1.0), "whole numbers"),
        (lambda a: a.mean("rating", bounds=(5, 5), epsilon=1.0), "low < high"),
        (lambda a: a.count(epsilon=0.0), "epsilon must be"),
        (lambda a: a.count(epsilon=1.0, max_groups=0), "max_groups must be"),
        (lambda a: a.count(epsilon=1.0, max_rows=2.5), "max_rows must be"),
        (lambda a: a.histogram("rating", bins=[3, 1], epsilon=1.0), "must increase"),
        (lambda a: a.histogram("rating", bins=[1], epsilon=1.0), "two edges"),
        (
            lambda a: a.histogram("rating", bins=[1, 2], categories={"rating": [1]}, epsilon=1.0),
            "has bins",
        ),
        (lambda a: a.count(by=["ts"], generalize={"ts": "fortnight"}, epsilon=1.0), "unknown"),
        (lambda a: a.count(by=["ip"], generalize={"ip": "ip/40"}, epsilon=1.0), "'ip/40'"),
        (lambda a: a.count(by=["age"], generalize={"age": "age/0"}, epsilon=1.0), "'age/0'"),
        (lambda a: a.count(by=["x"], generalize={"y": "week"}, epsilon=1.0), "not a grouping"),
        (lambda a: a.count(by=["x", "x"], epsilon=1.0, delta=0.1), "distinct"),
        (
            lambda a: a.count(
                by=["x", "y"],
                categories={"x": range(1001), "y": range(1001)},
                epsilon=1.0,
            ),
            "declared groups",
        ),
        (
            lambda a: a.sum("v", bounds=(0, 10**12), epsilon=1.0, max_groups=10**4, max_rows=10),
            "too large",
        ),
    ],
)
def test_bad_queries_are_configuration_errors(call: Any, message: str) -> None:
    """Every invalid parameter is a ConfigurationError that says what is wrong."""
    aggregator = Aggregator(people("DE", 3), unit="user", budget=big_budget())

    with pytest.raises(ConfigurationError, match=message):
        call(aggregator)


def test_named_generalizers() -> None:
    """The named generalizers delegate to piiredact.generalize and add ISO weeks."""
    cases = [
        ("ip", "203.0.113.77", "203.0.113.0/24"),
        ("ip/16", "::ffff:203.0.113.77", "203.0.0.0/16"),
        ("geo", "48.8584,2.2945", "48.8,2.2"),
        ("geo/2", [-33.8688, 151.2093], "-33.87,151.2"),
        ("age/5", 37, "35-39"),
        ("age", 93, "90+"),
        ("week", "2021-01-03", "2020-W53"),
        ("day", 0, "1970-01-01"),
        ("month", "2024-02-29T23:30:00-02:00", "2024-03"),
        ("year", "2024-02-29", "2024"),
        ("zip3", "03601", "000"),
        ("user-agent", "curl/8.4.0", "curl 8"),
    ]

    assert [generalizer(name)(value) for name, value, _ in cases] == [c[2] for c in cases]
    assert set(piiredact.dp.GENERALIZERS) == {name.partition("/")[0] for name, _, _ in cases}


# ---------------------------------------------------------------------------- privacy hygiene


def test_no_data_in_the_ledger_errors_or_reprs() -> None:
    """Neither the ledger, a refusal, nor any repr holds a grouping value or a unit."""
    canary = "alice@example.com"
    budget = Budget(epsilon=1.0, delta=1e-6)
    aggregator = Aggregator([{"user": canary, "country": canary}], unit="user", budget=budget)

    release = aggregator.count(by=["country"], epsilon=1.0, delta=1e-6)
    with pytest.raises(BudgetExceeded) as refused:
        aggregator.count(by=["country"], epsilon=1.0, delta=1e-6)

    texts = [json.dumps(budget.to_dict()), repr(budget), str(refused.value), repr(aggregator)]
    texts += [repr(m) for m in release.mechanisms]
    assert not [t for t in texts if canary in t]


def test_noise_comes_only_from_opendp() -> None:
    """No module of piiredact.dp draws randomness itself (random, secrets, numpy)."""
    sources = sorted(Path(piiredact.dp.__file__).parent.glob("*.py"))
    imports = re.compile(r"^\s*(?:import|from)\s+(?:random|secrets|numpy)\b", re.MULTILINE)
    calls = re.compile(r"\b(?:random|secrets|np|numpy)\.\w+")

    offenders = [p.name for p in sources if imports.search(t := p.read_text()) or calls.search(t)]

    assert len(sources) >= 4
    assert offenders == []


def test_import_piiredact_does_not_import_opendp() -> None:
    """The core never loads OpenDP; piiredact.dp does."""
    probe = (
        "import sys, piiredact, piiredact.stdlib; print('opendp' in sys.modules); "
        "import piiredact.dp; print('opendp' in sys.modules)"
    )

    result = subprocess.run(
        [sys.executable, "-I", "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )

    assert result.stdout.split() == ["False", "True"]
