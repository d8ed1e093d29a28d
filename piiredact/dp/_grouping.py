"""
From records to bounded per-group totals: field lookup, generalization of grouping values, group
keys (declared in advance or not), and per-unit contribution bounding. Everything here is exact;
the noise comes later (:mod:`piiredact.dp._noise`).
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import itertools
import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Literal, cast

from piiredact import generalize as helpers
from piiredact.exceptions import ConfigurationError


__all__ = [
    "GENERALIZERS",
    "Generalizer",
    "Grouping",
    "Key",
    "binner",
    "contributions",
    "generalizer",
    "label",
    "lookup",
]

#: A generalizer: the group a grouping value belongs to. It raises ValueError or TypeError on a
#: value it cannot read; the record then falls in the group of missing values (None).
Generalizer = Callable[[Any], object]
#: A group: the label of each grouping field's value, None where the value is missing.
Key = tuple[str | None, ...]

#: The named generalizers and what their optional ``/N`` parameter sets.
GENERALIZERS: Mapping[str, str] = {
    "ip": "the network of an IP address: /24 for IPv4 (ip/N: N bits) and /48 for IPv6",
    "geo": "a coordinate or a 'lat,lon' pair floored to 1 decimal, about 11 km (geo/N: N = 0-2)",
    "age": "an age bracket of 10 years, 90+ at the top (age/N: N years)",
    "week": "the ISO week of a date or timestamp, as 2024-W07 (numbers are Unix seconds)",
    "day": "the UTC day of a date or timestamp, as 2024-02-29",
    "month": "the month of a date or timestamp, as 2024-02",
    "year": "the year of a date or timestamp, as 2024",
    "zip3": "the first three digits of a US ZIP code (000 for sparsely populated areas)",
    "user-agent": "the browser family and major version of a User-Agent header",
}
_DateUnit = Literal["year", "month", "day"]
_ABSENT = object()
# Declared keys are released all at once, noise on each: past this many, a grouping needs its
# categories cut down (or left undeclared, so that only groups that exist can be released).
_MAX_DECLARED_KEYS = 1_000_000


def generalizer(spec: str) -> Generalizer:
    """
    The named generalizer *spec*: one of :data:`GENERALIZERS`, with its parameter after a slash
    where it takes one (``"ip/16"``, ``"age/5"``, ``"geo/2"``).

    The helpers of :mod:`piiredact.generalize` do the work.

    Raises:
        ConfigurationError: *spec* names no generalizer, or its parameter is out of range.

    .. versionadded:: 0.1.0
    """
    name, slash, parameter = spec.partition("/")
    if name not in GENERALIZERS or (slash and name not in ("ip", "geo", "age")):
        msg = f"unknown generalizer {spec!r}; known: {', '.join(sorted(GENERALIZERS))}"
        raise ConfigurationError(msg)
    number = _parameter(spec, parameter) if slash else None
    if name == "ip":
        bits = 24 if number is None else number
        return _checked(spec, functools.partial(_network, bits=bits), "192.0.2.1")
    if name == "geo":
        decimals = 1 if number is None else number
        return _checked(spec, functools.partial(_coarse_location, decimals=decimals), 0)
    if name == "age":
        width = 10 if number is None else number
        return _checked(spec, functools.partial(helpers.age_bucket, width=width), 0)
    if name == "week":
        return _iso_week
    if name in ("day", "month", "year"):
        return functools.partial(_truncated_date, unit=cast(_DateUnit, name))
    return helpers.zip3 if name == "zip3" else helpers.user_agent


def _checked(spec: str, function: Generalizer, valid: object) -> Generalizer:
    """*function*, once a *valid* input shows that its parameter is in range."""
    try:
        function(valid)
    except ValueError as exc:
        msg = f"generalizer {spec!r}: {exc}"
        raise ConfigurationError(msg) from None
    return function


def _parameter(spec: str, text: str) -> int:
    try:
        return int(text)
    except ValueError:
        msg = f"generalizer {spec!r}: the part after '/' must be a whole number"
        raise ConfigurationError(msg) from None


def _network(value: object, *, bits: int) -> str:
    return helpers.ip_prefix(str(value), ipv4_prefix=bits)


def _coarse_location(value: object, *, decimals: int) -> str:
    """One coordinate, or a latitude and longitude (a 'lat,lon' string or a pair), floored."""
    if isinstance(value, str) and "," in value:
        value = value.split(",")
    parts = value if isinstance(value, list | tuple) else [value]
    degrees: list[str] = []
    for part in parts[:3]:
        if not isinstance(part, int | float | str):
            break
        degrees.append(_number(helpers.coordinate(part, decimals=decimals)))
    if len(degrees) != len(parts) or len(parts) > 2:
        msg = "not a coordinate or a latitude and longitude"
        raise ValueError(msg)
    return ",".join(degrees)


def _date_value(value: object) -> object:
    """Numbers are Unix timestamps (seconds); everything else goes to the date helpers as is."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return dt.datetime.fromtimestamp(value, dt.UTC)
        except (OverflowError, OSError, ValueError):
            msg = "not a timestamp"
            raise ValueError(msg) from None
    return value


def _truncated_date(value: object, *, unit: _DateUnit) -> str:
    return helpers.truncate_date(_date_value(value), unit=unit)  # type: ignore[arg-type]


def _iso_week(value: object) -> str:
    year, week, _ = dt.date.fromisoformat(_truncated_date(value, unit="day")).isocalendar()
    return f"{year:04d}-W{week:02d}"


def _number(value: float) -> str:
    """A number as a short label: ``3`` rather than ``3.0``."""
    return str(int(value)) if float(value).is_integer() else repr(value)


def binner(edges: Sequence[float]) -> tuple[Generalizer, tuple[str, ...]]:
    """
    A generalizer that puts a number in its bin, ``[lo, hi)``, and the labels of the bins.
    Values outside the edges belong to no bin (the generalizer raises ValueError).

    Raises:
        ConfigurationError: Fewer than two edges, or edges that are not finite numbers in
            increasing order.
    """
    if len(edges) < 2 or not all(to_number(edge) == edge for edge in edges):
        msg = "bins: at least two edges, each a finite number"
        raise ConfigurationError(msg)
    if any(low >= high for low, high in itertools.pairwise(edges)):
        msg = "bins: the edges must increase"
        raise ConfigurationError(msg)
    labels = tuple(f"[{_number(low)}, {_number(high)})" for low, high in itertools.pairwise(edges))

    def to_bin(value: object) -> str:
        number = to_number(value)
        if number is None or not edges[0] <= number < edges[-1]:
            msg = "outside the bins"
            raise ValueError(msg)
        return labels[bisect.bisect_right(edges, number) - 1]

    return to_bin, labels


def to_number(value: object) -> float | None:
    """A finite number from a JSON value (a number or a numeric string), else None."""
    if type(value) is int:  # the common case first: one type check, not five
        return value
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return None
    if not isinstance(value, int | float):
        return None
    return value if math.isfinite(value) else None


def label(value: object) -> str | None:
    """
    The label a grouping value or privacy unit is known by: strings as they are, other JSON
    scalars as JSON (``3``, ``true``), None for a missing value, ``str()`` of anything else.
    The number 3 and the string "3" are one group (and one unit: merging units is always safe).
    """
    if value is None or type(value) is str or isinstance(value, str):
        return value
    if isinstance(value, bool | int | float):
        return json.dumps(value)
    return str(value)


def lookup(record: object, field: str) -> object:
    """
    *field* of *record*; a dotted name that is not a key walks nested objects (``user.id``).
    None when *record* is not a mapping or has no such field.
    """
    # Records are dicts (parsed JSON) nearly always: the fast path skips the ABC check.
    if type(record) is dict or isinstance(record, Mapping):
        value = record.get(field, _ABSENT)
        if value is not _ABSENT:
            return value
        if "." not in field:
            return None
    value = record
    for part in field.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


class Grouping:
    """
    How records fall into groups: the grouping fields, a generalizer per field, and the values
    declared for some fields in advance. When every field has declared values, the groups are
    all their combinations (:attr:`declared`), released whether data fall in them or not.

    Raises:
        ConfigurationError: A field is empty or repeated, a generalizer or declared field is not
            a grouping field, or the declared combinations are too many.
    """

    __slots__ = ("_plan", "declared", "fields")

    def __init__(
        self,
        fields: Sequence[str],
        generalize: Mapping[str, str | Generalizer],
        categories: Mapping[str, Iterable[object]],
    ) -> None:
        if isinstance(fields, str):
            fields = (fields,)
        if not all(_is_name(f) for f in fields) or len(set(fields)) != len(fields):
            msg = "by: grouping fields must be distinct, non-empty names"
            raise ConfigurationError(msg)
        for name, given in (("generalize", generalize), ("categories", categories)):
            if stray := sorted(set(given) - set(fields)):
                msg = f"{name}: {', '.join(map(repr, stray))} is not a grouping field"
                raise ConfigurationError(msg)
        self.fields = tuple(fields)
        allowed = {f: tuple(dict.fromkeys(map(label, categories[f]))) for f in categories}
        if empty := sorted(f for f, values in allowed.items() if not values):
            msg = f"categories: no values declared for {', '.join(map(repr, empty))}"
            raise ConfigurationError(msg)
        # Per field: its name, its generalizer and its declared labels (None: any value).
        self._plan = tuple(
            (f, _resolve(generalize.get(f)), frozenset(allowed[f]) if f in allowed else None)
            for f in self.fields
        )
        self.declared: tuple[Key, ...] | None = None
        if len(allowed) == len(self.fields):
            size = math.prod(len(values) for values in allowed.values())
            if size > _MAX_DECLARED_KEYS:
                msg = (
                    f"categories: {size} declared groups, more than {_MAX_DECLARED_KEYS}; "
                    "declare fewer values or leave a field undeclared"
                )
                raise ConfigurationError(msg)
            self.declared = tuple(itertools.product(*(allowed[f] for f in self.fields)))

    @property
    def undeclared(self) -> tuple[str, ...]:
        """The grouping fields without declared values."""
        return tuple(field for field, _, allowed in self._plan if allowed is None)

    def key(self, record: Mapping[str, Any]) -> Key | None:
        """The group of *record*, or None when a declared field holds an undeclared value."""
        parts: list[str | None] = []
        for field, function, allowed in self._plan:
            value = lookup(record, field)
            if function is not None and value is not None:
                try:
                    value = function(value)
                except (ValueError, TypeError):
                    value = None
            part = label(value)
            if allowed is not None and part not in allowed:
                return None
            parts.append(part)
        return tuple(parts)


def _is_name(value: object) -> bool:
    return isinstance(value, str) and value != ""


def _resolve(spec: object) -> Generalizer | None:
    if spec is None or callable(spec):
        return spec
    if isinstance(spec, str):
        return generalizer(spec)
    msg = f"generalize: expected a name or a callable, not {type(spec).__name__}"
    raise ConfigurationError(msg)


def contributions(
    records: Iterable[Mapping[str, Any]],
    *,
    unit: str,
    grouping: Grouping,
    value: Callable[[Mapping[str, Any]], int | None] | None,
    max_groups: int,
    max_rows: int,
) -> dict[Key, tuple[int, int]]:
    """
    Per group, the number of rows and the sum of their values, after bounding what each privacy
    unit contributes: its first *max_groups* groups (in record order) and its first *max_rows*
    rows in each. Whatever one unit's records hold, it moves each group's row count by at most
    *max_rows* and touches at most *max_groups* groups: that is what the noise is scaled to.

    Records without a unit, outside the declared groups, or (with *value*) without a value are
    left out before they take a group's place. Each unit's choice depends only on its own
    records, so adding or removing one unit changes no other unit's contribution.
    """
    per_unit: dict[str, dict[Key, list[int]]] = {}
    for record in records:
        who = label(lookup(record, unit))
        if who is None:
            continue
        key = grouping.key(record)
        if key is None:
            continue
        amount = 1 if value is None else value(record)
        if amount is None:
            continue
        groups = per_unit.get(who)
        if groups is None:
            groups = per_unit[who] = {}
        cell = groups.get(key)
        if cell is None:
            if len(groups) >= max_groups:
                continue
            cell = groups[key] = [0, 0]
        if cell[0] < max_rows:
            cell[0] += 1
            cell[1] += amount
    totals: dict[Key, tuple[int, int]] = {}
    for groups in per_unit.values():
        for key, (rows, total) in groups.items():
            old_rows, old_total = totals.get(key, (0, 0))
            totals[key] = (old_rows + rows, old_total + total)
    return totals
