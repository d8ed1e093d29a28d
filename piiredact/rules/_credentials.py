"""Credentials: tokens and keys with a recognisable format, and authorization headers."""

from __future__ import annotations

import base64
import binascii

from piiredact import _validators as v
from piiredact.rules import Rule


def _basic_credentials(value: str) -> bool:
    # RFC 7617: base64 of "user-id:password".
    try:
        decoded = base64.b64decode(value + "=" * (-len(value) % 4), validate=True)
    except (binascii.Error, ValueError):
        return False
    return b":" in decoded


def _high_entropy(value: str) -> bool:
    # Random keys mix cases and digits and carry more than 4 bits a character; words, paths,
    # hex digests (at most 4 bits) and UUIDs do not.
    return (
        any(c.isupper() for c in value)
        and any(c.islower() for c in value)
        and any(c.isdigit() for c in value)
        and v.shannon_entropy(value) >= 4.2
    )


def _credential(
    name: str, pattern: str, triggers: tuple[str, ...], description: str, **extra: object
) -> Rule:
    return Rule(
        name=name,
        category="credential",
        pattern=pattern,
        triggers=triggers,
        priority=20,
        description=description,
        **extra,  # type: ignore[arg-type]
    )


_AWS_PREFIXES = (
    "akia",
    "asia",
    "abia",
    "acca",
    "agpa",
    "aida",
    "aipa",
    "anpa",
    "anva",
    "aroa",
    "apka",
)

#: Rules that only the ``strict`` preset runs: they cost a scan of every text and flag some ids.
STRICT_ONLY = frozenset({"HIGH_ENTROPY_TOKEN"})

RULES = (
    _credential(
        "JWT",
        # RFC 7519 compact serialization: base64url header and payload (both JSON, so "eyJ"),
        # signature (empty for alg "none").
        r"(?<![\w-])eyJ[\w-]{5,}+\.eyJ[\w-]{2,}+\.[\w-]*+",
        ("eyj",),
        "JSON Web Token",
        anchored=True,
    ),
    _credential(
        "AWS_ACCESS_KEY",
        # AWS IAM unique-id prefixes followed by 16 base32 characters.
        r"(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|AROA|APKA)[A-Z0-9]{16}(?![A-Za-z0-9])",
        _AWS_PREFIXES,
        "AWS access key id",
        anchored=True,
    ),
    _credential(
        "AWS_SECRET_KEY",
        # The 40-character secret has no prefix: only next to an AWS secret cue.
        r"(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])",
        (),
        "AWS secret access key, next to an AWS secret cue",
        context=(
            "aws_secret",
            "secret_access_key",
            "secretaccesskey",
            "aws secret",
            "secret access key",
        ),
    ),
    _credential(
        "GITHUB_TOKEN",
        # GitHub token formats (2021): ghp_/gho_/ghu_/ghs_/ghr_ + 36 base62, fine-grained github_pat_.
        r"(?<![A-Za-z0-9])(?:gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{22,247})(?![A-Za-z0-9])",
        ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
        "GitHub token",
        anchored=True,
    ),
    _credential(
        "SLACK_TOKEN",
        r"""(?<![\w-])(?:xox[abposre]-[A-Za-z0-9-]{10,250}+|xapp-\d-[A-Za-z0-9-]{10,250}+)
            |(?<=hooks\.slack\.com/(?:services|workflows|triggers)/)[A-Za-z0-9/_-]{8,250}+""",
        ("xox", "xapp-", "hooks.slack.com/"),
        "Slack token or incoming-webhook secret",
        window=(0, 280),
    ),
    _credential(
        "STRIPE_KEY",
        r"(?<![\w])(?:(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{10,247}|whsec_[0-9A-Za-z+/=]{20,250})(?![\w])",
        ("sk_live_", "rk_live_", "sk_test_", "rk_test_", "whsec_"),
        "Stripe secret or restricted key, webhook signing secret",
        anchored=True,
    ),
    _credential(
        "GOOGLE_API_KEY",
        r"(?<![\w-])AIza[0-9A-Za-z_-]{35}(?![\w-])",
        ("aiza",),
        "Google API key",
        anchored=True,
    ),
    _credential(
        "OAUTH_CLIENT_SECRET",
        r"(?<![\w-])GOCSPX-[0-9A-Za-z_-]{20,40}(?![\w-])",
        ("gocspx-",),
        "Google OAuth client secret",
        anchored=True,
    ),
    _credential(
        "API_KEY",
        # OpenAI (sk-, sk-proj-), Anthropic (sk-ant-), SendGrid (SG.x.y), Mailgun (key-<hex32>).
        r"""(?<![\w-])(?:sk-(?:proj-|ant-|svcacct-|admin-)?[A-Za-z0-9_-]{20,200}+
              |SG\.[\w-]{16,32}\.[\w-]{16,64}
              |key-[0-9a-f]{32})(?![\w-])""",
        ("sk-", "sg.", "key-"),
        "API key with a vendor prefix (OpenAI, Anthropic, SendGrid, Mailgun)",
        anchored=True,
    ),
    _credential(
        "BEARER_TOKEN",
        # RFC 6750 Authorization: Bearer <token68>.
        r"(?i:(?<![\w-])bearer)[ ]+(?P<value>[A-Za-z0-9._~+/-]{8,4096}+=*)",
        ("bearer",),
        "Bearer token in an Authorization header",
        anchored=True,
    ),
    _credential(
        "BASIC_AUTH",
        r"(?i:(?<![\w-])basic)[ ]+(?P<value>[A-Za-z0-9+/]{6,4096}+={0,2})(?![\w+/=])",
        ("basic",),
        "Basic credentials in an Authorization header",
        validator=_basic_credentials,
        anchored=True,
    ),
    _credential(
        "PRIVATE_KEY",
        # RFC 7468 PEM block of any private key type, also with JSON-escaped (\n) line breaks, or
        # cut off before its END line.
        r"""-----BEGIN[ ](?:[A-Z0-9]+[ ]){0,3}PRIVATE[ ]KEY(?:[ ]BLOCK)?-----
            (?:[A-Za-z0-9+/=\ \t\r\n]|\\[nrt]|\\\\[nrt]|(?:Proc-Type|DEK-Info):[^\n\\]{0,100}+)*+
            (?:-----END[ ](?:[A-Z0-9]+[ ]){0,3}PRIVATE[ ]KEY(?:[ ]BLOCK)?-----)?""",
        ("-----begin",),
        "PEM private key block",
        anchored=True,
    ),
    Rule(
        name="URL_CREDENTIALS",
        category="credential",
        # RFC 3986 userinfo in a URL: scheme://user:password@host.
        pattern=r"""(?<=[A-Za-z][A-Za-z0-9+.-]{0,30}://)
            (?P<USERNAME>[^\s:/@?#'"]{0,128}):(?P<PASSWORD>[^\s/?#'"]{1,256}?)@(?=[\w\[])""",
        triggers=("://",),
        window=(0, 400),
        priority=25,
        description="User name and password in a URL",
    ),
    Rule(
        name="HIGH_ENTROPY_TOKEN",
        kind="SECRET",
        category="credential",
        # Any long random-looking base64/base62 string, whatever its name (strict preset only).
        pattern=r"(?<![\w/+-])[A-Za-z0-9_+/-]{32,512}+={0,2}(?![\w/+=-])",
        validator=_high_entropy,
        priority=1,
        description="Long high-entropy token with no known format (strict preset only)",
    ),
)
