"""
Hypothesis strategies for the property tests: valid personal data and secrets, log-line filler
to embed them in, and text that must hold nothing to redact.
"""

from __future__ import annotations

import ipaddress
import string

from hypothesis import strategies as st
from reference import verhoeff_check_digit

from piiredact import BUILTIN_RULES


# ------------------------------------------------------------------------------ e-mail addresses

_LOCAL_CHARS = string.ascii_lowercase + string.digits
_LABEL_CHARS = string.ascii_lowercase + string.digits

_local_atom = st.text(_LOCAL_CHARS, min_size=1, max_size=12)
_local_part = st.builds(
    lambda atoms, joiners: "".join(a + j for a, j in zip(atoms, joiners, strict=False)) + atoms[-1],
    st.lists(_local_atom, min_size=1, max_size=3),
    st.lists(st.sampled_from([".", "_", "-", "+"]), min_size=2, max_size=2),
)
_label = st.builds(
    lambda head, middle, tail: head + middle + tail if middle or tail else head,
    st.sampled_from(_LABEL_CHARS),
    st.text(_LABEL_CHARS + "-", max_size=10),
    st.text(_LABEL_CHARS, min_size=1, max_size=1),
).filter(lambda label: not label.startswith("-") and not label.endswith("-"))
_tld = st.sampled_from(["com", "org", "net", "io", "de", "co", "fr", "example", "travel"])

#: Syntactically valid addresses with dotted, plus-addressed and hyphenated local parts.
emails = st.builds(
    lambda local, labels, tld: f"{local}@{'.'.join(labels)}.{tld}",
    _local_part,
    st.lists(_label, min_size=1, max_size=3),
    _tld,
)


# ------------------------------------------------------------------------------ payment cards


def luhn_complete(body: str) -> str:
    """*body* followed by its Luhn check digit."""
    total = 0
    for position, char in enumerate(reversed(body)):
        digit = int(char) * (2 if position % 2 == 0 else 1)
        total += digit - 9 if digit > 9 else digit
    return body + str(-total % 10)


# Issuer prefixes with the length each issues (ISO/IEC 7812, network documentation).
_ISSUERS = (("4", 16), ("51", 16), ("55", 16), ("2221", 16), ("34", 15), ("37", 15), ("6011", 16))


@st.composite
def card_numbers(draw: st.DrawFn) -> str:
    """A Luhn-valid card number of a real issuer and length, compact."""
    prefix, length = draw(st.sampled_from(_ISSUERS))
    body = prefix + draw(st.text(string.digits, min_size=length - len(prefix) - 1,
                                 max_size=length - len(prefix) - 1))  # fmt: skip
    number = luhn_complete(body)
    if len(set(number)) == 1:  # a run of one digit is a placeholder, not a card
        number = luhn_complete(prefix + "1" * (len(body) - len(prefix)))
    return number


@st.composite
def formatted_cards(draw: st.DrawFn) -> str:
    """A valid card number written compact, spaced or dashed in its issuer's grouping."""
    number = draw(card_numbers())
    separator = draw(st.sampled_from(["", " ", "-"]))
    sizes = (4, 6, 5) if len(number) == 15 else (4, 4, 4, 4)
    groups, position = [], 0
    for size in sizes:
        groups.append(number[position : position + size])
        position += size
    return separator.join(groups)


# ------------------------------------------------------------------------------ network


def _is_public(address: ipaddress.IPv4Address) -> bool:
    return address.is_global and not address.is_multicast and not address.is_reserved


#: Globally routable IPv4 addresses in dotted-quad form.
public_ipv4 = (
    st.integers(min_value=0x01000000, max_value=0xDFFFFFFF)
    .map(ipaddress.IPv4Address)
    .filter(_is_public)
    .map(str)
)


# ------------------------------------------------------------------------------ secrets

_BASE32ISH = string.ascii_uppercase + string.digits
_BASE62 = string.ascii_letters + string.digits

#: AWS access key ids: an IAM unique-id prefix and 16 upper-case alphanumerics.
aws_access_keys = st.builds(
    lambda prefix, body: prefix + body,
    st.sampled_from(["AKIA", "ASIA", "AROA", "AIDA"]),
    st.text(_BASE32ISH, min_size=16, max_size=16),
)

#: GitHub classic tokens (ghp_, gho_, ghu_, ghs_, ghr_ and 36 base62 characters).
github_tokens = st.builds(
    lambda prefix, body: prefix + body,
    st.sampled_from(["ghp_", "gho_", "ghu_", "ghs_", "ghr_"]),
    st.text(_BASE62, min_size=36, max_size=36),
)

# ------------------------------------------------------------------------------ numbers


def _iban(country: str, bban: str) -> str:
    """The IBAN (ISO 13616) for *bban*, with its ISO 7064 MOD 97-10 check digits."""
    number = int("".join(str(int(char, 36)) for char in bban + country + "00"))
    return f"{country}{98 - number % 97:02d}{bban}"


def _in_groups(value: str, size: int, separator: str) -> str:
    return separator.join(value[i : i + size] for i in range(0, len(value), size))


#: German, French and British IBANs, compact or in groups of four.
ibans = st.builds(
    lambda country, digits, letters, spaced: _in_groups(
        _iban(country, (letters if country == "GB" else "") + digits[: _BBAN_DIGITS[country]]),
        4,
        " " if spaced else "",
    ),
    st.sampled_from(sorted(_BBAN_DIGITS := {"DE": 18, "FR": 23, "GB": 14})),
    st.text(string.digits, min_size=23, max_size=23),
    st.text(string.ascii_uppercase, min_size=4, max_size=4),
    st.booleans(),
)

#: US Social Security numbers in issuable ranges, dashed.
ssns = st.builds(
    lambda area, group, serial: f"{area:03d}-{group:02d}-{serial:04d}",
    st.integers(1, 899).filter(lambda area: area != 666),
    st.integers(1, 99),
    st.integers(1, 9999),
)

#: Aadhaar numbers (first digit 2-9, Verhoeff check digit) in groups of four.
aadhaar_numbers = st.builds(
    lambda first, rest: _in_groups(first + rest + verhoeff_check_digit(first + rest), 4, " "),
    st.sampled_from("23456789"),
    st.text(string.digits, min_size=10, max_size=10),
).filter(lambda number: len(set(number.replace(" ", ""))) > 1)

#: Every generated kind of value, tagged with the kind it must be reported as.
secrets = st.one_of(
    emails.map(lambda v: ("EMAIL", v)),
    formatted_cards().map(lambda v: ("CREDIT_CARD", v)),
    public_ipv4.map(lambda v: ("IPV4", v)),
    aws_access_keys.map(lambda v: ("AWS_ACCESS_KEY", v)),
    github_tokens.map(lambda v: ("GITHUB_TOKEN", v)),
    ibans.map(lambda v: ("IBAN", v)),
    ssns.map(lambda v: ("US_SSN", v)),
    aadhaar_numbers.map(lambda v: ("IN_AADHAAR", v)),
)


# ------------------------------------------------------------------------------ log filler

# Neutral words of log lines: no digits next to separators that could extend a value, no key
# words, no triggers.
_FILLER_WORDS = (
    "GET", "POST", "level=info", "level=warn", "msg=\"request done\"", "retry", "ok", "done",
    "status=done", "unit=ms", "cache", "miss", "worker", "started", "queue", "event", "-", "|",
    "{", "}", "[", "]", "ERROR", "handler", "took", "ms", "stage=commit", "span", "closed",
)  # fmt: skip
_SEPARATORS = (" ", " ", "\t", " = ", ": ", ' "', "(", ", ", " <", "=")
_CLOSERS = (" ", '" ', ")", ", ", "> ", "\n", ";", ". ")

filler = st.lists(st.sampled_from(_FILLER_WORDS), max_size=6).map(" ".join)


@st.composite
def lines_with_secrets(draw: st.DrawFn) -> tuple[str, list[tuple[str, str]]]:
    """A log line with one to three generated values in it, and the (kind, value) pairs."""
    found = draw(st.lists(secrets, min_size=1, max_size=3))
    parts = [draw(filler)]
    for _, value in found:
        parts += [draw(st.sampled_from(_SEPARATORS)), value, draw(st.sampled_from(_CLOSERS)),
                  draw(filler)]  # fmt: skip
    return "".join(parts), found


#: Values and plain numbers side by side, one space apart: runs of spaced numbers are where a
#: value's reading depends on its neighbours (a group in a run is no id until the run is cut).
values_in_number_runs = st.lists(
    st.one_of(secrets.map(lambda case: case[1]), st.integers(0, 99_999).map(str)),
    min_size=2,
    max_size=7,
).map(" ".join)


# ------------------------------------------------------------------------------ clean text


def _trigger_words() -> frozenset[str]:
    words = {"insert"}
    for rule in BUILTIN_RULES:
        words.update(w.lower() for w in (*rule.triggers, *rule.context))
    return frozenset(words)


#: Every literal trigger and context cue of the built-in rules, lower case.
TRIGGER_WORDS = _trigger_words()


def has_trigger(text: str) -> bool:
    """True when a trigger or cue word of a built-in rule occurs in *text* (any case)."""
    folded = text.lower()
    return any(word in folded for word in TRIGGER_WORDS)


_CLEAN_ALPHABET = string.ascii_letters + " ,;!?()&*#~^|$\t\n" + "éüßøçñ"

#: Text with no digit, no '@', no ':' and no key word, trigger or cue of any rule.
clean_text = st.text(_CLEAN_ALPHABET, max_size=120).filter(lambda text: not has_trigger(text))

#: Any text at all, lone surrogates and control characters included.
any_text = st.text(st.characters(codec=None, exclude_categories=()), max_size=300)

#: Text dense in the characters rules look at, to stress overlaps and boundaries.
dense_text = st.text(
    st.sampled_from(list("0123456789abcdefAEXZ@.:-_=+/ \"'%<>[]()\n")), max_size=200
)
