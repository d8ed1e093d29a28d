"""
The aggregator: noisy counts, sums, means and histograms over records, grouped, with each
privacy unit's contribution bounded, and paid for from a :class:`~piiredact.dp.Budget`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from piiredact.dp._budget import Budget, check_delta, check_epsilon
from piiredact.dp._grouping import (
    Generalizer,
    Grouping,
    Key,
    binner,
    contributions,
    lookup,
    to_number,
)
from piiredact.dp._noise import Mechanism, laplace, laplace_threshold
from piiredact.exceptions import ConfigurationError


__all__ = ["Aggregator", "Release"]

#: What a release measured.
Statistic = Literal["count", "sum", "mean", "histogram"]
#: One cell of a released row: a group label (None: the value was missing), a noisy integer, or
#: a mean (None: its noisy count was not positive).
Cell = str | int | float | None

# Contribution bounds and value bounds beyond these would make the noise so large that nothing
# useful is released, and OpenDP's integer distances (i64) could overflow.
_MAX_CONTRIBUTIONS = 1_000_000
_MAX_BOUND = 10**12
_MAX_SENSITIVITY = 2**53


@dataclass(frozen=True, slots=True, kw_only=True)
class Release:
    """
    The noisy result of one query, with everything needed to read it honestly.

    Attributes:
        statistic: ``"count"``, ``"sum"``, ``"mean"`` or ``"histogram"``.

        field: The summed, averaged or histogrammed field; None for a count.

        by: The grouping fields (for a histogram, the fields its distribution is split by).

        bounds: The clamping bounds of a sum or mean, else None.

        max_groups: The most groups one privacy unit contributed to.

        max_rows: The most rows one privacy unit contributed to each group.

        declared: True when the groups were declared in advance (every one is released,
            empty or not); False when they were found in the data (only those whose noisy count
            reached :attr:`threshold` are released).

        columns: The names of the cells of each row: grouping fields, then ``count``, ``sum``,
            ``mean`` as measured.

        rows: The released rows; declared groups in declared order, other groups sorted.

        mechanisms: The noisy measurements made, each with its cost.

    .. versionadded:: 0.1.0
    """

    statistic: Statistic
    field: str | None
    by: tuple[str, ...]
    bounds: tuple[int, int] | None
    max_groups: int
    max_rows: int
    declared: bool
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    mechanisms: tuple[Mechanism, ...]

    @property
    def epsilon(self) -> float:
        """The ε this release spent: the sum of its mechanisms' (basic composition)."""
        return math.fsum(m.epsilon for m in self.mechanisms)

    @property
    def delta(self) -> float:
        """The δ this release spent."""
        return math.fsum(m.delta for m in self.mechanisms)

    @property
    def threshold(self) -> int | None:
        """The smallest noisy count of a released group found in the data, or None."""
        return next((m.threshold for m in self.mechanisms if m.threshold is not None), None)

    def to_dict(self) -> dict[str, Any]:
        """
        The release as JSON-ready data: its parameters, cost, mechanisms and rows (one object
        per row, keyed by column).

        .. versionadded:: 0.1.0
        """
        return {
            "statistic": self.statistic,
            "field": self.field,
            "by": list(self.by),
            "bounds": list(self.bounds) if self.bounds else None,
            "epsilon": self.epsilon,
            "delta": self.delta,
            "max_groups": self.max_groups,
            "max_rows": self.max_rows,
            "groups": "declared" if self.declared else "thresholded",
            "threshold": self.threshold,
            "mechanisms": [
                {
                    "statistic": m.statistic,
                    "mechanism": m.name,
                    "scale": m.scale,
                    "sensitivity": m.sensitivity,
                    "threshold": m.threshold,
                    "epsilon": m.epsilon,
                    "delta": m.delta,
                }
                for m in self.mechanisms
            ],
            "rows": [dict(zip(self.columns, row, strict=True)) for row in self.rows],
        }


class Aggregator:
    """
    Differentially private statistics over event records (JSON-like mappings), such as the
    JSON lines that ``piiredact redact`` writes.

    The privacy unit is the person (or device, or account) behind the records, named by the
    *unit* field: typically a keyed token of a user id. Each query bounds what one unit can
    contribute (``max_groups`` groups, ``max_rows`` rows in each, values clamped to
    ``bounds``), adds discrete Laplace noise scaled to that bound (OpenDP), and charges its
    ε and δ to *budget*. A query that the budget cannot pay for raises
    :class:`~piiredact.dp.BudgetExceeded` and releases nothing.

    Groups are the values of the ``by`` fields, after an optional generalizer per field (a
    name from :data:`~piiredact.dp.GENERALIZERS` such as ``"week"`` or ``"ip/16"``, or any
    callable). When the values of every grouping field are declared in advance
    (``categories``), every combination is released with noise, so nothing about which groups
    exist leaks. Otherwise only groups found in the data whose noisy count passes a threshold
    are released: that needs a ``delta`` above 0, the small probability that a group of a
    single unit is released anyway.

    Records that are not mappings, or have no unit, are ignored; a missing or unreadable
    grouping value is a group of its own (None).

    Args:
        records: The records; read once, here.

        unit: The field that names the privacy unit (a dotted name reaches into nested
            objects: ``"user.id"``).

        budget: The ledger that every query is charged to.

    .. versionadded:: 0.1.0
    """

    __slots__ = ("_records", "budget", "unit")

    def __init__(self, records: Iterable[Mapping[str, Any]], *, unit: str, budget: Budget) -> None:
        if not unit:
            msg = "unit: the name of the field that identifies the privacy unit is required"
            raise ConfigurationError(msg)
        self.unit = unit
        self.budget = budget
        self._records = tuple(records)

    def __repr__(self) -> str:
        return f"Aggregator(unit={self.unit!r}, budget={self.budget!r})"

    def count(
        self,
        *,
        epsilon: float,
        delta: float = 0.0,
        by: Sequence[str] = (),
        generalize: Mapping[str, str | Generalizer] | None = None,
        categories: Mapping[str, Iterable[object]] | None = None,
        max_groups: int = 1,
        max_rows: int = 1,
    ) -> Release:
        """
        Noisy row counts per group (with ``max_rows=1``, the number of units in each group).

        Args:
            epsilon: The ε to spend.

            delta: The δ to spend on thresholding; needed when a grouping field has no
                declared categories, ignored otherwise.

            by: The grouping fields; none for one total.

            generalize: Per grouping field, a generalizer name or callable.

            categories: Per grouping field, its values (after generalization) declared in
                advance; records with other values are left out.

            max_groups: The most groups one unit counts in (its first ones, in record order).

            max_rows: The most rows one unit counts for in each group.

        Raises:
            BudgetExceeded: The budget cannot pay for the release; nothing was released.

            ConfigurationError: A parameter is out of range, or *delta* is 0 while some
                grouping field has no declared categories.

        .. versionadded:: 0.1.0
        """
        grouping = Grouping(by, generalize or {}, categories or {})
        return self._release(
            "count", None, grouping, None,
            epsilon=epsilon, delta=delta, max_groups=max_groups, max_rows=max_rows,
        )  # fmt: skip

    def sum(
        self,
        field: str,
        *,
        bounds: tuple[int, int],
        epsilon: float,
        delta: float = 0.0,
        by: Sequence[str] = (),
        generalize: Mapping[str, str | Generalizer] | None = None,
        categories: Mapping[str, Iterable[object]] | None = None,
        max_groups: int = 1,
        max_rows: int = 1,
    ) -> Release:
        """
        Noisy sums of *field* per group, each value rounded to a whole number and clamped to
        *bounds*; records without a numeric *field* are left out. Groups not declared in
        advance are selected with a noisy count (released too), which takes half of *epsilon*.

        Args:
            field: The field to sum.

            bounds: ``(low, high)``, whole numbers, low below high: the range a value is
                clamped to. The noise grows with the larger magnitude of the two.

            epsilon, delta, by, generalize, categories, max_groups, max_rows: As for
                :meth:`count`.

        Raises:
            BudgetExceeded: The budget cannot pay for the release; nothing was released.

            ConfigurationError: As for :meth:`count`, or *bounds* are invalid.

        .. versionadded:: 0.1.0
        """
        grouping = Grouping(by, generalize or {}, categories or {})
        return self._release(
            "sum", field, grouping, bounds,
            epsilon=epsilon, delta=delta, max_groups=max_groups, max_rows=max_rows,
        )  # fmt: skip

    def mean(
        self,
        field: str,
        *,
        bounds: tuple[int, int],
        epsilon: float,
        delta: float = 0.0,
        by: Sequence[str] = (),
        generalize: Mapping[str, str | Generalizer] | None = None,
        categories: Mapping[str, Iterable[object]] | None = None,
        max_groups: int = 1,
        max_rows: int = 1,
    ) -> Release:
        """
        Noisy means of *field* per group: a noisy sum over a noisy count, each spending half of
        *epsilon*, clamped to *bounds* (None where the noisy count is not positive).

        Args and raises as for :meth:`sum`.

        .. versionadded:: 0.1.0
        """
        grouping = Grouping(by, generalize or {}, categories or {})
        return self._release(
            "mean", field, grouping, bounds,
            epsilon=epsilon, delta=delta, max_groups=max_groups, max_rows=max_rows,
        )  # fmt: skip

    def histogram(
        self,
        field: str,
        *,
        epsilon: float,
        delta: float = 0.0,
        bins: Sequence[float] | None = None,
        by: Sequence[str] = (),
        generalize: Mapping[str, str | Generalizer] | None = None,
        categories: Mapping[str, Iterable[object]] | None = None,
        max_groups: int = 1,
        max_rows: int = 1,
    ) -> Release:
        """
        Noisy counts per value of *field* (per group of *by*): per bin ``[low, high)`` with
        *bins* (values outside them are left out), else per value. Bins are declared groups;
        values without bins are declared only when *categories* lists them.

        Args:
            field: The field whose distribution is counted.

            bins: Increasing bin edges.

            epsilon, delta, by, generalize, categories, max_groups, max_rows: As for
                :meth:`count`; *generalize* and *categories* may name *field* when there are
                no *bins*.

        Raises:
            BudgetExceeded: The budget cannot pay for the release; nothing was released.

            ConfigurationError: As for :meth:`count`, or *bins* are invalid.

        .. versionadded:: 0.1.0
        """
        generalize = dict(generalize or {})
        categories = dict(categories or {})
        if bins is not None:
            if field in generalize or field in categories:
                msg = f"histogram: {field!r} has bins; it takes no generalizer or categories"
                raise ConfigurationError(msg)
            generalize[field], categories[field] = binner(bins)
        grouping = Grouping((*by, field), generalize, categories)
        return self._release(
            "histogram", field, grouping, None,
            epsilon=epsilon, delta=delta, max_groups=max_groups, max_rows=max_rows,
        )  # fmt: skip

    def _release(
        self,
        statistic: Statistic,
        field: str | None,
        grouping: Grouping,
        bounds: tuple[int, int] | None,
        *,
        epsilon: float,
        delta: float,
        max_groups: int,
        max_rows: int,
    ) -> Release:
        epsilon = check_epsilon(epsilon)
        delta = check_delta(delta)
        max_groups = _check_count(max_groups, "max_groups")
        max_rows = _check_count(max_rows, "max_rows")
        declared = grouping.declared is not None
        by = grouping.fields[:-1] if statistic == "histogram" else grouping.fields
        measures_sum = statistic in ("sum", "mean")
        bounds = _check_bounds(bounds) if measures_sum else None
        sensitivity = max_groups * max_rows * (max(map(abs, bounds)) if bounds else 1)
        if sensitivity > _MAX_SENSITIVITY:
            msg = "max_groups * max_rows * the larger bound is too large for useful noise"
            raise ConfigurationError(msg)
        if not declared and delta == 0:
            msg = (
                f"groups of {', '.join(map(repr, grouping.undeclared))} are not declared in "
                "advance, so they can only be released through a threshold, which needs a "
                "delta above 0 (e.g. 1e-6); or declare their values in advance (categories; "
                "--keys on the command line)"
            )
            raise ConfigurationError(msg)

        # Plan the noise first: its cost is known before any data is read or budget spent.
        share = epsilon / ((statistic != "sum" or not declared) + measures_sum)
        selector = counter = None
        if not declared:
            selector = laplace_threshold(max_groups, max_rows, share, delta)
        elif statistic != "sum":
            counter = laplace("count", max_groups * max_rows, share)
        summer = laplace("sum", sensitivity, share) if measures_sum else None
        mechanisms = tuple(n.mechanism for n in (selector, counter, summer) if n is not None)

        totals = contributions(
            self._records,
            unit=self.unit,
            grouping=grouping,
            value=_clamped(field, bounds) if field and bounds else None,
            max_groups=max_groups,
            max_rows=max_rows,
        )
        self.budget.charge(
            math.fsum(m.epsilon for m in mechanisms),
            math.fsum(m.delta for m in mechanisms),
            label=_describe(statistic, field, by),
        )
        # Paid for: from here on, only noise and post-processing.
        row_totals = {key: rows for key, (rows, _) in totals.items()}
        counts: dict[Key, int] | None = None
        if selector is not None:
            counts = selector.select(row_totals)
            keys: Sequence[Key] = sorted(counts, key=_order)
        else:
            keys = grouping.declared or ()
            counts = counter.apply(row_totals, keys) if counter else None
        sums = None
        if summer is not None:
            sums = summer.apply({key: total for key, (_, total) in totals.items()}, keys)

        measured = {name: v for name, v in (("count", counts), ("sum", sums)) if v is not None}
        rows: list[tuple[Cell, ...]] = [
            (*key, *(values[key] for values in measured.values())) for key in keys
        ]
        columns = (*grouping.fields, *measured)
        if statistic == "mean" and counts is not None and sums is not None and bounds:
            rows = [
                (*row, _mean(sums[k], counts[k], bounds)) for row, k in zip(rows, keys, strict=True)
            ]
            columns = (*columns, "mean")
        return Release(
            statistic=statistic,
            field=field,
            by=by,
            bounds=bounds,
            max_groups=max_groups,
            max_rows=max_rows,
            declared=declared,
            columns=columns,
            rows=tuple(rows),
            mechanisms=mechanisms,
        )


def _clamped(field: str, bounds: tuple[int, int]) -> Callable[[Mapping[str, Any]], int | None]:
    """The value of *field* in a record, rounded and clamped to *bounds*; None when it has none."""
    low, high = bounds

    def value(record: Mapping[str, Any]) -> int | None:
        number = to_number(lookup(record, field))
        return None if number is None else min(max(round(number), low), high)

    return value


def _mean(total: int, count: int, bounds: tuple[int, int]) -> float | None:
    if count <= 0:
        return None
    return float(min(max(total / count, bounds[0]), bounds[1]))


def _order(key: Key) -> tuple[tuple[bool, str], ...]:
    """Groups sorted by label, the missing value (None) last."""
    return tuple((part is None, part or "") for part in key)


def _describe(statistic: Statistic, field: str | None, fields: Sequence[str]) -> str:
    what = statistic if field is None else f"{statistic} of {field}"
    return f"{what} by {', '.join(fields)}" if fields else what


def _check_count(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        msg = f"{name} must be a whole number, not {type(value).__name__}"
        raise ConfigurationError(msg)
    if not 1 <= value <= _MAX_CONTRIBUTIONS:
        msg = f"{name} must be 1 to {_MAX_CONTRIBUTIONS}, not {value}"
        raise ConfigurationError(msg)
    return value


def _check_bounds(bounds: object) -> tuple[int, int]:
    if bounds is None:
        msg = "bounds are required: (low, high), the range each value is clamped to"
        raise ConfigurationError(msg)
    if (
        not isinstance(bounds, tuple | list)
        or len(bounds) != 2
        or not all(isinstance(b, int) and not isinstance(b, bool) for b in bounds)
    ):
        msg = "bounds must be two whole numbers (scale values first, e.g. to milliseconds)"
        raise ConfigurationError(msg)
    low, high = bounds
    if not -_MAX_BOUND <= low < high <= _MAX_BOUND:
        msg = f"bounds must satisfy low < high, within ±{_MAX_BOUND:.0e}"
        raise ConfigurationError(msg)
    return low, high
