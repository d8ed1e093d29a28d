"""Financial identifiers: payment card numbers and IBANs."""

from __future__ import annotations

from piiredact import _validators as v
from piiredact.rules import Rule
from piiredact.rules._shape import digit_groups, digit_run


def _card_valid(value: str) -> bool:
    return v.card_valid(v.digits_only(value.replace("%20", " ")))


def _iban_valid(value: str) -> bool:
    return v.iban_valid(value.replace("%20", "").replace(" ", ""))


# Exactly the registry length of the country, so that a spaced IBAN followed by more digits is
# cut where the IBAN ends (ISO 13616, SWIFT IBAN registry).
def _iban_alternatives() -> str:
    # One alternative per registry length, each listing its countries: far fewer branches for
    # the regex engine to try than one per country.
    by_length: dict[int, list[str]] = {}
    for country, length in sorted(v.IBAN_LENGTHS.items()):
        by_length.setdefault(length, []).append(country)
    return "|".join(
        rf"(?:{'|'.join(countries)})\d{{2}}(?:(?:[ ]|%20)?+[A-Z0-9]){{{length - 4}}}+"
        for length, countries in sorted(by_length.items(), reverse=True)
    )


_IBAN_COUNTRIES = _iban_alternatives()

RULES = (
    Rule(
        name="CREDIT_CARD",
        anchored=True,
        category="financial",
        # ISO/IEC 7812 PAN, 13-19 digits, compact or in groups; Luhn + issuer prefix + length.
        # Not inside a longer word, number, hex string or UUID. Every card network's prefix
        # starts with 2 to 6: epoch milliseconds (1514046505000) fail in the pattern.
        pattern=r"""
            (?<![\w.,+-]|%20)                                       # not inside a longer number
            (?P<value>
              [2-6]\d{3}(?P<sep>(?:[ -]|%20)?)\d{4}(?P=sep)\d{4}(?P=sep)\d{1,7}
              |[2-6]\d{3}(?P<sep2>[ -]|%20)\d{6}(?P=sep2)\d{4,5}
            )
            (?![\w]|[.,-]\d)
        """,
        shapes=(*digit_groups(4, 4, 4), *digit_groups(4, 6, 4), *digit_run(13)),
        validator=_card_valid,
        action="mask",
        priority=8,
        description="Payment card number (Luhn, issuer prefix and length checked)",
        keys=("card", "card_number", "cardnumber", "cc", "ccnum", "pan", "credit_card"),
    ),
    Rule(
        name="IBAN",
        anchored=True,
        category="financial",
        pattern=rf"(?=[A-Z]{{2}}\d{{2}})(?<![\w])(?>{_IBAN_COUNTRIES})(?![\w])",
        shapes=tuple(country.lower() + "00" for country in v.IBAN_LENGTHS),
        validator=_iban_valid,
        priority=9,
        description="International bank account number (ISO 13616: country length and mod-97)",
    ),
    Rule(
        name="IBAN_VALUE",
        kind="IBAN",
        category="financial",
        # Some systems store IBANs in lower case. In free text a lower-case IBAN is too close to a
        # hex id (one in 97 passes mod-97); under an iban key, case does not matter.
        pattern=rf"(?i:{_IBAN_COUNTRIES})",
        keyed_only=True,
        validator=_iban_valid,
        priority=9,
        description="An IBAN in upper or lower case under an iban key",
        keys=("iban",),
    ),
)
