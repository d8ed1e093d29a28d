"""
The treatments of :mod:`piiredact.otel._semconv` for one string each: URLs, query strings, SQL,
credential headers and JSON content. Whatever is not replaced outright is scanned by the engine.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote, unquote_plus

from piiredact._redactor import Redactor
from piiredact.otel._semconv import SET_COOKIE_ATTRIBUTES, SIGNED_QUERY_PARAMETERS


__all__ = [
    "authorization",
    "cookie",
    "credential",
    "json_content",
    "query",
    "set_cookie",
    "sql",
    "url",
]

#: What semconv asks for in URLs (``https://REDACTED:REDACTED@host/?sig=REDACTED``).
URL_MARKER = "REDACTED"
#: What opentelemetry-util-http writes for the headers it sanitizes.
HEADER_MARKER = "[REDACTED]"

# RFC 3986, appendix B: matches every string, so a URL is never rejected, only split.
_URL = re.compile(
    r"(?s)((?:[A-Za-z][A-Za-z0-9+.-]*:)?)(?://([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?"
)
# Characters a redacted query value may keep unescaped: the brackets and colons of our masks
# and tokens stay readable (``email=[EMAIL]``).
_QUERY_SAFE = "[]<>:/@"


def url(text: str, engine: Redactor) -> str:
    """A URL (or a path with a query) with its credentials, signed and personal values redacted."""
    match = _URL.fullmatch(text)
    if match is None:  # the pattern matches any string; kept as a guard, failing safe
        return engine.redact(text)
    scheme, authority, path, query_text, fragment = match.groups()
    parts = [scheme]
    if authority is not None:
        userinfo, at, host = authority.rpartition("@")
        if at:
            user = f"{URL_MARKER}:{URL_MARKER}" if ":" in userinfo else URL_MARKER
            parts.append(f"//{user}@{engine.redact(host)}")
        else:
            parts.append(f"//{engine.redact(host)}")
    parts.append(engine.redact(path))
    if query_text is not None:
        parts.append(f"?{query(query_text, engine)}")
    if fragment is not None:  # OAuth implicit flows put tokens here: access_token=…
        parts.append(f"#{query(fragment, engine)}")
    return "".join(parts)


def query(text: str, engine: Redactor) -> str:
    """A query string with signed values replaced and the others redacted under their names."""
    pieces = text.split("&")
    for number, piece in enumerate(pieces):
        name, equals, value = piece.partition("=")
        if not equals:  # a bare word: no name to go by
            decoded = unquote_plus(piece)
            redacted = engine.redact(decoded)
            if redacted is not decoded:
                pieces[number] = quote(redacted, safe=_QUERY_SAFE)
            continue
        key = unquote_plus(name)
        if key.lower() in SIGNED_QUERY_PARAMETERS:
            pieces[number] = f"{name}={URL_MARKER}"
            continue
        decoded = unquote_plus(value)
        redacted = engine.redact_value(decoded, key=key)
        if redacted != decoded:
            pieces[number] = f"{name}={quote(str(redacted), safe=_QUERY_SAFE)}"
    return "&".join(pieces)


# The tokens of SQL that matter here. Literals (strings with their prefixes, dollar-quoted
# strings, numbers, booleans) become "?"; placeholders ($1, ?, :name, :1, @name, %s, %(name)s)
# are kept as they are (the engine would read "password = ?" as a password); comments, quoted
# identifiers and the text between tokens are scanned by the engine (a Redis command or a
# comment can hold an address too). Runs of words and operators are matched whole, so that no
# literal is seen inside a word (t1, name'…') and the regex moves fast. An unterminated
# string or comment, as truncation leaves them, runs to the end. Backslashes escape in strings
# (MySQL): where they do not, a string only grows, never leaks.
_SQL = re.compile(
    r"""
      (?P<literal>
                (?:[NnEeXxBb]|[Uu]&)?'(?:[^'\\]++|''|\\(?s:.?))*+(?:'|\Z)
              | \$(?P<tag>(?:[A-Za-z_]\w*+)?)\$(?s:.*?)(?:\$(?P=tag)\$|\Z)
              | (?:0[xX][0-9A-Fa-f]++|(?:\d++(?:\.\d*+)?|\.\d++)(?:[eE][-+]?\d++)?)(?![\w$])
              | (?i:true|false)(?![\w$])
      )
    | (?P<placeholder> \$\d++ | \?\d*+ | %s | %\(\w++\)s | (?<![\w.:@])[:@]\w++ )
    | (?P<scanned> --[^\n]*+ | /\*(?s:.*?)(?:\*/|\Z) | "(?:[^"]++|"")*+"? | `[^`]*+`? )
    | (?P<text> (?: (?!(?i:true|false)(?![\w$])|(?:[NnEeXxBb]|[Uu]&)')[A-Za-z_][\w$]*+
                  | [\s,;=<>!()*+|&^~{}]++ )++ )
    """,
    re.VERBOSE,
)


def sql(text: str, engine: Redactor) -> str:
    """A database query with every literal replaced by ``?``, placeholders kept, and the rest
    scanned."""
    parts = []
    position = 0
    for token in _SQL.finditer(text):
        kind = token.lastgroup
        if kind == "text":  # words and operators: scanned with what lies between tokens
            continue
        parts.append(engine.redact(text[position : token.start()]))
        if kind == "literal":
            parts.append("?")
        elif kind == "placeholder":
            parts.append(token.group())
        else:
            parts.append(engine.redact(token.group()))
        position = token.end()
    parts.append(engine.redact(text[position:]))
    return "".join(parts)


_SCHEME = re.compile(r"\s*+[A-Za-z][\w.+~/-]*+(?=\s++\S)")


def authorization(text: str) -> str:
    """An ``Authorization`` value: the scheme (``Bearer``, ``Basic`` …) stays, the rest does not."""
    scheme = _SCHEME.match(text)
    return f"{scheme.group()} {HEADER_MARKER}" if scheme else HEADER_MARKER


def cookie(text: str) -> str:
    """A ``Cookie`` value: cookie names stay, values are replaced."""
    return ";".join(_cookie_pair(pair) for pair in text.split(";"))


def set_cookie(text: str) -> str:
    """A ``Set-Cookie`` value: the cookie's value is replaced, its standard attributes stay."""
    first, *attributes = text.split(";")
    kept = [
        item
        if item.partition("=")[0].strip().lower() in SET_COOKIE_ATTRIBUTES
        else _cookie_pair(item)
        for item in attributes
    ]
    return ";".join([_cookie_pair(first), *kept])


def _cookie_pair(pair: str) -> str:
    name, equals, _ = pair.partition("=")
    if equals:
        return f"{name}={HEADER_MARKER}"
    return pair if not pair.strip() else HEADER_MARKER


def credential(_: str) -> str:
    """A header that is a credential as a whole."""
    return HEADER_MARKER


def json_content(text: str, engine: Redactor) -> str:
    """
    Generative-AI content: a JSON document is parsed, redacted key-aware (``"content"``,
    ``"arguments"`` …, however its strings are escaped) and serialized again; other text is
    scanned as it is. Unchanged content is returned as it came.
    """
    if len(text) > engine.policy.limits.max_value_length or text.lstrip()[:1] not in ("{", "["):
        return engine.redact(text)  # the engine fails closed on oversized text
    try:
        document: Any = json.loads(text)
    except ValueError:
        return engine.redact(text)
    redacted = engine.redact_value(document)
    if redacted == document:
        return text
    return json.dumps(redacted, ensure_ascii=False)
