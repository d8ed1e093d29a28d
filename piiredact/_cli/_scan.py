"""
``piiredact scan``: audit stored logs. Each line is searched with :meth:`piiredact.Redactor.find`
and every finding is reported as a location (file, line, columns, rule, kind), never as a value.

A line that cannot be searched within the policy's limits (longer than ``max_value_length``, too
many candidates or key pairs, a pattern out of time) is reported as an ``UNSCANNABLE`` finding with
the reason: ``redact`` would replace such a line whole with the failure marker, and an audit must
not call it clean.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import NamedTuple, Protocol

from piiredact import Policy, Redactor
from piiredact._cli._inputs import STDIN, Input, InputError
from piiredact._redactor import failure_reason


__all__ = [
    "FAIL_CLOSED",
    "UNSCANNABLE",
    "Catalog",
    "FileSummary",
    "Location",
    "Reporter",
    "audit_redactor",
    "scan_files",
]

#: Rule and kind of a line that could not be searched.
UNSCANNABLE = "UNSCANNABLE"
#: What ``redact`` does with such a line: the whole line becomes the failure marker.
FAIL_CLOSED = "fail_closed"

_PROGRESS_STEP = 1 << 20  # bytes between two progress updates


class Location(NamedTuple):
    """
    Where a finding is: line (1-based), first column and the column just past it (1-based, in
    characters), the rule and the kind. Columns are None for an :data:`UNSCANNABLE` line, which
    is reported whole, with the *reason*.
    """

    line: int
    column: int | None
    end_column: int | None
    rule: str
    kind: str
    reason: str = ""


@dataclass(slots=True)
class FileSummary:
    """What scanning one input found: lines read, findings by rule, and the error that stopped
    it (a message without any content of the file), if any."""

    name: str
    lines: int = 0
    by_rule: Counter[tuple[str, str]] = field(default_factory=Counter)  # by (rule, kind)
    error: str = ""

    @property
    def findings(self) -> int:
        """Findings in this input."""
        return sum(self.by_rule.values())


class Catalog:
    """The rules of a policy as the reports describe them: kind, category, description and the
    action ``redact`` would take."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.rules = {rule.name: rule for rule in policy.rules()}
        self._actions = {(UNSCANNABLE, UNSCANNABLE): FAIL_CLOSED}

    def action(self, rule: str, kind: str) -> str:
        """The action ``redact`` would take on a finding of *rule* and *kind*."""
        action = self._actions.get((rule, kind))
        if action is None:
            action = self._actions[rule, kind] = self.policy.action_for(self.rules[rule], kind)
        return action

    def category(self, rule: str) -> str:
        """The category of *rule* (``""`` for :data:`UNSCANNABLE`)."""
        known = self.rules.get(rule)
        return known.category if known is not None else ""

    def names(self) -> set[str]:
        """Every name a threshold may use: rule names, kinds, categories and UNSCANNABLE."""
        names = {UNSCANNABLE}
        for rule in self.rules.values():
            names.update((rule.name, rule.kind, rule.category))
        return names

    def counted(self, summaries: Sequence[FileSummary], names: frozenset[str]) -> int:
        """The findings in *summaries* whose rule, kind or category is one of *names* (all of
        them when *names* is empty)."""
        return sum(
            count
            for summary in summaries
            for (rule, kind), count in summary.by_rule.items()
            if not names or names.intersection((rule, kind, self.category(rule)))
        )


class Reporter(Protocol):
    """**Protocol:** receives the results of a scan as they come, in input order."""

    def location(self, name: str, location: Location) -> None:
        """One finding in input *name*."""

    def file_done(self, summary: FileSummary) -> None:
        """The end of one input."""


def audit_redactor(policy: Policy) -> Redactor:
    """
    A :class:`Redactor` for *policy* that only searches. Scanning applies no action, so every
    rule is set to mask: no keyring is made for tokens or encryption, and no key is asked for.
    """
    return Redactor(policy.evolve(actions={rule.name: "mask" for rule in policy.rules()}))


def _scan_one(
    name: str,
    redactor: Redactor,
    emit: Callable[[Location], None],
    progress: Callable[[int], None] | None = None,
) -> FileSummary:
    """Scan input *name*, passing each finding to *emit*; a read error ends up in the summary."""
    summary = FileSummary(name)
    by_rule = summary.by_rule
    find = redactor.find
    limit = redactor.policy.limits.max_value_length
    try:
        with Input(name, max_chars=limit) as source:
            reported = 0
            for number, line in enumerate(source, start=1):
                summary.lines = number
                text = line.text
                if text is None or len(text) > limit:
                    reason = "too_large"
                else:
                    try:
                        findings = find(text)
                        reason = ""
                    # Also an engine bug: it must not end the audit, nor hide the line.
                    except Exception as exc:
                        reason = failure_reason(exc)
                if reason:
                    by_rule[UNSCANNABLE, UNSCANNABLE] += 1
                    emit(Location(number, None, None, UNSCANNABLE, UNSCANNABLE, reason))
                    continue
                for kind, start, end, rule in findings:
                    by_rule[rule, kind] += 1
                    emit(Location(number, start + 1, end + 1, rule, kind))
                if progress is not None and not number % 1024:
                    position = source.position()
                    if position - reported >= _PROGRESS_STEP:
                        progress(position - reported)
                        reported = position
            if progress is not None:
                progress(source.position() - reported)
    except InputError as exc:
        summary.error = exc.reason
    return summary


# ----------------------------------------------------------------------------- worker processes

_worker_redactor: Redactor | None = None


def _start_worker(policy: Policy) -> None:
    global _worker_redactor  # noqa: PLW0603 - one redactor per worker process, built once
    _worker_redactor = audit_redactor(policy)


def _scan_to_spool(name: str, spool: str) -> FileSummary:
    """Scan *name* in a worker process, writing its findings to the file *spool*: the parent
    reads them back in input order without holding a whole file's findings in memory."""
    assert _worker_redactor is not None  # noqa: S101 - set by the pool's initializer
    with open(spool, "wb") as out:
        return _scan_one(
            name, _worker_redactor, lambda location: marshal.dump(tuple(location), out)
        )


def _read_spool(spool: str) -> Iterator[Location]:
    with open(spool, "rb") as spooled:
        while True:
            try:
                yield Location(*marshal.load(spooled))  # noqa: S302 - our own spool file
            except EOFError:
                return


# ------------------------------------------------------------------------------------- driver


def scan_files(
    names: Sequence[str],
    redactor: Redactor,
    reporter: Reporter,
    *,
    jobs: int = 1,
    progress: Callable[[int], None] | None = None,
) -> list[FileSummary]:
    """
    Scan every input of *names* and report the findings to *reporter*, input by input, in order.

    With *jobs* above 1, files are scanned in that many worker processes (each builds the
    redactor once from its policy); the results are reported in the same order as with one.
    *progress* is called with the number of bytes read since its last call.
    """
    summaries: list[FileSummary] = []
    if jobs <= 1 or len(names) <= 1:
        for name in names:
            summary = _scan_one(name, redactor, partial(reporter.location, name), progress)
            reporter.file_done(summary)
            summaries.append(summary)
        return summaries
    with (
        tempfile.TemporaryDirectory(prefix="piiredact-scan-") as spool_dir,
        ProcessPoolExecutor(
            max_workers=jobs, initializer=_start_worker, initargs=(redactor.policy,)
        ) as pool,
    ):
        spools = [os.path.join(spool_dir, str(number)) for number in range(len(names))]
        for name, spool, summary in zip(
            names, spools, pool.map(_scan_to_spool, names, spools), strict=True
        ):
            for location in _read_spool(spool):
                reporter.location(name, location)
            os.unlink(spool)
            if progress is not None:
                progress(total_size((name,)))
            reporter.file_done(summary)
            summaries.append(summary)
    return summaries


def total_size(names: Sequence[str]) -> int:
    """The bytes on disk of the inputs among *names* that are regular files."""
    size = 0
    for name in names:
        if name != STDIN:
            with contextlib.suppress(OSError):
                size += os.stat(name).st_size
    return size
