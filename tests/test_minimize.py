"""
Data minimization (:class:`piiredact.FieldRules`, :meth:`piiredact.Redactor.redact_fields`):
allowlists that fail closed, denylists, transforms, truncation and per-scope overrides, configured
once in a policy file and applied alike to the fields of stdlib records, structlog events and span
attributes.
"""

from __future__ import annotations

import logging
import pickle
import re
from pathlib import Path
from typing import Any

import pytest

import piiredact
from piiredact import FAILED_MARKER, ConfigurationError, FieldRules, Limits, Policy, Redactor


KEY = "minimize-tests-token-key-0123456789abc"
TOKEN = re.compile(r"<[A-Z_]+:k1:[\w-]{22}>")

POLICY_FILE = f"""
[piiredact]
token_key = "k1:{KEY}"

[piiredact.fields]
allow = ["http.request.method", "http.route", "http.response.status_code", "duration_ms",
         "order", "note"]
deny = ["order.card"]
max_length = 40

[piiredact.fields.transforms]
"user.id" = "token"
"user.age" = "age_bucket"
"client.address" = "ip_prefix"

[piiredact.fields.scopes."app.payments"]
allow = ["amount", "currency"]
"""

# What each host holds for one request: known fields, and some nobody listed.
FIELDS: dict[str, Any] = {
    "http.request.method": "POST",
    "http.route": "/orders/{id}",
    "http.response.status_code": 201,
    "duration_ms": 12.5,
    "user.id": 4242,
    "user.age": 90,
    "user.email": "alice@example.com",
    "client.address": "203.0.113.77",
    "session_debug": "cart=3 items; referrer=https://mail.example/inbox",
    "amount": 1999,
    "note": "call me at +1 415 555 0100 after five, or email alice@example.com",
}
EXPECTED_ROOT: dict[str, Any] = {
    "http.request.method": "POST",
    "http.route": "/orders/{id}",
    "http.response.status_code": 201,
    "duration_ms": 12.5,
    "user.id": "<ID:k1:…>",
    "user.age": "90+",
    "client.address": "203.0.113.0/24",
    "note": "call me at [PHONE] after five, or email…",
}


def _rules(**settings: Any) -> Redactor:
    return Redactor(Policy(fields=FieldRules(**settings), token_key=f"k1:{KEY}"))


def _tokens_as_ellipsis(fields: dict[str, Any]) -> dict[str, Any]:
    return {
        key: TOKEN.sub(lambda m: m[0][:-23] + "…>", value) if isinstance(value, str) else value
        for key, value in fields.items()
    }


@pytest.fixture(scope="module")
def redactor(tmp_path_factory: pytest.TempPathFactory) -> Redactor:
    path = tmp_path_factory.mktemp("policy") / "piiredact.toml"
    path.write_text(POLICY_FILE, encoding="utf-8")
    return Redactor(Policy.from_toml(path))


class TestOnePolicyFileEverywhere:
    """Acceptance: one policy file, and the allowlist drops unknown fields in stdlib ``extra``,
    structlog events and span attributes alike (their real data structures, from the real hosts;
    through the adapters themselves)."""

    def test_plain_mapping(self, redactor: Redactor) -> None:
        """Unknown fields are gone, allowed ones are redacted, transformed ones transformed."""
        assert _tokens_as_ellipsis(redactor.redact_fields(FIELDS)) == EXPECTED_ROOT

    def test_stdlib_extra(self, redactor: Redactor) -> None:
        """The ``extra`` of a real LogRecord through ``install()``, scoped by its logger name."""
        records: list[logging.LogRecord] = []
        handler = logging.Handler()
        handler.emit = records.append  # type: ignore[method-assign]
        logger = logging.getLogger("app.orders")
        logger.addHandler(handler)
        logger.propagate = False
        piiredact.install(redactor.policy)
        try:
            logger.warning("order placed", extra=FIELDS)
        finally:
            piiredact.uninstall()
            logger.removeHandler(handler)
        standard = set(vars(logging.makeLogRecord({})))
        extra = {k: v for k, v in vars(records[0]).items() if k not in standard and k != "message"}

        assert _tokens_as_ellipsis(extra) == EXPECTED_ROOT

    def test_structlog_event(self, redactor: Redactor) -> None:
        """The keys of a real structlog event through the RedactingProcessor (its own
        ``event`` and ``log_level`` keys are the host's, which field rules leave alone)."""
        structlog = pytest.importorskip("structlog")
        from piiredact.structlog import RedactingProcessor

        processor = RedactingProcessor(redactor.policy)
        with structlog.testing.capture_logs(processors=[processor]) as events:
            structlog.get_logger("app.orders").info("order placed", **FIELDS)
        event = events[0]
        fields = {k: v for k, v in event.items() if k not in ("event", "log_level")}

        assert _tokens_as_ellipsis(fields) == EXPECTED_ROOT

    def test_span_attributes(self, redactor: Redactor) -> None:
        """The attributes of real spans through the RedactingSpanExporter, scoped by the
        instrumentation scope; in ``app.payments`` the scope's allowlist adds ``amount``."""
        trace = pytest.importorskip("opentelemetry.sdk.trace")
        export = pytest.importorskip("opentelemetry.sdk.trace.export")
        memory = pytest.importorskip("opentelemetry.sdk.trace.export.in_memory_span_exporter")
        from piiredact.otel import RedactingSpanExporter

        exporter = memory.InMemorySpanExporter()
        provider = trace.TracerProvider()
        provider.add_span_processor(
            export.SimpleSpanProcessor(RedactingSpanExporter(exporter, redactor.policy))
        )
        for scope in ("app.orders", "app.payments.api"):
            with provider.get_tracer(scope).start_as_current_span("POST /orders") as span:
                span.set_attributes(FIELDS)
        spans = exporter.get_finished_spans()

        results = [_tokens_as_ellipsis(dict(span.attributes or {})) for span in spans]

        assert results == [EXPECTED_ROOT, {**EXPECTED_ROOT, "amount": 1999}]


class TestAllowlist:
    def test_nested_and_flat_paths_are_one_namespace(self) -> None:
        """``user.id`` names a flat dotted key and a nested key alike; ancestors are entered,
        everything not listed is dropped, and containers left empty go too."""
        redactor = _rules(allow=("user.id", "http"))

        result = redactor.redact_fields(
            {
                "user.id": 1,
                "user": {"id": 2, "email": "a@b.io", "prefs": {"x": 1}},
                "account": {"owner": {"email": "a@b.io"}},
                "http": {"method": "GET", "request": {"header": {"x": "1"}}},
                "http.url": "/x",
                "httpx": 1,
            }
        )

        assert result == {
            "user.id": 1,
            "user": {"id": 2},
            "http": {"method": "GET", "request": {"header": {"x": "1"}}},
            "http.url": "/x",
        }

    def test_wildcard_segment_and_lists(self) -> None:
        """``*`` stands for one segment; list items sit at their list's path."""
        redactor = _rules(allow=("items.sku", "shards.*.size"))

        result = redactor.redact_fields(
            {
                "items": [{"sku": "A-1", "buyer": "x"}, {"sku": "B-2"}, "loose", ["nested"]],
                "shards": {"eu": {"size": 3, "host": "h1"}, "us": {"size": 4}},
            }
        )

        assert result == {
            "items": [{"sku": "A-1"}, {"sku": "B-2"}],
            "shards": {"eu": {"size": 3}, "us": {"size": 4}},
        }

    def test_allowed_values_are_still_redacted(self) -> None:
        """Allowing a field keeps it; it does not exempt it from redaction (by value or key)."""
        redactor = _rules(allow=("message", "ctx"))

        result = redactor.redact_fields(
            {"message": "reset for alice@example.com", "ctx": {"password": "hunter2!"}}
        )

        assert result == {"message": "reset for [EMAIL]", "ctx": {"password": "[PASSWORD]"}}

    def test_empty_allowlist_drops_everything_and_counts(self) -> None:
        """An empty allowlist keeps nothing; drops are counted without names."""
        redactor = _rules(allow=())

        assert redactor.redact_fields({"a": 1, "b": {"c": 2}, 3: "x"}) == {}
        assert redactor.stats == {"field:dropped": 3}

    def test_transformed_fields_are_kept(self) -> None:
        """A field with a transform needs no allowlist entry."""
        redactor = _rules(allow=(), transforms={"user.age": "age_bucket"})

        assert redactor.redact_fields({"user": {"age": 47, "name": "x"}}) == {
            "user": {"age": "40-49"}
        }

    def test_transformed_values_are_left_alone_downstream(self) -> None:
        """Tokens and generalized values that fields become are not redacted again by another
        integration further down (any preset, as values or rendered into text)."""
        redactor = _rules(
            transforms={"user.id": "token", "user.name": "mask", "client.address": "ip_prefix"}
        )
        fields = redactor.redact_fields(
            {"user": {"id": "jdoe", "name": "Jane Doe"}, "client": {"address": "203.0.113.7"}}
        )

        for downstream in (Redactor(), Redactor(Policy(preset="strict"))):
            assert downstream.redact_value(fields) == fields
            assert downstream.redact(repr(fields)) == repr(fields)

    def test_input_is_not_mutated(self) -> None:
        """The fields given are left as they were."""
        fields = {"keep": {"a": 1, "drop": 2}, "drop": [1]}
        before = repr(fields)

        _rules(allow=("keep.a",)).redact_fields(fields)

        assert repr(fields) == before


class TestDenylist:
    def test_everything_else_is_kept(self) -> None:
        """Without an allowlist, only denied fields go (nested or flat)."""
        redactor = _rules(deny=("request.body", "debug"))

        result = redactor.redact_fields(
            {"request": {"body": "{...}", "id": 7}, "request.body": "x", "debug": {"a": 1},
             "debugging": 1}
        )  # fmt: skip

        assert result == {"request": {"id": 7}, "debugging": 1}

    def test_deny_wins_over_allow(self) -> None:
        """A field both allowed (by its parent) and denied is dropped."""
        redactor = _rules(allow=("order",), deny=("order.card",))

        assert redactor.redact_fields({"order": {"id": 1, "card": "4111 1111 1111 1111"}}) == {
            "order": {"id": 1}
        }


class TestTruncation:
    def test_cut_after_redaction(self) -> None:
        """Strings are cut after redaction, so a cut never leaves part of a value behind."""
        redactor = _rules(max_length=20)
        text = "x" * 14 + " alice@example.com"

        result = redactor.redact_fields({"msg": text, "tags": ["short", "y" * 30], "n": 10**30})

        assert result == {"msg": "x" * 14 + " [EMA…", "tags": ["short", "y" * 19 + "…"],
                          "n": 10**30}  # fmt: skip
        assert redactor.stats["field:truncated"] == 2

    def test_exact_length_is_kept(self) -> None:
        """A string of exactly max_length characters is whole."""
        assert _rules(max_length=5).redact_fields({"a": "abcde"}) == {"a": "abcde"}


class TestScopes:
    def test_hierarchy(self) -> None:
        """A scope applies to itself and names below it, adds to the allowlist above it and may
        set its own length; siblings and look-alikes are not affected."""
        redactor = _rules(
            allow=("route",),
            max_length=100,
            scopes={
                "app.payments": FieldRules(allow=("amount",), max_length=3),
                "app.payments.refunds": FieldRules(allow=("reason",), deny=("route",)),
            },
        )
        fields = {"route": "/pay", "amount": 12, "reason": "duplicate", "other": 1}

        by_scope = {
            scope: redactor.redact_fields(fields, scope=scope)
            for scope in ("", "app", "app.payments", "app.payments.api", "app.paymentsx",
                          "app.payments.refunds.eu")
        }  # fmt: skip

        assert by_scope == {
            "": {"route": "/pay"},
            "app": {"route": "/pay"},
            "app.payments": {"route": "/p…", "amount": 12},
            "app.payments.api": {"route": "/p…", "amount": 12},
            "app.paymentsx": {"route": "/pay"},
            "app.payments.refunds.eu": {"amount": 12, "reason": "du…"},
        }

    def test_scope_starts_an_allowlist(self) -> None:
        """A scope with an allowlist under a top level without one fails closed there only."""
        redactor = _rules(scopes={"audit": FieldRules(allow=("who",))})

        assert redactor.redact_fields({"who": 1, "what": 2}, scope="audit.login") == {"who": 1}
        assert redactor.redact_fields({"who": 1, "what": 2}, scope="web") == {"who": 1, "what": 2}


class TestFailClosed:
    def test_never_raises(self) -> None:
        """Cycles, depth, size and odd input fail closed where they occur, in allowed values
        and in the values rules look inside alike; nothing raises."""
        limits = Limits(max_depth=4, max_items=3)
        keep = Redactor(Policy(fields=FieldRules(allow=("a", "b")), limits=limits))
        enter = Redactor(Policy(fields=FieldRules(allow=("a.a.a.a.a.x",)), limits=limits))
        cyclic: dict[str, Any] = {}
        cyclic["a"] = cyclic
        deep = {"a": {"a": {"a": {"a": {"a": {"x": 1}}}}}}

        assert keep.redact_fields(cyclic) == {"a": FAILED_MARKER}
        assert enter.redact_fields(cyclic) == {"a": {FAILED_MARKER: FAILED_MARKER}}
        assert keep.redact_fields(deep) == {"a": {"a": {"a": {"a": FAILED_MARKER}}}}
        assert enter.redact_fields(deep) == {
            "a": {"a": {"a": {"a": {FAILED_MARKER: FAILED_MARKER}}}}
        }
        assert keep.redact_fields({"a": 1, "b": 2, "c": 3, "d": 4}) == {
            "a": 1,
            "b": 2,
            FAILED_MARKER: FAILED_MARKER,
        }
        assert keep.redact_fields(["not", "a", "mapping"]) == {  # type: ignore[arg-type]
            FAILED_MARKER: FAILED_MARKER
        }
        assert set(keep.stats) | set(enter.stats) == {
            "error:cycle", "error:too_deep", "error:too_many_items", "error:TypeError",
            "field:dropped",
        }  # fmt: skip

    def test_stats_and_errors_hold_no_names_or_values(self) -> None:
        """Counters never name a field or hold a value."""
        redactor = _rules(allow=("ok",), transforms={"secret_age": "age_bucket"}, max_length=4)

        redactor.redact_fields({"ok": "alice@example.com", "secret_age": "old", "gone": 1})

        assert redactor.stats == {
            "kind:EMAIL": 1, "rule:EMAIL": 1, "action:mask": 1, "field:truncated": 1,
            "error:transform_age_bucket": 1, "field:dropped": 1,
        }  # fmt: skip


class TestConfiguration:
    def test_without_rules_it_is_redact_value(self) -> None:
        """A policy without field rules redacts fields exactly as redact_value does."""
        redactor = Redactor()
        fields = {"user": {"email": "a@b.io"}, "password": "x", "n": 1}

        assert redactor.redact_fields(fields) == redactor.redact_value(fields)
        assert not FieldRules()

    @pytest.mark.parametrize(
        ("settings", "named"),
        [
            pytest.param({"allow": ("a..b",)}, "fields.allow", id="empty-segment"),
            pytest.param({"allow": ("us*er",)}, "fields.allow", id="partial-wildcard"),
            pytest.param({"allow": "user"}, "fields.allow", id="string-not-list"),
            pytest.param({"deny": (3,)}, "fields.deny", id="not-a-name"),
            pytest.param({"transforms": {"a": "blur"}}, "fields.transforms.a", id="transform"),
            pytest.param({"transforms": {"a": "zip3:ZIP"}}, "fields.transforms.a", id="kind"),
            pytest.param({"transforms": {"a": "token:email"}}, "fields.transforms.a",
                         id="kind-case"),
            pytest.param({"max_length": 0}, "fields.max_length", id="length"),
            pytest.param({"scopes": {"a": FieldRules(scopes={"b": FieldRules()})}},
                         "fields.scopes.a", id="nested-scopes"),
            pytest.param({"scopes": {"": FieldRules()}}, "fields.scopes", id="empty-scope"),
        ],
    )  # fmt: skip
    def test_invalid_rules_name_the_setting(self, settings: dict[str, Any], named: str) -> None:
        """Invalid field rules fail when they are built, naming the setting."""
        with pytest.raises(ConfigurationError, match=re.escape(named)):
            FieldRules(**settings)

    @pytest.mark.parametrize(
        ("table", "named"),
        [
            pytest.param("[piiredact.fields]\nalow = ['a']\n", "alow", id="typo"),
            pytest.param("[piiredact.fields.scopes.web]\nscopes = {}\n", "scopes", id="nested"),
            pytest.param("[piiredact]\nfields = 3\n", "fields", id="not-a-table"),
        ],
    )
    def test_policy_file_errors_name_the_file(self, tmp_path: Path, table: str, named: str) -> None:
        """Errors in a policy file's field rules name the file and the setting."""
        path = tmp_path / "policy.toml"
        path.write_text(table, encoding="utf-8")

        with pytest.raises(ConfigurationError, match=rf"policy\.toml.*{named}"):
            Policy.from_toml(path)

    def test_policy_with_rules_pickles(self) -> None:
        """A policy with field rules and scopes survives pickling (queue handlers, workers)."""
        policy = Policy(
            fields=FieldRules(allow=("a",), transforms={"b": "zip3"},
                              scopes={"x": FieldRules(deny=("a",))})
        )  # fmt: skip

        copy = pickle.loads(pickle.dumps(policy))  # noqa: S301 - our own data

        assert copy == policy
        assert Redactor(copy).redact_fields({"a": 1, "b": "94107"}, scope="x") == {"b": "941"}

    def test_rules_are_read_only(self) -> None:
        """Field rules cannot be changed after they are built."""
        rules = FieldRules(transforms={"a": "zip3"})

        with pytest.raises(TypeError):
            rules.transforms["a"] = "year"  # type: ignore[index]
