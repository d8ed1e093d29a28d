"""
stdlib logging: install() and RedactingFilter, on real loggers, handlers, formatters and queues.

Canary values are never written into a logging call's source line, because tracebacks and stack
information print source lines: they come from module constants.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import logging.config
import logging.handlers
import queue
import subprocess
import sys
import textwrap
import threading
import traceback
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

import piiredact
from piiredact import FAILED_MARKER, Policy, Redactor
from piiredact.stdlib import (
    RedactingFilter,
    _observe,
    _RecordRedactor,
    disabled,
    install,
    uninstall,
)


EMAIL = "jane.doe@example.com"
CARD = "4111 1111 1111 1111"
TOKEN = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
IP = "203.0.113.7"
PASSWORD = "hunter2-Secret!"
CANARIES = (EMAIL, CARD, CARD.replace(" ", ""), TOKEN, IP, PASSWORD, "jane.doe", "hunter2")


def assert_clean(text: str) -> None:
    leaked = [canary for canary in CANARIES if canary in text]
    assert not leaked, f"leaked {len(leaked)} canaries"


class Collect(logging.Handler):
    """Counts the records it gets and keeps them, formatted, as a real handler would."""

    def __init__(self, formatter: logging.Formatter | None = None) -> None:
        super().__init__()
        self.setFormatter(formatter or logging.Formatter("%(levelname)s %(name)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append(self.format(record))
        except Exception:  # as every stdlib handler does
            self.handleError(record)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


class JsonFormatter(logging.Formatter):
    """A JSON formatter of the usual kind: renders exc_info itself and exports every extra."""

    standard = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None)))

    def format(self, record: logging.LogRecord) -> str:
        document = {"message": record.getMessage(), "logger": record.name}
        if record.exc_info:
            document["exception"] = "".join(traceback.format_exception(*record.exc_info))
        for key, value in vars(record).items():
            if key not in self.standard:
                document[key] = value
        return json.dumps(document, default=str)


@pytest.fixture
def installed() -> Iterator[Redactor]:
    redactor = install(Policy())
    try:
        yield redactor
    finally:
        uninstall()


@pytest.fixture
def logger(request: pytest.FixtureRequest) -> Iterator[logging.Logger]:
    """A fresh logger of its own, at DEBUG, with no handlers and propagation on."""
    log = logging.getLogger(f"tests.stdlib.{request.node.name}")
    log.setLevel(logging.DEBUG)
    yield log
    for handler in log.handlers[:]:
        log.removeHandler(handler)
    log.propagate = True


def log_everything(log: logging.Logger) -> int:
    """Log every kind of canary once per call; returns the number of logging calls."""
    log.info("user %s logged in from %s", EMAIL, IP)
    log.info("payment with %s", CARD)
    log.warning(f"token {TOKEN} rejected")  # an f-string: the value is in msg itself
    log.info("login", extra={"password": PASSWORD, "client": {"ip": IP}})
    try:
        try:
            raise KeyError(EMAIL)
        except KeyError as cause:
            error = ValueError("charge failed for card " + CARD)
            error.add_note("customer " + EMAIL)
            raise error from cause
    except ValueError:
        log.exception("payment failed")
    log.info("user %(who)s", {"who": EMAIL})
    log.info({"email": EMAIL, "attempt": 3})
    log.info("user %d", EMAIL)  # a wrong %-type: formatting fails
    return 8


# ------------------------------------------------------------------------------ the matrix
def test_root_logger(installed: Redactor) -> None:
    root = logging.getLogger()
    handler = Collect()
    root.addHandler(handler)
    level = root.level
    root.setLevel(logging.DEBUG)
    try:
        calls = log_everything(root)
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
    assert len(handler.lines) == calls
    assert_clean(handler.text)
    assert "[EMAIL]" in handler.text


def test_named_logger_propagating_to_a_parent_handler(
    installed: Redactor, logger: logging.Logger
) -> None:
    handler = Collect()
    logger.addHandler(handler)
    calls = log_everything(logger.getChild("deep.child"))
    assert len(handler.lines) == calls
    assert_clean(handler.text)


def test_third_party_logger_that_does_not_propagate(
    installed: Redactor, logger: logging.Logger
) -> None:
    library = logging.getLogger("thirdparty.client")
    library.propagate = False
    library.setLevel(logging.DEBUG)
    own = Collect(JsonFormatter())
    library.addHandler(own)
    try:
        calls = log_everything(library)
    finally:
        library.removeHandler(own)
    assert len(own.lines) == calls
    assert_clean(own.text)


def test_a_handler_added_after_install_by_dict_config(
    installed: Redactor, logger: logging.Logger
) -> None:
    stream = io.StringIO()
    logging.config.dictConfig(
        {
            "version": 1,
            "incremental": False,
            "disable_existing_loggers": False,
            "handlers": {"late": {"class": "logging.StreamHandler", "stream": stream}},
            "loggers": {logger.name: {"handlers": ["late"], "level": "DEBUG"}},
        }
    )
    calls = log_everything(logger)
    lines = [line for line in stream.getvalue().splitlines() if not line.startswith((" ", "T"))]
    assert_clean(stream.getvalue())
    assert len([line for line in lines if line and not line[0].isspace()]) >= calls


def test_last_resort(
    installed: Redactor, logger: logging.Logger, capsys: pytest.CaptureFixture[str]
) -> None:
    logger.propagate = False  # no handler anywhere: logging.lastResort prints to stderr
    logger.warning("user %s from %s", EMAIL, IP)
    logger.error("token %s", TOKEN)
    err = capsys.readouterr().err
    assert err.count("\n") == 2
    assert_clean(err)
    assert "[EMAIL]" in err


def test_queue_handler_and_listener(installed: Redactor, logger: logging.Logger) -> None:
    records: queue.Queue[logging.LogRecord] = queue.Queue()
    logger.addHandler(logging.handlers.QueueHandler(records))
    behind = Collect(JsonFormatter())
    listener = logging.handlers.QueueListener(records, behind)
    listener.start()
    try:
        calls = log_everything(logger)
    finally:
        listener.stop()
    assert len(behind.lines) == calls
    assert_clean(behind.text)


def test_formatters_that_render_exc_info_themselves_get_no_raw_message(
    installed: Redactor, logger: logging.Logger
) -> None:
    handler = Collect(JsonFormatter())
    logger.addHandler(handler)
    calls = log_everything(logger)
    assert len(handler.lines) == calls
    assert_clean(handler.text)
    exception = next(json.loads(line)["exception"] for line in handler.lines if "exception" in line)
    # The stand-in renders like the original: type names, the chain, the note, the frames.
    assert "KeyError: '[EMAIL]'" in exception
    assert "ValueError: charge failed for card [CREDIT_CARD]" in exception
    assert "customer [EMAIL]" in exception
    assert "direct cause" in exception
    assert "in log_everything" in exception


def test_the_application_keeps_its_exception(installed: Redactor, logger: logging.Logger) -> None:
    logger.addHandler(Collect())
    error = ValueError("card " + CARD)
    try:
        raise error
    except ValueError:
        logger.exception("failed")
    assert str(error) == "card " + CARD  # logging must not change what the caller holds


def test_a_formatter_that_raises_goes_to_handle_error_without_raw_values(
    installed: Redactor, logger: logging.Logger, capsys: pytest.CaptureFixture[str]
) -> None:
    class Broken(logging.Formatter):
        def format(self, record: logging.LogRecord) -> str:
            raise RuntimeError(self.__class__.__name__)

    broken = Collect(Broken())
    counted = Collect()
    logger.addHandler(broken)
    logger.addHandler(counted)
    calls = log_everything(logger)
    err = capsys.readouterr().err
    assert err.count("--- Logging error ---") == calls  # handleError printed msg and args
    assert_clean(err)
    assert len(counted.lines) == calls


def test_wrong_percent_arguments_are_emitted_redacted(
    installed: Redactor, logger: logging.Logger
) -> None:
    handler = Collect()
    logger.addHandler(handler)
    logger.info("user %d from %s", EMAIL, IP)
    logger.info("only %s and %s", EMAIL)  # noqa: PLE1206
    assert len(handler.lines) == 2
    assert_clean(handler.text)
    assert "user %d from %s [arguments not formatted: ('[EMAIL]', '[IPV4]')]" in handler.text


def test_a_dict_message_stays_a_dict(installed: Redactor, logger: logging.Logger) -> None:
    seen: list[object] = []
    handler = Collect()
    handler.addFilter(lambda record: seen.append(record.msg) or True)
    logger.addHandler(handler)
    logger.info({"email": EMAIL, "attempt": 3})
    assert seen == [{"email": "[EMAIL]", "attempt": 3}]


def test_stack_info_is_redacted(
    installed: Redactor, logger: logging.Logger, tmp_path: Path
) -> None:
    # A stack shows source lines; this one carries a value in its comment.
    module = tmp_path / "stack_source.py"
    module.write_text(f"def emit(log):\n    log.info('here', stack_info=True)  # {EMAIL}\n")
    sys.path.insert(0, str(tmp_path))
    try:
        import stack_source  # type: ignore[import-not-found]

        handler = Collect()
        logger.addHandler(handler)
        stack_source.emit(logger)
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("stack_source", None)
    assert "Stack (most recent call last)" in handler.text
    assert "stack_source.py" in handler.text
    assert_clean(handler.text)


def test_non_string_messages_and_thread_names(installed: Redactor, logger: logging.Logger) -> None:
    class Account:
        def __str__(self) -> str:
            return "account of " + EMAIL

    handler = Collect(logging.Formatter("%(threadName)s %(message)s"))
    logger.addHandler(handler)
    logger.info(Account())
    worker = threading.Thread(target=logger.info, args=("from a worker",), name="job " + EMAIL)
    worker.start()
    worker.join()
    assert handler.lines == ["MainThread account of [EMAIL]", "job [EMAIL] from a worker"]


@pytest.mark.skipif(sys.version_info < (3, 12), reason="taskName is a record field from 3.12")
def test_task_names(installed: Redactor, logger: logging.Logger) -> None:
    handler = Collect(logging.Formatter("%(taskName)s %(message)s"))
    logger.addHandler(handler)

    async def job() -> None:
        logger.info("in a task")

    async def main() -> None:
        await asyncio.create_task(job(), name="task-" + EMAIL)

    asyncio.run(main())
    assert handler.lines == ["task-[EMAIL] in a task"]


def test_extra_fields_are_redacted_by_key(installed: Redactor, logger: logging.Logger) -> None:
    seen: list[logging.LogRecord] = []
    handler = Collect()
    handler.addFilter(lambda record: seen.append(record) or True)
    logger.addHandler(handler)
    logger.info("login", extra={"password": PASSWORD, "user": {"email": EMAIL}, "attempt": 2})
    (record,) = seen
    assert record.password == "[PASSWORD]"  # type: ignore[attr-defined]
    assert record.user == {"email": "[EMAIL]"}  # type: ignore[attr-defined]
    assert record.attempt == 2  # type: ignore[attr-defined]


def test_no_marker_attribute_is_left_on_records(
    installed: Redactor, logger: logging.Logger
) -> None:
    seen: list[logging.LogRecord] = []
    handler = Collect()
    handler.addFilter(lambda record: seen.append(record) or True)
    logger.addHandler(handler)
    logger.info("user %s", EMAIL)
    plain = logging.LogRecord("", 0, "", 0, "", (), None)
    assert set(vars(seen[0])) - {"message"} == set(vars(plain))


def test_warnings_routed_to_logging_are_redacted() -> None:
    script = f"""
        import logging, warnings
        import piiredact
        logging.basicConfig(format="%(name)s %(message)s")
        piiredact.install(capture_warnings=True)
        warnings.warn("contact " + {EMAIL!r})
    """
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "py.warnings" in result.stderr
    assert "contact [EMAIL]" in result.stderr
    assert_clean(result.stderr + result.stdout)


# ---------------------------------------------------------------------- clean records
def log_clean_things(log: logging.Logger) -> None:
    log.info("request %s served by %s", "r-1842", "node-7")
    log.info(
        "request %(id)s done in %(ms)d ms", {"id": "4bf92f3577b34da6a3ce929d0e0e4736", "ms": 12}
    )
    log.info({"event": "cache_miss", "key": "sessions:42"})
    log.info(12345)
    log.info("with extras", extra={"attempt": 3, "tags": ["a", "b"], "region": "eu-west-1"})
    log.info("version 1.2.3 built at 2026-11-29T10:00:00Z sha 9f86d081884c7d659a2f")
    try:
        raise RuntimeError("disk full on /var/lib/data")  # noqa: EM101
    except RuntimeError:
        log.exception("write failed")
    log.info("stack", stack_info=True)


def test_clean_records_are_emitted_byte_identical(logger: logging.Logger) -> None:
    formatter = logging.Formatter(
        "%(levelname)s|%(name)s|%(threadName)s|%(funcName)s|%(message)s|%(attempt)s",
        defaults={"attempt": "-"},
    )
    outputs = []
    for redacting in (False, True):
        handler = Collect(formatter)
        json_handler = Collect(JsonFormatter())
        logger.addHandler(handler)
        logger.addHandler(json_handler)
        if redacting:
            install(Policy())
        try:
            log_clean_things(logger)
        finally:
            uninstall()
            logger.removeHandler(handler)
            logger.removeHandler(json_handler)
        outputs.append((handler.lines, json_handler.lines))
    plain, redacted = outputs
    assert len(plain[0]) == 8
    assert redacted == plain


def test_wrong_percent_arguments_without_values_are_still_reported(
    installed: Redactor, logger: logging.Logger
) -> None:
    handler = Collect()
    logger.addHandler(handler)
    logger.info("bad %d", "text")
    assert handler.lines == ["INFO " + logger.name + " bad %d [arguments not formatted: ('text',)]"]


# ------------------------------------------------------------------- install / uninstall
def test_install_is_idempotent_and_uninstall_restores_logging() -> None:
    original = logging.Logger.__dict__["callHandlers"]
    first = install(Policy())
    second = install(Policy())
    assert first is second is piiredact.default_redactor()
    wrapper = logging.Logger.__dict__["callHandlers"]
    assert wrapper is not original
    assert wrapper.__wrapped__ is original  # one wrapper, not two
    uninstall()
    assert logging.Logger.__dict__["callHandlers"] is original
    uninstall()  # safe when not installed


def test_install_again_swaps_the_policy(logger: logging.Logger) -> None:
    handler = Collect()
    logger.addHandler(handler)
    try:
        install(Policy())
        logger.info("from %s", IP)
        install(Policy(actions={"IPV4": "generalize"}))
        logger.info("from %s", IP)
    finally:
        uninstall()
    assert handler.lines[0].endswith("from [IPV4]")
    assert handler.lines[1].endswith("from 203.0.113.0/24")


def test_install_reads_the_policy_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, logger: logging.Logger
) -> None:
    monkeypatch.setenv("PIIREDACT_DISABLE", "IPV4")
    handler = Collect()
    logger.addHandler(handler)
    try:
        redactor = install()
        logger.info("from %s by %s", IP, EMAIL)
    finally:
        uninstall()
    assert "IPV4" not in {rule.name for rule in redactor.policy.rules()}
    assert handler.lines[0].endswith(f"from {IP} by [EMAIL]")


def test_a_patch_made_on_top_of_ours_keeps_working(logger: logging.Logger) -> None:
    """Sentry-style: another library replaces callHandlers after install() and calls ours."""
    original = logging.Logger.__dict__["callHandlers"]
    install(Policy())
    ours = logging.Logger.callHandlers
    calls: list[str] = []

    def theirs(self: logging.Logger, record: logging.LogRecord) -> None:
        calls.append(record.getMessage())
        ours(self, record)

    logging.Logger.callHandlers = theirs  # type: ignore[method-assign]
    handler = Collect()
    logger.addHandler(handler)
    try:
        logger.info("user %s", EMAIL)
        uninstall()  # cannot take ours out from under theirs: it stops redacting instead
        assert logging.Logger.__dict__["callHandlers"] is theirs
        logger.info("user %s", "u-1")
        install(Policy())  # and comes back without wrapping twice
        logger.info("user %s", EMAIL)
    finally:
        uninstall()
        logging.Logger.callHandlers = original  # type: ignore[method-assign]
    # Their patch gone (and ours with it), install() puts ours back.
    install(Policy())
    try:
        logger.info("user %s", EMAIL)
    finally:
        uninstall()
    assert logging.Logger.__dict__["callHandlers"] is original
    assert handler.lines[3].endswith("user [EMAIL]")
    assert handler.lines[0].endswith("user [EMAIL]")
    assert handler.lines[1].endswith("user u-1")
    assert handler.lines[2].endswith("user [EMAIL]")


def test_disabled_lets_raw_records_through_inside_the_block(
    installed: Redactor, logger: logging.Logger
) -> None:
    handler = Collect()
    logger.addHandler(handler)
    with disabled():
        logger.info("user %s", EMAIL)
    logger.info("user %s", EMAIL)
    assert handler.lines[0].endswith(EMAIL)
    assert handler.lines[1].endswith("[EMAIL]")


def test_each_record_is_redacted_once(installed: Redactor, logger: logging.Logger) -> None:
    handlers = [Collect() for _ in range(4)]
    for number, handler in enumerate(handlers):
        logger.addHandler(handler)
        handler.addFilter(RedactingFilter())  # a second pass finds nothing left to redact
        logger.getChild(str(number)).addHandler(Collect())
    before = dict(installed.stats)
    logger.getChild("1").info("user %s", EMAIL, extra={"password": PASSWORD})
    assert installed.stats["kind:EMAIL"] == before.get("kind:EMAIL", 0) + 1
    assert installed.stats["action:mask"] == before.get("action:mask", 0) + 2
    assert all(handler.lines == handlers[0].lines for handler in handlers)


def test_an_argument_that_logs_while_being_formatted(
    installed: Redactor, logger: logging.Logger
) -> None:
    class Chatty:
        def __str__(self) -> str:
            logger.info("formatting %s", EMAIL)
            return "chatty " + EMAIL

    handler = Collect()
    logger.addHandler(handler)
    logger.info("value %s", Chatty())
    assert len(handler.lines) == 2
    assert_clean(handler.text)
    assert handler.lines[1].endswith("value chatty [EMAIL]")


def test_threads_logging_at_once(installed: Redactor, logger: logging.Logger) -> None:
    handler = Collect()
    logger.addHandler(handler)

    def work() -> None:
        for number in range(100):
            logger.info("user %s #%d from %s", EMAIL, number, IP, extra={"token": TOKEN})

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(handler.lines) == 800
    assert_clean(handler.text)


def test_observers_learn_which_rules_fired_never_the_values(
    installed: Redactor, logger: logging.Logger
) -> None:
    seen: list[tuple[str, tuple[str, ...]]] = []
    logger.addHandler(Collect())
    with _observe(lambda record, rules: seen.append((record.getMessage(), rules))):
        logger.info("user %s from %s", EMAIL, IP, extra={"password": PASSWORD})
        logger.info("nothing to see")
    logger.info("user %s", EMAIL)  # after the block: not observed
    assert seen == [("user [EMAIL] from [IPV4]", ("EMAIL", "IPV4", "PASSWORD_VALUE"))]


def test_field_rules_minimize_extra_fields_and_dict_messages(logger: logging.Logger) -> None:
    seen: list[logging.LogRecord] = []
    handler = Collect()
    handler.addFilter(lambda record: seen.append(record) or True)
    logger.addHandler(handler)
    policy = Policy.from_mapping({"fields": {"allow": ["order_id", "event"]}})
    install(policy)
    try:
        logger.info("paid", extra={"order_id": 42, "card_holder": "Jane Doe", "ip": IP})
        logger.info({"event": "paid", "email": EMAIL})
    finally:
        uninstall()
    extra, message = seen
    assert extra.order_id == 42  # type: ignore[attr-defined]
    assert not hasattr(extra, "card_holder")
    assert not hasattr(extra, "ip")
    assert message.msg == {"event": "paid"}


# --------------------------------------------------------------------------- fail closed
class BrokenRedactor(Redactor):
    """The engine failing in a way it never should: what the record layer does then."""

    __slots__ = ()

    def redact_value(self, value: object, key: str | None = None) -> object:
        raise RuntimeError(type(value).__name__)

    def redact_fields(self, fields: Mapping[str, Any], *, scope: str = "") -> dict[str, Any]:
        raise RuntimeError(scope)


def test_a_failing_engine_leaves_a_marker_and_nothing_raw(logger: logging.Logger) -> None:
    handler = Collect(JsonFormatter())
    logger.addHandler(handler)
    redactor = BrokenRedactor()
    redact_record = _RecordRedactor(redactor)  # what install() and RedactingFilter call
    logger.addFilter(lambda record: redact_record(record) or True)
    try:
        raise ValueError("card " + CARD)
    except ValueError:
        logger.exception("user %s", EMAIL, extra={"password": PASSWORD}, stack_info=True)
    (line,) = handler.lines
    assert_clean(line)
    document = json.loads(line)
    assert document["message"] == FAILED_MARKER
    assert document["password"] == FAILED_MARKER
    assert "exception" not in document
    assert redactor.stats["error:RuntimeError"] == 1


# -------------------------------------------------------------------------- the filter
def test_redacting_filter_from_dict_config(tmp_path: Path, logger: logging.Logger) -> None:
    policy_file = tmp_path / "policy.toml"
    policy_file.write_text('[piiredact]\nactions = { IPV4 = "generalize" }\n')
    stream = io.StringIO()
    logging.config.dictConfig(
        {
            "version": 1,
            "disable_existing_loggers": False,
            "filters": {
                "pii": {"()": "piiredact.stdlib.RedactingFilter", "policy_file": policy_file}
            },
            "handlers": {
                "out": {"class": "logging.StreamHandler", "stream": stream, "filters": ["pii"]}
            },
            "loggers": {logger.name: {"handlers": ["out"], "level": "DEBUG"}},
        }
    )
    log_everything(logger)
    logger.info("from %s", IP)
    assert_clean(stream.getvalue())
    assert stream.getvalue().endswith("from 203.0.113.0/24\n")


def test_redacting_filter_on_the_listener_side_of_a_queue(logger: logging.Logger) -> None:
    # Records made elsewhere (another process) reach the listener's handlers directly.
    records: queue.Queue[logging.LogRecord] = queue.Queue()
    behind = Collect(JsonFormatter())
    behind.addFilter(RedactingFilter())
    listener = logging.handlers.QueueListener(records, behind)
    listener.start()
    try:
        records.put(logging.makeLogRecord({"msg": "user %s", "args": (EMAIL,), "name": "remote"}))
        records.put(logging.makeLogRecord({"msg": "login", "password": PASSWORD}))
    finally:
        listener.stop()
    assert len(behind.lines) == 2
    assert_clean(behind.text)


def test_redacting_filter_options() -> None:
    assert RedactingFilter(preset="strict").redactor.policy.preset == "strict"
    with pytest.raises(piiredact.ConfigurationError, match="at most one"):
        RedactingFilter(preset="strict", policy=Policy())
    with pytest.raises(piiredact.ConfigurationError, match=r"must be a piiredact\.Policy"):
        RedactingFilter(policy="policy.toml")  # type: ignore[arg-type]
    with pytest.raises(piiredact.ConfigurationError):
        RedactingFilter(preset="no-such-preset")


def test_redacting_filter_with_a_name_redacts_only_that_branch() -> None:
    only_app = RedactingFilter("app")
    inside = logging.makeLogRecord({"name": "app.db", "msg": "user %s", "args": (EMAIL,)})
    outside = logging.makeLogRecord({"name": "other", "msg": "user %s", "args": (EMAIL,)})
    assert only_app.filter(inside)
    assert only_app.filter(outside)  # never drops a record
    assert inside.getMessage() == "user [EMAIL]"
    assert outside.getMessage() == "user " + EMAIL


# ---------------------------------------------------------------------------- README
def readme_snippets(heading: str) -> list[str]:
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    section = readme.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
    return [block.split("\n", 1)[1] for block in section.split("```python")[1:]]


@pytest.mark.parametrize("snippet", readme_snippets("Logging (stdlib)"))
def test_readme_snippets_run_and_redact(snippet: str) -> None:
    code = snippet.split("```", 1)[0]
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    output = result.stdout + result.stderr
    assert "[EMAIL]" in output
    assert "jane@example.com" not in output
