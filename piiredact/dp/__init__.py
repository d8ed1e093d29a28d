"""
Differentially private aggregates: noisy counts, sums, means and histograms over event records,
grouped into cohorts, so that no statistic can be traced back to one person's records.

Built on OpenDP (the ``dp`` extra: ``pip install 'piiredact[dp]'``), with its exact discrete
Laplace samplers over integers. :class:`Aggregator` bounds each privacy unit's contribution,
releases groups that were not declared in advance only through a noisy threshold, and charges
every release to a :class:`Budget`, which refuses a release once the total ε or δ would be
passed. Every :class:`Release` carries its ε, δ, bounds and mechanisms.

Importing this module enables OpenDP's ``contrib`` features (its samplers need them), not its
``floating-point`` ones.
"""

from __future__ import annotations

from piiredact.dp._aggregate import Aggregator, Release
from piiredact.dp._budget import Budget, BudgetExceeded, Charge
from piiredact.dp._grouping import GENERALIZERS, Generalizer, generalizer
from piiredact.dp._noise import Mechanism


__all__ = [
    "GENERALIZERS",
    "Aggregator",
    "Budget",
    "BudgetExceeded",
    "Charge",
    "Generalizer",
    "Mechanism",
    "Release",
    "generalizer",
]
