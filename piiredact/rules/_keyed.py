"""
Values that are sensitive because of the key they sit under.

``password=…``, ``"authorization": …``, ``"first_name": …`` say what their value is, whatever it
looks like. These rules never search free text (``keyed_only``); the matcher applies them to values of
matching keys in JSON, logfmt, URL queries, HTTP headers, SQL and Python mappings.
Keys are compared word by word (see :class:`piiredact.rules.Rule`), which avoids both of Sentry's
classic mistakes: ``api_token`` is caught although it is not ``token``, and ``author`` is not ``auth``.
"""

from __future__ import annotations

from collections.abc import Callable

import regex

from piiredact.rules import Rule
from piiredact.rules._personal import keyed_username_valid


# Words that make a key describe a secret rather than hold one: ``token_count``, ``password_policy``.
# Shared by every credential rule below (Sentry's and gitleaks' allowlists, see research/anchors.md).
_META = (
    "count",
    "counts",
    "type",
    "types",
    "length",
    "len",
    "size",
    "expiry",
    "expires",
    "expiration",
    "ttl",
    "timeout",
    "duration",
    "policy",
    "changed",
    "updated",
    "reset",
    "rotated",
    "algorithm",
    "alg",
    "enabled",
    "required",
    "valid",
    "validated",
    "format",
    "version",
    "scope",
    "scopes",
    "kind",
    "label",
    "usage",
    "limit",
    "max",
    "min",
    "strength",
    "hint",
    "field",
    "fields",
    "url",
    "uri",
    "endpoint",
    "path",
    "file",
    "public",
    "pub",
    "cache",
    "partition",
    "sort",
    "primary",
    "foreign",
    "idempotency",
    "routing",
    "metric",
    "metrics",
    "tokenizer",
    "tokens",
    "prefix",
    "last4",
    "status",
    "state",
    "error",
    "errors",
    "missing",
    "present",
    "source",
    "mode",
    "index",
    "manager",
    "store",
    "provider",
    "ref",
    "location",
    "name",
    "names",
    "age",
    "started",
    "opened",
    "closed",
    "created",
    "start",
    "end",
    "event",
    "events",
    "events",
    "histogram",
    "total",
)

_ANY = r"(?s:.+)"  # a secret is redacted whatever it looks like

# Values of name keys: letters of any script, spaces, dots, apostrophes and hyphens, 1-6 words.
_PERSON_NAME = r"[\p{L}\p{M}][\p{L}\p{M}.'’-]*(?:[ ][\p{L}\p{M}][\p{L}\p{M}.'’-]*){0,5}"

# A bare "name" key is too common (service.name, pod.name, cookie_name) to trust on its own: these
# qualifying words say whose name it is not.
_NOT_A_PERSON = (
    "host",
    "hostname",
    "file",
    "filename",
    "service",
    "pod",
    "node",
    "app",
    "application",
    "cookie",
    "table",
    "column",
    "queue",
    "topic",
    "bucket",
    "db",
    "database",
    "logger",
    "event",
    "span",
    "metric",
    "class",
    "method",
    "function",
    "func",
    "module",
    "package",
    "image",
    "container",
    "cluster",
    "namespace",
    "region",
    "zone",
    "key",
    "field",
    "param",
    "parameter",
    "index",
    "tag",
    "project",
    "repo",
    "repository",
    "branch",
    "device",
    "server",
    "domain",
    "path",
    "type",
    "kind",
    "job",
    "task",
    "thread",
    "process",
    "schema",
    "operation",
    "op",
    "route",
    "handler",
    "library",
    "lib",
    "sdk",
    "telemetry",
    "attribute",
    "header",
    "store",
    "product",
    "item",
    "plan",
    "org",
    "organization",
    "company",
    "team",
    "group",
    "role",
    "instance",
    "deployment",
    "stream",
    "browser",
    "os",
    "peer",
    "net",
    "network",
    "http",
    "rpc",
    "messaging",
    "exception",
    "error",
    "code",
    "scope",
    "resource",
    "feature",
    "flag",
    "env",
    "environment",
    "step",
    "stage",
    "workflow",
    "pipeline",
    "model",
    "template",
    "font",
    "network",
    "vpc",
    "subnet",
    "interface",
)

# Keys holding a network address or a mailbox, not a street address.
_NOT_A_STREET = (
    "ip",
    "ips",
    "remote",
    "bind",
    "local",
    "mac",
    "email",
    "mail",
    "client",
    "server",
    "peer",
    "host",
    "listen",
    "socket",
    "sock",
    "net",
    "network",
    "proxy",
    "gateway",
    "wallet",
    "hw",
    "ether",
    "memory",
    "mem",
    "base",
    "return",
    "virtual",
    "physical",
    "url",
    "web",
    "ipv4",
    "ipv6",
    "src",
    "dst",
    "source",
    "destination",
    "public",
    "private",
    "external",
    "internal",
    "upstream",
    "downstream",
    "node",
    "broker",
    "bootstrap",
    "advertised",
    "cluster",
    "pod",
    "service",
    "endpoint",
    "target",
    "forwarded",
    "real",
    "origin",
    "x",
    "contract",
    "bitcoin",
    "eth",
    "btc",
    "multicast",
    "broadcast",
    "listener",
    "advertise",
    "ptr",
    "offset",
    "load",
    "sender",
    "reply",
    "recipient",
    "from",
    "to",
    "cc",
    "bcc",
    "smtp",
    "nat",
)


# An authorization value keeps its scheme (Bearer, Basic, …): it is useful and not secret.
_SCHEMES = r"(?i:bearer|basic|digest|token|negotiate|ntlm|apikey|aws4-hmac-sha256|hmac)"
_AFTER_SCHEME = rf"(?!{_SCHEMES}$)(?:{_SCHEMES}[ ]+)?(?P<value>(?s:.+))"


def _opaque_token(value: str) -> bool:
    """A session id or token, not an object repr (``Token{9f4e…}``, ``a.b.Binder@2bd79ce``), a
    hex counter (``0x1f``) or a dotted number (sendmail's ``dsn=4.0.0`` is a status code)."""
    return (
        not value.startswith("0x")
        and _OBJECT_REPR.search(value) is None
        and _DOTTED_NUMBER.fullmatch(value) is None
    )


def _session_id(value: str) -> bool:
    """Session cookies are long random strings; short or purely numeric ids are counters."""
    return len(value) >= 16 and not value.replace("_", "").isdigit() and _opaque_token(value)


# An object's repr: braces or parentheses, or Java's class@hash (android.os.BinderProxy@2bd79ce).
_OBJECT_REPR = regex.compile(
    r"[{}()]|^[a-z_$][\w$]*+(?:\.[a-z_$][\w$]*+)*+\.[A-Z][\w$]*+@[0-9a-f]{1,8}+$"
)
_DOTTED_NUMBER = regex.compile(r"\d+(?:\.\d+)+[,;]?")  # a bare value runs over list commas
# Two capitals inside one word, or one after five lower-case letters: names have short prefixes
# (McDonald, MacArthur, DeShawn, FitzGerald), identifiers join whole words.
_CAMEL_CASE = regex.compile(r"\p{Lu}\p{Ll}*\p{Lu}\p{Ll}*\p{Lu}|\p{Lu}\p{Ll}{4,}\p{Lu}")

# Lower-case particles inside names: "Ludwig van Beethoven", "Maria da Silva".
_PARTICLES = frozenset(
    {
        "de",
        "da",
        "das",
        "do",
        "dos",
        "di",
        "del",
        "della",
        "van",
        "von",
        "der",
        "den",
        "la",
        "le",
        "du",
        "bin",
        "ibn",
        "al",
        "el",
        "y",
        "e",
        "zu",
        "ter",
    }
)
_NETWORK_VALUE = regex.compile(r"\d+\.\d+\.\d+|:\d{2,5}\b|://|\w@\w")


def _person_name(value: str) -> bool:
    """Capitalized words (particles aside), or a script without case (CJK, Arabic, …); not an
    identifier in CamelCase (``SurfaceView``, ``AssociationEventHistory``)."""
    named = False
    for word in value.split():
        if word in _PARTICLES:
            continue
        if word[0].islower() or _CAMEL_CASE.match(word):
            return False
        named = True
    return named


# Words that name a street; an address without a house number has one ("Baker Street").
_STREET_WORDS = regex.compile(
    r"(?i)\b(?:street|st|road|rd|avenue|ave|av|lane|ln|drive|dr|boulevard|blvd|way|place|pl"
    r"|court|ct|square|sq|terrace|close|crescent|highway|hwy|straße|strasse|str|weg|platz|gasse"
    r"|allee|rue|avenida|calle|via|viale|piazza|rua|praça|laan|straat|gata|gatan|vej|ulica)\b"
)


def _street_value(value: str) -> bool:
    """Several words, one of at least three letters, a house number or a street word, and
    nothing like a host or an address ("client address: Connection reset by peer" is none)."""
    decoded = value.replace("%20", " ")
    words = decoded.split()
    return (
        len(words) >= 2
        and any(sum(c.isalpha() for c in word) >= 3 for word in words)
        and (any(c.isdigit() for c in decoded) or _STREET_WORDS.search(decoded) is not None)
        and not _NETWORK_VALUE.search(decoded)
    )


def _credential(
    name: str,
    kind: str,
    keys: tuple[str, ...],
    description: str,
    *,
    pattern: str = _ANY,
    validator: Callable[[str], bool] | None = None,
) -> Rule:
    return Rule(
        name=name,
        kind=kind,
        category="credential",
        pattern=pattern,
        keys=keys,
        key_exclude=_META,
        keyed_only=True,
        validator=validator,
        priority=1,
        description=description,
    )


RULES = (
    _credential(
        "PASSWORD_VALUE",
        "PASSWORD",
        (
            "password",
            "passwd",
            "pwd",
            "passphrase",
            "passcode",
            "pass",
            "pw",
            "kennwort",
            "contrasena",
            "contraseña",
            "senha",
            "mdp",
            "motdepasse",
            "parola",
            "passwort",
        ),
        "Any value under a password key",
    ),
    _credential(
        "CLIENT_SECRET_VALUE",
        "OAUTH_CLIENT_SECRET",
        ("client_secret", "clientsecret", "consumer_secret", "app_secret"),
        "Any value under an OAuth client-secret key",
    ),
    _credential(
        "AWS_SECRET_VALUE",
        "AWS_SECRET_KEY",
        ("secret_access_key", "aws_secret", "secretaccesskey", "aws_secret_key"),
        "Any value under an AWS secret-key key",
    ),
    _credential(
        "API_KEY_VALUE",
        "API_KEY",
        (
            "api_key",
            "apikey",
            "api_token",
            "app_key",
            "access_key",
            "subscription_key",
            "license_key",
            "maps_key",
            "secret_key",
            "private_key",
            "master_key",
            "signing_key",
            "encryption_key",
            "service_key",
            "account_key",
            "admin_key",
            "developer_key",
            "consumer_key",
            "auth_key",
            "client_key",
            "integration_key",
            "webhook_key",
        ),
        "Any value under an API-key key",
    ),
    _credential(
        "SESSION_VALUE",
        "SESSION_COOKIE",
        (
            "session",
            "sessionid",
            "session_id",
            "sid",
            "jsessionid",
            "phpsessid",
            "sessid",
            "session_token",
            "session_key",
            "csrf",
            "xsrf",
            "remember_token",
            "auth_session",
        ),
        "Any value under a session key or session-cookie name",
        validator=_session_id,
    ),
    _credential(
        "AUTHORIZATION_VALUE",
        "SECRET",
        ("authorization", "auth", "proxy_authorization", "x_auth", "www_authenticate"),
        "The credential in an authorization header or field, after its scheme",
        pattern=_AFTER_SCHEME,
    ),
    _credential(
        "SECRET_VALUE",
        "SECRET",
        (
            "secret",
            "token",
            "credential",
            "credentials",
            "signature",
            "sig",
            "otp",
            "jwt",
            "bearer",
            "passkey",
            "pin",
            "cvv",
            "cvc",
            "cvv2",
            "security_code",
            "hmac",
            "x_amz_signature",
            "x_goog_signature",
            "mnemonic",
            "recovery_code",
            "webhook_secret",
            "dsn",
        ),
        "Any value under a secret, token, credential or signature key",
        validator=_opaque_token,
    ),
    Rule(
        name="PERSON_NAME_VALUE",
        kind="PERSON",
        category="personal",
        pattern=_PERSON_NAME,
        keys=(
            "first_name",
            "last_name",
            "full_name",
            "given_name",
            "family_name",
            "middle_name",
            "firstname",
            "lastname",
            "fullname",
            "givenname",
            "familyname",
            "middlename",
            "surname",
            "forename",
            "display_name",
            "displayname",
            "customer_name",
            "holder_name",
            "cardholder",
            "cardholder_name",
            "contact_name",
            "person_name",
            "patient_name",
            "employee_name",
            "recipient_name",
            "sender_name",
            "real_name",
            "legal_name",
            "nombre",
            "apellido",
            "apellidos",
            "prenom",
            "prénom",
            "nom",
            "vorname",
            "nachname",
            "cognome",
            "nome",
            "sobrenome",
            "name",
            "user",
            "customer",
            "owner",
            "assignee",
            "recipient",
            "author",
        ),
        key_exclude=_NOT_A_PERSON,
        keyed_only=True,
        validator=_person_name,
        priority=1,
        description="A person's name under a name key (bare 'name' only when not qualified otherwise)",
    ),
    Rule(
        name="USERNAME_VALUE",
        kind="USERNAME",
        category="personal",
        # A letter somewhere: a numeric id under a user key is no name (and fails here, cheaply).
        pattern=r"(?=[\d_.@+-]{0,63}+[^\W\d_])[\w][\w.@+-]{0,63}",
        keys=(
            "user",
            "username",
            "user_name",
            "login",
            "logname",
            "usr",
            "account",
            "enduser_id",
            "user_id",
            "userid",
            "ruser",
            "account_name",
            "screen_name",
            "handle",
            "nickname",
        ),
        key_exclude=(*_META, "agent", "count", "role", "roles", "type", "group", "groups", "uid"),
        keyed_only=True,
        validator=keyed_username_valid,
        priority=1,
        description="A user name under a user or login key",
    ),
    Rule(
        name="STREET_ADDRESS_VALUE",
        kind="STREET_ADDRESS",
        category="location",
        pattern=r"[\p{L}\p{N}](?s:.){2,300}",
        keys=(
            "address",
            "street",
            "addr",
            "line1",
            "line2",
            "address_line1",
            "address_line",
            "street_address",
            "direccion",
            "adresse",
            "indirizzo",
            "endereco",
            "anschrift",
            "strasse",
            "straße",
            "calle",
            "via",
            "rue",
            "shipping_address",
            "billing_address",
            "home_address",
            "postal_address",
        ),
        key_exclude=_NOT_A_STREET,
        keyed_only=True,
        validator=_street_value,
        priority=1,
        description="A street address under an address key",
    ),
    Rule(
        name="COORDINATE_VALUE",
        kind="GEO_COORD",
        category="location",
        pattern=r"-?\d{1,3}\.\d{2,10}",
        keys=("lat", "lon", "lng", "latitude", "longitude", "long"),
        keyed_only=True,
        validator=lambda value: abs(float(value)) <= 180,
        priority=1,
        description="A latitude or longitude under a coordinate key",
    ),
)
