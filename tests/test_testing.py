"""
piiredact.testing: find_pii and assert_no_pii on text, bytes, real log records, mappings and
iterables; what they report, and that they never reveal a value.

Canary values never stand in a logging call's source line (tracebacks print source lines): they
come from module constants.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator

import pytest

import piiredact
from piiredact import ConfigurationError, Limits, PiiFoundError, Policy, Redactor
from piiredact.testing import UNSCANNED, PiiFinding, assert_no_pii, find_pii


EMAIL = "jane.doe@example.com"
PASSWORD = "hunter2-Secret!"
IP = "203.0.113.7"
CANARIES = (EMAIL, PASSWORD, IP, "jane.doe", "hunter2")


class Records(logging.Handler):
    """Keeps the records a real logger hands it."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def records() -> Iterator[list[logging.LogRecord]]:
    """The records of the ``shop`` logger (DEBUG and up) during the test."""
    handler = Records()
    logger = logging.getLogger("shop")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield handler.records
    finally:
        logger.removeHandler(handler)
        logger.setLevel(logging.NOTSET)


def assert_no_canary(text: str) -> None:
    leaked = [canary for canary in CANARIES if canary in text]
    assert not leaked, f"{len(leaked)} canaries leaked"


def rules(findings: tuple[PiiFinding, ...]) -> list[tuple[str, str]]:
    return [(finding.rule, finding.where) for finding in findings]


class TestText:
    def test_clean_text_has_no_findings(self) -> None:
        """A line without personal data gives nothing (timestamps, ids and versions included)."""
        line = "2024-05-01T10:00:00Z worker 7 done job 4bf92f3577b34da6 in 120 ms (v1.8.30)"

        assert find_pii(line) == ()

    def test_findings_name_rule_kind_and_place(self) -> None:
        """Each finding says its rule, kind and field; multi-line text says the line."""
        found = find_pii(f"start\nlogin by {EMAIL}\npassword={PASSWORD}")

        assert [(f.rule, f.kind, f.where) for f in found] == [
            ("EMAIL", "EMAIL", "text, line 2"),
            ("PASSWORD_VALUE", "PASSWORD", "text, line 3"),
        ]

    def test_bytes_are_decoded(self) -> None:
        """Bytes are scanned as UTF-8 text, undecodable bytes and all."""
        assert rules(find_pii(b"\xff to " + EMAIL.encode())) == [("EMAIL", "text")]

    def test_the_redactor_decides_what_counts(self) -> None:
        """A policy that disables a kind does not report it."""
        redactor = Redactor(Policy(disabled=frozenset({"EMAIL"})))

        assert find_pii(f"to {EMAIL}", redactor=redactor) == ()

    def test_text_over_a_limit_is_a_finding(self) -> None:
        """Text that cannot be scanned within the limits is reported, not passed (fail closed)."""
        redactor = Redactor(Policy(limits=Limits(max_key_pairs=2)))

        found = find_pii("user=a token=b secret=c pin=d", redactor=redactor)

        assert [(f.rule, f.kind, f.where) for f in found] == [(UNSCANNED, UNSCANNED, "text")]


class TestRecords:
    def test_message_with_arguments(self, records: list[logging.LogRecord]) -> None:
        """The formatted message is scanned, and the finding names logger, level and origin."""
        logging.getLogger("shop").info("login by %s", EMAIL)

        [finding] = find_pii(records)

        assert (
            finding.rule,
            finding.where,
            finding.logger,
            finding.level,
        ) == ("EMAIL", "item 0, message", "shop", "INFO")
        assert finding.origin is not None
        assert finding.origin.startswith("test_testing.py:")

    def test_extra_fields_are_scanned_by_key(self, records: list[logging.LogRecord]) -> None:
        """A value under a sensitive key counts whatever it looks like, nested ones too."""
        logging.getLogger("shop").debug(
            "signup", extra={"password": PASSWORD, "ctx": {"client": IP}, "count": 3}
        )

        found = find_pii(records[0])

        assert {("PASSWORD_VALUE", "extra 'password'"), ("IPV4", "extra 'ctx'")} == set(
            rules(found)
        )

    def test_exception_by_line(self, records: list[logging.LogRecord]) -> None:
        """The exception a formatter would render is scanned (its message), by line."""
        try:
            raise ValueError(EMAIL)
        except ValueError:
            logging.getLogger("shop").exception("failed")

        assert rules(find_pii(records[0])) == [("EMAIL", "exception, line 4")]

    def test_stack(self) -> None:
        """The stack a record carries is scanned."""
        record = logging.makeLogRecord({"msg": "here", "stack_info": f"Stack:\n  at {EMAIL}"})

        assert rules(find_pii(record)) == [("EMAIL", "stack, line 2")]

    def test_thread_and_logger_names(self, records: list[logging.LogRecord]) -> None:
        """Names that formatters print are scanned too: a thread named after a user counts."""
        thread = threading.Thread(
            target=logging.getLogger("shop").info, args=("hello",), name=f"worker-{EMAIL}"
        )
        thread.start()
        thread.join()
        logging.getLogger(f"shop.{EMAIL}").info("hello")

        found = find_pii(records)

        assert rules(found) == [("EMAIL", "item 0, threadName"), ("EMAIL", "item 1, logger name")]
        assert_no_canary(str(found[1]))

    def test_unformattable_arguments_are_scanned(self, records: list[logging.LogRecord]) -> None:
        """Arguments that do not fit the format (handleError prints them raw) still count."""
        record = logging.LogRecord("shop", logging.INFO, __file__, 1, "%d items", (EMAIL,), None)

        assert rules(find_pii(record)) == [("EMAIL", "message")]

    def test_extra_over_a_limit_is_a_finding(self) -> None:
        """An extra field the walker gives up on (too deep) is reported as unscanned."""
        record = logging.makeLogRecord({"msg": "ok", "ctx": {"a": {"b": {"c": "x"}}}})
        redactor = Redactor(Policy(limits=Limits(max_depth=2)))

        assert rules(find_pii(record, redactor=redactor)) == [(UNSCANNED, "extra 'ctx'")]

    def test_a_record_redacted_by_install_is_clean(self, records: list[logging.LogRecord]) -> None:
        """What install() emits has nothing left to find, its failure marker included."""
        piiredact.install()
        try:
            logging.getLogger("shop").info("login by %s", EMAIL, extra={"password": PASSWORD})
        finally:
            piiredact.uninstall()

        assert find_pii(records) == ()


class TestStructures:
    def test_mapping_fields_by_key(self) -> None:
        """A structured event is scanned field by field, keys counting."""
        event = {"event": "signup", "user": {"email": EMAIL}, "api_key": b"abc", 7: "x"}

        assert rules(find_pii(event)) == [
            ("EMAIL", "field 'user'"),
            ("API_KEY_VALUE", "field 'api_key'"),
        ]

    def test_iterables_number_their_items(self) -> None:
        """A list of lines or events says which item holds the finding."""
        assert rules(find_pii(["ok", f"to {EMAIL}"])) == [("EMAIL", "item 1, text")]

    def test_other_types_are_refused_without_their_value(self) -> None:
        """An unsupported subject raises TypeError naming its type only."""
        with pytest.raises(TypeError, match="not int"):
            find_pii(42)


class TestAssertNoPii:
    def test_clean_subject_passes(self) -> None:
        """Nothing found: no exception."""
        assert_no_pii(["worker 7 done", {"status": 200}])

    def test_failure_names_rules_and_places_never_values(self) -> None:
        """The error is an AssertionError listing kind, rule and field, without the value."""
        with pytest.raises(PiiFoundError) as raised:
            assert_no_pii(f"to {EMAIL}, password={PASSWORD}")

        message = str(raised.value)
        assert isinstance(raised.value, AssertionError)
        assert "EMAIL in text" in message
        assert "PASSWORD (rule PASSWORD_VALUE) in text" in message
        assert_no_canary(message)

    def test_repeated_findings_are_counted_once(self) -> None:
        """The same finding many times is one line with a count."""
        with pytest.raises(PiiFoundError, match=r"EMAIL in text \(x3\)$"):
            assert_no_pii(f"cc {EMAIL}, {EMAIL}, {EMAIL}")

    @pytest.mark.parametrize("name", ["PASSWORD_VALUE", "PASSWORD", "credential"])
    def test_allow_by_rule_kind_or_category(self, name: str) -> None:
        """Allowed rules, kinds or categories do not fail; others still do."""
        assert_no_pii(f"password={PASSWORD}", allow=[name])
        with pytest.raises(PiiFoundError, match="IPV4"):
            assert_no_pii(f"password={PASSWORD} from {IP}", allow=[name])

    def test_allow_takes_a_single_name(self) -> None:
        """A bare string is one name, not its letters."""
        assert_no_pii(f"to {EMAIL}", allow="EMAIL")

    def test_unknown_allowed_name_is_a_configuration_error(self) -> None:
        """A misspelt name fails loudly instead of allowing nothing."""
        with pytest.raises(ConfigurationError, match="EMIAL"):
            assert_no_pii("clean", allow=["EMIAL"])


def test_finding_text_reads_as_a_sentence() -> None:
    """A finding prints its phase, kind, rule, field and record details, nothing else."""
    finding = PiiFinding(
        rule="PASSWORD_VALUE",
        kind="PASSWORD",
        where="extra 'password'",
        logger="shop",
        level="INFO",
        origin="views.py:12",
        phase="call",
    )

    assert str(finding) == (
        "call: PASSWORD (rule PASSWORD_VALUE) in extra 'password' "
        "(logger 'shop', INFO, views.py:12)"
    )
