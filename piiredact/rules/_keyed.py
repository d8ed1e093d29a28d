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

from piiredact.rules import Rule
from piiredact.rules._personal import birth_date_valid, username_valid


# Words that make a key describe a secret rather than hold one: ``token_count``, ``password_policy``.
# Shared by every credential rule below (Sentry's and gitleaks' allowlists, see research/anchors.md).
_META = (
    "count", "counts", "type", "types", "length", "len", "size", "expiry", "expires", "expiration",
    "ttl", "timeout", "duration", "policy", "changed", "updated", "reset", "rotated", "algorithm",
    "alg", "enabled", "required", "valid", "validated", "format", "version", "scope", "scopes",
    "kind", "label", "usage", "limit", "max", "min", "strength", "hint", "field", "fields", "url",
    "uri", "endpoint", "path", "file", "public", "pub", "cache", "partition", "sort", "primary",
    "foreign", "idempotency", "routing", "metric", "metrics", "tokenizer", "tokens", "prefix",
    "last4", "status", "state", "error", "errors", "missing", "present", "source", "mode", "index",
    "manager", "store", "provider", "ref", "location", "name", "names", "age", "started", "opened",
    "closed", "created", "start", "end", "event", "events", "events", "histogram", "total",
)  # fmt: skip

_ANY = r"(?s:.+)"  # a secret is redacted whatever it looks like

# Values of name keys: letters of any script, spaces, dots, apostrophes and hyphens, 1-6 words.
_PERSON_NAME = r"[\p{L}\p{M}][\p{L}\p{M}.'’-]*(?:[ ][\p{L}\p{M}][\p{L}\p{M}.'’-]*){0,5}"

# A bare "name" key is too common (service.name, pod.name, cookie_name) to trust on its own: these
# qualifying words say whose name it is not.
_NOT_A_PERSON = (
    "host", "hostname", "file", "filename", "service", "pod", "node", "app", "application", "cookie",
    "table", "column", "queue", "topic", "bucket", "db", "database", "logger", "event", "span",
    "metric", "class", "method", "function", "func", "module", "package", "image", "container",
    "cluster", "namespace", "region", "zone", "key", "field", "param", "parameter", "index", "tag",
    "project", "repo", "repository", "branch", "device", "server", "domain", "path", "type", "kind",
    "job", "task", "thread", "process", "schema", "operation", "op", "route", "handler", "library",
    "lib", "sdk", "telemetry", "attribute", "header", "store", "product", "item", "plan", "org",
    "organization", "company", "team", "group", "role", "instance", "deployment", "stream", "browser",
    "os", "peer", "net", "network", "http", "rpc", "messaging", "exception",
    "error", "code", "scope", "resource", "feature", "flag", "env", "environment", "step", "stage",
    "workflow", "pipeline", "model", "template", "font", "network", "vpc", "subnet", "interface",
)  # fmt: skip

# Keys holding a network address or a mailbox, not a street address.
_NOT_A_STREET = (
    "ip", "ips", "remote", "bind", "local", "mac", "email", "mail", "client", "server", "peer", "host",
    "listen", "socket", "sock", "net", "network", "proxy", "gateway", "wallet", "hw", "ether",
    "memory", "mem", "base", "return", "virtual", "physical", "url", "web", "ipv4", "ipv6", "src",
    "dst", "source", "destination", "public", "private", "external", "internal", "upstream",
    "downstream", "node", "broker", "bootstrap", "advertised", "cluster", "pod", "service",
    "endpoint", "target", "forwarded", "real", "origin", "x", "contract", "bitcoin", "eth", "btc",
    "multicast", "broadcast", "listener", "advertise", "ptr", "offset", "load", "sender", "reply",
    "recipient", "from", "to", "cc", "bcc", "smtp", "nat",
)  # fmt: skip


# An authorization value keeps its scheme (Bearer, Basic, …): it is useful and not secret.
_SCHEMES = r"(?i:bearer|basic|digest|token|negotiate|ntlm|apikey|aws4-hmac-sha256|hmac)"
_AFTER_SCHEME = rf"(?!{_SCHEMES}$)(?:{_SCHEMES}[ ]+)?(?P<value>(?s:.+))"


def _opaque_token(value: str) -> bool:
    """A session id or token, not an object repr (``Token{9f4e…}``) or a hex counter (``0x1f``)."""
    return not any(c in value for c in "{}()") and not value.startswith("0x")


def _session_id(value: str) -> bool:
    """Session cookies are long random strings; short or purely numeric ids are counters."""
    return len(value) >= 16 and _opaque_token(value) and not value.replace("_", "").isdigit()


def _credential(
    name: str,
    kind: str,
    keys: tuple[str, ...],
    description: str,
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
            "password", "passwd", "pwd", "passphrase", "passcode", "pass", "pw", "kennwort",
            "contrasena", "contraseña", "senha", "mdp", "motdepasse", "parola", "passwort",
        ),  # fmt: skip
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
            "api_key", "apikey", "api_token", "app_key", "access_key", "subscription_key",
            "license_key", "maps_key", "secret_key", "private_key", "master_key", "signing_key",
            "encryption_key", "service_key", "account_key", "admin_key", "developer_key",
            "consumer_key", "auth_key", "client_key", "integration_key", "webhook_key",
        ),  # fmt: skip
        "Any value under an API-key key",
    ),
    _credential(
        "SESSION_VALUE",
        "SESSION_COOKIE",
        (
            "session", "sessionid", "session_id", "sid", "jsessionid", "phpsessid", "sessid",
            "session_token", "session_key", "csrf", "xsrf", "remember_token", "auth_session",
        ),  # fmt: skip
        "Any value under a session key or session-cookie name",
        validator=_session_id,
    ),
    _credential(
        "AUTHORIZATION_VALUE",
        "SECRET",
        ("authorization", "auth", "proxy_authorization", "x_auth", "www_authenticate"),
        "The credential in an authorization header or field, after its scheme",
        _AFTER_SCHEME,
    ),
    _credential(
        "SECRET_VALUE",
        "SECRET",
        (
            "secret", "token", "credential", "credentials", "signature", "sig", "otp", "jwt",
            "bearer", "passkey", "pin", "cvv", "cvc", "cvv2", "security_code", "hmac",
            "x_amz_signature", "x_goog_signature", "mnemonic", "recovery_code", "webhook_secret",
            "dsn",
        ),  # fmt: skip
        "Any value under a secret, token, credential or signature key",
        validator=_opaque_token,
    ),
    Rule(
        name="PERSON_NAME_VALUE",
        kind="PERSON",
        category="personal",
        pattern=_PERSON_NAME,
        keys=(
            "first_name", "last_name", "full_name", "given_name", "family_name", "middle_name",
            "firstname", "lastname", "fullname", "givenname", "familyname", "middlename", "surname",
            "forename", "display_name", "displayname", "customer_name", "holder_name",
            "cardholder", "cardholder_name", "contact_name", "person_name", "patient_name",
            "employee_name", "recipient_name", "sender_name", "real_name", "legal_name", "nombre",
            "apellido", "apellidos", "prenom", "prénom", "nom", "vorname", "nachname", "cognome",
            "nome", "sobrenome", "name", "user", "customer", "owner", "assignee", "recipient",
            "author",
        ),  # fmt: skip
        key_exclude=_NOT_A_PERSON,
        keyed_only=True,
        validator=lambda value: not value.islower() or " " in value,
        priority=1,
        description="A person's name under a name key (bare 'name' only when not qualified otherwise)",
    ),
    Rule(
        name="USERNAME_VALUE",
        kind="USERNAME",
        category="personal",
        pattern=r"[\w][\w.@+-]{0,63}",
        keys=("user", "username", "user_name", "login", "logname", "usr", "account", "enduser_id",
              "user_id", "userid", "ruser", "account_name", "screen_name", "handle", "nickname"),
        key_exclude=(*_META, "agent", "count", "role", "roles", "type", "group", "groups", "uid"),
        keyed_only=True,
        validator=lambda value: username_valid(value) and not value.isdigit(),
        priority=1,
        description="A user name under a user or login key",
    ),
    Rule(
        name="STREET_ADDRESS_VALUE",
        kind="STREET_ADDRESS",
        category="location",
        pattern=r"[\p{L}\p{N}](?s:.){2,300}",
        keys=("address", "street", "addr", "line1", "line2", "address_line1", "address_line", "street_address", "direccion",
              "adresse", "indirizzo", "endereco", "anschrift", "strasse", "straße", "calle", "via",
              "rue", "shipping_address", "billing_address", "home_address", "postal_address"),
        key_exclude=_NOT_A_STREET,
        keyed_only=True,
        validator=lambda value: any(c.isalpha() for c in value)
        and (" " in value or "%20" in value),
        priority=1,
        description="A street address under an address key",
    ),
    Rule(
        name="BIRTH_DATE_VALUE",
        kind="DATE_OF_BIRTH",
        category="personal",
        pattern=r"\d{1,4}(?:[./-]|%2F)\d{1,2}(?:[./-]|%2F)\d{1,4}|\d{8}",
        keys=("dob", "birth", "birthday", "birthdate", "born", "geburtsdatum", "nacimiento",
              "nascita", "naissance"),
        keyed_only=True,
        validator=birth_date_valid,
        priority=1,
        description="A date of birth under a birth-date key",
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
