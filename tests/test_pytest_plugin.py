"""
The pytest plugin, driven through real pytest runs (pytester): how it is enabled, what fails and
when, strict and leak modes, allowlists, xdist, ``-p no:logging``, configuration errors, and that
no run ever prints a value, on the terminal or in JUnit XML.

Runs that call ``piiredact.install()`` or start xdist workers go to a subprocess (install()
patches logging globally); the others run in-process, which is much cheaper. Several scenarios
share one run to keep the file fast.
"""

from __future__ import annotations

import fnmatch
import logging
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest


pytest_plugins = ["pytester"]

# The values the inner tests log. They stand only in the inner modules' constants, never in a
# logging call's line, since tracebacks print the test's source lines.
CANARIES = ("jane.doe", "example.com", "hunter2")
VALUES = """
EMAIL = "jane.doe@example.com"
PASSWORD = "hunter2-Secret!"
"""

SHOP = VALUES + textwrap.dedent(
    """
    import logging
    import threading

    import pytest

    import piiredact

    log = logging.getLogger("shop")


    def test_clean():
        log.info("order 42 shipped in 120 ms")


    def test_info_email():
        log.info("login by %s", EMAIL)


    def test_debug_password_extra():
        log.debug("signup", extra={"password": PASSWORD})


    def test_exception():
        try:
            raise ValueError(EMAIL)
        except ValueError:
            log.exception("payment failed")


    def test_from_a_thread():
        thread = threading.Thread(target=log.warning, args=("to %s", EMAIL))
        thread.start()
        thread.join()


    @pytest.fixture
    def logs_in_setup():
        log.info("fixture for %s", EMAIL)


    def test_setup(logs_in_setup):
        pass


    @pytest.fixture
    def logs_in_teardown():
        yield
        log.info("bye %s", EMAIL)


    def test_teardown(logs_in_teardown):
        pass


    @pytest.mark.piiredact_allow("EMAIL", reason="checks what the plugin found")
    def test_allowed(piiredact_findings):
        log.info("login by %s", EMAIL)
        assert [(f.rule, f.phase, f.where) for f in piiredact_findings] == [
            ("EMAIL", "call", "message")
        ]


    @pytest.mark.piiredact_allow("network", reason="another category only")
    def test_allowed_other():
        log.info("login by %s", EMAIL)


    def test_installed():
        piiredact.install()
        try:
            log.info("login by %s", EMAIL)
        finally:
            piiredact.uninstall()


    @pytest.mark.piiredact(mode="strict")
    def test_installed_strict():
        piiredact.install()
        try:
            log.info("login by %s", EMAIL)
        finally:
            piiredact.uninstall()


    def test_print():
        print("printed", EMAIL)


    def test_fails_anyway():
        log.info("login by %s", EMAIL)
        assert 1 == 2


    def test_error_message():
        raise LookupError(f"no account for {EMAIL}")
    """
)


# Plugins of this environment that the inner runs do not need: each costs start-up time, paid
# again by every xdist worker.
UNUSED_PLUGINS = ("-p", "no:hypothesispytest", "-p", "no:benchmark", "-p", "no:cacheprovider")


def run_subprocess(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest_subprocess(*UNUSED_PLUGINS, *args)


# A conftest that notes, after each test, the root logger's level and whether a handler of the
# plugin is still on it.
ROOT_AFTER_EACH_TEST = """
import logging

def pytest_runtest_logfinish(nodeid):
    root = logging.getLogger()
    watched = [type(h).__name__ for h in root.handlers if type(h).__name__ == "_Watch"]
    with open("root.txt", "a") as file:
        print(nodeid, logging.getLevelName(root.level), watched, file=file)
"""


def assert_no_values(*texts: str) -> None:
    """None of the inner tests' values appears in any of *texts*."""
    leaked = sorted({canary for text in texts for canary in CANARIES if canary in text})
    assert not leaked, f"leaked: {leaked}"


def junit_results(path: Path) -> dict[str, tuple[str, str]]:
    """Per test name in a JUnit XML file: its last failure or error tag and message."""
    results = {}
    for case in ET.parse(path).iter("testcase"):  # noqa: S314 - a file pytest just wrote
        for child in case:
            if child.tag in ("failure", "error"):
                results[case.get("name", "")] = (child.tag, child.get("message", ""))
    return results


@pytest.fixture
def shop(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makepyfile(test_shop=SHOP)
    return pytester


def test_leak_mode(shop: pytest.Pytester) -> None:
    """
    ``--piiredact``: what reaches log handlers at any level, in every phase and from threads
    fails the test; allowed rules, ``install()``, clean tests and print (not scanned by default)
    pass; a marker switches one test to strict mode; values appear nowhere, live logs and JUnit
    XML included.
    """
    xml = shop.path / "junit.xml"
    result = run_subprocess(
        shop,
        "--piiredact",
        "-rA",
        f"--junitxml={xml}",
        "-o",
        "junit_logging=all",
        "-o",
        "log_cli=true",
    )

    result.assert_outcomes(passed=5, failed=8, errors=2)
    result.stdout.fnmatch_lines_random(
        [
            "piiredact: leak mode, log records from DEBUG up, policy default",
            "  call: EMAIL in message (logger 'shop', INFO, test_shop.py:*)",
            "  call: PASSWORD (rule PASSWORD_VALUE) in extra 'password' "
            "(logger 'shop', DEBUG, test_shop.py:*)",
            "  call: EMAIL in exception, line 4 (logger 'shop', ERROR, test_shop.py:*)",
            "  call: EMAIL in message (logger 'shop', WARNING, *)",
            "  setup: EMAIL in message (logger 'shop', INFO, test_shop.py:*)",
            "  teardown: EMAIL in message (logger 'shop', INFO, test_shop.py:*)",
            "  call: EMAIL (logger 'shop', INFO, test_shop.py:*): logged, then redacted by "
            "piiredact before any handler saw it",
            '*piiredact_allow("EMAIL", reason=...)',
            "*- piiredact -*",  # the section added to a test that failed on its own
            "printed [[]EMAIL]",  # captured stdout, scrubbed
            "E*LookupError: no account for [[]EMAIL]",  # the failure itself, scrubbed
            "*login by [[]EMAIL]*",  # the live log, scrubbed
        ]
    )
    result.stdout.fnmatch_lines_random(
        [
            "ERROR test_shop.py::test_setup - piiredact: EMAIL*",
            "ERROR test_shop.py::test_teardown - piiredact: EMAIL*",
            "FAILED test_shop.py::test_allowed_other - piiredact: EMAIL*",
            "FAILED test_shop.py::test_installed_strict - piiredact (strict*",
            "FAILED test_shop.py::test_fails_anyway - assert 1 == 2",
            "PASSED test_shop.py::test_installed",
            "PASSED test_shop.py::test_allowed",
        ]
    )
    assert_no_values(str(result.stdout), str(result.stderr), xml.read_text())
    assert "login by [EMAIL]" in xml.read_text()  # the captured log is there, scrubbed
    results = junit_results(xml)
    assert results["test_teardown"][0] == "error"
    assert results["test_info_email"][0] == "failure"
    assert fnmatch.fnmatch(
        results["test_info_email"][1],
        "piiredact: EMAIL reached the test's output (values not shown):\n"
        "  call: EMAIL in message (logger 'shop', INFO, test_shop.py:*)\n"
        'If the test means to, allow it: @pytest.mark.piiredact_allow("EMAIL", reason=...)',
    )


def test_disabled_by_default(shop: pytest.Pytester) -> None:
    """
    Without being enabled, the plugin changes nothing: only the tests that use its marker or
    fixture are watched; in the others the root logger keeps its level and handlers, and the
    report is left as pytest makes it.
    """
    shop.makepyfile(
        test_state="""
        import logging

        def test_logging_is_untouched():
            root = logging.getLogger()
            assert root.level == logging.WARNING
            assert {type(h).__module__ for h in root.handlers} == {"_pytest.logging"}
        """
    )

    result = run_subprocess(
        shop,
    )

    result.assert_outcomes(passed=12, failed=3)
    result.stdout.fnmatch_lines_random(
        [
            "FAILED test_shop.py::test_installed_strict - piiredact (strict*",
            "FAILED test_shop.py::test_fails_anyway - assert 1 == 2",
            "E*LookupError: no account for jane.doe@*",  # not scrubbed
        ]
    )
    result.stdout.no_fnmatch_line("piiredact: leak mode*")


def test_enabled_by_ini(pytester: pytest.Pytester) -> None:
    """
    The ini file enables the plugin, picks strict mode, allows a category project-wide, names a
    policy file (relative to itself) with a rule of its own, and scans stdout; a marker's mode
    wins over the ini's; strict without install() finds the raw value as leak mode does.
    """
    pytester.makefile(
        ".toml",
        policy="""
        [piiredact]
        [[piiredact.rules]]
        name = "EMPLOYEE_ID"
        category = "personal"
        pattern = 'EMP-\\d{6}'
        triggers = ["emp-"]
        """,
    )
    pytester.makeini(
        """
        [pytest]
        piiredact = true
        piiredact_mode = strict
        piiredact_allow = network
        piiredact_policy = policy.toml
        piiredact_stdio = true
        """
    )
    pytester.makepyfile(
        VALUES
        + textwrap.dedent(
            """
            import logging
            import pytest
            import piiredact

            log = logging.getLogger("hr")
            EMPLOYEE = "EMP-123456"

            @pytest.fixture
            def installed():
                piiredact.install()
                yield
                piiredact.uninstall()

            def test_installed(installed):
                log.info("login by %s", EMAIL)

            @pytest.mark.piiredact(mode="leak")
            def test_installed_leak_marker(installed):
                log.info("login by %s", EMAIL)

            def test_raw_in_strict_mode():
                log.info("login by %s", EMAIL)

            def test_allowed_network():
                log.info("from %s", "203.0.113.7")

            def test_custom_rule():
                log.info("employee %s", EMPLOYEE)

            def test_stdout():
                print("mail", EMAIL)
            """
        )
    )

    result = run_subprocess(pytester, "-rA")

    result.assert_outcomes(passed=2, failed=4)
    result.stdout.fnmatch_lines_random(
        [
            "piiredact: strict mode, stdout, stderr and log records from DEBUG up, "
            "policy *policy.toml",
            "  call: EMAIL (logger 'hr', INFO, *): logged, then redacted by piiredact before *",
            "  call: EMAIL in message (logger 'hr', INFO, *)",
            "  call: EMPLOYEE_ID in message (logger 'hr', INFO, *)",
            "  call: EMAIL in stdout, line 1",
            "PASSED *::test_installed_leak_marker",
            "PASSED *::test_allowed_network",
        ]
    )
    assert_no_values(str(result.stdout), str(result.stderr))


@pytest.fixture
def root_level() -> Iterator[None]:
    """Puts the root logger's level back after an in-process run that changed it."""
    level = logging.getLogger().level
    yield
    logging.getLogger().setLevel(level)


@pytest.mark.usefixtures("root_level")
def test_enabled_by_marker(pytester: pytest.Pytester) -> None:
    """
    A module-level marker enables the plugin for that module only; a misspelt allowed name is
    an error of that test, not a silent pass; a test that sets the root level itself (caplog)
    leaves it as it found it.
    """
    pytester.makeconftest(ROOT_AFTER_EACH_TEST)
    body = VALUES + textwrap.dedent(
        """
        import logging
        import pytest

        def test_logs():
            logging.getLogger("shop").info("login by %s", EMAIL)
        """
    )
    pytester.makepyfile(
        test_marked=body + "\npytestmark = pytest.mark.piiredact\n",
        test_unmarked=body,
        test_misspelt=body.replace(
            "def test_logs",
            '@pytest.mark.piiredact_allow("EMIAL")\n@pytest.mark.piiredact\ndef test_logs',
        ),
        test_levels="""
        import logging
        import pytest

        pytestmark = pytest.mark.piiredact

        def test_sets_a_level(caplog):
            caplog.set_level(logging.INFO)
            logging.getLogger("shop").info("clean")

        def test_sets_a_level_for_good():
            logging.getLogger().setLevel(logging.ERROR)
        """,
    )

    result = pytester.runpytest("-rA", "-p", "no:randomly")

    result.assert_outcomes(passed=3, failed=1, errors=1)
    result.stdout.fnmatch_lines_random(
        [
            "FAILED test_marked.py::test_logs - piiredact: EMAIL*",
            "PASSED test_unmarked.py::test_logs",
            "ERROR test_misspelt.py::test_logs - Failed: piiredact: *",
            "*piiredact: @pytest.mark.piiredact_allow: *EMIAL* not a rule name, kind or category*",
        ]
    )
    assert_no_values(str(result.stdout))
    assert (pytester.path / "root.txt").read_text().splitlines() == [
        "test_levels.py::test_sets_a_level WARNING []",
        "test_levels.py::test_sets_a_level_for_good ERROR []",
        "test_marked.py::test_logs ERROR []",
        "test_misspelt.py::test_logs ERROR []",
        "test_unmarked.py::test_logs ERROR []",
    ]


def test_without_the_logging_plugin(pytester: pytest.Pytester) -> None:
    """
    With ``-p no:logging`` the plugin still watches records with its own handler and says so;
    ``--piiredact-level`` sets the lowest level scanned; after each test the root logger has
    its level and handlers back.
    """
    pytester.makeconftest(ROOT_AFTER_EACH_TEST)
    pytester.makepyfile(
        VALUES
        + textwrap.dedent(
            """
            import logging

            log = logging.getLogger("shop")

            def test_info():
                log.info("login by %s", EMAIL)

            def test_warning():
                log.warning("login by %s", EMAIL)
            """
        )
    )

    result = pytester.runpytest(
        "-p", "no:logging", "--piiredact", "--piiredact-level=warning", "-s"
    )

    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines_random(
        [
            "piiredact: leak mode, log records from WARNING up, policy default",
            "piiredact: pytest's logging plugin is off (-p no:logging): records are collected "
            "by piiredact's own handler*",
            "  call: EMAIL in message (logger 'shop', WARNING, *)",
        ]
    )
    assert_no_values(str(result.stdout))
    assert (pytester.path / "root.txt").read_text().splitlines() == [
        "test_without_the_logging_plugin.py::test_info WARNING []",
        "test_without_the_logging_plugin.py::test_warning WARNING []",
    ]


def test_with_xdist(shop: pytest.Pytester) -> None:
    """Under ``pytest -n 2`` findings fail tests the same way, and reports stay scrubbed."""
    xml = shop.path / "junit.xml"

    result = run_subprocess(
        shop, "-n", "2", "--piiredact", f"--junitxml={xml}", "-o", "junit_logging=all"
    )

    result.assert_outcomes(passed=5, failed=8, errors=2)
    assert junit_results(xml)["test_info_email"][1].startswith(
        "piiredact: EMAIL reached the test's output"
    )
    assert_no_values(str(result.stdout), str(result.stderr), xml.read_text())
    assert "login by [EMAIL]" in xml.read_text()  # the captured log is there, scrubbed


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            ["--piiredact", "--piiredact-level=LOUD"],
            "ERROR: piiredact_level: 'LOUD' is not a logging level name or number",
            id="level",
        ),
        pytest.param(
            ["--piiredact", "-o", "piiredact_mode=lax"],
            "ERROR: piiredact_mode: 'lax' is not one of *'leak', 'strict'*",
            id="mode",
        ),
        pytest.param(
            ["--piiredact", "-o", "piiredact_allow=EMAIL EMIAL"],
            "ERROR: piiredact_allow: *EMIAL* not a rule name, kind or category*",
            id="allow",
        ),
        pytest.param(
            ["--piiredact", "--piiredact-policy=missing.toml"],
            "ERROR: policy file '*missing.toml': *",
            id="policy",
        ),
    ],
)
def test_bad_configuration_is_a_usage_error(
    pytester: pytest.Pytester, args: list[str], message: str
) -> None:
    """An invalid setting stops the run before any test, with a message that names it."""
    pytester.makepyfile("def test_nothing(): pass")

    result = pytester.runpytest(*args)

    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([message])


def test_importing_the_plugin_loads_no_integration() -> None:
    """The plugin module pulls in neither structlog nor OpenTelemetry."""
    probe = (
        "import sys, piiredact._pytest_plugin; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('structlog', 'opentelemetry')))"
    )

    result = subprocess.run(
        [sys.executable, "-I", "-c", probe], capture_output=True, text=True, check=True
    )

    assert result.stdout.strip() == "[]"
