"""
piiredact.structlog over real structlog pipelines: every renderer, ProcessorFormatter with stdlib
records, capture_logs, the builtin default configuration; clean events render unchanged.
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import datetime
import decimal
import enum
import io
import json
import logging
import pathlib
import pickle
import re
import uuid
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from piiredact import FAILED_MARKER, ConfigurationError, Policy, Redactor, default_redactor
from tests.strategies import any_text, clean_text, lines_with_secrets


structlog = pytest.importorskip("structlog")

from structlog.contextvars import bind_contextvars, clear_contextvars, merge_contextvars  # noqa: E402
from structlog.processors import (  # noqa: E402
    ExceptionPrettyPrinter,
    ExceptionRenderer,
    JSONRenderer,
    KeyValueRenderer,
    LogfmtRenderer,
    add_log_level,
    dict_tracebacks,
    format_exc_info,
)
from structlog.testing import capture_logs  # noqa: E402
from structlog.tracebacks import ExceptionDictTransformer  # noqa: E402

from piiredact.structlog import _MEMO_SIZE, RedactingProcessor, install  # noqa: E402


EMAIL = "jane.doe@example.com"
CARD = "4111 1111 1111 1111"
TOKEN = "ghp_R4nd0mT0k3nV4lu3xYz9QwErTyUiOpAsDf12"
IP = "203.0.113.7"
PASSWORD = "hunter2-Canary"
EXCEPTION_EMAIL = "mallory@example.org"
LOCAL_PASSWORD = "l0cal-Secret-Canary"
CONTEXT_EMAIL = "eve@example.net"
CANARIES = (EMAIL, CARD, TOKEN, IP, PASSWORD, EXCEPTION_EMAIL, LOCAL_PASSWORD, CONTEXT_EMAIL)
# What every configuration prints when nothing redacts (the exception and its locals depend on
# how exceptions are rendered): the control that shows a test can fail.
ALWAYS_PRINTED = {EMAIL, CARD, TOKEN, IP, PASSWORD, CONTEXT_EMAIL}
EVENTS = ("login from", "signed up", "sign-up failed")

_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def leaks(output: str) -> set[str]:
    """The canaries in *output*, colour codes taken out first (they could split one)."""
    plain = _ANSI.sub("", output)
    return {canary for canary in CANARIES if canary in plain}


def _fail(password: str, email: str) -> None:
    """Raise with PII in the message and a sensitive local; neither is in a source line."""
    message = f"no account for {email}"
    raise LookupError(message)


def emit_canaries(log: Any) -> None:
    """Log the canaries every way they reach an event: one event per name in EVENTS."""
    bind_contextvars(user_email=CONTEXT_EMAIL)
    log = log.bind(session_token=TOKEN)
    log.info("login from %s", IP)
    log.info("signed up", email=EMAIL, card=CARD, password=PASSWORD, profile={"ips": (IP,)})
    try:
        _fail(LOCAL_PASSWORD, EXCEPTION_EMAIL)
    except LookupError:
        log.exception("sign-up failed")


@pytest.fixture(autouse=True)
def pristine_structlog() -> Iterator[None]:
    """Every test starts and ends with structlog's builtin configuration and no context."""
    structlog.reset_defaults()
    clear_contextvars()
    yield
    structlog.reset_defaults()
    clear_contextvars()


@pytest.fixture(scope="module")
def processor() -> RedactingProcessor:
    return RedactingProcessor(Policy())


def run_configured(processors: list[Any], *, redact: bool, emit: Callable[[Any], None]) -> str:
    """What *emit* writes through structlog configured with *processors* (plus install())."""
    sink = io.StringIO()
    structlog.configure(processors=processors, logger_factory=structlog.WriteLoggerFactory(sink))
    if redact:
        install(Policy())
    emit(structlog.get_logger())
    return sink.getvalue()


RENDERERS = [
    pytest.param(JSONRenderer, id="json"),
    pytest.param(KeyValueRenderer, id="keyvalue"),
    pytest.param(LogfmtRenderer, id="logfmt"),
    pytest.param(lambda: structlog.dev.ConsoleRenderer(colors=False), id="console"),
    pytest.param(
        lambda: structlog.dev.ConsoleRenderer(colors=True, force_colors=True), id="console-colours"
    ),
]
EXCEPTION_RENDERERS = [
    pytest.param([], id="exc_info-left-to-renderer"),
    pytest.param([format_exc_info], id="format_exc_info"),
    pytest.param([dict_tracebacks], id="dict_tracebacks"),
]


def combinations(exception_renderers: list[Any]) -> list[Any]:
    """Renderers by exception renderers, less ConsoleRenderer after dict_tracebacks, which
    structlog does not support (it concatenates the ``exception`` list to a string)."""
    return [
        pytest.param(renderer.values[0], exceptions.values[0], id=f"{renderer.id}-{exceptions.id}")
        for renderer in RENDERERS
        for exceptions in exception_renderers
        if not (renderer.id.startswith("console") and exceptions.id == "dict_tracebacks")
    ]


class TestCanaries:
    @pytest.mark.parametrize(("renderer", "exceptions"), combinations(EXCEPTION_RENDERERS))
    def test_no_canary_reaches_any_renderer(
        self, renderer: Callable[[], Any], exceptions: list[Any]
    ) -> None:
        """Through every renderer and way of rendering exceptions, no canary is printed and
        every event is."""

        def chain() -> list[Any]:
            return [merge_contextvars, add_log_level, *exceptions, renderer()]

        control = run_configured(chain(), redact=False, emit=emit_canaries)
        output = run_configured(chain(), redact=True, emit=emit_canaries)

        assert leaks(control) >= ALWAYS_PRINTED
        if exceptions == [dict_tracebacks]:
            assert {EXCEPTION_EMAIL, LOCAL_PASSWORD} <= leaks(control)
        assert set() == leaks(output)
        assert [name for name in EVENTS if name not in output] == []

    def test_builtin_default_configuration(self, capsys: pytest.CaptureFixture[str]) -> None:
        """structlog unconfigured prints Rich tracebacks with frame locals; after install() the
        exception is printed as redacted text."""
        emit_canaries(structlog.get_logger())
        control = capsys.readouterr().out
        install(Policy())
        emit_canaries(structlog.get_logger())
        output = capsys.readouterr().out

        assert {LOCAL_PASSWORD, EXCEPTION_EMAIL} <= leaks(control)
        assert set() == leaks(output)
        assert "LookupError: no account for [EMAIL]" in output

    def test_capture_logs_with_the_processor(self, processor: RedactingProcessor) -> None:
        """capture_logs(processors=[...]) with the processor captures every event, redacted."""
        structlog.configure(processors=[merge_contextvars, add_log_level, JSONRenderer()])
        install(Policy())

        with capture_logs(processors=[merge_contextvars, processor]) as captured:
            emit_canaries(structlog.get_logger())

        assert set() == leaks(repr(captured))
        assert [entry["event"] for entry in captured] == ["login from [IPV4]", *EVENTS[1:]]
        assert "LookupError: no account for [EMAIL]" in captured[2]["exception"]

    def test_capture_logs_alone_captures_raw_events(self) -> None:
        """The pitfall the README warns about: capture_logs() empties the chain, processor too."""
        structlog.configure(processors=[merge_contextvars, JSONRenderer()])
        install(Policy())

        with capture_logs() as captured:
            structlog.get_logger().info("signed up", email=EMAIL)

        assert captured[0]["email"] == EMAIL


class TestProcessorFormatter:
    LOGGER = "tests.structlog.formatter"

    def run(self, placement: str, renderer: Any, *, redact: bool) -> str:
        shared = [merge_contextvars, structlog.stdlib.add_log_level]
        structlog.configure(
            processors=[
                *shared,
                structlog.stdlib.PositionalArgumentsFormatter(),
                structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
            ],
            logger_factory=structlog.stdlib.LoggerFactory(),
            wrapper_class=structlog.stdlib.BoundLogger,
        )
        redacting = install(Policy()) if redact else None
        extra = [redacting] if redacting is not None else []
        formatter = structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[
                *shared,
                structlog.stdlib.ExtraAdder(),
                *(extra if placement == "foreign_pre_chain" else []),
            ],
            processors=[
                *(extra if placement == "processors" else []),
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                renderer,
            ],
        )
        sink = io.StringIO()
        handler = logging.StreamHandler(sink)
        handler.setFormatter(formatter)
        logger = logging.getLogger(self.LOGGER)
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
        try:
            emit_canaries(structlog.get_logger(self.LOGGER))
            legacy = logging.getLogger(f"{self.LOGGER}.legacy")
            legacy.info("card %s for %s", CARD, EMAIL, extra={"password": PASSWORD})
            try:
                _fail(LOCAL_PASSWORD, EXCEPTION_EMAIL)
            except LookupError:
                legacy.exception("legacy failure from %s", IP)
        finally:
            logger.removeHandler(handler)
        return sink.getvalue()

    @pytest.mark.parametrize(
        "renderer",
        [
            pytest.param(JSONRenderer(), id="json"),
            pytest.param(structlog.dev.ConsoleRenderer(colors=False), id="console"),
        ],
    )
    @pytest.mark.parametrize("placement", ["foreign_pre_chain", "processors"])
    def test_stdlib_and_structlog_records(self, placement: str, renderer: Any) -> None:
        """Records from both sides through one ProcessorFormatter: no canary, every record."""
        control = self.run(placement, renderer, redact=False)
        output = self.run(placement, renderer, redact=True)

        assert ALWAYS_PRINTED | {EXCEPTION_EMAIL} <= leaks(control)
        assert set() == leaks(output)
        assert [name for name in (*EVENTS, "card", "legacy failure") if name not in output] == []


# ------------------------------------------------------------------------------ clean events


class Colour(enum.Enum):
    RED = "red"


@dataclasses.dataclass
class Point:
    x: int
    y: int


class Reported:
    """An object that JSONRenderer serializes through ``__structlog__``."""

    def __structlog__(self) -> dict[str, Any]:
        return {"kind": "report", "pages": 3}


CLEAN_FIELDS: dict[str, Any] = {
    "text": "order shipped",
    "number": 42,
    "ratio": 0.25,
    "flag": True,
    "nothing": None,
    "items": [1, "two", 3.0],
    "pair": ("a", 1),
    "nested": {"level": {"deeper": ["x", {"y": 2}]}},
    "ordered": collections.OrderedDict(b=1, a=2),
    "tags": frozenset({"x"}),
    "raw": b"bytes",
    "uid": uuid.UUID(int=1),
    "when": datetime.datetime(2024, 1, 2, 3, 4, 5),
    "amount": decimal.Decimal("9.99"),
    "path": pathlib.PurePosixPath("/srv/app"),
    "colour": Colour.RED,
    "point": Point(1, 2),
    "report": Reported(),
    "request_id": "4bf92f3577b34da6a3ce929d0e0e4736",
    "status": 404,
    "user_id": 17,
}


def _raise_clean(code: int) -> None:
    message = f"quota exceeded ({code})"
    raise RuntimeError(message)


def emit_clean(log: Any) -> None:
    log.info("%d items in %s", 3, "cart")
    log.info("order shipped", **CLEAN_FIELDS)
    try:
        _raise_clean(7)
    except RuntimeError:
        structlog.get_logger().exception("order failed", attempt=2)


class TestCleanEvents:
    @pytest.mark.parametrize(("renderer", "exceptions"), combinations(EXCEPTION_RENDERERS[1:]))
    def test_render_byte_identical(
        self, renderer: Callable[[], Any], exceptions: list[Any]
    ) -> None:
        """Events with nothing to redact render exactly as they do without the processor."""

        def chain() -> list[Any]:
            return [merge_contextvars, add_log_level, *exceptions, renderer()]

        without = run_configured(chain(), redact=False, emit=emit_clean)
        with_ = run_configured(chain(), redact=True, emit=emit_clean)

        assert "quota exceeded (7)" in without
        assert without == with_

    def test_clean_values_are_the_very_same_objects(self, processor: RedactingProcessor) -> None:
        """A clean event is passed on as it is: same dict, same value objects."""
        event = {"event": "order shipped", **CLEAN_FIELDS}
        values = dict(event)

        result = processor(None, "info", event)

        assert result is event
        assert [key for key, value in values.items() if result[key] is not value] == []

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        st.dictionaries(
            st.sampled_from(["a", "note", "item", "stage", "detail", "tags"]),
            st.recursive(
                clean_text | st.booleans() | st.none(),
                lambda inner: (
                    st.lists(inner, max_size=3)
                    | st.dictionaries(st.sampled_from(["x", "y", "z"]), inner, max_size=3)
                ),
                max_leaves=8,
            ),
            max_size=5,
        )
    )
    def test_clean_values_render_unchanged(self, fields: dict[str, Any]) -> None:
        """Any event made of text without triggers renders the same, with JSON and key-value."""
        redacting = RedactingProcessor(Policy())
        event = {"event": "done", **fields}

        redacted = redacting(None, "info", dict(event))

        for render in (JSONRenderer(), KeyValueRenderer(sort_keys=True)):
            assert render(None, "info", dict(event)) == render(None, "info", redacted)


# ------------------------------------------------------------------------------ the processor


class TestRedactingProcessor:
    def test_key_aware_and_recursive(self, processor: RedactingProcessor) -> None:
        """Nested values are redacted under their keys and by what they hold, whatever their
        container or type."""
        event = {
            "event": f"login from {IP}",
            "user": {"password": 1234, "emails": (EMAIL,), "seen": {IP}},
            "raw": EMAIL.encode(),
            "ssn": 536904399,
            "cards": [[CARD]],
        }

        result = processor(None, "info", event)

        assert result == {
            "event": "login from [IPV4]",
            "user": {"password": "[PASSWORD]", "emails": ("[EMAIL]",), "seen": {"[IPV4]"}},
            "raw": b"[EMAIL]",
            "ssn": "[US_SSN]",
            "cards": [["[CREDIT_CARD]"]],
        }

    def test_a_value_clean_under_one_key_is_redacted_under_another(
        self, processor: RedactingProcessor
    ) -> None:
        """What the processor remembers as clean is remembered per key."""
        processor(None, "info", {"note": "swordfish", "count": 1234})

        result = processor(None, "info", {"password": "swordfish", "pin": 1234})

        assert result == {"password": "[PASSWORD]", "pin": "[SECRET]"}

    def test_what_is_remembered_stays_bounded(self) -> None:
        """Keys and values that never recur fill the memo only up to its size, however many
        come; what recurs is remembered again after it is emptied."""
        processor = RedactingProcessor()
        for number in range(3 * _MEMO_SIZE):
            processor(None, "info", {f"field_{number}": f"value {number}", "status": number})
        known = processor._known

        assert len(known) + sum(len(values) for values in known.values()) <= _MEMO_SIZE
        assert processor(None, "info", {"password": "swordfish"}) == {"password": "[PASSWORD]"}

    def test_keys_are_redacted_in_order(self, processor: RedactingProcessor) -> None:
        """A key holding personal data is redacted, at every level, and the order is kept."""
        event = {"first": 1, EMAIL: "x", "counts": {CONTEXT_EMAIL: 3}, "last": 2}

        result = processor(None, "info", event)

        assert list(result.items()) == [
            ("first", 1),
            ("[EMAIL]", "x"),
            ("counts", {"[EMAIL]": 3}),
            ("last", 2),
        ]

    def test_input_is_not_mutated(self, processor: RedactingProcessor) -> None:
        """Containers the application bound or passed are copied, never changed."""
        profile = {"email": EMAIL, "ips": [IP]}
        log = structlog.wrap_logger(
            structlog.ReturnLogger(), processors=[processor, JSONRenderer()]
        ).bind(profile=profile)

        output = log.info("updated", profile_again=profile)

        assert profile == {"email": EMAIL, "ips": [IP]}
        assert set() == leaks(output)

    def test_objects_are_redacted_in_the_form_a_renderer_prints(
        self, processor: RedactingProcessor
    ) -> None:
        """An object whose repr() (key-value, console) or __structlog__() (JSON) holds personal
        data is printed redacted, even when its str() is clean."""

        class Account:
            def __str__(self) -> str:
                return "account"

            def __repr__(self) -> str:
                return f"Account({EMAIL})"

        class Exported:
            def __structlog__(self) -> dict[str, str]:
                return {"owner": EMAIL}

        renderers = (JSONRenderer(), KeyValueRenderer(), structlog.dev.ConsoleRenderer(False))
        outputs = [
            render(None, "info", processor(None, "info", {"a": Account(), "b": Exported()}))
            for render in renderers
        ]

        assert [output for output in outputs if leaks(output)] == []

    def test_processor_formatter_record_is_kept(self, processor: RedactingProcessor) -> None:
        """ProcessorFormatter's ``_record`` stays the LogRecord that later processors expect."""
        record = logging.makeLogRecord({"msg": f"for {EMAIL}"})
        event = {"event": f"for {EMAIL}", "_record": record, "_from_structlog": False}

        result = processor(None, "info", event)

        assert result["_record"] is record
        assert result["event"] == "for [EMAIL]"

    def test_policy_is_applied(self) -> None:
        """The policy's actions decide the replacement."""
        partial = RedactingProcessor(Policy(actions={"EMAIL": "partial"}))

        assert partial(None, "info", {"event": EMAIL})["event"] == "[EMAIL]@example.com"

    def test_policy_from_the_environment(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Without a policy, the PIIREDACT_* environment describes it."""
        monkeypatch.setenv("PIIREDACT_ACTIONS", "EMAIL=partial")

        assert RedactingProcessor()(None, "info", {"e": EMAIL})["e"] == "[EMAIL]@example.com"

    def test_default_policy_shares_the_default_redactor(self) -> None:
        """The default policy is not compiled again."""
        assert RedactingProcessor(Policy()).redactor is default_redactor()

    def test_a_policy_of_the_wrong_type_is_a_configuration_error(self) -> None:
        """A policy name where a Policy belongs fails when the processor is built."""
        with pytest.raises(ConfigurationError, match=r"must be a piiredact\.Policy, not str"):
            RedactingProcessor("strict")  # type: ignore[arg-type]

    def test_pickles(self) -> None:
        """A processor pickles with its policy (multiprocessing, queue handlers)."""
        original = RedactingProcessor(Policy(actions={"EMAIL": "partial"}))

        copy = pickle.loads(pickle.dumps(original))  # noqa: S301

        assert copy.redactor.policy == original.redactor.policy
        assert copy(None, "info", {"e": EMAIL})["e"] == "[EMAIL]@example.com"

    def test_repr_shows_no_value(self, processor: RedactingProcessor) -> None:
        """The repr names the policy's kinds, never a value it has seen."""
        processor(None, "info", {"event": EMAIL})

        assert set() == leaks(repr(processor))
        assert repr(processor).startswith("RedactingProcessor(Redactor(")

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.data())
    def test_generated_secrets_never_reach_the_output(self, data: st.DataObject) -> None:
        """Lines with generated values, at any depth and under any neutral key: none survives
        rendering."""
        line, found = data.draw(lines_with_secrets())
        value: Any = line
        for wrap in data.draw(st.lists(st.sampled_from([list, tuple, "dict"]), max_size=3)):
            value = {"detail": value} if wrap == "dict" else wrap([value])
        redacting = RedactingProcessor(Policy())

        output = JSONRenderer(ensure_ascii=False)(
            None, "info", redacting(None, "info", {"event": "x", "note": value})
        )

        assert [kind for kind, secret in found if secret in output] == []

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        st.recursive(
            any_text | st.binary(max_size=20) | st.integers() | st.floats(),
            lambda inner: (
                st.lists(inner, max_size=3)
                | st.tuples(inner, inner)
                | st.dictionaries(any_text, inner, max_size=3)
            ),
            max_leaves=10,
        )
    )
    def test_never_raises(self, value: Any) -> None:
        """Any value at all: the processor returns an event that renders."""
        redacting = RedactingProcessor(Policy())

        result = redacting(None, "info", {"event": "x", "value": value})

        assert "event" in result
        KeyValueRenderer()(None, "info", result)


class _Exploding(Redactor):
    """Stands in for an engine bug: redacting a value raises, with a value in the message."""

    __slots__ = ()

    def redact_value(self, value: Any, key: str | None = None) -> Any:
        message = f"engine bug near {EMAIL}"
        raise RuntimeError(message)


class TestFailClosed:
    def failing(self) -> RedactingProcessor:
        redacting = RedactingProcessor(Policy())
        redacting.redactor = _Exploding(Policy())
        return redacting

    def test_every_value_becomes_the_marker_and_the_event_is_emitted(self) -> None:
        """On failure the event still renders, with nothing in it but markers, None and
        booleans, and ProcessorFormatter's bookkeeping."""
        record = logging.makeLogRecord({})
        event = {
            "event": f"hello {EMAIL}",
            "count": 3,
            "nested": {"e": EMAIL},
            "ok": True,
            "none": None,
            "_record": record,
            "_from_structlog": True,
        }

        failing = self.failing()
        with pytest.warns(RuntimeWarning, match=r"could not be redacted \(RuntimeError\)") as w:
            result = failing(None, "info", event)

        assert result == {
            "event": FAILED_MARKER,
            "count": FAILED_MARKER,
            "nested": FAILED_MARKER,
            "ok": True,
            "none": None,
            "_record": record,
            "_from_structlog": True,
        }
        assert set() == leaks(str(w[0].message))
        assert failing.redactor.stats["error:RuntimeError"] == 1

    def test_pending_exception_is_not_left_for_the_renderer(self) -> None:
        """A failure with exc_info pending: ConsoleRenderer must not format the live exception."""
        sink = io.StringIO()
        structlog.configure(
            processors=[self.failing(), structlog.dev.ConsoleRenderer(colors=False)],
            logger_factory=structlog.WriteLoggerFactory(sink),
        )

        with warnings.catch_warnings(record=True):
            warnings.simplefilter("always")
            try:
                _fail(LOCAL_PASSWORD, EXCEPTION_EMAIL)
            except LookupError:
                structlog.get_logger().exception("failed", positional_args=(EMAIL,))

        assert sink.getvalue() == f"{FAILED_MARKER}\n{FAILED_MARKER}\n"  # event, exception

    def test_reported_once_and_never_raised(self) -> None:
        """The warning comes once; with warnings as errors (as here), nothing is raised."""
        failing = self.failing()

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            failing(None, "info", {"event": "a"})
            failing(None, "info", {"event": "b"})
        result = failing(None, "info", {"event": "c"})

        assert [w.category for w in caught] == [RuntimeWarning]
        assert result == {"event": FAILED_MARKER}

    def test_unreadable_event(self) -> None:
        """An event that cannot even be iterated is emitted as the marker."""

        class Unreadable(dict[str, Any]):
            def items(self) -> Any:
                raise RuntimeError(EMAIL)

        with warnings.catch_warnings(record=True):
            warnings.simplefilter("always")
            result = RedactingProcessor(Policy())(None, "info", Unreadable(event=EMAIL))

        assert result == {"event": FAILED_MARKER}


# ------------------------------------------------------------------------------ install()


class TestInstall:
    def test_inserted_right_before_the_renderer_in_place(self) -> None:
        """install() changes structlog's own list, right before the last processor."""
        renderer = JSONRenderer()
        chain = [merge_contextvars, add_log_level, renderer]
        structlog.configure(processors=chain)

        redacting = install(Policy())

        assert structlog.get_config()["processors"] is chain
        assert chain == [merge_contextvars, add_log_level, redacting, renderer]

    def test_cached_loggers_see_it(self) -> None:
        """Loggers structlog cached before install() redact afterwards."""
        sink = io.StringIO()
        structlog.configure(
            processors=[JSONRenderer()],
            logger_factory=structlog.WriteLoggerFactory(sink),
            cache_logger_on_first_use=True,
        )
        log = structlog.get_logger()
        log.info("warm")

        install(Policy())
        log.info("signed up", email=EMAIL)

        assert set() == leaks(sink.getvalue())
        assert '"email": "[EMAIL]"' in sink.getvalue()

    def test_before_an_exception_pretty_printer(self) -> None:
        """ExceptionPrettyPrinter prints exceptions itself: the processor goes before it."""
        printed = io.StringIO()
        printer = ExceptionPrettyPrinter(file=printed)
        structlog.configure(
            processors=[printer, JSONRenderer()], logger_factory=structlog.ReturnLoggerFactory()
        )

        redacting = install(Policy())
        try:
            _fail(LOCAL_PASSWORD, EXCEPTION_EMAIL)
        except LookupError:
            structlog.get_logger().exception("failed")

        assert structlog.get_config()["processors"][0] is redacting
        assert "no account for [EMAIL]" in printed.getvalue()
        assert set() == leaks(printed.getvalue())

    def test_installing_again_replaces_it(self) -> None:
        """A second install() leaves one processor in the chain: the new one."""
        structlog.configure(processors=[JSONRenderer()])
        install(Policy())

        second = install(Policy(actions={"EMAIL": "partial"}))

        chain = structlog.get_config()["processors"]
        assert [p for p in chain if isinstance(p, RedactingProcessor)] == [second]

    def test_exception_dict_transformer_locals(self) -> None:
        """ExceptionRenderer with locals: the sensitive local is redacted under its name."""

        def chain() -> list[Any]:
            transformer = ExceptionDictTransformer(show_locals=True)
            return [ExceptionRenderer(transformer), JSONRenderer()]

        control = run_configured(chain(), redact=False, emit=emit_canaries)
        output = run_configured(chain(), redact=True, emit=emit_canaries)

        assert LOCAL_PASSWORD in control
        assert set() == leaks(output)
        assert '"password": "[PASSWORD]"' in output

    @pytest.mark.parametrize(
        ("processors", "message"),
        [
            pytest.param((JSONRenderer(),), "are a tuple", id="tuple"),
            pytest.param([], "has no processors", id="empty"),
        ],
    )
    def test_a_chain_it_cannot_change_is_a_configuration_error(
        self, processors: Any, message: str
    ) -> None:
        """A tuple cannot be changed in place, and an empty chain has no renderer."""
        structlog.configure(processors=processors)

        with pytest.raises(ConfigurationError, match=message):
            install(Policy())


# ------------------------------------------------------------------------------ packaging


def _readme_blocks() -> list[str]:
    readme = (pathlib.Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## structlog\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)


@contextlib.contextmanager
def bare_root_logger() -> Iterator[None]:
    """The root logger without pytest's capture handlers (they format records first, after which
    ExtraAdder would see a ``message`` attribute), restored afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    root.handlers.clear()
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


@pytest.mark.parametrize("block", range(2))
def test_readme_snippet(block: int, capsys: pytest.CaptureFixture[str]) -> None:
    """The README's structlog snippets run and print what their comments say."""
    code = _readme_blocks()[block]
    expected = [json.loads(line[2:]) for line in code.splitlines() if line.startswith("# {")]

    with bare_root_logger():
        exec(compile(code, f"README.md structlog block {block}", "exec"), {})  # noqa: S102
    captured = capsys.readouterr()
    printed = [json.loads(line) for line in (captured.out + captured.err).splitlines()]

    assert expected == printed


# ------------------------------------------------------------------------ field rules
def test_field_rules_minimize_event_fields_by_logger_scope() -> None:
    policy = Policy.from_mapping(
        {"fields": {"allow": ["order_id"], "scopes": {"billing": {"allow": ["amount"]}}}}
    )
    processor = RedactingProcessor(policy)
    event = {"event": "paid", "logger": "billing.api", "order_id": 7, "amount": 12, "email": EMAIL}
    assert processor(None, "info", dict(event)) == {
        "event": "paid",
        "logger": "billing.api",
        "order_id": 7,
        "amount": 12,
    }
    elsewhere = {**event, "logger": "shop"}
    assert processor(None, "info", elsewhere) == {"event": "paid", "logger": "shop", "order_id": 7}
