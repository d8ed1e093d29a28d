"""
``piiredact aggregate``: a differentially private count, sum, mean or histogram of a JSON-lines
file, grouped, printed as a table, JSON or CSV with the privacy budget it spent.

An optional ledger file carries the budget across runs: it holds the total ε and δ for the data
and every release made against it, and a run that would pass the total is refused. Nothing is
printed, and the ledger is not touched, unless the release succeeds.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, TextIO

from piiredact.exceptions import ConfigurationError


if TYPE_CHECKING:
    from piiredact.dp import Budget, Release


__all__ = ["add_aggregate_parser", "run_aggregate"]

_FORMATS = ("table", "json", "csv")
# A JSON line longer than this is no feedback event; it is refused rather than held in memory.
_MAX_LINE_CHARS = 1 << 20
_STATISTICS = ("count", "sum", "mean", "histogram")


def add_aggregate_parser(commands: argparse._SubParsersAction[Any]) -> None:
    """Add the ``aggregate`` subcommand to *commands*."""
    parser = commands.add_parser(
        "aggregate",
        help="differentially private counts, sums, means and histograms of JSON lines",
        description="Release a differentially private statistic of a JSON-lines file, "
        "grouped by fields: each person's (unit's) contribution is bounded, integer noise "
        "is added (OpenDP), groups not declared in advance are released only when their "
        "noisy count passes a threshold, and the privacy budget spent is printed. Needs the "
        "dp extra: pip install 'piiredact[dp]'.",
        epilog="Generalizers for --by: ip, ip/N, geo, geo/N, age, age/N, week, day, month, "
        "year, zip3, user-agent. Negative bounds need '=': --bounds=-5,5.",
    )
    parser.add_argument("file", metavar="FILE", help="JSON lines, one event per line ('-': stdin)")
    parser.add_argument(
        "--unit", metavar="FIELD",
        help="the field that identifies a person, e.g. a tokenized user id (required)",
    )  # fmt: skip
    parser.add_argument(
        "--by", action="append", default=[], metavar="FIELD[:GEN][,...]",
        help="group by these fields, each optionally generalized (e.g. ts:week,ip:ip/16)",
    )  # fmt: skip
    what = parser.add_mutually_exclusive_group()
    what.add_argument("--count", action="store_true", help="count rows (units, by default)")
    what.add_argument("--sum", metavar="F", help="sum field F (needs --bounds)")
    what.add_argument("--mean", metavar="F", help="average field F (needs --bounds)")
    what.add_argument("--histogram", metavar="F", help="count each value (or bin) of field F")
    parser.add_argument(
        "--bounds", metavar="LO,HI", help="whole numbers each value of F is clamped to"
    )
    parser.add_argument("--bins", metavar="E1,E2,...", help="histogram bin edges, increasing")
    parser.add_argument(
        "--keys", action="append", default=[], metavar="FIELD=V1,V2,...",
        help="declare a grouping field's values in advance (repeatable); when every field is "
        "declared, every group is released and no delta is needed",
    )  # fmt: skip
    parser.add_argument("--epsilon", metavar="E", help="the privacy loss to spend (required)")
    parser.add_argument(
        "--delta", metavar="D", default="0",
        help="the chance of a group of one person being released (needed for groups not "
        "declared with --keys; e.g. 1e-6)",
    )  # fmt: skip
    parser.add_argument(
        "--max-groups", metavar="K", default="1", help="groups one unit counts in (default 1)"
    )
    parser.add_argument(
        "--max-rows", metavar="C", default="1",
        help="rows one unit counts for in each group (default 1)",
    )  # fmt: skip
    parser.add_argument("--format", choices=_FORMATS, default="table", help="output format")
    parser.add_argument(
        "--ledger", metavar="FILE",
        help="a JSON budget ledger kept across runs (created with --total-epsilon; "
        "FILE.lock beside it makes concurrent runs wait their turn)",
    )  # fmt: skip
    parser.add_argument("--total-epsilon", metavar="E", help="a new ledger's total epsilon")
    parser.add_argument("--total-delta", metavar="D", help="a new ledger's total delta")


def run_aggregate(args: argparse.Namespace) -> int:
    """
    Run ``piiredact aggregate``; return the exit status.

    Raises:
        ConfigurationError: A missing or invalid option (reported by the caller, status 2).
    """
    statistic = _statistic(args)
    try:
        from piiredact import dp  # noqa: PLC0415 - the dp extra is optional
    except ImportError as exc:
        sys.stderr.write(f"piiredact aggregate: error: {exc}\n")
        return 2
    field, query = _query(args, statistic)
    try:
        with _budget(args, query["epsilon"], query["delta"]) as budget:
            aggregator = dp.Aggregator(_records(args.file), unit=args.unit, budget=budget)
            method = getattr(aggregator, statistic)
            release: Release = method(field, **query) if field else method(**query)
    except dp.BudgetExceeded as exc:
        sys.stderr.write(f"piiredact aggregate: error: {exc}\n")
        return 2
    _write(release, budget, args.format, sys.stdout)
    return 0


def _statistic(args: argparse.Namespace) -> str:
    """The statistic asked for; refuse, before reading anything, a run that lacks what DP
    cannot do without."""
    statistic = next((s for s in _STATISTICS if getattr(args, s)), None)
    if statistic is None:
        msg = "what to release? give --count, --sum F, --mean F or --histogram F"
        raise ConfigurationError(msg)
    if not args.unit:
        msg = (
            "no privacy unit: give --unit FIELD, the field that identifies a person (e.g. a "
            "tokenized user id), so that each person's contribution can be bounded"
        )
        raise ConfigurationError(msg)
    if args.epsilon is None:
        msg = (
            "no privacy budget: give --epsilon E, the privacy loss this release may spend "
            "(smaller is more private and noisier; 0.1 to 1 is common)"
        )
        raise ConfigurationError(msg)
    if statistic in ("sum", "mean") and args.bounds is None:
        msg = (
            f"--{statistic} needs --bounds LO,HI: the range each value is clamped to, so that "
            "no one person's values can move the result further than the noise covers"
        )
        raise ConfigurationError(msg)
    if args.bins is not None and statistic != "histogram":
        msg = "--bins goes with --histogram"
        raise ConfigurationError(msg)
    return statistic


def _query(args: argparse.Namespace, statistic: str) -> tuple[str | None, dict[str, Any]]:
    """The field and keyword arguments of the Aggregator method for *statistic*."""
    by: list[str] = []
    generalize: dict[str, str] = {}
    for item in args.by:
        for part in filter(None, (p.strip() for p in item.split(","))):
            field, _, name = part.partition(":")
            by.append(field)
            if name:
                generalize[field] = name
    categories: dict[str, list[str]] = {}
    for item in args.keys:
        field, equals, values = item.partition("=")
        if not equals or not field:
            msg = f"--keys {item!r}: expected FIELD=V1,V2,..."
            raise ConfigurationError(msg)
        categories[field.strip()] = values.split(",")
    field = None
    query: dict[str, Any] = {
        "by": by,
        "generalize": generalize,
        "categories": categories,
        "epsilon": _number("--epsilon", args.epsilon),
        "delta": _number("--delta", args.delta),
        "max_groups": _whole("--max-groups", args.max_groups),
        "max_rows": _whole("--max-rows", args.max_rows),
    }
    if statistic == "histogram":
        field = args.histogram
        if args.bins is not None:
            query["bins"] = [_number("--bins", edge) for edge in args.bins.split(",")]
    elif statistic in ("sum", "mean"):
        field = getattr(args, statistic)
        low, comma, high = args.bounds.partition(",")
        if not comma:
            msg = f"--bounds {args.bounds!r}: expected LO,HI"
            raise ConfigurationError(msg)
        query["bounds"] = (_whole("--bounds", low), _whole("--bounds", high))
    return field, query


def _number(option: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        msg = f"{option}: {text!r} is not a number"
        raise ConfigurationError(msg) from None
    return value


def _whole(option: str, text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        msg = f"{option}: {text!r} is not a whole number"
        raise ConfigurationError(msg) from None


def _records(name: str) -> Iterator[dict[str, Any]]:
    """The JSON objects of *name*, one per line; blank lines are skipped, anything else is an
    error that names the line (never its content)."""
    from piiredact._cli._inputs import Input  # noqa: PLC0415 - shared with redact and scan

    with Input(name, max_chars=_MAX_LINE_CHARS) as lines:
        for number, line in enumerate(lines, 1):
            if line.text is not None and not line.text.strip():
                continue
            try:
                record = json.loads(line.text) if line.text is not None else None
            except json.JSONDecodeError:
                record = None
            if not isinstance(record, dict):
                msg = f"{name}:{number}: not a JSON object (aggregate reads JSON lines)"
                raise ConfigurationError(msg)
            yield record


@contextlib.contextmanager
def _budget(args: argparse.Namespace, epsilon: float, delta: float) -> Iterator[Budget]:
    """
    The budget to charge: the ledger file's, locked for the run and saved only when the release
    succeeds, or else one of exactly this release's ε and δ.
    """
    from piiredact.dp import Budget  # noqa: PLC0415 - the dp extra is optional

    if args.ledger is None:
        if args.total_epsilon is not None or args.total_delta is not None:
            msg = "--total-epsilon and --total-delta set a --ledger's totals"
            raise ConfigurationError(msg)
        yield Budget(epsilon, delta)
        return
    if args.total_epsilon is None and not os.path.exists(args.ledger):
        raise _new_ledger(args.ledger)
    # The lock is a file of its own: the ledger is replaced whole (a crash mid-write must never
    # leave a ledger that forgot what was spent), and a replaced file's lock would not hold.
    with open(f"{args.ledger}.lock", "a", encoding="utf-8") as lock:
        _lock(lock)
        try:
            with open(args.ledger, encoding="utf-8") as ledger:
                text = ledger.read()
        except FileNotFoundError:
            text = ""
        budget = _open_ledger(args, text)
        yield budget
        temporary = f"{args.ledger}.{os.getpid()}.tmp"
        with open(temporary, "w", encoding="utf-8") as ledger:
            json.dump(budget.to_dict(), ledger, indent=2)
            ledger.write("\n")
            ledger.flush()
            os.fsync(ledger.fileno())
        os.replace(temporary, args.ledger)


def _open_ledger(args: argparse.Namespace, text: str) -> Budget:
    from piiredact.dp import Budget  # noqa: PLC0415 - the dp extra is optional

    given = (
        None if args.total_epsilon is None else _number("--total-epsilon", args.total_epsilon),
        None if args.total_delta is None else _number("--total-delta", args.total_delta),
    )
    if not text.strip():
        if given[0] is None:
            raise _new_ledger(args.ledger)
        return Budget(given[0], given[1] or 0.0)
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        data = None
    if not isinstance(data, dict):
        msg = f"the ledger {args.ledger!r} is not a privacy-budget ledger (a JSON object)"
        raise ConfigurationError(msg)
    try:
        budget = Budget.from_dict(data)
    except ConfigurationError as exc:
        msg = f"the ledger {args.ledger!r}: {exc}"
        raise ConfigurationError(msg) from None
    for option, value, total in zip(("epsilon", "delta"), given, budget.total, strict=True):
        if value is not None and value != total:
            msg = f"the ledger {args.ledger!r} has a total {option} of {total:g}, not {value:g}"
            raise ConfigurationError(msg)
    return budget


def _new_ledger(path: str) -> ConfigurationError:
    return ConfigurationError(
        f"the ledger {path!r} is new: give its total budget with --total-epsilon"
    )


def _lock(stream: TextIO) -> None:
    """Hold the ledger for this run: two runs at once must not both spend its last ε."""
    try:
        import fcntl  # noqa: PLC0415 - POSIX only
    except ImportError:  # pragma: no cover - Windows: one run at a time is the user's care
        return
    fcntl.flock(stream.fileno(), fcntl.LOCK_EX)


def _write(release: Release, budget: Budget, form: str, stream: TextIO) -> None:
    spent, total = budget.spent, budget.total
    summary = (
        f"budget spent: epsilon {spent[0]:g} of {total[0]:g}, delta {spent[1]:g} of {total[1]:g}"
    )
    if form == "json":
        data = {"release": release.to_dict(), "budget": budget.to_dict()}
        stream.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    elif form == "csv":
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(release.columns)
        writer.writerows(release.rows)
        sys.stderr.write(f"piiredact aggregate: {_describe(release)}; {summary}\n")
    else:
        _table(release, stream)
        stream.write(f"{_describe(release)}\n{summary}\n")


def _describe(release: Release) -> str:
    """What the release is, in one line: its cost, how groups were chosen, the bounds."""
    parts = [f"epsilon {release.epsilon:g}, delta {release.delta:g}"]
    if release.declared:
        parts.append("every declared group released")
    else:
        parts.append(f"groups found in the data, released at a noisy count of {release.threshold}+")
    parts.append(
        f"each unit in at most {release.max_groups} group(s), {release.max_rows} row(s) each"
    )
    if release.bounds is not None:
        parts.append(f"values clamped to [{release.bounds[0]}, {release.bounds[1]}]")
    mechanisms = ", ".join(
        f"{m.statistic}: {m.name.replace('_', ' ')} scale {m.scale:g}" for m in release.mechanisms
    )
    return "; ".join(parts) + f"; discrete noise ({mechanisms})"


def _table(release: Release, stream: TextIO) -> None:
    from rich.console import Console  # noqa: PLC0415 - rich loads only for a table
    from rich.table import Table  # noqa: PLC0415

    title = (
        release.statistic if release.field is None else f"{release.statistic} of {release.field}"
    )
    table = Table(title=f"{title}{' by ' + ', '.join(release.by) if release.by else ''}")
    numeric = len(release.columns) - len(release.by) - (release.statistic == "histogram")
    labels = len(release.columns) - numeric
    for index, column in enumerate(release.columns):
        table.add_column(column, justify="left" if index < labels else "right")
    for row in release.rows:
        table.add_row(*(_cell(value, is_label=index < labels) for index, value in enumerate(row)))
    # Group labels are data: no markup, or rich would read "[x]" as a style.
    Console(file=stream, highlight=False, markup=False, emoji=False).print(table)


def _cell(value: object, *, is_label: bool) -> str:
    if value is None:
        return "(missing)" if is_label else "—"  # a group without the field; a mean of nothing
    return f"{value:.2f}" if isinstance(value, float) else str(value)
