"""
The reports of ``piiredact scan``: a readable table, JSON and SARIF 2.1.0.

Each is written as the scan goes (a finding is written when it is found, nothing is held back but
the counts), so that memory does not grow with the number of findings. None of them ever holds a
scanned value: a finding is its place, its rule and kind, and the action ``redact`` would take.
"""

from __future__ import annotations

import json
import os
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TextIO

import piiredact
from piiredact._cli._inputs import STDIN
from piiredact._cli._scan import (
    FAIL_CLOSED,
    UNSCANNABLE,
    Catalog,
    FileSummary,
    Location,
    Reporter,
)


if TYPE_CHECKING:
    from rich.console import Console


__all__ = ["FORMATS", "Output", "Report", "Verdict", "make_reporter", "rule_rows"]

#: The report formats of ``piiredact scan --format``.
FORMATS = ("table", "json", "sarif")

_SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
_UNSCANNABLE_HELP = (
    "A line that could not be searched within the policy's limits (too long, too many candidates "
    "or key pairs, a pattern out of time); redact replaces such a line whole"
)


class Output:
    """
    Where a report goes: a text stream; while a progress bar is shown on the same terminal,
    through the bar's console, so that lines printed and the bar redrawn do not garble each other.
    """

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self._write: Callable[[str], object] = stream.write

    def write(self, text: str) -> None:
        """Write *text* (whole lines)."""
        self._write(text)

    @contextmanager
    def beside(self, console: Console) -> Iterator[None]:
        """Route the output through *console* (the progress bar's) when both are the terminal."""
        if not self.stream.isatty():
            yield
            return
        self._write = lambda text: console.out(text, end="", highlight=False)
        try:
            yield
        finally:
            self._write = self.stream.write


@dataclass(frozen=True, slots=True)
class Verdict:
    """
    The outcome of a scan: how many findings count toward the threshold (those of the
    ``--fail-on`` rules, kinds or categories, or all), the most allowed, and the inputs that
    could not be read.
    """

    counted: int
    max_findings: int
    fail_on: tuple[str, ...]
    errors: tuple[tuple[str, str], ...]

    @property
    def exit_status(self) -> int:
        """0 when clean enough, 1 when the findings pass the threshold, 2 when an input could
        not be read (the audit is incomplete)."""
        if self.errors:
            return 2
        return 1 if self.counted > self.max_findings else 0


class Report(Reporter, Protocol):
    """**Protocol:** a :class:`Reporter` that writes a report, finished by :meth:`finish`."""

    def finish(self, summaries: Sequence[FileSummary], verdict: Verdict) -> None:
        """Write what comes after the findings: counts per rule and file, and the verdict."""


def rule_rows(catalog: Catalog, summaries: Sequence[FileSummary]) -> list[dict[str, Any]]:
    """Findings per rule and kind over all inputs, most frequent first."""
    totals: Counter[tuple[str, str]] = Counter()
    for summary in summaries:
        totals.update(summary.by_rule)
    return [
        {
            "rule": rule,
            "kind": kind,
            "category": catalog.category(rule),
            "action": catalog.action(rule, kind),
            "findings": count,
        }
        for (rule, kind), count in sorted(totals.items(), key=lambda item: (-item[1], item[0]))
    ]


def _file_rows(summaries: Sequence[FileSummary]) -> list[dict[str, Any]]:
    return [
        {"file": s.name, "lines": s.lines, "findings": s.findings, "error": s.error or None}
        for s in summaries
    ]


def _finding(name: str, location: Location, catalog: Catalog) -> dict[str, Any]:
    finding: dict[str, Any] = {
        "file": name,
        "line": location.line,
        "column": location.column,
        "end_column": location.end_column,
        "rule": location.rule,
        "kind": location.kind,
        "action": catalog.action(location.rule, location.kind),
    }
    if location.reason:
        finding["reason"] = location.reason
    return finding


# ---------------------------------------------------------------------------------------- table


class TableReport:
    """One line per finding as it is found (``file:line:column: KIND (rule RULE) → action``),
    then tables of the findings by rule and by file, and the verdict."""

    def __init__(self, output: Output, catalog: Catalog) -> None:
        self.output = output
        self.catalog = catalog

    def location(self, name: str, location: Location) -> None:
        """Write one finding."""
        if location.rule == UNSCANNABLE:
            self.output.write(
                f"{name}:{location.line}: {UNSCANNABLE} ({location.reason}): not searched; "
                "redact replaces the whole line\n"
            )
        else:
            action = self.catalog.action(location.rule, location.kind)
            self.output.write(
                f"{name}:{location.line}:{location.column}: {location.kind} "
                f"(rule {location.rule}) → {action}\n"
            )

    def file_done(self, summary: FileSummary) -> None:
        """Nothing to write until the end."""

    def finish(self, summaries: Sequence[FileSummary], verdict: Verdict) -> None:
        """Write the tables and the verdict."""
        from rich.console import Console  # noqa: PLC0415 - rich loads only for a table report
        from rich.table import Table  # noqa: PLC0415

        # File names are shown as they are: no markup nor emoji codes.
        console = Console(file=self.output.stream, highlight=False, markup=False, emoji=False)
        rules = rule_rows(self.catalog, summaries)
        if rules:
            by_rule = Table(title="Findings by rule", title_justify="left")
            for column in ("rule", "kind", "category", "action"):
                by_rule.add_column(column)
            by_rule.add_column("findings", justify="right")
            for row in rules:
                by_rule.add_row(
                    row["rule"], row["kind"], row["category"], row["action"], f"{row['findings']:,}"
                )
            console.print(by_rule)
        noted = [s for s in summaries if s.findings or s.error]
        if noted:
            by_file = Table(title="Findings by file", title_justify="left")
            by_file.add_column("file", overflow="fold")
            by_file.add_column("lines", justify="right")
            by_file.add_column("findings", justify="right")
            if verdict.errors:
                by_file.add_column("error")
            for s in noted:
                by_file.add_row(
                    s.name,
                    f"{s.lines:,}",
                    f"{s.findings:,}",
                    *([s.error] if verdict.errors else []),
                )
            console.print(by_file)
        console.print(_summary_line(summaries, verdict))


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def _summary_line(summaries: Sequence[FileSummary], verdict: Verdict) -> str:
    files = len(summaries)
    lines = sum(s.lines for s in summaries)
    found = sum(s.findings for s in summaries)
    with_findings = sum(1 for s in summaries if s.findings)
    scope = f"{_count(files, 'file')} ({_count(lines, 'line')})"
    text = (
        f"{_count(found, 'finding')} in {with_findings:,} of {scope}."
        if found
        else f"No findings in {scope}."
    )
    if verdict.errors:
        text += f" {len(verdict.errors):,} input(s) could not be read: the audit is incomplete."
    elif verdict.exit_status:
        which = f" ({', '.join(verdict.fail_on)})" if verdict.fail_on else ""
        text += (
            f" Status 1: {verdict.counted:,} counted{which}, "
            f"more than the {verdict.max_findings:,} allowed."
        )
    return text


# ----------------------------------------------------------------------------------------- JSON


class JsonReport:
    """
    One JSON document: ``findings`` (each with file, line, column, end_column, rule, kind,
    action, and a reason for UNSCANNABLE lines), ``files``, ``rules`` (counts per rule and kind)
    and ``summary``. Columns are 1-based, in characters; ``end_column`` is just past the finding.
    """

    def __init__(self, output: Output, catalog: Catalog) -> None:
        self.output = output
        self.catalog = catalog
        self._started = False

    def location(self, name: str, location: Location) -> None:
        """Write one finding."""
        opening = ",\n    " if self._started else '{\n  "findings": [\n    '
        self.output.write(opening + json.dumps(_finding(name, location, self.catalog)))
        self._started = True

    def file_done(self, summary: FileSummary) -> None:
        """Nothing to write until the end."""

    def finish(self, summaries: Sequence[FileSummary], verdict: Verdict) -> None:
        """Close the findings and write the counts and the summary."""
        if not self._started:
            self.output.write('{\n  "findings": [')
        summary = {
            "files": len(summaries),
            "lines": sum(s.lines for s in summaries),
            "findings": sum(s.findings for s in summaries),
            "counted": verdict.counted,
            "max_findings": verdict.max_findings,
            "fail_on": list(verdict.fail_on),
            "exit_status": verdict.exit_status,
            "version": piiredact.__version__,
        }
        self.output.write(
            f'],\n  "files": {_array(_file_rows(summaries))},'
            f'\n  "rules": {_array(rule_rows(self.catalog, summaries))},'
            f'\n  "summary": {json.dumps(summary)}\n}}\n'
        )


def _array(items: Sequence[dict[str, Any]]) -> str:
    """A JSON array with one item per line, like the findings."""
    if not items:
        return "[]"
    return "[\n    " + ",\n    ".join(json.dumps(item) for item in items) + "]"


# ---------------------------------------------------------------------------------------- SARIF


class SarifReport:
    """
    A SARIF 2.1.0 log with one run: the policy's rules as the driver's rules (plus UNSCANNABLE),
    one result per finding with its region (columns in Unicode code points), read errors as tool
    notifications, and the counts per file and per rule in the run's properties.
    """

    def __init__(self, output: Output, catalog: Catalog) -> None:
        self.output = output
        self.catalog = catalog
        rules = [
            {
                "id": rule.name,
                "shortDescription": {"text": rule.description or rule.name},
                "defaultConfiguration": {"level": _level(rule.category)},
                "properties": {
                    "kind": rule.kind,
                    "category": rule.category,
                    "action": catalog.action(rule.name, rule.kind),
                    "tags": ["privacy", rule.category],
                },
            }
            for rule in catalog.rules.values()
        ]
        rules.append(
            {
                "id": UNSCANNABLE,
                "shortDescription": {"text": _UNSCANNABLE_HELP},
                "defaultConfiguration": {"level": "warning"},
                "properties": {"kind": UNSCANNABLE, "action": FAIL_CLOSED, "tags": ["privacy"]},
            }
        )
        self._index = {rule["id"]: number for number, rule in enumerate(rules)}
        driver = {
            "name": "piiredact",
            "version": piiredact.__version__,
            "semanticVersion": piiredact.__version__,
            "rules": rules,
        }
        head = json.dumps({"$schema": _SARIF_SCHEMA, "version": "2.1.0"})[:-1]
        run = json.dumps({"tool": {"driver": driver}, "columnKind": "unicodeCodePoints"})[:-1]
        self._head = f'{head}, "runs": [{run}, "results": [\n'
        self._started = False

    def location(self, name: str, location: Location) -> None:
        """Write one result."""
        rule, kind = location.rule, location.kind
        action = self.catalog.action(rule, kind)
        region: dict[str, int] = {"startLine": location.line}
        if location.column is not None and location.end_column is not None:
            region.update(startColumn=location.column, endColumn=location.end_column)
        if rule == UNSCANNABLE:
            text = f"Line not searched ({location.reason}); redact replaces the whole line."
        else:
            text = f"{kind} (rule {rule}); redact would apply: {action}."
        result = {
            "ruleId": rule,
            "ruleIndex": self._index[rule],
            "level": _level(self.catalog.category(rule)),
            "message": {"text": text},
            "locations": [
                {"physicalLocation": {"artifactLocation": {"uri": _uri(name)}, "region": region}}
            ],
            "properties": {"kind": kind, "action": action}
            | ({"reason": location.reason} if location.reason else {}),
        }
        self.output.write((",\n" if self._started else self._head) + json.dumps(result))
        self._started = True

    def file_done(self, summary: FileSummary) -> None:
        """Nothing to write until the end."""

    def finish(self, summaries: Sequence[FileSummary], verdict: Verdict) -> None:
        """Close the results and write the invocation and the counts."""
        if not self._started:
            self.output.write(self._head)
        notifications = [
            {
                "level": "error",
                "message": {"text": f"Could not read the input: {reason}"},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": _uri(name)}}}],
            }
            for name, reason in verdict.errors
        ]
        tail = {
            "invocations": [
                {
                    "executionSuccessful": not verdict.errors,
                    "exitCode": verdict.exit_status,
                    "toolExecutionNotifications": notifications,
                }
            ],
            "properties": {
                "files": _file_rows(summaries),
                "rules": rule_rows(self.catalog, summaries),
            },
        }
        self.output.write("\n], " + json.dumps(tail)[1:] + "]}\n")


def _level(category: str) -> str:
    """SARIF level: a leaked credential is an error, other personal data a warning."""
    return "error" if category == "credential" else "warning"


def _uri(name: str) -> str:
    """A SARIF artifact URI for input *name*: relative paths stay relative (the dashboard
    resolves them against the checkout), absolute ones become ``file:`` URIs."""
    if name != STDIN and os.path.isabs(name):
        return Path(name).as_uri()
    return urllib.parse.quote(Path(name).as_posix())


def make_reporter(name: str, output: Output, catalog: Catalog) -> Report:
    """The reporter for format *name* (one of :data:`FORMATS`)."""
    reporters: dict[str, Callable[[Output, Catalog], Report]] = {
        "table": TableReport,
        "json": JsonReport,
        "sarif": SarifReport,
    }
    return reporters[name](output, catalog)
