"""
The privacy-budget ledger: the total ε (and δ) a data set may spend, what each release spent, and
the refusal of a release that would spend more than is left.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from piiredact.exceptions import ConfigurationError, PiiRedactError


__all__ = ["Budget", "BudgetExceeded", "Charge"]

# Releases that split a budget evenly (three of ε/3) must be able to spend all of it, whatever
# the last bit of floating-point rounding: this much more than the total is still "within".
_SLACK = 1e-9


class BudgetExceeded(PiiRedactError):
    """
    A release would spend more privacy budget than is left; nothing was released or spent.

    Args:
        needed: The (ε, δ) the release needs.

        remaining: The (ε, δ) left in the budget.

    .. versionadded:: 0.1.0
    """

    def __init__(self, needed: tuple[float, float], remaining: tuple[float, float]) -> None:
        super().__init__(
            f"privacy budget exhausted: this release needs epsilon={needed[0]:g}, "
            f"delta={needed[1]:g}, but only epsilon={remaining[0]:g}, delta={remaining[1]:g} "
            "remain; nothing was released"
        )
        self.needed = needed
        self.remaining = remaining

    def __reduce__(self) -> tuple[type[BudgetExceeded], tuple[Any, ...]]:
        return (type(self), (self.needed, self.remaining))


@dataclass(frozen=True, slots=True)
class Charge:
    """
    One release recorded in a :class:`Budget`: what it was (a label, never data) and its cost.

    .. versionadded:: 0.1.0
    """

    label: str
    epsilon: float
    delta: float


def check_epsilon(epsilon: object, name: str = "epsilon") -> float:
    """*epsilon* as a float, or a ConfigurationError: it must be a finite number above 0."""
    if isinstance(epsilon, bool) or not isinstance(epsilon, int | float):
        msg = f"{name} must be a number, not {type(epsilon).__name__}"
        raise ConfigurationError(msg)
    if not (math.isfinite(epsilon) and epsilon > 0):
        msg = f"{name} must be a finite number above 0, not {epsilon!r}"
        raise ConfigurationError(msg)
    return float(epsilon)


def check_delta(delta: object, name: str = "delta") -> float:
    """*delta* as a float, or a ConfigurationError: it must be at least 0 and below 1."""
    if isinstance(delta, bool) or not isinstance(delta, int | float):
        msg = f"{name} must be a number, not {type(delta).__name__}"
        raise ConfigurationError(msg)
    if not 0 <= delta < 1:  # NaN fails this too
        msg = f"{name} must be at least 0 and below 1, not {delta!r}"
        raise ConfigurationError(msg)
    return float(delta)


class Budget:
    """
    A privacy-budget ledger for one data set: the total ε and δ that all releases about it may
    spend together, and what each release spent.

    Costs add up (basic sequential composition): two releases of ε=0.5 spend ε=1. A release
    that would take the total past the budget is refused with :class:`BudgetExceeded` before
    any noise is drawn, and leaves the ledger as it was. Share one ledger between every
    :class:`~piiredact.dp.Aggregator` that reads the same people; it is safe to share between
    threads.

    Args:
        epsilon: The total ε, above 0 (a lower ε is more private; see the README).

        delta: The total δ, from 0 (releases of undeclared groups need some) to below 1.

    Raises:
        ConfigurationError: *epsilon* or *delta* is out of range.

    .. versionadded:: 0.1.0
    """

    __slots__ = ("_charges", "_delta", "_epsilon", "_lock")

    def __init__(self, epsilon: float, delta: float = 0.0) -> None:
        self._epsilon = check_epsilon(epsilon)
        self._delta = check_delta(delta)
        self._charges: list[Charge] = []
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        spent_epsilon, spent_delta = self.spent
        return (
            f"Budget(epsilon={self._epsilon:g}, delta={self._delta:g}, "
            f"spent_epsilon={spent_epsilon:g}, spent_delta={spent_delta:g})"
        )

    @property
    def total(self) -> tuple[float, float]:
        """The total (ε, δ)."""
        return self._epsilon, self._delta

    @property
    def spent(self) -> tuple[float, float]:
        """The (ε, δ) spent so far."""
        charges = self.charges
        return (
            math.fsum(c.epsilon for c in charges),
            math.fsum(c.delta for c in charges),
        )

    @property
    def remaining(self) -> tuple[float, float]:
        """The (ε, δ) left, never below 0."""
        spent_epsilon, spent_delta = self.spent
        return max(self._epsilon - spent_epsilon, 0.0), max(self._delta - spent_delta, 0.0)

    @property
    def charges(self) -> tuple[Charge, ...]:
        """Every release so far, oldest first."""
        with self._lock:
            return tuple(self._charges)

    def charge(self, epsilon: float, delta: float = 0.0, *, label: str = "") -> None:
        """
        Record a release of cost (*epsilon*, *delta*), or refuse it.

        Check and record are one step under a lock, so two threads cannot both spend the last
        of the budget.

        Args:
            epsilon: The release's ε (0 for a release that spends none).

            delta: The release's δ.

            label: What was released (a statistic and its fields), for the record.

        Raises:
            BudgetExceeded: The release would take the spent ε or δ past the total; nothing
                is recorded.

            ConfigurationError: *epsilon* or *delta* is out of range.

        .. versionadded:: 0.1.0
        """
        epsilon = 0.0 if epsilon == 0 else check_epsilon(epsilon)
        delta = check_delta(delta)
        with self._lock:
            spent_epsilon = math.fsum(c.epsilon for c in self._charges)
            spent_delta = math.fsum(c.delta for c in self._charges)
            over_epsilon = spent_epsilon + epsilon > self._epsilon * (1 + _SLACK)
            over_delta = spent_delta + delta > self._delta * (1 + _SLACK)
            if over_epsilon or over_delta:
                remaining = (
                    max(self._epsilon - spent_epsilon, 0.0),
                    max(self._delta - spent_delta, 0.0),
                )
                raise BudgetExceeded((epsilon, delta), remaining)
            self._charges.append(Charge(label, epsilon, delta))

    def to_dict(self) -> dict[str, Any]:
        """
        The ledger as JSON-ready data: totals and charges (labels and costs, no data).

        .. versionadded:: 0.1.0
        """
        return {
            "epsilon": self._epsilon,
            "delta": self._delta,
            "charges": [
                {"label": c.label, "epsilon": c.epsilon, "delta": c.delta} for c in self.charges
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Budget:
        """
        The ledger that :meth:`to_dict` described.

        Raises:
            ConfigurationError: *data* is not such a description, or its charges already
                exceed its totals.

        .. versionadded:: 0.1.0
        """
        malformed = "not a privacy-budget ledger (expected epsilon, delta and charges)"
        try:
            budget = cls(data["epsilon"], data.get("delta", 0.0))
            charges = data.get("charges", [])
            if not isinstance(charges, list):
                raise ConfigurationError(malformed)
            for entry in charges:
                budget.charge(entry["epsilon"], entry["delta"], label=str(entry["label"]))
        except BudgetExceeded:
            msg = "the ledger has spent more than its total budget"
            raise ConfigurationError(msg) from None
        except (KeyError, TypeError, AttributeError):
            raise ConfigurationError(malformed) from None
        return budget
