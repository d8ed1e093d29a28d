"""
What the OpenTelemetry semantic conventions say about attributes that carry personal data or
secrets, as data: attribute names (old and new) and the treatment each one gets.

Attributes that are not listed here are redacted by the engine, key-aware (``user_email`` or
``http.request.header.x_access_token`` are redacted by their key, IP addresses in
``client.address`` / ``net.peer.ip`` by the policy's action for addresses, and so on). Listed
here are only the attributes that need more than that.
"""

from __future__ import annotations

import enum
from types import MappingProxyType

from piiredact.rules import Rule


__all__ = [
    "ATTRIBUTES",
    "CREDENTIAL_HEADERS",
    "HEADER_PREFIXES",
    "IDENTITY_RULES",
    "NAMESPACES",
    "SET_COOKIE_ATTRIBUTES",
    "SIGNED_QUERY_PARAMETERS",
    "Treatment",
    "treatment",
]


class Treatment(enum.Enum):
    """How the value of an attribute is redacted, beyond the engine's key-aware scan."""

    #: A URL: credentials become ``REDACTED:REDACTED``, signed query values ``REDACTED``,
    #: the rest is scanned piece by piece (semconv ``url.full``).
    URL = "url"
    #: A query string alone (``url.query``).
    QUERY = "query"
    #: A database query: literals become ``?``, placeholders stay (semconv ``db.query.text``).
    SQL = "sql"
    #: ``Authorization``: the scheme stays, the credential becomes ``[REDACTED]``.
    AUTHORIZATION = "authorization"
    #: ``Cookie``: names stay, every value becomes ``[REDACTED]``.
    COOKIE = "cookie"
    #: ``Set-Cookie``: the cookie's value becomes ``[REDACTED]``, its standard attributes stay.
    SET_COOKIE = "set-cookie"
    #: The whole value is a credential: ``[REDACTED]``.
    CREDENTIAL = "credential"
    #: Generative-AI content: a JSON string is parsed, redacted key-aware and re-serialized.
    JSON = "json"
    #: The whole value identifies a person: redacted by one of :data:`IDENTITY_RULES`, so the
    #: policy's action for that kind applies (``USERNAME=token`` keeps users linkable).
    USER = "user"
    PERSON = "person"
    EMAIL = "email"
    SESSION = "session"


def _identity_rule(name: str, kind: str, category: str, description: str) -> Rule:
    # The key is a name no application uses, so these rules only ever apply where this package
    # asks for them (an attribute below); in text and in nested values the engine's own rules
    # decide, as everywhere else.
    return Rule(
        name=name,
        kind=kind,
        category=category,
        pattern=r"(?s:.+)",
        keys=(f"piiredact_otel_{name.lower()}",),
        keyed_only=True,
        priority=1,
        description=description,
    )


#: The keyed rules that redact identity attributes whole, by treatment. They report the
#: built-in kinds, so ``actions`` and ``disabled`` of the policy apply to them by kind and
#: category (the ``secrets`` preset, which keeps credential rules only, leaves users alone).
IDENTITY_RULES: MappingProxyType[Treatment, Rule] = MappingProxyType(
    {
        Treatment.USER: _identity_rule(
            "OTEL_USER", "USERNAME", "personal", "An OpenTelemetry user.* or enduser.* attribute"
        ),
        Treatment.PERSON: _identity_rule(
            "OTEL_PERSON", "PERSON", "personal", "The OpenTelemetry user.full_name attribute"
        ),
        Treatment.EMAIL: _identity_rule(
            "OTEL_EMAIL", "EMAIL", "contact", "The OpenTelemetry user.email attribute"
        ),
        Treatment.SESSION: _identity_rule(
            "OTEL_SESSION", "SESSION_COOKIE", "credential", "An OpenTelemetry session.* id"
        ),
    }
)

#: Attributes by exact name. Deprecated names (``http.url``, ``db.statement`` …) are listed
#: beside the current ones: ``OTEL_SEMCONV_STABILITY_OPT_IN=http/dup`` emits both.
ATTRIBUTES: MappingProxyType[str, Treatment] = MappingProxyType(
    {
        # url.md: "MUST NOT contain credentials"; signed query values "SHOULD" be REDACTED.
        "url.full": Treatment.URL,
        "url.original": Treatment.URL,  # semconv keeps credentials here; the policy does not
        "http.url": Treatment.URL,
        "http.target": Treatment.URL,  # path and query
        "url.query": Treatment.QUERY,
        # database-spans.md, "Sanitization of db.query.text": literals become "?".
        "db.query.text": Treatment.SQL,
        "db.statement": Treatment.SQL,
        "user.email": Treatment.EMAIL,
        "user.full_name": Treatment.PERSON,
        "session.id": Treatment.SESSION,
        "session.previous_id": Treatment.SESSION,
        # gen-ai: opt-in content, "likely to contain sensitive information"; JSON on spans.
        "gen_ai.input.messages": Treatment.JSON,
        "gen_ai.output.messages": Treatment.JSON,
        "gen_ai.system_instructions": Treatment.JSON,
        "gen_ai.tool.call.arguments": Treatment.JSON,
        "gen_ai.tool.call.result": Treatment.JSON,
        "gen_ai.retrieval.query.text": Treatment.JSON,
        "gen_ai.prompt": Treatment.JSON,  # deprecated
        "gen_ai.completion": Treatment.JSON,  # deprecated
    }
)

#: Attribute namespaces whose every member is treated alike (after :data:`ATTRIBUTES`).
NAMESPACES: tuple[tuple[str, Treatment], ...] = (
    ("user.", Treatment.USER),  # user.id, user.name, user.hash, user.roles …
    ("enduser.", Treatment.USER),  # enduser.id, enduser.pseudo.id, enduser.role …
    ("gen_ai.prompt.", Treatment.JSON),  # the older indexed form: gen_ai.prompt.0.content
    ("gen_ai.completion.", Treatment.JSON),
)

#: Attributes that carry one HTTP header or RPC metadata entry each, named after it
#: (``http.request.header.set_cookie``; instrumentations write ``-`` or ``_``).
HEADER_PREFIXES = (
    "http.request.header.",
    "http.response.header.",
    "rpc.request.metadata.",
    "rpc.response.metadata.",
)

#: Headers (lower case, ``-`` separated) that carry credentials, and how. Others are redacted by
#: the engine under their name (``x-forwarded-for`` holds addresses, ``x-access-token`` a secret).
CREDENTIAL_HEADERS: MappingProxyType[str, Treatment] = MappingProxyType(
    {
        "authorization": Treatment.AUTHORIZATION,
        "proxy-authorization": Treatment.AUTHORIZATION,
        "cookie": Treatment.COOKIE,
        "set-cookie": Treatment.SET_COOKIE,
        "x-api-key": Treatment.CREDENTIAL,
        "api-key": Treatment.CREDENTIAL,  # Azure OpenAI
        "x-goog-api-key": Treatment.CREDENTIAL,
        "ocp-apim-subscription-key": Treatment.CREDENTIAL,  # Azure API Management
        "x-functions-key": Treatment.CREDENTIAL,  # Azure Functions
        "x-auth-token": Treatment.CREDENTIAL,
        "x-csrf-token": Treatment.CREDENTIAL,
        "x-xsrf-token": Treatment.CREDENTIAL,
        "x-amz-security-token": Treatment.CREDENTIAL,
    }
)

#: ``Set-Cookie`` attributes that describe the cookie rather than hold a value of its own.
SET_COOKIE_ATTRIBUTES = frozenset(
    {"expires", "max-age", "domain", "path", "secure", "httponly", "samesite", "partitioned"}
)

#: Query parameters whose values sign or authorize a URL (url.md lists the first five; the spec
#: matches them case-sensitively, we do not: a lower-case spelling is no less a signature).
SIGNED_QUERY_PARAMETERS = frozenset(
    {
        "x-amz-signature",
        "x-amz-credential",
        "x-amz-security-token",
        "sig",  # Azure SAS
        "x-goog-signature",
        "x-goog-credential",
        "signature",  # S3 query-string auth (v2), CloudFront
        "awsaccesskeyid",
        "googleaccessid",
        "key-pair-id",  # CloudFront
    }
)


def treatment(name: str) -> Treatment | None:
    """The treatment of the attribute called *name*; None for the engine's key-aware scan.
    (Scrubbers remember the answer per name.)"""
    found = ATTRIBUTES.get(name)
    if found is not None:
        return found
    for prefix, namespace_treatment in NAMESPACES:
        if name.startswith(prefix):
            return namespace_treatment
    for prefix in HEADER_PREFIXES:
        if name.startswith(prefix):
            header = name[len(prefix) :].lower().replace("_", "-")
            return CREDENTIAL_HEADERS.get(header)
    return None
