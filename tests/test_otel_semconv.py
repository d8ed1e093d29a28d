"""
Semantic-convention attributes, old and new names: what each one looks like after a real span
went through a RedactingSpanExporter.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import piiredact
from piiredact import FAILED_MARKER, Policy
from piiredact.otel import RedactingSpanExporter


_KEY = "k1:" + "x" * 40


def exported(attributes: dict[str, Any], policy: Policy | None = None) -> dict[str, Any]:
    """The attributes of a span with *attributes*, as the wrapped exporter received them."""
    memory = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(RedactingSpanExporter(memory, policy)))
    with provider.get_tracer("test").start_as_current_span("span") as span:
        span.set_attributes(attributes)
    (finished,) = memory.get_finished_spans()
    return dict(finished.attributes or {})


URLS = [
    pytest.param(
        "url.full",
        "https://jane:hunter2@shop.example.com/cart?color=blue&X-Amz-Signature=f00ba4&sig=c0ffee",
        "https://REDACTED:REDACTED@shop.example.com/cart?color=blue&X-Amz-Signature=REDACTED"
        "&sig=REDACTED",
        id="credentials-and-signatures",
    ),
    pytest.param(
        "http.url",
        "https://ghp_16C7e42F292c6912E7710c838347Ae178B4a@github.com/org/repo.git",
        "https://REDACTED@github.com/org/repo.git",
        id="old-name-token-as-user",
    ),
    pytest.param(
        "url.original",
        "http://shop.example.com/u/jane.doe@example.com?email=joe%40example.com&page=2",
        "http://shop.example.com/u/[EMAIL]?email=[EMAIL]&page=2",
        id="pii-in-path-and-query",
    ),
    pytest.param(
        "http.target",
        "/login?user=jdoe&password=hunter2&X-Goog-Signature=abc#access_token=tok123&state=ok",
        "/login?user=[USERNAME]&password=[PASSWORD]&X-Goog-Signature=REDACTED"
        "#access_token=[SECRET]&state=ok",
        id="target-with-fragment",
    ),
    pytest.param(
        "url.query", "q=jane%2Bdoe%40example.com&sig=abc", "q=[EMAIL]&sig=REDACTED", id="query"
    ),
    pytest.param(
        "url.full",
        "https://api.example.com/v1/orders?limit=10&expand=items",
        "https://api.example.com/v1/orders?limit=10&expand=items",
        id="clean",
    ),
]

SQL = [
    pytest.param(
        "db.query.text",
        "SELECT * FROM users WHERE email = 'jane@example.com' AND age > 42 AND active = TRUE",
        "SELECT * FROM users WHERE email = ? AND age > ? AND active = ?",
        id="literals",
    ),
    pytest.param(
        "db.statement",
        "UPDATE users SET password = $1, token = %s WHERE id = :id AND org = @org",
        "UPDATE users SET password = $1, token = %s WHERE id = :id AND org = @org",
        id="parameterized-untouched",
    ),
    pytest.param(
        "db.statement",
        "INSERT INTO t1 (a, b) VALUES (E'it\\'s', X'1F') -- by jane@example.com",
        "INSERT INTO t1 (a, b) VALUES (?, ?) -- by [EMAIL]",
        id="prefixed-literals-and-comment",
    ),
    pytest.param(
        "db.query.text",
        'SELECT "users"."email" FROM users WHERE note = $$call 0612345678$$ AND x = 1.5e3',
        'SELECT "users"."email" FROM users WHERE note = ? AND x = ?',
        id="dollar-quoted-and-identifiers",
    ),
    pytest.param(
        "db.query.text",
        "SELECT * FROM users WHERE name = 'Jane Do",
        "SELECT * FROM users WHERE name = ?",
        id="truncated-literal",
    ),
]

HEADERS = [
    pytest.param(
        "http.request.header.authorization",
        ("Bearer eyJhbGciOiJIUzI1NiJ9.e30.abc",),
        ("Bearer [REDACTED]",),
        id="authorization",
    ),
    pytest.param(
        "http.request.header.proxy_authorization",
        ("dXNlcjpwYXNz",),
        ("[REDACTED]",),
        id="proxy-authorization-no-scheme",
    ),
    pytest.param(
        "http.request.header.cookie",
        ("sessionid=abc123; csrftoken=xyz",),
        ("sessionid=[REDACTED]; csrftoken=[REDACTED]",),
        id="cookie",
    ),
    pytest.param(
        "http.response.header.set-cookie",
        ("sid=abc123; Path=/; Max-Age=3600; HttpOnly; Secure; SameSite=Lax",),
        ("sid=[REDACTED]; Path=/; Max-Age=3600; HttpOnly; Secure; SameSite=Lax",),
        id="set-cookie",
    ),
    pytest.param("http.request.header.x_api_key", ("pk_live_123",), ("[REDACTED]",), id="api-key"),
    pytest.param(
        "rpc.request.metadata.authorization",
        ("Basic dXNlcjpwYXNz",),
        ("Basic [REDACTED]",),
        id="rpc-metadata",
    ),
    pytest.param(
        "http.request.header.x_forwarded_for",
        ("203.0.113.7, 10.0.0.1",),
        ("[IPV4], [IPV4]",),
        id="forwarded-addresses",
    ),
    pytest.param(
        "http.request.header.content_type",
        ("application/json",),
        ("application/json",),
        id="plain-header",
    ),
]

IDENTITIES = [
    pytest.param("user.id", 4711, "[USERNAME]", id="user.id-int"),
    pytest.param("user.name", "jdoe", "[USERNAME]", id="user.name"),
    pytest.param("user.email", "not-an-address", "[EMAIL]", id="user.email"),
    pytest.param("user.full_name", "Jane Doe", "[PERSON]", id="user.full_name"),
    pytest.param("user.hash", "5f4dcc3b", "[USERNAME]", id="user.hash"),
    pytest.param("user.roles", ("admin", "billing"), ("[USERNAME]", "[USERNAME]"), id="roles"),
    pytest.param("enduser.id", "u-1234", "[USERNAME]", id="enduser.id"),
    pytest.param("enduser.pseudo.id", "a1b2", "[USERNAME]", id="enduser.pseudo.id"),
    pytest.param("session.id", "00112233", "[SESSION_COOKIE]", id="session.id"),
    pytest.param("session.previous_id", "44556677", "[SESSION_COOKIE]", id="session.previous"),
]

OTHERS = [
    pytest.param("client.address", "203.0.113.7", "[IPV4]", id="client.address"),
    pytest.param("net.peer.ip", "2001:db8::7", "[IPV6]", id="net.peer.ip"),
    pytest.param("client.address", "127.0.0.1", "127.0.0.1", id="loopback"),
    pytest.param(
        "exception.message",
        "no account for jane@example.com",
        "no account for [EMAIL]",
        id="exception.message",
    ),
    pytest.param("app.user_email", "jane@example.com", "[EMAIL]", id="custom-by-value"),
    pytest.param("app.api_token", "opaque-value", "[API_KEY]", id="custom-by-key"),
    pytest.param("user_agent.original", "Mozilla/5.0", "Mozilla/5.0", id="user-agent"),
    pytest.param("http.route", "/users/{id}", "/users/{id}", id="route"),
]


@pytest.mark.parametrize(("name", "value", "expected"), URLS + SQL + HEADERS + IDENTITIES + OTHERS)
def test_attribute(name: str, value: Any, expected: Any) -> None:
    """Each attribute gets the treatment its semantic convention calls for."""
    assert exported({name: value}) == {name: expected}


def test_gen_ai_json_is_parsed() -> None:
    """Generative-AI content is parsed as JSON, so that escapes hide nothing, and is written
    back as JSON."""
    messages = (
        '[{"role": "user", "content": "mail jane\\u0040example.com, card 4111 1111 1111 1111"}]'
    )

    result = exported({"gen_ai.input.messages": messages})["gen_ai.input.messages"]

    assert json.loads(result) == [{"role": "user", "content": "mail [EMAIL], card [CREDIT_CARD]"}]


def test_gen_ai_clean_json_is_kept_as_it_was() -> None:
    """Content without anything to redact is passed on byte for byte, not re-serialized."""
    messages = '[{"role":"user","content":"what is the weather?"}]'

    assert exported({"gen_ai.output.messages": messages}) == {"gen_ai.output.messages": messages}


def test_gen_ai_text_that_is_no_json() -> None:
    """Content that is not JSON is scanned as text."""
    assert exported({"gen_ai.prompt.0.content": "I am jane@example.com"}) == {
        "gen_ai.prompt.0.content": "I am [EMAIL]"
    }


def test_pathological_value_fails_closed() -> None:
    """A value that cannot be processed becomes the failure marker; the span is still exported."""
    nested = "[" * 100_000 + "]" * 100_000

    assert exported({"gen_ai.input.messages": nested, "http.route": "/"}) == {
        "gen_ai.input.messages": FAILED_MARKER,
        "http.route": "/",
    }


def test_policy_actions_apply_to_identities_and_addresses() -> None:
    """Identity attributes report the built-in kinds, so the policy's actions apply: tokens keep
    a user linkable across spans, addresses can be generalized."""
    policy = Policy(actions={"USERNAME": "token", "network": "generalize"}, token_key=_KEY)

    first = exported({"enduser.id": "u-1234", "client.address": "203.0.113.7"}, policy)
    second = exported({"user.id": "u-1234"}, policy)

    assert first["enduser.id"].startswith("<USERNAME:k1:")
    assert first["enduser.id"] == second["user.id"]
    assert first["client.address"] == "203.0.113.0/24"


def test_secrets_preset_leaves_identities_alone() -> None:
    """The secrets preset redacts credentials only: users stay, headers do not."""
    policy = Policy(preset="secrets")

    assert exported(
        {"user.id": "u-1234", "http.request.header.authorization": ("Bearer abc",)}, policy
    ) == {"user.id": "u-1234", "http.request.header.authorization": ("Bearer [REDACTED]",)}


def test_safe_keys_name_attributes_to_keep() -> None:
    """An attribute named in the policy's safe_keys is exported as it is."""
    policy = Policy(safe_keys=("user.roles",))

    assert exported({"user.roles": ("admin",), "user.id": "u-1"}, policy) == {
        "user.roles": ("admin",),
        "user.id": "[USERNAME]",
    }


def test_without_a_policy_the_environment_decides(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a policy, the exporter uses the one the PIIREDACT_* variables describe, like the
    other integrations; an invalid one is refused when the exporter is built."""
    monkeypatch.setenv("PIIREDACT_ACTIONS", "network=generalize")

    assert exported({"client.address": "203.0.113.7"}) == {"client.address": "203.0.113.0/24"}

    monkeypatch.setenv("PIIREDACT_ACTIONS", "network=shred")
    with pytest.raises(piiredact.ConfigurationError, match="'shred' is not one of"):
        RedactingSpanExporter(InMemorySpanExporter())


def test_a_value_kept_under_one_name_is_redacted_under_another() -> None:
    """What is left alone under one attribute name is judged afresh under another."""
    assert exported({"app.note": "hunter2", "app.password": "hunter2"}) == {
        "app.note": "hunter2",
        "app.password": "[PASSWORD]",
    }


def test_failures_are_counted() -> None:
    """A value that failed closed is counted, by what went wrong, in the exporter's stats."""
    exporter = RedactingSpanExporter(InMemorySpanExporter(), Policy())
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))

    with provider.get_tracer("test").start_as_current_span("span") as span:
        span.set_attribute("gen_ai.input.messages", "[" * 100_000 + "]" * 100_000)

    assert exporter.redaction_stats["error:RecursionError"] == 1
