"""
The :class:`piiredact.Redactor`: the structure walker, its limits, the counters, failing closed,
and what it must never reveal (repr, pickles, error messages).
"""

from __future__ import annotations

import collections
import copy
import pickle
import threading
from collections.abc import Iterator
from typing import Any, NoReturn

import pytest

import piiredact
from piiredact import FAILED_MARKER, Limits, Policy, Redactor, Rule
from piiredact._matcher import Matcher


EMAIL = "jane.doe@example.org"
IP = "203.0.113.45"
CARD = "4111 1111 1111 1111"
VALUES = (EMAIL, IP, CARD, "hunter2-Secret", "AKIAIOSFODNN7EXAMPLE")


@pytest.fixture
def redactor() -> Redactor:
    """A fresh default redactor, so that its counters start at zero."""
    return Redactor()


def _small(**limits: int) -> Redactor:
    return Redactor(Policy(limits=Limits(**limits)))


def _errors(redactor: Redactor) -> dict[str, int]:
    return {name: n for name, n in redactor.stats.items() if name.startswith("error:")}


class TestRedact:
    def test_clean_text_is_the_same_object(self, redactor: Redactor) -> None:
        """Text with nothing to redact is returned itself, not a copy."""
        text = "worker 7 finished job in 120 ms"

        assert redactor.redact(text) is text

    def test_findings_are_replaced(self, redactor: Redactor) -> None:
        """Every finding in a line is replaced by its mask."""
        assert (
            redactor.redact(f"to {EMAIL} from {IP} card {CARD}")
            == "to [EMAIL] from [IPV4] card [CREDIT_CARD]"
        )

    def test_module_level_redact_uses_the_default_policy(self) -> None:
        """``piiredact.redact`` gives what a default Redactor gives."""
        line = f"to {EMAIL} from {IP}"

        assert Redactor().redact(line) == piiredact.redact(line)

    def test_default_redactor_is_shared(self) -> None:
        """``default_redactor()`` builds one Redactor and hands it out again."""
        assert piiredact.default_redactor() is piiredact.default_redactor()

    def test_find_reports_kinds_and_offsets(self, redactor: Redactor) -> None:
        """``find`` gives kinds and offsets, never the values."""
        text = f"to {EMAIL} from {IP}"

        findings = redactor.find(text)

        expected = [("EMAIL", 3, 3 + len(EMAIL)), ("IPV4", 29, 29 + len(IP))]
        assert expected == [(f.kind, f.start, f.end) for f in findings]
        assert isinstance(findings, tuple)
        assert all(isinstance(f, piiredact.Finding) for f in findings)
        assert not any(value in repr(findings) for value in VALUES)

    def test_over_size_text_becomes_the_marker(self) -> None:
        """A text longer than ``max_value_length`` is replaced whole, not scanned in part."""
        redactor = _small(max_value_length=100)
        text = "x" * 90 + f" {EMAIL}"

        assert redactor.redact(text) == FAILED_MARKER
        assert _errors(redactor) == {"error:too_large": 1}

    def test_text_at_the_size_limit_is_scanned(self) -> None:
        """A text exactly ``max_value_length`` long is still redacted normally."""
        text = f"to {EMAIL}"
        redactor = _small(max_value_length=len(text))

        assert redactor.redact(text) == "to [EMAIL]"


class TestFailClosed:
    @pytest.mark.parametrize(
        "error",
        [
            pytest.param(RuntimeError("boom"), id="runtime-error"),
            pytest.param(TimeoutError("regex timed out"), id="timeout"),
            pytest.param(ValueError("bad"), id="value-error"),
            pytest.param(RecursionError(), id="recursion-error"),
        ],
    )
    def test_matcher_failure_gives_the_marker(
        self, monkeypatch: pytest.MonkeyPatch, error: Exception
    ) -> None:
        """When matching fails, ``redact`` returns the marker, raises nothing and counts one
        error."""
        redactor = Redactor()

        def fail(self: Matcher, text: str) -> NoReturn:
            raise error

        monkeypatch.setattr(Matcher, "scan", fail)

        assert redactor.redact(f"to {EMAIL}") == FAILED_MARKER
        assert sum(_errors(redactor).values()) == 1
        assert not any(value in repr(redactor.stats) for value in VALUES)

    def test_failure_in_the_walker_gives_the_marker(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """When matching fails inside a structure, ``redact_value`` raises nothing and leaks
        nothing."""
        redactor = Redactor()

        def fail(self: Matcher, *args: str) -> NoReturn:
            msg = "regex timed out"
            raise TimeoutError(msg)

        monkeypatch.setattr(Matcher, "scan", fail)
        monkeypatch.setattr(Matcher, "find_under_key", fail)

        result = redactor.redact_value({"message": f"to {EMAIL}", "n": 1})

        assert EMAIL not in repr(result)
        assert FAILED_MARKER in repr(result)
        assert sum(_errors(redactor).values()) >= 1

    def test_find_does_not_fail_closed(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """``find`` is for audits: a timeout propagates instead of hiding."""
        redactor = Redactor()

        def fail(self: Matcher, text: str) -> NoReturn:
            msg = "regex timed out"
            raise TimeoutError(msg)

        monkeypatch.setattr(Matcher, "scan", fail)

        with pytest.raises(TimeoutError):
            redactor.find(f"to {EMAIL}")

    def test_matcher_works_again_after_the_patch(self) -> None:
        """The patched failures above did not leak into the shared default redactor."""
        assert piiredact.redact(f"to {EMAIL}") == "to [EMAIL]"

    def test_object_whose_str_raises(self, redactor: Redactor) -> None:
        """An object whose ``__str__`` raises becomes the marker instead of breaking logging."""

        class Hostile:
            def __str__(self) -> str:
                msg = "no"
                raise RuntimeError(msg)

        assert redactor.redact_value({"obj": Hostile()}) == {"obj": FAILED_MARKER}


class TestBudgets:
    def test_too_many_key_pairs_fail_closed(self, redactor: Redactor) -> None:
        """A string with more key/value pairs than the limit fails closed, and fast."""
        text = "name=Jane " * (redactor.policy.limits.max_key_pairs + 1)

        assert redactor.redact(text) == FAILED_MARKER
        assert _errors(redactor) == {"error:too_many_keys": 1}

    def test_a_flood_of_near_misses_fails_closed(self) -> None:
        """Thousands of look-alikes that fail validation are hostile input: the value fails
        closed instead of keeping the matcher busy."""
        redactor = Redactor(Policy(limits=Limits(max_value_length=1_000_000)))
        text = "ME13 " * 20_000  # an IBAN shape, never a valid IBAN

        assert redactor.redact(text) == FAILED_MARKER
        assert _errors(redactor) == {"error:too_many_candidates": 1}

    def test_real_logs_stay_within_the_budgets(self, redactor: Redactor) -> None:
        """A long text of ordinary log lines, look-alikes included, is redacted normally."""
        line = f"2024-07-30T22:04:11Z pid=4242 took 12.5ms epoch=1722377051000 ip={IP} v=1.2.3.4\n"
        big = Redactor(Policy(limits=Limits(max_value_length=1_000_000)))

        redacted = big.redact(line * 2000)

        assert redacted != FAILED_MARKER
        assert IP not in redacted
        assert _errors(big) == {}


class TestRedactValue:
    def test_nested_structure(self, redactor: Redactor) -> None:
        """Strings are scanned at any depth; numbers, None and booleans without keys stay."""
        data = {
            "event": "signup",
            "user": {"contact": [f"mail {EMAIL}", {"ip": IP}], "age": 42, "verified": True},
            "extra": None,
            "ratio": 0.5,
        }

        expected = {
            "event": "signup",
            "user": {"contact": ["mail [EMAIL]", {"ip": "[IPV4]"}], "age": 42, "verified": True},
            "extra": None,
            "ratio": 0.5,
        }
        assert expected == redactor.redact_value(data)

    @pytest.mark.parametrize(
        ("data", "expected"),
        [
            pytest.param({"password": 123}, {"password": "[PASSWORD]"}, id="password-int"),
            pytest.param({"password": 1.5}, {"password": "[PASSWORD]"}, id="password-float"),
            pytest.param({"password": "x"}, {"password": "[PASSWORD]"}, id="password-str"),
            pytest.param(
                {"db_password": "x"}, {"db_password": "[PASSWORD]"}, id="password-prefixed"
            ),
            pytest.param({"Password": "x"}, {"Password": "[PASSWORD]"}, id="password-capital"),
            pytest.param({"apiKey": "abc"}, {"apiKey": "[API_KEY]"}, id="camel-case-key"),
            pytest.param({"pin": 4821}, {"pin": "[SECRET]"}, id="pin-int"),
            pytest.param({"password": None}, {"password": None}, id="password-none"),
            pytest.param({"ssn": 536228761}, {"ssn": "[US_SSN]"}, id="ssn-int"),
            pytest.param({"count": 536228761}, {"count": 536228761}, id="count-int-kept"),
            pytest.param({"password_length": 12}, {"password_length": 12}, id="meta-key-kept"),
            pytest.param({"token_count": 3}, {"token_count": 3}, id="token-count-kept"),
            pytest.param(
                {"author": "Ann Lee"}, {"author": "[PERSON]"}, id="author-is-a-person-not-auth"
            ),
        ],
    )
    def test_keys_decide_about_values(
        self, redactor: Redactor, data: dict[str, Any], expected: dict[str, Any]
    ) -> None:
        """A key naming a secret masks its value whatever its type; other keys do not."""
        assert expected == redactor.redact_value(data)

    def test_explicit_key(self, redactor: Redactor) -> None:
        """``key=`` applies the key's rules to a bare value."""
        assert redactor.redact_value(123, key="password") == "[PASSWORD]"

    def test_scalar_without_key_is_kept(self, redactor: Redactor) -> None:
        """A bare number is not scanned: only its key could make it sensitive."""
        assert redactor.redact_value(4111111111111111) == 4111111111111111

    def test_non_string_keys(self, redactor: Redactor) -> None:
        """Non-string keys are kept and their values still scanned."""
        assert redactor.redact_value({1: EMAIL, None: "x"}) == {1: "[EMAIL]", None: "x"}

    def test_tuples_stay_tuples(self, redactor: Redactor) -> None:
        """Containers keep their type: tuples, lists, sets and frozensets."""
        data = {"t": ("a", EMAIL), "l": ["a", EMAIL], "s": {EMAIL}, "f": frozenset({EMAIL})}

        expected = {"t": ("a", "[EMAIL]"), "l": ["a", "[EMAIL]"], "s": {"[EMAIL]"},
                    "f": frozenset({"[EMAIL]"})}  # fmt: skip
        assert expected == redactor.redact_value(data)

    def test_bytes(self, redactor: Redactor) -> None:
        """Bytes are scanned as UTF-8 and come back as bytes; undecodable bytes survive."""
        assert redactor.redact_value([f"ip {IP}".encode(), b"\xff to " + EMAIL.encode()]) == [
            b"ip [IPV4]",
            b"\xff to [EMAIL]",
        ]

    def test_other_objects_are_rendered(self, redactor: Redactor) -> None:
        """An object of another type is replaced by its redacted text form."""

        class Customer:
            def __str__(self) -> str:
                return f"Customer({EMAIL})"

        assert redactor.redact_value({"c": Customer()}) == {"c": "Customer([EMAIL])"}

    def test_input_is_not_mutated(self, redactor: Redactor) -> None:
        """The walker builds new containers and leaves its input as it was."""
        data: dict[str, Any] = {
            "user": {"email": EMAIL, "tags": [IP, ("x", CARD)]},
            "password": "hunter2-Secret",
        }
        before = copy.deepcopy(data)

        result = redactor.redact_value(data)

        assert before == data
        assert result is not data
        assert result["user"] is not data["user"]
        assert result["user"]["tags"] is not data["user"]["tags"]

    def test_list_cycle(self, redactor: Redactor) -> None:
        """A list that contains itself ends in the marker instead of recursing forever."""
        data: list[Any] = [EMAIL]
        data.append(data)

        assert redactor.redact_value(data) == ["[EMAIL]", FAILED_MARKER]
        assert _errors(redactor) == {"error:cycle": 1}

    def test_dict_cycle(self, redactor: Redactor) -> None:
        """A mapping that contains itself ends in the marker."""
        data: dict[str, Any] = {"email": EMAIL}
        data["self"] = data

        assert redactor.redact_value(data) == {"email": "[EMAIL]", "self": FAILED_MARKER}

    def test_shared_reference_is_not_a_cycle(self, redactor: Redactor) -> None:
        """The same object reached twice, without a loop, is redacted both times."""
        shared = [EMAIL]

        assert redactor.redact_value([shared, shared]) == [["[EMAIL]"], ["[EMAIL]"]]
        assert _errors(redactor) == {}

    def test_depth_limit(self) -> None:
        """Containers nested deeper than ``max_depth`` become the marker."""
        redactor = _small(max_depth=3)
        data = {"a": {"b": {"c": {"d": EMAIL}}}, "top": EMAIL}

        assert redactor.redact_value(data) == {"a": {"b": {"c": FAILED_MARKER}}, "top": "[EMAIL]"}
        assert _errors(redactor) == {"error:too_deep": 1}

    def test_deep_nesting_never_raises(self, redactor: Redactor) -> None:
        """Nesting far beyond the interpreter's recursion limit gives a value, not an error."""
        data: list[Any] = [EMAIL]
        for _ in range(100_000):
            data = [data]

        result = redactor.redact_value(data)

        assert EMAIL not in repr(result)[:10_000]

    def test_item_limit_on_lists(self) -> None:
        """Items past ``max_items`` are replaced by one marker."""
        redactor = _small(max_items=3)

        assert redactor.redact_value([0, EMAIL, 2, EMAIL, 4]) == [0, "[EMAIL]", 2, FAILED_MARKER]
        assert _errors(redactor) == {"error:too_many_items": 1}

    def test_item_limit_on_mappings(self) -> None:
        """Entries past ``max_items`` are dropped and marked; none of their values leaks."""
        redactor = _small(max_items=2)

        result = redactor.redact_value({"a": 1, "b": EMAIL, "c": IP, "d": CARD})

        assert {k: v for k, v in result.items() if k != FAILED_MARKER} == {"a": 1, "b": "[EMAIL]"}
        assert FAILED_MARKER in result.values()
        assert not any(value in repr(result) for value in VALUES)

    def test_over_size_string_inside_a_structure(self) -> None:
        """One over-size string becomes the marker; its siblings are redacted normally."""
        redactor = _small(max_value_length=50)

        assert redactor.redact_value({"big": "y" * 51, "small": EMAIL}) == {
            "big": FAILED_MARKER,
            "small": "[EMAIL]",
        }

    def test_named_tuples_and_other_tuple_types_keep_their_type(self, redactor: Redactor) -> None:
        Point = collections.namedtuple("Point", "label contact")

        class Pair(tuple):  # type: ignore[type-arg]  # a constructor that takes two arguments
            __slots__ = ()

            def __new__(cls, first: object, second: object) -> Pair:
                return super().__new__(cls, (first, second))

        point = redactor.redact_value(Point("home", EMAIL))
        assert point == Point("home", "[EMAIL]")
        assert type(point) is Point
        assert redactor.redact_value(Pair("a", EMAIL)) == ("a", "[EMAIL]")

    def test_lone_timestamps_are_clean_unless_their_key_or_a_custom_rule_says_otherwise(
        self, redactor: Redactor
    ) -> None:
        stamped = {"timestamp": "2026-11-29T03:50:50.530023Z", "at": "2026-11-29 03:50:50,123"}
        assert redactor.redact_value(stamped) == stamped
        assert redactor.redact_value({"dob": "1990-05-17"}) == {"dob": "[DATE_OF_BIRTH]"}
        custom = Rule(name="DAY", category="personal", pattern=r"2026-11-29", triggers=("2026-",))
        with_custom = Redactor(Policy(custom_rules=[custom]))
        assert with_custom.redact_value(stamped)["timestamp"] == "[DAY]T03:50:50.530023Z"

    @pytest.mark.parametrize(
        ("value", "key", "kept"),
        [
            (None, "password", True),
            (False, "token", True),
            (12.5, "duration_ms", True),
            (12.5, "lat", False),  # a coordinate key: rules read it
            (4.1111111111111e15, "amount", False),  # as many digits as a card number
            ("2026-11-29T03:50:50.530023Z", "timestamp", True),
            ("2026-11-29T03:50:50.530023Z", "dob", False),
            ("4bf92f3577b34da6a3ce929d0e0e4736", "trace_id", True),
            ("4bf92f3577b34da6a3ce929d0e0e4736", "api_key", False),
            ("4111111111111111", "order", False),  # digits only: a card, maybe
            ("GET", "method", False),  # nothing is known: it must be looked at
            (12345, "user_id", False),
        ],
    )
    def test_keeps_says_what_comes_through_unlooked_at(
        self, redactor: Redactor, value: object, key: str, kept: bool
    ) -> None:
        """``keeps`` is true only for values ``redact_value`` returns as they are."""
        assert redactor.keeps(value, key) is kept
        if kept:
            assert redactor.redact_value(value, key) is value

    def test_keeps_never_raises(self, redactor: Redactor) -> None:
        assert not redactor.keeps("2026-11-29T03:50:50.530023Z", 7)  # type: ignore[arg-type]

    def test_keeps_nothing_machine_made_once_a_custom_rule_may_read_it(self) -> None:
        custom = Rule(name="DAY", category="personal", pattern=r"2026-11-29", triggers=("2026-",))
        redactor = Redactor(Policy(custom_rules=[custom]))
        assert not redactor.keeps("2026-11-29T03:50:50.530023Z", "timestamp")
        assert redactor.keeps(12.5, "duration_ms")

    def test_safe_keys_hold_at_the_top_level_too(self) -> None:
        redactor = Redactor(Policy(safe_keys=["note"]))
        assert redactor.redact_value(f"mail {EMAIL}", key="note") == f"mail {EMAIL}"
        assert redactor.redact_value({"note": EMAIL}) == {"note": EMAIL}
        assert redactor.redact_value(EMAIL, key="other") == "[EMAIL]"

    def test_query_placeholders_are_not_values(self, redactor: Redactor) -> None:
        text = "UPDATE users SET password = ?, token = %s, api_key = $1 WHERE email = %(email)s"
        assert redactor.redact(text) is text
        assert redactor.redact("password=?hunter2") == "password=[PASSWORD]"

    def test_a_key_after_an_empty_value_is_no_value(self, redactor: Redactor) -> None:
        """PAM's ``logname= uid=0``: logname is empty, uid is the next key. A secret is still
        read on: masking a key by mistake costs nothing, missing a password would leak it."""
        text = "logname= jdoe2 ruser= rhost=host.example user=jdoe"
        assert (
            redactor.redact(text) == "logname= [USERNAME] ruser= rhost=host.example user=[USERNAME]"
        )
        assert redactor.find("logname= uid=0 euid=0 ruser= rhost=host.example") == ()
        assert redactor.redact("password= s3cr3t=x next") == "password= [PASSWORD] next"

    def test_a_text_clean_on_its_own_is_still_redacted_under_a_key(
        self, redactor: Redactor
    ) -> None:
        """The clean-text cache tells texts under a key apart from the same texts alone."""
        assert redactor.redact_value("hunter2") == "hunter2"
        assert redactor.redact_value({"password": "hunter2"}) == {"password": "[PASSWORD]"}
        assert redactor.redact_value({"comment": "hunter2"}) == {"comment": "hunter2"}
        assert redactor.redact_value({"password": "hunter2"}) == {"password": "[PASSWORD]"}


class TestStats:
    def test_counters(self, redactor: Redactor) -> None:
        """Counters count findings by kind and rule, and replacements by action."""
        redactor.redact(f"to {EMAIL} and {EMAIL.upper()} from {IP}")
        redactor.redact("nothing here")

        assert redactor.stats == {
            "kind:EMAIL": 2,
            "kind:IPV4": 1,
            "rule:EMAIL": 2,
            "rule:IPV4": 1,
            "action:mask": 3,
        }

    def test_counters_hold_no_values(self, redactor: Redactor) -> None:
        """Counter names are kinds, rules, actions and error names; their values are integers."""
        redactor.redact(" ".join(VALUES))
        redactor.redact_value({"password": "hunter2-Secret", "nested": [EMAIL, CARD]})
        redactor.redact("z" * (redactor.policy.limits.max_value_length + 1))

        stats = redactor.stats

        assert all(isinstance(n, int) for n in stats.values())
        assert all(name.partition(":")[0] in {"kind", "rule", "action", "error"} for name in stats)
        assert not any(value in repr(stats) for value in VALUES)

    def test_stats_is_a_snapshot(self, redactor: Redactor) -> None:
        """Changing the returned dict does not change the counters."""
        redactor.redact(f"to {EMAIL}")
        redactor.stats["kind:EMAIL"] = 99

        assert redactor.stats["kind:EMAIL"] == 1

    def test_counters_are_thread_safe(self, redactor: Redactor) -> None:
        """Concurrent redactions lose no counts."""

        def work() -> None:
            for _ in range(200):
                redactor.redact(f"to {EMAIL}")

        threads = [threading.Thread(target=work) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert redactor.stats["kind:EMAIL"] == 1600


def _secret_policies() -> Iterator[Any]:
    key = "unit-test-token-key-0123456789abcdefgh"
    yield pytest.param(Policy(), key, id="default")
    yield pytest.param(Policy(actions={"EMAIL": "token"}, token_key=key), key, id="token-key")
    yield pytest.param(
        Policy(actions={"EMAIL": "token"}, token_key=f"kid1:{key}"), key, id="named-token-key"
    )


class TestNoLeaks:
    @pytest.mark.parametrize(("policy", "key"), list(_secret_policies()))
    def test_repr_has_no_values(self, policy: Policy, key: str) -> None:
        """Neither the Redactor's nor the Policy's repr shows a redacted value or the token key."""
        redactor = Redactor(policy)
        redactor.redact(" ".join(VALUES))
        redactor.redact_value({"password": "hunter2-Secret"})

        text = repr(redactor) + repr(policy) + str(redactor)

        assert not any(value in text for value in (*VALUES, key))

    def test_short_key_error_does_not_show_the_key(self) -> None:
        """The error about a too-short token key names the setting, not the key."""
        secret = "tooShortKey-42"

        with pytest.raises(piiredact.ConfigurationError) as info:
            Redactor(Policy(actions={"EMAIL": "token"}, token_key=secret))

        assert secret not in str(info.value)
        assert "key" in str(info.value)


class TestPickle:
    def test_round_trip(self) -> None:
        """A Redactor pickles, and the copy redacts like the original."""
        original = Redactor(Policy(actions={"network": "generalize"}, disabled=frozenset({"IBAN"})))
        line = f"to {EMAIL} from {IP}"

        copy_ = pickle.loads(pickle.dumps(original))  # noqa: S301 - our own data

        assert original.policy == copy_.policy
        assert original.redact(line) == copy_.redact(line)
        assert copy_.redact(line) == "to [EMAIL] from 203.0.113.0/24"

    def test_pickle_holds_no_counters_or_values(self) -> None:
        """A pickle is rebuilt from the policy: no counters, no values seen before."""
        original = Redactor()
        original.redact(f"to {EMAIL}")

        data = pickle.dumps(original)
        copy_ = pickle.loads(data)  # noqa: S301 - our own data

        assert EMAIL.encode() not in data
        assert copy_.stats == {}


def test_find_raises_the_public_limit_error() -> None:
    """``find`` does not fail closed: an audit learns, through a public exception, that a text
    was past the limits."""
    redactor = Redactor()
    text = "name=Jane " * (redactor.policy.limits.max_key_pairs + 1)

    with pytest.raises(piiredact.LimitExceeded) as caught:
        redactor.find(text)

    assert caught.value.reason == "too_many_keys"
    assert isinstance(caught.value, piiredact.PiiRedactError)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("DE89 3704 0044 0532 0130 00+33 6 12 34 56 78", id="iban-glued-to-phone"),
        pytest.param("aa::DE89 3704 0044 0532 0130 00", id="ipv6-cut-by-iban"),
        pytest.param("password=4111 1111 1111 1111=a", id="card-inside-password"),
        pytest.param(" AKIA0000000000000000 =0.0@a0.com)GET", id="mask-read-as-key"),
        pytest.param("+33 6 12 34 56 78)+33 6 12 34 56 78", id="phone-glued-to-phone"),
        pytest.param("password=fe80::1", id="address-under-a-password-key"),
    ],
)
def test_values_glued_together_are_redacted_to_a_fixed_point(text: str) -> None:
    """A replacement changes its neighbourhood; the output still holds nothing a second pass
    would find (found by fuzzing with concatenated values)."""
    redactor = Redactor()

    once = redactor.redact(text)

    assert redactor.find(once) == ()
    assert redactor.redact(once) == once
