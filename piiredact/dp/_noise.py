"""
The noise: OpenDP measurements over integers, and nothing else. Every sample comes from OpenDP's
discrete Laplace sampler (exact, on integers), never from floating-point arithmetic, ``random``
or numpy, which precision-based attacks break (Mironov 2012; Haney et al. 2022).

Each measurement is built once per set of parameters, and OpenDP's own privacy map, not a formula
of ours, says what (ε, δ) it costs; for thresholds, read one step lower, since OpenDP 0.16 leaves
the threshold itself out of δ (see :func:`laplace_threshold`).
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from piiredact.dp._grouping import Key
from piiredact.exceptions import ConfigurationError


try:
    import opendp.prelude as dp
except ImportError as exc:  # pragma: no cover - the dp extra is installed where tests run
    msg = "piiredact.dp requires OpenDP: pip install 'piiredact[dp]'"
    raise ImportError(msg) from exc

# OpenDP's constructors beyond its vetted core are behind this flag, its samplers among them.
# "floating-point" stays off: nothing here may depend on float noise.
dp.enable_features("contrib")


__all__ = ["Mechanism", "Noise", "laplace", "laplace_threshold"]

# The largest integer a release adds noise to: sums saturate here rather than overflow i64.
_MAX_TOTAL = 2**62
# Rounding may put OpenDP's ε for scale = sensitivity / ε a hair above ε; this many nudges of
# the scale to the next float always suffice.
_NUDGES = 64
# The highest threshold worth trying: past it, the δ asked for is too small to reach.
_MAX_THRESHOLD = 2**53


@dataclass(frozen=True, slots=True)
class Mechanism:
    """
    One noisy measurement of a release: what it measured, how, and what it cost.

    Attributes:
        statistic: ``"count"`` (rows per group) or ``"sum"`` (clamped values per group).

        name: ``"laplace"`` (discrete Laplace noise on every declared group) or
            ``"laplace_threshold"`` (discrete Laplace noise, then only groups whose noisy count
            reaches :attr:`threshold` are released).

        scale: The noise scale; the noise's standard deviation is about ``1.41 * scale``.

        sensitivity: The most one privacy unit can move the statistic summed over all groups
            (L1): ``max_groups * max_rows``, times the larger bound's magnitude for a sum.

        threshold: The smallest noisy count released, or None without thresholding.

        epsilon: The ε this measurement spends.

        delta: The δ it spends (0 without thresholding).

    .. versionadded:: 0.1.0
    """

    statistic: Literal["count", "sum"]
    name: Literal["laplace", "laplace_threshold"]
    scale: float
    sensitivity: int
    threshold: int | None
    epsilon: float
    delta: float


@dataclass(frozen=True, slots=True)
class Noise:
    """A measurement ready to run and what it costs."""

    mechanism: Mechanism
    _measurement: dp.Measurement

    def apply(self, totals: Mapping[Key, int], keys: Sequence[Key]) -> dict[Key, int]:
        """Noisy *totals* of each of *keys* (0 for a key without a total)."""
        noisy: list[int] = self._measurement([_saturate(totals.get(k, 0)) for k in keys])
        return dict(zip(keys, noisy, strict=True))

    def select(self, totals: Mapping[Key, int]) -> dict[Key, int]:
        """The keys whose noisy total reaches the threshold, with that noisy total."""
        encoded = {json.dumps(key): _saturate(total) for key, total in totals.items()}
        released: dict[str, int] = self._measurement(encoded)
        return {tuple(json.loads(key)): total for key, total in released.items()}


def _saturate(value: int) -> int:
    # Clamping a total is 1-Lipschitz: it never lets one unit move it further.
    return max(-_MAX_TOTAL, min(_MAX_TOTAL, value))


@functools.lru_cache(maxsize=256)
def laplace(statistic: Literal["count", "sum"], sensitivity: int, epsilon: float) -> Noise:
    """
    Discrete Laplace noise on a vector of integers whose L1 distance between neighbouring data
    sets is at most *sensitivity*, at a cost of at most *epsilon* (and no δ).
    """
    domain = dp.vector_domain(dp.atom_domain(T="i64"))
    metric = dp.l1_distance(T="i64")

    def build(scale: float) -> dp.Measurement:
        return dp.m.make_laplace(domain, metric, scale=scale)

    measurement, scale = _fit_scale(build, sensitivity, epsilon, sensitivity)
    spent, _ = _cost(measurement, sensitivity)
    return Noise(Mechanism(statistic, "laplace", scale, sensitivity, None, spent, 0.0), measurement)


@functools.lru_cache(maxsize=256)
def laplace_threshold(max_groups: int, max_rows: int, epsilon: float, delta: float) -> Noise:
    """
    Discrete Laplace noise on the counts of groups not known in advance, releasing only those
    whose noisy count reaches the smallest threshold that keeps δ within *delta* (Rogers 2023).
    One unit touches at most *max_groups* groups and adds at most *max_rows* to each.
    """
    domain = dp.map_domain(dp.atom_domain(T=str), dp.atom_domain(T="i64"))
    metric = dp.l01inf_distance(dp.absolute_distance(T="i64"))
    l1 = max_groups * max_rows
    d_in = (max_groups, l1, max_rows)

    def build(scale: float, threshold: int) -> dp.Measurement:
        return dp.m.make_laplace_threshold(domain, metric, scale=scale, threshold=threshold)

    # The threshold does not change ε, only δ: fit the scale first, at the lowest valid threshold.
    _, scale = _fit_scale(lambda s: build(s, max_rows), d_in, epsilon, l1)

    def delta_at(threshold: int) -> float:
        """The true δ of releasing counts of at least *threshold*. OpenDP 0.16 releases a
        count equal to the threshold but leaves its probability out of δ (opendp#2922): a
        group of one unit passes threshold t as often as OpenDP's δ for t - 1 says (verified
        in tests/test_dp.py). So δ is OpenDP's, one threshold lower."""
        return _cost(build(scale, threshold - 1), d_in)[1]

    # Exponential search for a threshold that is enough, then bisection down to the smallest.
    low, high = max_rows, max_rows + 1
    while delta_at(high) > delta:
        low, high = high, high * 2
        if high > _MAX_THRESHOLD:
            msg = f"delta={delta:g} is too small to reach at epsilon={epsilon:g}"
            raise ConfigurationError(msg)
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (low, middle) if delta_at(middle) <= delta else (middle, high)
    measurement = build(scale, high)
    spent_epsilon = _cost(measurement, d_in)[0]
    mechanism = Mechanism(
        "count", "laplace_threshold", scale, l1, high, spent_epsilon, delta_at(high)
    )
    return Noise(mechanism, measurement)


def _fit_scale(
    build: Callable[[float], dp.Measurement],
    d_in: int | tuple[int, int, int],
    epsilon: float,
    sensitivity: int,
) -> tuple[dp.Measurement, float]:
    """The measurement at the smallest scale near ``sensitivity / epsilon`` that OpenDP maps
    to at most *epsilon*."""
    scale = sensitivity / epsilon
    for _ in range(_NUDGES):
        measurement = build(scale)
        if _cost(measurement, d_in)[0] <= epsilon:
            return measurement, scale
        scale = math.nextafter(scale, math.inf)
    msg = f"no noise scale gives epsilon={epsilon:g}"  # pragma: no cover - a float corner
    raise ConfigurationError(msg)  # pragma: no cover


def _cost(measurement: dp.Measurement, d_in: int | tuple[int, int, int]) -> tuple[float, float]:
    """(ε, δ) by OpenDP's privacy map of *measurement* at input distance *d_in*."""
    spent = measurement.map(d_in)  # type: ignore[no-untyped-call]
    return (float(spent), 0.0) if isinstance(d_in, int) else (float(spent[0]), float(spent[1]))
