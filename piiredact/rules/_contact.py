"""Contact data: e-mail addresses and phone numbers."""

from __future__ import annotations

from piiredact import _validators as v
from piiredact.rules import Rule
from piiredact.rules._shape import digit_groups


# ITU-T E.164 country calling codes with the lengths of their national significant numbers
# (ITU-T E.164 assignments and the national numbering plans, as published by the ITU).
# Codes not listed are accepted with any length from 6 to 12 digits.
_NSN_LENGTHS: dict[str, range] = {
    "1": range(10, 11),  # NANP
    "7": range(10, 11),  # RU, KZ
    "20": range(9, 11),
    "27": range(9, 10),
    "30": range(10, 11),
    "31": range(9, 10),
    "32": range(8, 10),
    "33": range(9, 10),
    "34": range(9, 10),
    "36": range(8, 10),
    "39": range(6, 12),
    "40": range(9, 10),
    "41": range(9, 10),
    "43": range(4, 14),
    "44": range(9, 11),
    "45": range(8, 9),
    "46": range(7, 14),
    "47": range(8, 9),
    "48": range(9, 10),
    "49": range(6, 14),
    "51": range(8, 10),
    "52": range(10, 11),
    "53": range(6, 9),
    "54": range(10, 12),
    "55": range(10, 12),
    "56": range(9, 10),
    "57": range(10, 11),
    "58": range(10, 11),
    "60": range(7, 11),
    "61": range(5, 10),
    "62": range(5, 13),
    "63": range(8, 11),
    "64": range(8, 11),
    "65": range(8, 9),
    "66": range(8, 10),
    "81": range(9, 11),
    "82": range(8, 11),
    "84": range(9, 11),
    "86": range(8, 12),
    "90": range(10, 11),
    "91": range(10, 11),
    "92": range(9, 11),
    "93": range(9, 10),
    "94": range(9, 10),
    "95": range(7, 11),
    "98": range(10, 11),
    "212": range(9, 10),
    "234": range(8, 11),
    "254": range(9, 10),
    "351": range(9, 10),
    "352": range(4, 12),
    "353": range(7, 10),
    "358": range(5, 13),
    "420": range(9, 10),
    "852": range(8, 9),
    "880": range(10, 11),
    "966": range(9, 10),
    "971": range(8, 10),
    "972": range(8, 10),
}
# Country codes are prefix-free: no code is a prefix of another assigned code.
_ONE_DIGIT = {"1", "7"}
_TWO_DIGIT = (
    {c for c in _NSN_LENGTHS if len(c) == 2}
    | {"2" + d for d in "07"}
    | {d1 + d2 for d1 in "3456789" for d2 in "0123456789"}
    - {
        "35",
        "37",
        "38",
        "42",
        "50",
        "59",
        "67",
        "68",
        "69",
        "80",
        "85",
        "87",
        "88",
        "96",
        "97",
        "99",
    }
)


def _international_phone_valid(value: str) -> bool:
    value = value.replace("%20", " ").replace("%2B", "+").replace("%2b", "+")
    digits = v.digits_only(value)
    if value.startswith("00"):
        digits = digits[2:]
    if not 7 <= len(digits) <= 15 or not v.looks_random(digits):
        return False
    if digits[0] in _ONE_DIGIT:
        code = digits[0]
    elif digits[:2] in _TWO_DIGIT:
        code = digits[:2]
    else:
        code = digits[:3]
    national = digits[len(code) :]
    if code == "1":
        return len(national) == 10 and v.nanp_valid(national)
    return len(national) in _NSN_LENGTHS.get(code, range(6, 13))


def _national_phone_valid(value: str) -> bool:
    value = value.replace("%20", " ")
    if v.looks_like_date(value):
        return False
    digits = v.digits_only(value)
    if not 6 <= len(digits) <= 12 or not v.looks_random(digits):
        return False
    if len(digits) == 10 and digits[0] != "0":
        return v.nanp_valid(digits) or digits[0] in "2345689"
    return True


def _nanp_phone_valid(value: str) -> bool:
    digits = v.digits_only(value)
    return len(digits) == 10 and v.nanp_valid(digits)


_PHONE_CUES = (
    "phone",
    "mobile",
    "msisdn",
    "tel",
    "call",
    "caller",
    "sms",
    "otp",
    "fax",
    "whatsapp",
    "reach",
    "dial",
    "contact",
    "telefon",
    "téléphone",
    "telefono",
    "handy",
    "portable",
    "celular",
    "móvil",
)

_PHONE_KEYS = (
    "phone",
    "mobile",
    "msisdn",
    "tel",
    "telephone",
    "cell",
    "fax",
    "caller_id",
    "callerid",
    "to_number",
    "from_number",
    "whatsapp",
    "contact_number",
    "sms",
)

RULES = (
    Rule(
        name="EMAIL",
        category="contact",
        # RFC 5322 dot-atom local part (the subset seen in real addresses: letters of any script as
        # in RFC 6531, digits and ! # * + ~ - _ and %-escapes, no / = ? that would swallow URL
        # paths), an at sign (or its URL encoding), and a domain whose last label is alphabetic or
        # punycode. The local part sits in a lookbehind, so the rule is anchored at the at sign; a
        # cheap look-ahead for "@label." first turns away Java's Object@1a2b and @mentions.
        # Plain character classes and possessive labels, no alternations inside repeats: this is
        # the most frequent rule in logs, and those would triple its cost.
        pattern=r"""
            (?=(?:@|%40)[\w%-]{1,63}+\.)
            (?<=(?<![\w.+%-])(?<!://[^\s/@:]{0,64}:)   # not URL user:password@
              (?P<value>[\w!#*+~%-]+(?:\.[\w!#*+~%-]+)*))
            (?P<value2>
              (?:@|%40)
              (?:(?=[^\W_]|%)[\w%-]{1,63}+(?<=[^\W_])\.){1,8}      # %-escapes: IDN in URLs
              (?:xn--[a-zA-Z0-9-]{2,59}|[^\W\d_]{2,63})
            )
            (?![\w-]|\.[^\W_])
        """,
        triggers=("@", "%40"),
        anchored=True,
        priority=10,
        description="E-mail address, incl. plus-addressing, IDN domains and %40-encoded forms",
    ),
    Rule(
        name="PHONE",
        anchored=True,
        category="contact",
        # E.164 and international forms (+CC, 00CC, %2BCC, tel:+CC), validated against the
        # national number lengths of the country code.
        pattern=r"""
            (?<![\w+.%/-])
            (?P<value>(?:\+|%2[Bb])
              (?:[1-9]\d{6,14}(?![\d])                                   # compact E.164
                |[1-9]\d{0,3}+(?:(?:[ .-]|%20)?\(?\d{1,5}+\)?(?![:/]\d)){1,6}+))  # grouped; not a time
            (?![\w+]|[.-]\d)
        """,
        triggers=("+", "%2b"),
        validator=_international_phone_valid,
        keys=_PHONE_KEYS,
        priority=5,
        description="Phone number in international form (E.164, +CC, RFC 3966)",
    ),
    Rule(
        name="PHONE_INTERNATIONAL_00",
        kind="PHONE",
        category="contact",
        # The same with the 00 international prefix, which is only trusted next to a phone cue.
        pattern=r"""
            (?<![\w+.%/-])
            (?P<value>00[1-9]\d{0,3}(?:(?:[ .-]|%20)?\(?\d{1,5}\)?){1,6}+)
            (?![\w+]|[.-]\d)
        """,
        context=_PHONE_CUES,
        keys=_PHONE_KEYS,
        validator=_international_phone_valid,
        priority=5,
        description="Phone number with the 00 international prefix, next to a phone cue",
    ),
    Rule(
        name="PHONE_NANP",
        anchored=True,
        kind="PHONE",
        category="contact",
        # North American numbers written the way people write them: (NXX) NXX-XXXX, NXX-NXX-XXXX.
        pattern=r"""
            (?=[(2-9])(?<![\w+.%/-])
            (?P<value>\([2-9]\d{2}\)[ ]?\d{3}[-.]\d{4}|[2-9]\d{2}-[2-9]\d{2}-\d{4})
            (?![\w]|[.-]\d)
        """,
        shapes=(
            "(000) 000-0000",
            "(000)000-0000",
            "(000) 000.0000",
            *digit_groups(3, 3, 4, separators=("-",)),
        ),
        validator=_nanp_phone_valid,
        priority=4,
        description="North American phone number in (NXX) NXX-XXXX or NXX-NXX-XXXX form",
    ),
    Rule(
        name="PHONE_NATIONAL",
        kind="PHONE",
        category="contact",
        # National forms (trunk prefix 0, area code in parentheses, grouped digits) only next to
        # a phone cue: a bare group of digits is far more often a count, a size or an id.
        pattern=r"""
            (?<![\w+.%/:-])
            (?P<value>(?:\(\d{2,5}\)[ ]?)?\d{2,12}(?:(?:[ .-]|%20)\d{1,8}){0,5}+)
            (?![\w]|[.:/-]\d)
        """,
        context=_PHONE_CUES,
        keys=_PHONE_KEYS,
        context_window=40,
        validator=_national_phone_valid,
        priority=3,
        description="Phone number in a national format, next to a phone cue word",
    ),
)
