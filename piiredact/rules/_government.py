"""National identification numbers, tax ids and travel documents."""

from __future__ import annotations

import string
from collections.abc import Callable

import regex

from piiredact import _validators as v
from piiredact.rules import Rule
from piiredact.rules._shape import digit_groups, digit_run


def _on_digits(check: Callable[[str], bool]) -> Callable[[str], bool]:
    def validator(value: str) -> bool:
        return check(v.digits_only(value.replace("%20", "")))

    validator.__name__ = check.__name__
    return validator


def _on_compact(check: Callable[[str], bool]) -> Callable[[str], bool]:
    def validator(value: str) -> bool:
        return check(value.replace("%20", "").replace(" ", "").replace("-", "").upper())

    validator.__name__ = check.__name__
    return validator


_SEP = r"(?:[ -]|%20)"  # the separators people and URL encoders put between digit groups
# An id stands alone: not glued to a word, a number or a path, and not one group in a longer run
# of spaced numbers of 3+ digits ("Fan speeds ( 3552 3534 3375 4530 3515 3479 )" is no Aadhaar).
# A neighbour counts as a group only if it is a whole number: the last octet of an IP address
# before an id, or the first after it, is none (and once the address is masked, the id would
# stand alone: a second pass would find it).
_START = r"(?<![\w.,+%-])(?!(?<=(?<![\w.,:/-])\d{3,}[ ])\d{1,8}[ ]\d)"
_END = r"(?![\w]|[.,-]\w)(?!(?<=[ ]\d{1,8})[ ]\d{3,}+(?![.,:/-]?\w))"
_ID_CHARACTERS = string.digits + string.ascii_letters + "<"


def _first_characters(body: str) -> str:
    """A character class of every character a match of *body* may start with: a cheap first
    test at every position, which lets the regex module skip ahead (a context rule searches
    7 µs a window with ``[0-9A-Za-z]``, under 1 µs with ``[2-9]``)."""
    pattern = regex.compile(body)
    starts = [char for char in _ID_CHARACTERS if pattern.match(char, partial=True)]
    return f"[{regex.escape(''.join(starts))}]"


def _id(
    name: str, body: str, check: Callable[[str], bool], description: str, **extra: object
) -> Rule:
    return Rule(
        name=name,
        category="government_id",
        pattern=f"(?={_first_characters(body)}){_START}(?:{body}){_END}",
        word_bounded=True,  # _START: no word character before a match
        validator=check,
        priority=7,
        description=description,
        **extra,  # type: ignore[arg-type]
    )


RULES = (
    # IRS Individual Taxpayer Identification Number: 9XX-[5-9]X-XXXX.
    _id(
        "US_ITIN",
        r"9\d{2}(?P<sep>-|[ ])\d{2}(?P=sep)\d{4}",
        _on_digits(v.us_itin_valid),
        "US individual taxpayer identification number in grouped form",
        keys=("itin", "tax_id", "taxpayer_id", "tin"),
        shapes=digit_groups(3, 2, 4),
        anchored=True,
    ),
    _id(
        "US_ITIN_COMPACT",
        r"9\d{8}",
        _on_digits(v.us_itin_valid),
        "US ITIN without separators, next to an ITIN or tax-id cue",
        kind="US_ITIN",
        context=("itin", "tax id", "tax_id", "taxpayer"),
        keys=("itin", "tax_id", "taxpayer_id", "tin"),
    ),
    # US Social Security Number (SSA): area-group-serial with the SSA's never-issued ranges excluded.
    _id(
        "US_SSN",
        r"\d{3}(?P<sep>-|[ ]|%20)\d{2}(?P=sep)\d{4}",
        _on_digits(v.us_ssn_valid),
        "US Social Security number in grouped form",
        keys=("ssn", "social_security"),
        shapes=digit_groups(3, 2, 4),
        anchored=True,
    ),
    _id(
        "US_SSN_COMPACT",
        r"\d{9}",
        _on_digits(v.us_ssn_valid),
        "US Social Security number without separators, next to an SSN cue",
        kind="US_SSN",
        context=("ssn", "social security", "social_security"),
        keys=("ssn", "social_security"),
    ),
    # HMRC National Insurance number (NIM39110): prefix rules and suffix A-D.
    _id(
        "UK_NINO",
        r"[A-Za-z]{2}[ ]?\d{2}[ ]?\d{2}[ ]?\d{2}[ ]?[A-Da-d]",
        _on_compact(v.uk_nino_valid),
        "UK National Insurance number",
        keys=("nino", "ni_number", "national_insurance", "nin"),
        shapes=(*(f"000000{s}" for s in "abcd"), *(f"00 00 00 {s}" for s in "abcd")),
        window=(4, 14),
    ),
    # Canadian Social Insurance Number: Luhn, first digit not 0 or 8.
    _id(
        "CA_SIN",
        r"\d{3}(?P<sep>-|[ ]|%20|)\d{3}(?P=sep)\d{3}",
        _on_digits(v.ca_sin_valid),
        "Canadian social insurance number, next to a SIN cue",
        context=("sin", "social insurance", "^nas", "assurance sociale"),
        keys=("sin", "social_insurance", "nas"),
    ),
    # German Steuerliche Identifikationsnummer (BZSt): ISO 7064 MOD 11,10 and digit-frequency rule.
    _id(
        "DE_TAX_ID",
        r"\d{2}(?:[ ]?\d{3}){3}",
        _on_digits(v.de_tax_id_valid),
        "German tax identification number (Steuer-ID), next to a tax cue",
        context=("steuer", "tax", "idnr", "^tin", "elster", "identifikationsnummer"),
        keys=("steuer_id", "steuerid", "idnr", "steuer", "tax_id", "tin", "identifikationsnummer"),
    ),
    # French NIR (INSEE): sex, year, month, department, commune, order and the 97-complement key.
    _id(
        "FR_NIR",
        r"[1-478][ ]?\d{2}[ ]?(?:0[1-9]|1[0-2]|[2-9]\d)[ ]?(?:\d{2}|2[ABab])[ ]?\d{3}[ ]?\d{3}[ ]?\d{2}",
        _on_compact(v.fr_nir_valid),
        "French social security number (NIR) with its control key",
        keys=("nir", "insee", "securite_sociale", "secu"),
        shapes=(
            *digit_run(15),
            "0 00 00 00 000 000 00",
            "0 00 00 0a 000 000 00",
            "0 00 00 0b 000 000 00",
        ),
        anchored=True,
    ),
    # Indian Aadhaar (UIDAI): 12 digits, first 2-9, Verhoeff check digit.
    _id(
        "IN_AADHAAR",
        rf"[2-9]\d{{3}}(?P<sep>{_SEP})\d{{4}}(?P=sep)\d{{4}}",
        _on_digits(v.aadhaar_valid),
        "Indian Aadhaar number in grouped form (Verhoeff checked)",
        keys=("aadhaar", "aadhar", "uidai"),
        shapes=digit_groups(4, 4, 4),
        anchored=True,
    ),
    _id(
        "IN_AADHAAR_COMPACT",
        r"[2-9]\d{11}",
        _on_digits(v.aadhaar_valid),
        "Indian Aadhaar number without separators, next to an Aadhaar cue",
        kind="IN_AADHAAR",
        context=("aadhaar", "aadhar", "uidai", "^uid"),
        keys=("aadhaar", "aadhar", "uidai"),
    ),
    # Indian Permanent Account Number: AAAPL1234C, fourth letter the holder type.
    _id(
        "IN_PAN",
        r"[A-Z]{3}[ABCFGHJLPT][A-Z]\d{4}[A-Z]",
        lambda value: True,
        "Indian permanent account number (PAN)",
        keys=("pan",),
        shapes=tuple(f"{t}{x}0000" for t in "abcfghjlpt" for x in string.ascii_lowercase),
        window=(3, 10),
    ),
    # Brazilian CPF (Receita Federal): two mod-11 check digits.
    _id(
        "BR_CPF",
        r"\d{3}\.\d{3}\.\d{3}-\d{2}",
        _on_digits(v.br_cpf_valid),
        "Brazilian individual taxpayer number (CPF), formatted",
        keys=("cpf", "documento", "cadastro"),
        shapes=("000.000.000-00",),
        anchored=True,
    ),
    _id(
        "BR_CPF_COMPACT",
        r"\d{11}",
        _on_digits(v.br_cpf_valid),
        "Brazilian CPF without separators, next to a CPF cue",
        kind="BR_CPF",
        context=("cpf", "documento", "cadastro"),
        keys=("cpf", "documento", "cadastro"),
    ),
    # Spanish DNI/NIF and NIE (Ministerio del Interior): check letter mod 23.
    _id(
        "ES_DNI",
        r"(?:\d{8}|[XYZxyz]-?\d{7})-?[A-Za-z]",
        _on_compact(v.es_dni_valid),
        "Spanish national identity (DNI/NIF) or foreigner (NIE) number",
        keys=("dni", "nie", "nif", "documento"),
        shapes=(
            *(f"00000000{x}" for x in string.ascii_lowercase),
            *(f"00000000-{x}" for x in string.ascii_lowercase),
            "x0000000",
            "y0000000",
            "z0000000",
            "x-0000000",
            "y-0000000",
            "z-0000000",
        ),
        anchored=True,
    ),
    # Italian codice fiscale (DM 23/12/1976), omocodia letters included; check character.
    _id(
        "IT_FISCAL_CODE",
        r"[A-Za-z]{6}[0-9LMNPQRSTUVlmnpqrstuv]{2}[A-Za-z][0-9LMNPQRSTUVlmnpqrstuv]{2}"
        r"[A-Za-z][0-9LMNPQRSTUVlmnpqrstuv]{3}[A-Za-z]",
        _on_compact(v.it_fiscal_code_valid),
        "Italian fiscal code (codice fiscale)",
        keys=("codice_fiscale", "codicefiscale", "cf", "tax_code", "fiscal_code"),
        shapes=tuple(f"00{m}00{x}000" for m in "abcdehlmprst" for x in string.ascii_lowercase),
        window=(6, 16),
    ),
    # Australian Tax File Number (ATO): weighted mod-11.
    _id(
        "AU_TFN",
        r"\d{3}[ ]?\d{3}[ ]?\d{2,3}",
        _on_digits(v.au_tfn_valid),
        "Australian tax file number, next to a TFN cue",
        context=("tfn", "tax file", "tax_file"),
        keys=("tfn", "tax_file"),
    ),
    # ICAO Doc 9303 document number with its check digit, next to a passport cue.
    _id(
        "PASSPORT",
        r"[A-Za-z0-9]{6,9}\d",
        lambda value: v.passport_number_valid(value.upper()),
        "Passport number (ICAO 9303 check digit), next to a passport cue",
        context=("passport", "mrz", "travel document", "reisepass", "passeport", "pasaporte"),
        keys=("passport", "mrz", "travel_document", "doc_number", "document_number", "document_no"),
    ),
    # ICAO Doc 9303 TD3 machine-readable zone, line 2: number, birth date and expiry all checked.
    Rule(
        name="PASSPORT_MRZ",
        kind="PASSPORT",
        category="government_id",
        # Searched from its birth date (seven digits, a sex, seven digits), the part a flood of
        # "<" or letters cannot hold, with the document number and nationality behind it: a
        # search that tried the whole line at every "<" would cost 100 ns a character.
        pattern=r"""
            (?=\d{7}[MFX<]\d{7})
            (?<=(?<![\w.,/+%-])(?P<value>[A-Z0-9<]{9}\d[A-Z<]{3}))
            (?P<value2>\d{7}[MFX<]\d{7}[A-Z0-9<]{14}[0-9<]\d)
            (?![\w]|[.,/-]\w)
        """,
        validator=v.mrz_line_valid,
        priority=7,
        description="Passport machine-readable zone, second line",
        keys=("passport", "mrz"),
        triggers=("<<",),
        window=(44, 46),
    ),
    # GSMA IMEI: TAC, serial and Luhn check digit.
    _id(
        "IMEI",
        r"\d{2}-\d{6}-\d{6}-\d",
        _on_digits(v.imei_valid),
        "IMEI device identifier in the dashed form",
        keys=("imei",),
        shapes=("00-000000-000000-0",),
        anchored=True,
    ),
    _id(
        "IMEI_COMPACT",
        r"\d{2}[ ]?\d{6}[ ]?\d{6}[ ]?\d",
        _on_digits(v.imei_valid),
        "IMEI device identifier, next to an IMEI cue",
        kind="IMEI",
        context=("imei", "device"),
        keys=("imei",),
    ),
)
