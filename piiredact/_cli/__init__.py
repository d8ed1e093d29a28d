"""
The ``piiredact`` command: ``redact`` (a stream filter for existing logs), ``scan`` (audit stored
logs), ``rules`` (the catalog), ``demo``, ``aggregate`` (differentially private statistics) and
``reveal`` (the values behind reversible tokens).

:func:`main` takes the arguments and returns the exit status, so that tests call it directly.
Errors are one line on stderr and a non-zero status, never a traceback: 2 for a usage,
configuration or read error; 1 only when ``scan`` finds more than allowed.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
import warnings
from collections.abc import Callable, Iterator, Sequence
from typing import NoReturn, TextIO

import piiredact
from piiredact import ConfigurationError, Policy
from piiredact._cli._aggregate import add_aggregate_parser, run_aggregate
from piiredact._cli._inputs import STDIN, InputError, find_files
from piiredact._cli._redact import redact_files, same_file
from piiredact._cli._report import FORMATS, Output, Verdict, make_reporter
from piiredact._cli._reveal import add_reveal_parser, run_reveal
from piiredact._cli._scan import Catalog, audit_redactor, scan_files, total_size
from piiredact._cli._spark import (
    add_engine_options,
    redact_with_spark,
    scan_with_spark,
    spark_inputs,
)
from piiredact.policy import PRESETS


__all__ = ["main"]

PROG = "piiredact"
#: Exit statuses.
OK, FOUND, ERROR = 0, 1, 2
# Inputs smaller than this finish before a progress bar would be worth drawing.
_PROGRESS_MIN_BYTES = 8 << 20


class UsageError(Exception):
    """A bad option or argument: reported in one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    """argparse, with its errors in one line (no usage block) and exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(ERROR, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def _positive(minimum: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = minimum - 1
        if value < minimum:
            msg = f"expected a whole number of at least {minimum}, not {text!r}"
            raise argparse.ArgumentTypeError(msg)
        return value

    return parse


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="Keep personal data and secrets out of logs: redact them, audit them.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {piiredact.__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    policy = _Parser(add_help=False)
    group = policy.add_argument_group("policy")
    group.add_argument(
        "--policy",
        metavar="FILE",
        help="a TOML policy file (default: the PIIREDACT_* environment, see Policy.from_env)",
    )
    group.add_argument("--preset", choices=PRESETS, help="the preset, over the policy's own")

    redact = commands.add_parser(
        "redact",
        parents=[policy],
        help="redact plain-text and JSON-lines logs (a stream filter)",
        description="Redact plain-text and JSON-lines logs, line by line, into standard output "
        "or a file. JSON lines are redacted key-aware and keep their key order; gzip input is "
        "read transparently.",
    )
    redact.add_argument("files", nargs="*", metavar="FILE", help="inputs ('-' or none: stdin)")
    redact.add_argument("-o", "--output", metavar="OUT", help="write here (gzip when *.gz)")
    add_engine_options(redact)

    scan = commands.add_parser(
        "scan",
        parents=[policy],
        help="audit stored logs: where personal data and secrets are, never what",
        description="Search files and directories (recursively, gzip too) and report each "
        "finding's location, rule and the action redact would take, never its value. Exit "
        "status: 0 when clean, 1 when the findings pass the threshold, 2 on errors.",
    )
    scan.add_argument("paths", nargs="+", metavar="PATH", help="files, directories, or '-'")
    scan.add_argument("--format", choices=FORMATS, default="table", help="report format")
    scan.add_argument("-o", "--output", metavar="OUT", help="write the report here")
    scan.add_argument(
        "--include", action="append", default=[], metavar="GLOB", help="under directories, "
        "only files whose name or relative path matches (repeatable)"
    )  # fmt: skip
    scan.add_argument(
        "--exclude", action="append", default=[], metavar="GLOB",
        help="skip files and directories that match (repeatable)",
    )  # fmt: skip
    scan.add_argument(
        "--fail-on", action="append", default=[], metavar="NAMES",
        help="count only findings of these rules, kinds or categories toward the threshold "
        "(comma-separated, repeatable; default: all)",
    )  # fmt: skip
    scan.add_argument(
        "--max-findings", type=_positive(0), default=0, metavar="N",
        help="exit with 1 when more than N findings count (default 0)",
    )  # fmt: skip
    scan.add_argument(
        "--jobs", type=_positive(1), default=1, metavar="N",
        help="scan files in N processes (default 1)",
    )  # fmt: skip
    add_engine_options(scan)

    rules = commands.add_parser(
        "rules",
        parents=[policy],
        help="list the rules, with an example of each",
        description="List the policy's rules: kind, category, action, validator, and a "
        "synthetic example with its redacted output.",
    )
    rules.add_argument("--format", choices=("table", "json"), default="table")

    commands.add_parser(
        "demo",
        help="show redaction in stdlib logging, structlog and OpenTelemetry",
        description="Run a small app that logs through stdlib logging, structlog and an "
        "OpenTelemetry tracer, show its output without and with piiredact, and audit it.",
    )
    add_aggregate_parser(commands)
    add_reveal_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """
    Run the ``piiredact`` command with *argv* (``sys.argv[1:]`` when None); return the exit
    status.

    .. versionadded:: 0.1.0
    """
    try:
        importlib.import_module("rich")
    except ImportError:
        sys.stderr.write(
            f"{PROG}: the command line needs the cli extra: pip install 'piiredact[cli]'\n"
        )
        return ERROR
    parser = _build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a usage error already printed
        return exc.code if isinstance(exc.code, int) else ERROR
    prog = f"{PROG} {args.command}"
    run = {
        "redact": _run_redact, "scan": _run_scan, "rules": _run_rules, "demo": _run_demo,
        "aggregate": run_aggregate, "reveal": run_reveal,
    }[args.command]  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("default")
        warnings.showwarning = _show_warning
        try:
            return run(args)
        except (UsageError, ConfigurationError, InputError) as exc:
            sys.stderr.write(f"{prog}: error: {exc}\n")
        except OSError as exc:
            if isinstance(exc, BrokenPipeError):
                return _pipe_closed()
            sys.stderr.write(f"{prog}: error: {_os_error(exc)}\n")
        except KeyboardInterrupt:
            return 130
    return ERROR


def _show_warning(message: Warning | str, *_: object, **__: object) -> None:
    """Warnings as one line, without the source line that Python shows."""
    text = str(message).removeprefix(f"{PROG}: ")  # the engine's own warnings name it already
    sys.stderr.write(f"{PROG}: warning: {text}\n")


def _pipe_closed() -> int:
    """The reader of our output went away (``| head``): stop quietly, as ``cat`` does."""
    with contextlib.suppress(OSError, ValueError):
        # Python flushes stdout at exit; pointing it at /dev/null keeps that quiet.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    return 141  # 128 + SIGPIPE, what a shell reports for a writer killed by a closed pipe


def _os_error(exc: OSError) -> str:
    where = f"{exc.filename!r}: " if exc.filename else ""
    return f"{where}{exc.strerror or exc}"


def _policy(args: argparse.Namespace) -> Policy:
    """The policy from ``--policy`` (else the environment), with ``--preset`` over it."""
    policy = Policy.from_toml(args.policy) if args.policy else Policy.from_env()
    return policy.evolve(preset=args.preset) if args.preset else policy


def _check_inputs(names: Sequence[str], *, directories: bool) -> None:
    for name in names:
        if name == STDIN:
            continue
        if not os.path.exists(name):
            msg = f"{name!r}: no such file or directory"
            raise UsageError(msg)
        if not directories and os.path.isdir(name):
            msg = f"{name!r} is a directory (scan reads directories; redact reads files)"
            raise UsageError(msg)


# ------------------------------------------------------------------------------------- commands


def _run_redact(args: argparse.Namespace) -> int:
    if args.engine == "spark":
        redact_with_spark(args, _policy(args))
        return OK
    names = args.files or [STDIN]
    _check_inputs(names, directories=False)
    if args.output and (overwritten := same_file(args.output, names)):
        msg = f"the output {args.output!r} is also an input ({overwritten!r})"
        raise UsageError(msg)
    redact_files(piiredact.Redactor(_policy(args)), names, args.output)
    return OK


def _run_scan(args: argparse.Namespace) -> int:
    catalog = Catalog(_policy(args))
    fail_on = frozenset(
        name.strip() for item in args.fail_on for name in item.split(",") if name.strip()
    )
    if unknown := sorted(fail_on - catalog.names()):
        msg = f"--fail-on: {', '.join(unknown)} is not a rule, kind or category of the policy"
        raise UsageError(msg)
    if args.jobs > 1 and STDIN in args.paths:
        msg = "--jobs reads files in other processes; it cannot read standard input"
        raise UsageError(msg)
    if args.engine == "spark":
        names, unreadable = spark_inputs(args)
    else:
        _check_inputs(args.paths, directories=True)
        names, unreadable = find_files(args.paths, include=args.include, exclude=args.exclude)
    redactor = audit_redactor(catalog.policy)
    with _report_stream(args.output) as stream:
        output = Output(stream)
        reporter = make_reporter(args.format, output, catalog)
        if args.engine == "spark":
            summaries = scan_with_spark(args, names, redactor.policy, reporter)
        else:
            with _progress(names, output) as advance:
                summaries = scan_files(names, redactor, reporter, jobs=args.jobs, progress=advance)
        errors = (*unreadable, *((s.name, s.error) for s in summaries if s.error))
        for name, reason in errors:
            sys.stderr.write(f"{PROG} scan: error: cannot read {name!r}: {reason}\n")
        verdict = Verdict(
            counted=catalog.counted(summaries, fail_on),
            max_findings=args.max_findings,
            fail_on=tuple(sorted(fail_on)),
            errors=errors,
        )
        reporter.finish(summaries, verdict)
    return verdict.exit_status


@contextlib.contextmanager
def _report_stream(path: str | None) -> Iterator[TextIO]:
    if path is None:
        yield sys.stdout
        sys.stdout.flush()
    else:
        with open(path, "w", encoding="utf-8") as stream:
            yield stream


@contextlib.contextmanager
def _progress(names: Sequence[str], output: Output) -> Iterator[Callable[[int], None] | None]:
    """A progress bar with bytes per second on stderr, for large inputs and on a terminal only
    (never for stdin, whose size is unknown); None when there is to be none."""
    total = 0 if STDIN in names or not sys.stderr.isatty() else total_size(names)
    if total < _PROGRESS_MIN_BYTES:
        yield None
        return
    from rich.console import Console  # noqa: PLC0415 - only for a progress bar
    from rich.progress import (  # noqa: PLC0415
        BarColumn,
        DownloadColumn,
        Progress,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    bar = Progress(
        "scanning",
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
        redirect_stdout=False,
        redirect_stderr=False,
    )
    with bar, output.beside(bar.console):
        task = bar.add_task("scan", total=total)
        yield lambda done: bar.advance(task, done)


def _run_rules(args: argparse.Namespace) -> int:
    from piiredact._cli._rules import list_rules  # noqa: PLC0415 - loads rich

    list_rules(piiredact.Redactor(_policy(args)), as_json=args.format == "json")
    return OK


def _run_demo(args: argparse.Namespace) -> int:
    from piiredact._cli._demo import run_demo  # noqa: PLC0415 - loads the demo's hosts

    return run_demo(sys.stdout)
