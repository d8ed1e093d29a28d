"""Checksum and structure predicates that confirm a regex candidate really is an identifier:
detectors match loosely shaped text first and then call one of these functions to weed out
look-alikes, so each one is pure, stdlib-only and cheap: tables are built once at import time,
inputs are checked for length and alphabet before any arithmetic, and no function ever raises.
Odd input (empty, wrong length, non-ASCII, unexpected characters) simply yields ``False``.
Unless stated otherwise a function expects the compact form (separators already removed).
"""

from __future__ import annotations

import datetime
import math
import re
from collections import Counter
from itertools import pairwise


__all__ = [
    "IBAN_LENGTHS",
    "aadhaar_valid",
    "au_tfn_valid",
    "br_cpf_valid",
    "ca_sin_valid",
    "card_valid",
    "de_tax_id_valid",
    "digits_only",
    "es_dni_valid",
    "fr_nir_valid",
    "iban_valid",
    "icao_check_digit",
    "imei_valid",
    "ipv4_octets_valid",
    "it_fiscal_code_valid",
    "looks_like_date",
    "looks_random",
    "luhn_valid",
    "mrz_line_valid",
    "nanp_valid",
    "parse_date",
    "passport_number_valid",
    "shannon_entropy",
    "uk_nino_valid",
    "us_itin_valid",
    "us_ssn_valid",
    "verhoeff_valid",
]

_NON_DIGIT_BYTES = bytes(byte for byte in range(256) if byte not in b"0123456789")
_DIGIT_VALUE: dict[str, int] = {str(d): d for d in range(10)}
_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _is_digits(text: str) -> bool:
    """Return True for a non-empty string of ASCII digits only."""
    return text.isascii() and text.isdigit()


def _all_same(text: str) -> bool:
    """Return True when every character equals the first (text must be non-empty)."""
    return text.count(text[0]) == len(text)


def digits_only(text: str) -> str:
    """Return ``text`` with everything but the ASCII digits 0-9 removed."""
    if _is_digits(text):
        return text
    # Bytes delete in C: twice as fast as a regex substitution on a spaced card or phone number.
    return text.encode("ascii", "ignore").translate(None, _NON_DIGIT_BYTES).decode("ascii")


# --------------------------------------------------------------------------- Luhn / cards

# Luhn doubles every second digit from the right and adds the digits of the product: 0246813579
# for 0-9. The digit sum of a string of ASCII digits is the sum of its bytes less 48 a digit.
_LUHN_DOUBLED = str.maketrans("0123456789", "0246813579")


def _luhn(digits: str) -> bool:
    """Luhn check on a string already known to be ASCII digits."""
    doubled = digits[-2::-2].translate(_LUHN_DOUBLED)
    return (sum((digits[-1::-2] + doubled).encode()) - 48 * len(digits)) % 10 == 0


def luhn_valid(digits: str) -> bool:
    """Luhn mod-10 (ISO/IEC 7812-1 annex B) over a non-empty ASCII digit string."""
    return _is_digits(digits) and _luhn(digits)


def _rule(
    prefix_len: int, low: int, high: int, lengths: tuple[int, ...]
) -> tuple[int, int, int, frozenset[int]]:
    """Card rule as (divisor turning the 6-digit head into the prefix, low, high, lengths)."""
    return 10 ** (6 - prefix_len), low, high, frozenset(lengths)


_12_TO_19 = tuple(range(12, 20))
_14_TO_19 = tuple(range(14, 20))
_16_TO_19 = tuple(range(16, 20))

# Issuer IIN ranges (ISO/IEC 7812 as published by each network) with the card lengths in use,
# most specific first: the first rule whose prefix range matches decides the issuer.
_CARD_RULES = (
    _rule(6, 622126, 622925, _16_TO_19),  # Discover (UnionPay co-brand range)
    _rule(4, 2221, 2720, (16,)),  # Mastercard 2-series
    _rule(4, 2200, 2204, _16_TO_19),  # Mir
    _rule(4, 6011, 6011, _16_TO_19),  # Discover
    _rule(4, 3528, 3589, _16_TO_19),  # JCB
    _rule(3, 644, 649, _16_TO_19),  # Discover
    _rule(3, 300, 305, _14_TO_19),  # Diners Club International
    _rule(2, 51, 55, (16,)),  # Mastercard
    _rule(2, 34, 34, (15,)),  # American Express
    _rule(2, 37, 37, (15,)),  # American Express
    _rule(2, 36, 36, _14_TO_19),  # Diners Club
    _rule(2, 38, 39, _14_TO_19),  # Diners Club
    _rule(2, 65, 65, _16_TO_19),  # Discover
    _rule(2, 62, 62, _16_TO_19),  # UnionPay
    _rule(2, 50, 50, _12_TO_19),  # Maestro
    _rule(2, 56, 58, _12_TO_19),  # Maestro
    _rule(1, 4, 4, (13, 16, 19)),  # Visa
    _rule(1, 6, 6, _12_TO_19),  # Maestro: any 6 not claimed above
)
# The rules by the first digit of their prefixes, in the same order: a number is compared with
# the few that can claim it (none for 0, 1, 7, 8 and 9).
_CARD_RULES_BY_DIGIT = {
    digit: tuple(rule for rule in _CARD_RULES if str(rule[1])[0] <= digit <= str(rule[2])[0])
    for digit in "0123456789"
}


def card_valid(digits: str) -> bool:
    """Payment card number: known IIN range, a length that issuer uses, and Luhn (ISO/IEC 7812).

    Numbers made of a single repeated digit are rejected as placeholders.
    """
    if not 12 <= len(digits) <= 19 or not _is_digits(digits) or _all_same(digits):
        return False
    head = int(digits[:6])
    for divisor, low, high, lengths in _CARD_RULES_BY_DIGIT[digits[0]]:
        if low <= head // divisor <= high:
            return len(digits) in lengths and _luhn(digits)
    return False


# First two TAC digits: the GSMA-appointed reporting bodies that actually issue TACs.
_IMEI_REPORTING_BODIES = frozenset(
    (
        "01",
        "10",
        "30",
        "33",
        "35",
        "44",
        "45",
        "49",
        "50",
        "51",
        "52",
        "53",
        "54",
        "86",
        "91",
        "98",
        "99",
    )
)


def imei_valid(digits: str) -> bool:
    """IMEI (3GPP TS 23.003 §6.2.1): 15 digits, Luhn check digit, plausible reporting body."""
    return (
        len(digits) == 15
        and _is_digits(digits)
        and digits[:2] in _IMEI_REPORTING_BODIES
        and not _all_same(digits)
        and _luhn(digits)
    )


def ca_sin_valid(digits: str) -> bool:
    """Canadian Social Insurance Number: 9 digits, Luhn, first digit not 0 (unused) or 8."""
    return len(digits) == 9 and _is_digits(digits) and digits[0] not in "08" and _luhn(digits)


# --------------------------------------------------------------------------- IBAN

# SWIFT IBAN Registry (ISO 13616): country code -> total IBAN length.
IBAN_LENGTHS: dict[str, int] = {
    "AD": 24,
    "AE": 23,
    "AL": 28,
    "AT": 20,
    "AZ": 28,
    "BA": 20,
    "BE": 16,
    "BG": 22,
    "BH": 22,
    "BI": 27,
    "BR": 29,
    "BY": 28,
    "CH": 21,
    "CR": 22,
    "CY": 28,
    "CZ": 24,
    "DE": 22,
    "DJ": 27,
    "DK": 18,
    "DO": 28,
    "EE": 20,
    "EG": 29,
    "ES": 24,
    "FI": 18,
    "FK": 18,
    "FO": 18,
    "FR": 27,
    "GB": 22,
    "GE": 22,
    "GI": 23,
    "GL": 18,
    "GR": 27,
    "GT": 28,
    "HN": 28,
    "HR": 21,
    "HU": 28,
    "IE": 22,
    "IL": 23,
    "IQ": 23,
    "IS": 26,
    "IT": 27,
    "JO": 30,
    "KW": 30,
    "KZ": 20,
    "LB": 28,
    "LC": 32,
    "LI": 21,
    "LT": 20,
    "LU": 20,
    "LV": 21,
    "LY": 25,
    "MC": 27,
    "MD": 24,
    "ME": 22,
    "MK": 19,
    "MN": 20,
    "MR": 27,
    "MT": 31,
    "MU": 30,
    "NI": 28,
    "NL": 18,
    "NO": 15,
    "OM": 23,
    "PK": 24,
    "PL": 28,
    "PS": 29,
    "PT": 25,
    "QA": 29,
    "RO": 24,
    "RS": 22,
    "RU": 33,
    "SA": 24,
    "SC": 31,
    "SD": 18,
    "SE": 24,
    "SI": 19,
    "SK": 24,
    "SM": 27,
    "SO": 23,
    "ST": 25,
    "SV": 28,
    "TL": 23,
    "TN": 24,
    "TR": 26,
    "UA": 29,
    "VA": 22,
    "VG": 24,
    "XK": 20,
    "YE": 30,
}

# ISO 7064 MOD 97-10 letter expansion: A -> "10" ... Z -> "35".
_IBAN_LETTERS = str.maketrans({c: str(i) for i, c in enumerate(_UPPER, start=10)})


def iban_valid(compact: str) -> bool:
    """IBAN (ISO 13616): registry length for the country and ISO 7064 MOD 97-10 remainder 1.

    Expects letters and digits only, no spaces; lower case is accepted.
    """
    if not 15 <= len(compact) <= 34 or not compact.isascii() or not compact.isalnum():
        return False
    iban = compact.upper()
    if IBAN_LENGTHS.get(iban[:2]) != len(iban) or not iban[2:4].isdigit():
        return False
    return int((iban[4:] + iban[:4]).translate(_IBAN_LETTERS)) % 97 == 1


# --------------------------------------------------------------------------- Verhoeff


def _d5_multiply(j: int, k: int) -> int:
    """Dihedral group D5 product, elements 0-4 rotations and 5-9 reflections."""
    if j < 5:
        return (j + k) % 5 if k < 5 else 5 + (j + k) % 5
    return 5 + (j - k) % 5 if k < 5 else (j - k) % 5


def _verhoeff_permutations() -> tuple[tuple[int, ...], ...]:
    base = (1, 5, 7, 6, 2, 8, 3, 0, 9, 4)
    rows = [tuple(range(10))]
    for _ in range(7):
        rows.append(tuple(base[d] for d in rows[-1]))
    return tuple(rows)


_VERHOEFF_D = tuple(tuple(_d5_multiply(j, k) for k in range(10)) for j in range(10))
_VERHOEFF_P = _verhoeff_permutations()


def verhoeff_valid(digits: str) -> bool:
    """Verhoeff dihedral-D5 check (J. Verhoeff, 1969) over an ASCII digit string."""
    if not _is_digits(digits):
        return False
    check = 0
    for position, char in enumerate(reversed(digits)):
        check = _VERHOEFF_D[check][_VERHOEFF_P[position & 7][_DIGIT_VALUE[char]]]
    return check == 0


def aadhaar_valid(digits: str) -> bool:
    """Indian Aadhaar (UIDAI): 12 digits, first digit 2-9, Verhoeff check digit."""
    return len(digits) == 12 and digits[0] in "23456789" and verhoeff_valid(digits)


# --------------------------------------------------------------------------- United States

# Numbers the SSA voided after they were printed on sample cards or in advertising.
_SSN_KNOWN_INVALID = frozenset(("078051120", "219099999", "123456789"))
# IRS ITIN middle digits (group): 50-65, 70-88, 90-92, 94-99.
_ITIN_GROUPS = frozenset(
    f"{g:02d}" for g in (*range(50, 66), *range(70, 89), *range(90, 93), *range(94, 100))
)


def us_ssn_valid(digits: str) -> bool:
    """US Social Security Number (SSA randomization rules, 2011).

    Area not 000, 666 or 900-999; group not 00; serial not 0000; not a published sample number.
    """
    return (
        len(digits) == 9
        and _is_digits(digits)
        and digits[0] != "9"
        and digits[:3] not in {"000", "666"}
        and digits[3:5] != "00"
        and digits[5:] != "0000"
        and digits not in _SSN_KNOWN_INVALID
    )


def us_itin_valid(digits: str) -> bool:
    """US Individual Taxpayer Identification Number (IRS): 9XX-GG-XXXX, G in the ITIN ranges."""
    return (
        len(digits) == 9 and _is_digits(digits) and digits[0] == "9" and digits[3:5] in _ITIN_GROUPS
    )


_NANP_AREA_MIDDLE = "012345678"
_NANP_LEADING = "23456789"


def nanp_valid(digits10: str) -> bool:
    """North American Numbering Plan number (NANPA): 10 digits, area code (NPA) then exchange (NXX).

    Area code [2-9][0-8][0-9] and exchange [2-9][0-9][0-9]; neither may be an N11 service code.
    """
    return (
        len(digits10) == 10
        and _is_digits(digits10)
        and digits10[0] in _NANP_LEADING
        and digits10[1] in _NANP_AREA_MIDDLE
        and digits10[1:3] != "11"
        and digits10[3] in _NANP_LEADING
        and digits10[4:6] != "11"
    )


# --------------------------------------------------------------------------- Europe

_NINO_BAD_FIRST = frozenset("DFIQUV")
_NINO_BAD_SECOND = frozenset("DFIOQUV")
_NINO_BAD_PREFIX = frozenset(("BG", "GB", "KN", "NK", "NT", "TN", "ZZ"))


def uk_nino_valid(compact: str) -> bool:
    """UK National Insurance number (HMRC National Insurance Manual NIM39110).

    Two prefix letters, 6 digits and a suffix A-D; lower case is accepted.
    """
    if len(compact) != 9 or not compact.isascii():
        return False
    nino = compact.upper()
    first, second, suffix = nino[0], nino[1], nino[8]
    return (
        first in _UPPER
        and second in _UPPER
        and first not in _NINO_BAD_FIRST
        and second not in _NINO_BAD_SECOND
        and nino[:2] not in _NINO_BAD_PREFIX
        and nino[2:8].isdigit()
        and suffix in "ABCD"
    )


def _mod_11_10_check_digit(digits: str) -> int:
    """ISO 7064 MOD 11,10 (hybrid system) check digit for an ASCII digit string."""
    product = 10
    for char in digits:
        total = (_DIGIT_VALUE[char] + product) % 10 or 10
        product = (2 * total) % 11
    return (11 - product) % 10


def de_tax_id_valid(digits: str) -> bool:
    """German Steuerliche Identifikationsnummer (BZSt, rules in force since 2016).

    11 digits, first digit not 0, last digit an ISO 7064 MOD 11,10 check digit.  Within the first
    ten digits exactly one digit occurs twice or three times (a triple must not be three in a
    row) and every other digit at most once.
    """
    if len(digits) != 11 or not _is_digits(digits) or digits[0] == "0":
        return False
    body = digits[:10]
    counts = sorted(Counter(body).values(), reverse=True)
    if counts[0] == 3:
        repeated = next(d for d in body if body.count(d) == 3)
        if repeated * 3 in body:
            return False
    elif counts[0] != 2:
        return False
    if counts[1] != 1:
        return False
    return _mod_11_10_check_digit(body) == _DIGIT_VALUE[digits[10]]


def fr_nir_valid(compact: str) -> bool:
    """French social security number NIR (INSEE): 13 characters plus a 2-digit control key.

    Sex digit 1, 2, 3, 4, 7 or 8; Corsican departments 2A/2B count as 19/18; the key equals
    97 - (number mod 97).
    """
    if len(compact) != 15 or not compact.isascii() or compact[0] not in "123478":
        return False
    nir = compact.upper()
    department = nir[5:7]
    if department == "2A":
        department = "19"
    elif department == "2B":
        department = "18"
    number = nir[:5] + department + nir[7:13]
    key = nir[13:]
    if not number.isdigit() or not key.isdigit():
        return False
    return 97 - int(number) % 97 == int(key)


_ES_CONTROL_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"
_NIE_PREFIX = {"X": "0", "Y": "1", "Z": "2"}


def es_dni_valid(compact: str) -> bool:
    """Spanish DNI (8 digits + letter) or NIE (X/Y/Z + 7 digits + letter), mod-23 control letter.

    Ministerio del Interior letter table; NIE prefixes X, Y, Z stand for 0, 1, 2.  Lower case is
    accepted.
    """
    if len(compact) != 9 or not compact.isascii():
        return False
    code = compact.upper()
    number = _NIE_PREFIX.get(code[0], code[0]) + code[1:8]
    if not number.isdigit():
        return False
    return _ES_CONTROL_LETTERS[int(number) % 23] == code[8]


# Codice fiscale (DM 23/12/1976): omocodia replaces digits by these letters, in this order.
_IT_OMOCODIA = "LMNPQRSTUV"
_IT_DIGITISH = frozenset("0123456789" + _IT_OMOCODIA)
_IT_MONTHS = frozenset("ABCDEHLMPRST")
_IT_DIGIT_POSITIONS = (6, 7, 9, 10, 12, 13, 14)
_IT_LETTER_POSITIONS = (0, 1, 2, 3, 4, 5, 11)
# Values of A-Z in odd positions (1st, 3rd, ...); in even positions A-Z count 0-25.  The digits
# 0-9 take the values of A-J in both tables.
_IT_ODD_LETTER_VALUES = (
    1,
    0,
    5,
    7,
    9,
    13,
    15,
    17,
    19,
    21,
    2,
    4,
    18,
    20,
    11,
    3,
    6,
    8,
    12,
    14,
    16,
    10,
    22,
    25,
    24,
    23,
)
_IT_ODD: dict[str, int] = dict(zip(_UPPER, _IT_ODD_LETTER_VALUES, strict=True))
_IT_ODD.update({str(d): _IT_ODD_LETTER_VALUES[d] for d in range(10)})
_IT_EVEN: dict[str, int] = {c: i for i, c in enumerate(_UPPER)}
_IT_EVEN.update(_DIGIT_VALUE)


def it_fiscal_code_valid(code: str) -> bool:
    """Italian codice fiscale (DM 23/12/1976), including omocodia variants.

    Layout: 6 letters, 2 digits, month letter, 2 digits, letter + 3 digits, check letter; the
    digit positions may hold the omocodia letters L-V.  The check letter is the sum of the
    odd/even position values mod 26.
    """
    if len(code) != 16 or not code.isascii() or not code.isalnum():
        return False
    cf = code.upper()
    if cf[8] not in _IT_MONTHS:
        return False
    if any(not cf[i].isalpha() for i in _IT_LETTER_POSITIONS):
        return False
    if any(cf[i] not in _IT_DIGITISH for i in _IT_DIGIT_POSITIONS):
        return False
    total = sum(map(_IT_ODD.__getitem__, cf[0:15:2])) + sum(map(_IT_EVEN.__getitem__, cf[1:15:2]))
    return _UPPER[total % 26] == cf[15]


# --------------------------------------------------------------------------- Other countries

_CPF_WEIGHTS_1 = (10, 9, 8, 7, 6, 5, 4, 3, 2)
_CPF_WEIGHTS_2 = (11, 10, 9, 8, 7, 6, 5, 4, 3, 2)


def _cpf_check_digit(digits: str, weights: tuple[int, ...]) -> str:
    total = sum(w * _DIGIT_VALUE[c] for w, c in zip(weights, digits, strict=False))
    return str(total * 10 % 11 % 10)


def br_cpf_valid(digits: str) -> bool:
    """Brazilian CPF (Receita Federal): 11 digits with two mod-11 check digits.

    Numbers made of one repeated digit pass the arithmetic but are never issued.
    """
    return (
        len(digits) == 11
        and _is_digits(digits)
        and not _all_same(digits)
        and _cpf_check_digit(digits, _CPF_WEIGHTS_1) == digits[9]
        and _cpf_check_digit(digits, _CPF_WEIGHTS_2) == digits[10]
    )


_TFN_WEIGHTS: dict[int, tuple[int, ...]] = {
    9: (1, 4, 3, 7, 5, 8, 6, 9, 10),
    8: (10, 7, 8, 4, 6, 3, 5, 1),
}


def au_tfn_valid(digits: str) -> bool:
    """Australian Tax File Number (ATO): weighted digit sum divisible by 11.

    9-digit weights 1,4,3,7,5,8,6,9,10; legacy 8-digit weights 10,7,8,4,6,3,5,1.
    """
    weights = _TFN_WEIGHTS.get(len(digits))
    if weights is None or not _is_digits(digits):
        return False
    return sum(w * _DIGIT_VALUE[c] for w, c in zip(weights, digits, strict=True)) % 11 == 0


# --------------------------------------------------------------------------- ICAO 9303

_ICAO_VALUES: dict[str, int] = {"<": 0, **_DIGIT_VALUE}
_ICAO_VALUES.update({c: i for i, c in enumerate(_UPPER, start=10)})
_ICAO_WEIGHTS = (7, 3, 1)


def icao_check_digit(field: str) -> int:
    """ICAO Doc 9303 part 3 §4.9 check digit: weights 7-3-1, A-Z = 10-35, '<' = 0.

    Returns -1 when the field holds any other character.
    """
    total = 0
    for position, char in enumerate(field):
        value = _ICAO_VALUES.get(char)
        if value is None:
            return -1
        total += value * _ICAO_WEIGHTS[position % 3]
    return total % 10


def _check_digit_matches(field: str, check: str) -> bool:
    expected = _DIGIT_VALUE.get(check)
    return expected is not None and icao_check_digit(field) == expected


def passport_number_valid(text: str) -> bool:
    """Document number (6-9 upper-case alphanumerics, at least one digit) + ICAO check digit."""
    if not 7 <= len(text) <= 10 or not text.isascii() or not text.isalnum():
        return False
    number = text[:-1]
    if not number.isupper() and not number.isdigit():  # a lower-case letter is present
        return False
    if not any(c in _DIGIT_VALUE for c in number):
        return False
    return _check_digit_matches(number, text[-1])


_MRZ_CHARS = frozenset("<0123456789" + _UPPER)


def mrz_line_valid(line: str) -> bool:
    """Second line of a TD3 (passport-size) MRZ, ICAO Doc 9303 part 4.

    44 characters of A-Z, 0-9 and '<'; checks the document number (0-8, digit at 9), date of
    birth (13-18, digit at 19) and date of expiry (21-26, digit at 27) check digits.
    """
    if len(line) != 44 or not _MRZ_CHARS.issuperset(line):
        return False
    return (
        _check_digit_matches(line[0:9], line[9])
        and _check_digit_matches(line[13:19], line[19])
        and _check_digit_matches(line[21:27], line[27])
    )


# --------------------------------------------------------------------------- Generic


def ipv4_octets_valid(text: str) -> bool:
    """Dotted-decimal IPv4 address: four decimal octets 0-255, no leading zeros."""
    if not 7 <= len(text) <= 15:
        return False
    parts = text.split(".")
    if len(parts) != 4:
        return False
    for part in parts:
        if not 1 <= len(part) <= 3 or not _is_digits(part):
            return False
        if part[0] == "0" and len(part) > 1:
            return False
        if int(part) > 255:
            return False
    return True


def looks_random(digits: str) -> bool:
    """Return True unless ``digits`` is a dummy value.

    Dummies are a single repeated digit or a run stepping by +1 or -1 (wrapping 9-0), such as
    ``123456789``, ``1234567890`` or ``987654321``.  Non-digit or empty input yields False.
    """
    if not _is_digits(digits) or _all_same(digits):
        return False
    step = (ord(digits[1]) - ord(digits[0])) % 10
    if step not in {1, 9}:
        return True
    return any((ord(b) - ord(a)) % 10 != step for a, b in pairwise(digits))


def shannon_entropy(text: str) -> float:
    """Shannon entropy of the character distribution of ``text``, in bits per character."""
    length = len(text)
    if length == 0:
        return 0.0
    return sum(count * math.log2(length / count) for count in Counter(text).values()) / length


# --------------------------------------------------------------------------- dates

_DATE_FORMS = re.compile(
    r"(?P<y1>\d{4})[-/.](?P<m1>\d{1,2})[-/.](?P<d1>\d{1,2})"
    r"|(?P<a>\d{1,2})(?P<sep>[-/.])(?P<b>\d{1,2})(?P=sep)(?P<y2>\d{4})"
    r"|(?P<y3>\d{4})(?P<m3>\d{2})(?P<d3>\d{2})"
)


def _date(year: int, month: int, day: int) -> datetime.date | None:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def parse_date(text: str) -> datetime.date | None:
    """Parse a calendar date written as ISO 8601, ``YYYYMMDD``, or day/month/year in either order.

    ``DD.MM.YYYY`` is read day first; ``NN/NN/YYYY`` and ``NN-NN-YYYY`` are read month first (US)
    unless that is impossible. Returns None for anything else, including impossible dates.
    """
    match = _DATE_FORMS.fullmatch(text.replace("%2F", "/").replace("%2f", "/"))
    if match is None:
        return None
    if match["y1"]:
        return _date(int(match["y1"]), int(match["m1"]), int(match["d1"]))
    if match["y3"]:
        return _date(int(match["y3"]), int(match["m3"]), int(match["d3"]))
    first, second, year = int(match["a"]), int(match["b"]), int(match["y2"])
    if match["sep"] == ".":
        return _date(year, second, first)
    return _date(year, first, second) or _date(year, second, first)


_DATE_LIKE = re.compile(
    r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}|\d{1,2}:\d{2}(?::\d{2})?"
)


def looks_like_date(text: str) -> bool:
    """True for text shaped like a date or a time (``2024-07-30``, ``30.07.24``, ``22:04``)."""
    return _DATE_LIKE.fullmatch(text) is not None
