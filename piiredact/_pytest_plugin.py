"""
The pytest plugin (entry point ``pytest11``: ``piiredact``): fail a test whose logs hold
personal data, and keep pytest's own report from printing it.

pytest loads this module in every project that installs piiredact, so it is inert until enabled:
by ``--piiredact``, by ``piiredact = true`` in the ini file, by the ``piiredact`` marker on a test,
class or module, or by the ``piiredact_findings`` fixture. Until then it only declares options,
markers and the fixture; no handler, level or formatter is touched.

For an enabled test, each phase (setup, call, teardown) is watched by a handler of our own on the
root logger and on the loggers that do not propagate, at ``--piiredact-level`` (DEBUG by
default). The root logger's level is lowered to it from setup to teardown, as ``--log-level``
does, because records under its level are never made (pytest leaves root at WARNING, so INFO and
DEBUG records would never be seen). Our own handler rather than caplog's records: it works with
``-p no:logging``, at every level, and in teardown (caplog's records are gone by the time the
teardown report is made).

Each record is scanned when it is emitted (``leak`` mode: what handlers received; with
``piiredact.install()`` active that is the redacted record). ``strict`` mode also counts what
``install()`` redacted before any handler saw it (``piiredact.stdlib._observe``: rule names,
never values); without ``install()`` there is nothing redacted, and strict finds what leak finds.
When a phase ends, its findings (and, with ``--piiredact-stdio``, its captured stdout and stderr)
decide: a passed phase with findings fails (an error in setup or teardown), naming phase, rule,
field, logger, level and origin, never the value. The report's "Captured ..." sections, which the
terminal and JUnit XML print, are redacted, and so are live logs (``log_cli``) and ``--log-file``.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import overload

import pytest

from piiredact import stdlib
from piiredact._redactor import FAILED_MARKER, Redactor, redactor_for
from piiredact.exceptions import ConfigurationError
from piiredact.policy import Policy
from piiredact.testing import UNSCANNED, PiiFinding, _describe, _Scanner


_MODES = ("leak", "strict")
_STDIO_SECTIONS = ("stdout", "stderr")


# ---------------------------------------------------------------------------------- options
def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("piiredact", "piiredact: fail tests whose logs hold personal data")
    group.addoption(
        "--piiredact",
        action="store_true",
        default=None,
        help="Fail tests whose logs hold personal data (ini: piiredact = true).",
    )
    group.addoption(
        "--piiredact-mode",
        choices=_MODES,
        default=None,
        help="leak: what reached log handlers; strict: also what piiredact.install() "
        "redacted before output (ini: piiredact_mode; default leak).",
    )
    group.addoption(
        "--piiredact-level",
        default=None,
        metavar="LEVEL",
        help="Lowest level of the records scanned (ini: piiredact_level; default DEBUG).",
    )
    group.addoption(
        "--piiredact-stdio",
        action="store_true",
        default=None,
        help="Scan captured stdout and stderr too (ini: piiredact_stdio).",
    )
    group.addoption(
        "--piiredact-policy",
        default=None,
        metavar="PATH",
        help="TOML policy deciding what counts (ini: piiredact_policy; default: the policy "
        "the PIIREDACT_* environment variables describe, as for piiredact.install()).",
    )
    parser.addini("piiredact", "Enable piiredact for every test.", type="bool", default=False)
    parser.addini("piiredact_mode", "piiredact mode: leak or strict.", default="leak")
    parser.addini("piiredact_level", "Lowest level piiredact scans.", default="DEBUG")
    parser.addini(
        "piiredact_stdio", "piiredact scans stdout and stderr too.", type="bool", default=False
    )
    parser.addini(
        "piiredact_allow",
        "Rule names, kinds or categories any test may log (piiredact).",
        type="args",
        default=[],
    )
    parser.addini(
        "piiredact_policy", "TOML policy file for piiredact, relative to the ini file.", default=""
    )


@dataclass(frozen=True, slots=True)
class _Settings:
    """The plugin's configuration for a run, checked once."""

    mode: str
    level: int
    stdio: bool
    allowed: frozenset[str]
    scanner: _Scanner
    policy_source: str

    @classmethod
    def from_config(cls, config: pytest.Config) -> _Settings:
        """
        Raises:
            ConfigurationError: An option is invalid; the message names it.
        """
        mode = config.getoption("piiredact_mode") or config.getini("piiredact_mode")
        if mode not in _MODES:
            msg = f"piiredact_mode: {mode!r} is not one of {list(_MODES)}"
            raise ConfigurationError(msg)
        level = _level(config.getoption("piiredact_level") or config.getini("piiredact_level"))
        path = _policy_path(config)
        if path is not None:
            policy, source = Policy.from_toml(path), str(path)
        else:
            from_env = any(name.startswith("PIIREDACT_") for name in os.environ)
            policy, source = Policy.from_env(), "from PIIREDACT_*" if from_env else "default"
        # The default policy shares the package's engine with install(): compiled once a process.
        scanner = _Scanner(redactor_for(policy))
        return cls(
            mode=mode,
            level=level,
            stdio=bool(config.getoption("piiredact_stdio") or config.getini("piiredact_stdio")),
            allowed=scanner.allowlist(config.getini("piiredact_allow"), source="piiredact_allow"),
            scanner=scanner,
            policy_source=source,
        )


def _policy_path(config: pytest.Config) -> Path | None:
    """The policy file: the option's path is relative to where pytest runs, the ini's to it."""
    option = config.getoption("piiredact_policy")
    if option:
        return Path(config.invocation_params.dir, option)
    ini = config.getini("piiredact_policy")
    if ini:
        return Path(config.inipath.parent if config.inipath else config.rootpath, ini)
    return None


def _level(value: str) -> int:
    text = str(value).strip()
    level = int(text) if text.isdigit() else logging.getLevelNamesMapping().get(text.upper())
    if level is None:
        msg = f"piiredact_level: {text!r} is not a logging level name or number"
        raise ConfigurationError(msg)
    return level


class _Run:
    """The plugin's state for one pytest run (in ``config.stash``)."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.everywhere = bool(config.getoption("piiredact") or config.getini("piiredact"))
        self._settings: _Settings | ConfigurationError | None = None

    def settings(self) -> _Settings:
        """
        The settings, checked on first use: when the run starts if the plugin is on for every
        test, else when the first test enables it (a bad environment must not break runs that
        never use the plugin).

        Raises:
            ConfigurationError: A setting is invalid.
        """
        if self._settings is None:
            try:
                self._settings = _Settings.from_config(self.config)
            except ConfigurationError as exc:
                self._settings = exc
        if isinstance(self._settings, ConfigurationError):
            raise self._settings
        return self._settings


_RUN = pytest.StashKey[_Run]()
_WATCH = pytest.StashKey["_Watch"]()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "piiredact(mode='leak'): fail the test when its logs hold personal data (piiredact); "
        "mode='strict' also counts what piiredact.install() redacted.",
    )
    config.addinivalue_line(
        "markers",
        "piiredact_allow(*names, reason=''): rule names, kinds or categories of personal data "
        "the test may log (piiredact).",
    )
    run = config.stash[_RUN] = _Run(config)
    if run.everywhere:
        try:
            run.settings()
        except ConfigurationError as exc:
            raise pytest.UsageError(str(exc)) from None


def pytest_report_header(config: pytest.Config) -> list[str]:
    run = config.stash.get(_RUN, None)
    if run is None or not run.everywhere:
        return []
    settings = run.settings()
    scanned = "stdout, stderr and log records" if settings.stdio else "log records"
    lines = [
        f"piiredact: {settings.mode} mode, {scanned} from "
        f"{logging.getLevelName(settings.level)} up, policy {settings.policy_source}"
    ]
    if config.pluginmanager.get_plugin("logging-plugin") is None:
        lines.append(
            "piiredact: pytest's logging plugin is off (-p no:logging): records are collected "
            "by piiredact's own handler, and there is no captured log to scrub"
        )
    if settings.stdio and config.getoption("capture", None) == "no":
        lines.append("piiredact: output capture is off (-s): stdout and stderr are not scanned")
    return lines


def pytest_sessionstart(session: pytest.Session) -> None:
    run = session.config.stash[_RUN]
    if run.everywhere:  # from collection on; tests enabled by a marker do it when they start
        _scrub_live_logs(session.config, run.settings().scanner.redactor)


# ---------------------------------------------------------------------------------- phases
@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, object, object]:
    watch = _start(item)
    if watch is None:
        return (yield)
    watch.lower_root_level()
    with watch.watching("setup"):
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
    watch = item.stash.get(_WATCH, None)
    if watch is None:
        return (yield)
    with watch.watching("call"):
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Generator[None, object, object]:
    watch = item.stash.get(_WATCH, None)
    if watch is None:
        return (yield)
    try:
        with watch.watching("teardown"):
            return (yield)
    finally:
        watch.restore_root_level()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    watch = item.stash.get(_WATCH, None)
    if watch is not None:
        watch.judge(report)
        if call.when == "teardown":
            del item.stash[_WATCH]
    return report


def _start(item: pytest.Item) -> _Watch | None:
    """A watch for *item* when the plugin is enabled for it, else None."""
    run = item.config.stash[_RUN]
    marker = item.get_closest_marker("piiredact")
    if not (
        run.everywhere
        or marker is not None
        or "piiredact_findings" in getattr(item, "fixturenames", ())
    ):
        return None
    try:
        settings = run.settings()
        mode, allowed = _for_test(item, marker, settings)
    except ConfigurationError as exc:
        pytest.fail(f"piiredact: {exc}", pytrace=False)
    _scrub_live_logs(item.config, settings.scanner.redactor)
    watch = item.stash[_WATCH] = _Watch(settings, strict=mode == "strict", allowed=allowed)
    return watch


def _for_test(
    item: pytest.Item, marker: pytest.Mark | None, settings: _Settings
) -> tuple[str, frozenset[str]]:
    """
    The mode and allowlist of *item*: the run's, with what its markers say.

    Raises:
        ConfigurationError: A marker has arguments it does not take or names an unknown rule.
    """
    mode = settings.mode
    if marker is not None:
        mode = marker.kwargs.get("mode", mode)
        if marker.args or set(marker.kwargs) - {"mode"} or mode not in _MODES:
            msg = "@pytest.mark.piiredact takes mode='leak' or mode='strict' only"
            raise ConfigurationError(msg)
    allowed = settings.allowed
    for mark in item.iter_markers("piiredact_allow"):
        if not mark.args or set(mark.kwargs) - {"reason"}:
            msg = "@pytest.mark.piiredact_allow takes rule names, kinds or categories and reason="
            raise ConfigurationError(msg)
        allowed |= settings.scanner.allowlist(mark.args, source="@pytest.mark.piiredact_allow")
    return mode, allowed


class _Watch(logging.Handler):
    """
    Collects the findings in what one test logs, phase by phase: scans each record as it is
    emitted and, in strict mode, hears what ``install()`` redacted.
    """

    def __init__(self, settings: _Settings, *, strict: bool, allowed: frozenset[str]) -> None:
        super().__init__(settings.level)
        self.settings = settings
        self.strict = strict
        self.allowed = allowed
        self.phase = "setup"
        self.findings: list[PiiFinding] = []
        self._findings_lock = threading.Lock()  # records come from any thread
        self._root_level: int | None = None

    def emit(self, record: logging.LogRecord) -> None:
        scanner = self.settings.scanner
        try:
            found = scanner.record(record)
        except Exception:  # our own failure must not break the logging call, nor hide a leak
            found = [scanner.about(record, PiiFinding(rule=UNSCANNED, kind=UNSCANNED, where=""))]
        self._add(found)

    def observe(self, record: logging.LogRecord, rules: tuple[str, ...]) -> None:
        """``stdlib._observe`` callback: *record* had *rules* redacted before output."""
        if record.levelno >= self.level:
            scanner = self.settings.scanner
            self._add(
                scanner.about(record, replace(scanner.found(rule, ""), redacted=True))
                for rule in dict.fromkeys(rules)
            )

    def _add(self, found: Iterable[PiiFinding]) -> None:
        with self._findings_lock:
            self.findings.extend(replace(finding, phase=self.phase) for finding in found)

    @contextlib.contextmanager
    def watching(self, phase: str) -> Iterator[None]:
        """Watch what the test logs during *phase*."""
        self.phase = phase
        root = logging.getLogger()
        # As pytest's own capture does: non-propagating loggers never reach the root's handlers.
        loggers = [root] + [
            logger
            for logger in root.manager.loggerDict.values()
            if isinstance(logger, logging.Logger) and not logger.propagate
        ]
        for logger in loggers:
            logger.addHandler(self)
        try:
            with stdlib._observe(self.observe) if self.strict else contextlib.nullcontext():
                yield
        finally:
            for logger in loggers:
                logger.removeHandler(self)

    def lower_root_level(self) -> None:
        """
        Let the root logger make records from our level up, for the whole test: from setup to
        teardown, so that a ``caplog.set_level()`` in between restores a level we know.
        """
        root = logging.getLogger()
        if root.level > self.level:
            self._root_level = root.level
            root.setLevel(self.level)

    def restore_root_level(self) -> None:
        root = logging.getLogger()
        if self._root_level is not None and root.level == self.level:  # else the test set one
            root.setLevel(self._root_level)

    def judge(self, report: pytest.TestReport) -> None:
        """
        Fail *report* (a passed phase) when its phase found something not allowed, and scrub
        its captured sections. Never raises: on a failure of our own, the sections are
        withheld and a passed phase fails.
        """
        try:
            found = [f for f in self.findings if f.phase == report.when]
            if self.settings.stdio:
                found += self._scan_stdio(report)
            redact = self.settings.scanner.redactor.redact
            report.sections = [(title, redact(content)) for title, content in report.sections]
            if report.failed and report.longrepr is not None:
                # The failure itself (an exception's message, an assertion's values) goes to
                # the terminal and JUnit XML too. Its rendered text replaces it only when that
                # holds something to redact, since a plain text loses the one-line summary.
                text = str(report.longrepr)
                scrubbed = redact(text)
                if scrubbed is not text:
                    report.longrepr = scrubbed
            scanner = self.settings.scanner
            blocking = [f for f in found if not scanner.allows(self.allowed, f)]
            if not blocking:
                return
            message = _failure_message(blocking, strict=self.strict)
            if report.passed:
                report.outcome = "failed"
                report.longrepr = message
            elif report.failed:
                report.sections.append(("piiredact", message))
        except Exception as exc:  # fail closed: withhold what could not be checked
            report.sections = [(title, FAILED_MARKER) for title, _ in report.sections]
            if not report.skipped:
                report.outcome = "failed"
                report.longrepr = (
                    f"piiredact: internal error ({type(exc).__name__}); the report's output "
                    "was withheld"
                )

    def _scan_stdio(self, report: pytest.TestReport) -> list[PiiFinding]:
        found = []
        for stream in _STDIO_SECTIONS:
            title = f"Captured {stream} {report.when}"
            for section, content in report.sections:
                if section == title:
                    found += self.settings.scanner.text(content, stream)
        found = [replace(finding, phase=report.when) for finding in found]
        with self._findings_lock:
            self.findings.extend(found)
        return found


def _failure_message(findings: list[PiiFinding], *, strict: bool) -> str:
    kinds = sorted({finding.kind for finding in findings})
    headline = (
        f"piiredact (strict mode): the test logged {', '.join(kinds)} (values not shown):"
        if strict
        else f"piiredact: {', '.join(kinds)} reached the test's output (values not shown):"
    )
    names = ", ".join(f'"{kind}"' for kind in kinds)
    return (
        f"{_describe(findings, headline)}\n"
        f"If the test means to, allow it: @pytest.mark.piiredact_allow({names}, reason=...)"
    )


# ------------------------------------------------------------------------------ live output
class _ScrubbingFormatter(logging.Formatter):
    """Redacts what another formatter wrote (live logs and ``--log-file`` print as they go)."""

    def __init__(self, formatter: logging.Formatter, redactor: Redactor) -> None:
        super().__init__()
        self._formatter = formatter
        self._redact = redactor.redact

    def format(self, record: logging.LogRecord) -> str:
        return self._redact(self._formatter.format(record))


def _scrub_live_logs(config: pytest.Config, redactor: Redactor) -> None:
    """Put a scrubbing formatter on pytest's live-log and log-file handlers (once)."""
    logging_plugin = config.pluginmanager.get_plugin("logging-plugin")
    for name in ("log_cli_handler", "log_file_handler"):
        handler = getattr(logging_plugin, name, None)
        # Without log_cli the live handler is a null one, and without --log-file the file is
        # os.devnull: neither prints anything, so redacting for them would be wasted work.
        if (
            isinstance(handler, logging.StreamHandler)
            and getattr(handler, "baseFilename", None) != os.path.abspath(os.devnull)
            and not isinstance(handler.formatter, _ScrubbingFormatter)
        ):
            formatter = handler.formatter or logging.Formatter()
            handler.setFormatter(_ScrubbingFormatter(formatter, redactor))


# --------------------------------------------------------------------------------- fixture
class _Findings(Sequence[PiiFinding]):
    """A live, read-only view of one test's findings."""

    def __init__(self, watch: _Watch) -> None:
        self._findings = watch.findings

    def __len__(self) -> int:
        return len(self._findings)

    @overload
    def __getitem__(self, index: int) -> PiiFinding: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[PiiFinding]: ...
    def __getitem__(self, index: int | slice) -> PiiFinding | Sequence[PiiFinding]:
        return self._findings[index]

    def __repr__(self) -> str:
        return f"<piiredact findings: {[str(finding) for finding in self._findings]!r}>"


@pytest.fixture
def piiredact_findings(request: pytest.FixtureRequest) -> Sequence[PiiFinding]:
    """
    The findings of the test so far (:class:`piiredact.testing.PiiFinding`), allowed ones
    included, as a live sequence: log records as they are emitted, captured stdout and stderr
    when a phase ends. Requesting it enables the plugin for the test.
    """
    return _Findings(request.node.stash[_WATCH])
