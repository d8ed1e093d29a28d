"""Tests for piiredact._validators.

Every positive example is either a published test value or built here with an independent
reference implementation (textbook formulations and published tables, written separately from
the module), and the reference is asserted on the published values too.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st
from reference import verhoeff_check_digit

from piiredact._validators import (
    IBAN_LENGTHS,
    aadhaar_valid,
    au_tfn_valid,
    br_cpf_valid,
    ca_sin_valid,
    card_valid,
    de_tax_id_valid,
    digits_only,
    es_dni_valid,
    fr_nir_valid,
    iban_valid,
    icao_check_digit,
    imei_valid,
    ipv4_octets_valid,
    it_fiscal_code_valid,
    looks_random,
    luhn_valid,
    mrz_line_valid,
    nanp_valid,
    passport_number_valid,
    shannon_entropy,
    uk_nino_valid,
    us_itin_valid,
    us_ssn_valid,
    verhoeff_valid,
)


DIGITS = "0123456789"
digit_strings = st.text(alphabet=DIGITS, min_size=1, max_size=30)


# --------------------------------------------------------------------------- references


def ref_luhn_check_digit(payload: str) -> str:
    """Textbook Luhn: double every second digit starting with the payload's last one."""
    total = 0
    for index, char in enumerate(reversed(payload)):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += sum(divmod(value, 10))
    return str((10 - total % 10) % 10)


def ref_luhn_valid(number: str) -> bool:
    return ref_luhn_check_digit(number[:-1]) == number[-1]


def ref_mod97(text: str) -> int:
    """ISO 7064 MOD 97-10 remainder, letters expanded with base-36 digit values."""
    return int("".join(str(int(char, 36)) for char in text)) % 97


def ref_iban(country: str, bban: str) -> str:
    check = 98 - ref_mod97(bban + country + "00")
    return f"{country}{check:02d}{bban}"


def ref_iban_valid(iban: str) -> bool:
    return ref_mod97(iban[4:] + iban[:4]) == 1


def ref_mod_11_10_valid(number: str) -> bool:
    """ISO 7064 MOD 11,10 verification form: run every digit, the last sum must be 1."""
    product = 10
    remainder = 0
    for char in number:
        remainder = (product + int(char)) % 10
        product = (2 * (remainder or 10)) % 11
    return remainder == 1


def ref_mod_11_10_check_digit(body: str) -> str:
    (digit,) = [d for d in DIGITS if ref_mod_11_10_valid(body + d)]
    return digit


def ref_cpf_check_digits(body: str) -> str:
    """CPF digits as the Receita Federal describes them: remainder < 2 gives 0, else 11 - r."""
    for weight_start in (10, 11):
        total = sum(int(d) * w for d, w in zip(body, range(weight_start, 1, -1), strict=True))
        remainder = total % 11
        body += "0" if remainder < 2 else str(11 - remainder)
    return body[-2:]


IT_ODD = {
    "0": 1, "1": 0, "2": 5, "3": 7, "4": 9, "5": 13, "6": 15, "7": 17, "8": 19, "9": 21,
    "A": 1, "B": 0, "C": 5, "D": 7, "E": 9, "F": 13, "G": 15, "H": 17, "I": 19, "J": 21,
    "K": 2, "L": 4, "M": 18, "N": 20, "O": 11, "P": 3, "Q": 6, "R": 8, "S": 12, "T": 14,
    "U": 16, "V": 10, "W": 22, "X": 25, "Y": 24, "Z": 23,
}  # fmt: skip


def ref_it_check_char(first15: str) -> str:
    total = 0
    for position, char in enumerate(first15, start=1):
        if position % 2:
            total += IT_ODD[char]
        else:
            total += int(char) if char.isdigit() else ord(char) - ord("A")
    return chr(ord("A") + total % 26)


def ref_icao(field: str) -> int:
    values = [0 if char == "<" else int(char, 36) for char in field]
    return sum(v * (7, 3, 1)[i % 3] for i, v in enumerate(values)) % 10


def ref_tfn_sum(digits: str) -> int:
    weights = (1, 4, 3, 7, 5, 8, 6, 9, 10) if len(digits) == 9 else (10, 7, 8, 4, 6, 3, 5, 1)
    return sum(int(d) * w for d, w in zip(digits, weights, strict=True))


def with_luhn(payload: str) -> str:
    return payload + ref_luhn_check_digit(payload)


def with_verhoeff(payload: str) -> str:
    return payload + verhoeff_check_digit(payload)


# --------------------------------------------------------------------------- digits_only


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("+1 (212) 555-0123", "12125550123", id="phone"),
        pytest.param("4111 1111-1111.1111", "4111111111111111", id="card-separators"),
        pytest.param("123", "123", id="already-digits"),
        pytest.param("", "", id="empty"),
        pytest.param("abc", "", id="no-digits"),
        pytest.param("١٢٣4", "4", id="non-ascii-digits-dropped"),
        pytest.param("²3", "3", id="superscript-dropped"),
    ],
)
def test_digits_only(text: str, expected: str) -> None:
    assert digits_only(text) == expected


# --------------------------------------------------------------------------- Luhn


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        pytest.param("79927398713", True, id="wikipedia-example"),
        pytest.param("4111111111111111", True, id="visa-test"),
        pytest.param("79927398710", False, id="wrong-check"),
        pytest.param("", False, id="empty"),
        pytest.param("7992 7398 713", False, id="spaces"),
        pytest.param("７９９２７３９８７１３", False, id="fullwidth-digits"),
        pytest.param("abc", False, id="letters"),
    ],
)
def test_luhn_valid(number: str, expected: bool) -> None:
    assert luhn_valid(number) is expected
    if expected:
        assert ref_luhn_valid(number)


@given(payload=digit_strings)
def test_luhn_correct_check_digit_validates(payload: str) -> None:
    assert luhn_valid(with_luhn(payload))


@given(payload=digit_strings, data=st.data())
def test_luhn_detects_any_single_digit_change(payload: str, data: st.DataObject) -> None:
    number = with_luhn(payload)
    index = data.draw(st.integers(0, len(number) - 1))
    replacement = data.draw(st.sampled_from(DIGITS.replace(number[index], "")))
    assert not luhn_valid(number[:index] + replacement + number[index + 1 :])


# --------------------------------------------------------------------------- cards


@pytest.mark.parametrize(
    "number",
    [
        pytest.param("4111111111111111", id="visa-16"),
        pytest.param("4222222222222", id="visa-13"),
        pytest.param(with_luhn("411111111111111111"), id="visa-19"),
        pytest.param("5555555555554444", id="mastercard"),
        pytest.param("5105105105105100", id="mastercard-51"),
        pytest.param("2223003122003222", id="mastercard-2-series"),
        pytest.param("378282246310005", id="amex-37"),
        pytest.param("371449635398431", id="amex-37b"),
        pytest.param(with_luhn("34000000000000"), id="amex-34"),
        pytest.param("6011111111111117", id="discover-6011"),
        pytest.param("6011000990139424", id="discover-6011b"),
        pytest.param("6445644564456445", id="discover-644"),
        pytest.param(with_luhn("650000000000000"), id="discover-65"),
        pytest.param(with_luhn("622126000000000"), id="discover-622126"),
        pytest.param("3530111333300000", id="jcb"),
        pytest.param("3566002020360505", id="jcb-b"),
        pytest.param("30569309025904", id="diners-305"),
        pytest.param("38520000023237", id="diners-38"),
        pytest.param(with_luhn("3600000000000"), id="diners-36"),
        pytest.param("6200000000000005", id="unionpay"),
        pytest.param("6759649826438453", id="maestro-6759"),
        pytest.param(with_luhn("50000000000"), id="maestro-50-12-digits"),
        pytest.param(with_luhn("220000000000000"), id="mir"),
    ],
)
def test_card_valid_accepts(number: str) -> None:
    assert ref_luhn_valid(number)
    assert card_valid(number)


@pytest.mark.parametrize(
    "number",
    [
        pytest.param("4111111111111112", id="luhn-failure"),
        pytest.param(with_luhn("41111111111111"), id="visa-15-digits"),
        pytest.param(with_luhn("3782822463100051"), id="amex-16-digits"),
        pytest.param(with_luhn("2223003122003222"), id="mastercard-2-series-16-only"),
        pytest.param(with_luhn("55555555555544"), id="mastercard-15-digits"),
        pytest.param(with_luhn("60111111111111"), id="discover-15-digits"),
        pytest.param(with_luhn("60111111111"), id="discover-prefix-not-maestro"),
        pytest.param(with_luhn("352011111111111"), id="35-outside-jcb"),
        pytest.param(with_luhn("306000000000000"), id="306-unassigned"),
        pytest.param(with_luhn("111111111111111"), id="prefix-1"),
        pytest.param(with_luhn("900000000000000"), id="prefix-9"),
        pytest.param("6666666666666", id="all-same-digit"),
        pytest.param("41111111111", id="too-short"),
        pytest.param(with_luhn("4" * 19), id="too-long"),
        pytest.param("4111 1111 1111 1111", id="spaces"),
        pytest.param("", id="empty"),
    ],
)
def test_card_valid_rejects(number: str) -> None:
    assert not card_valid(number)


def test_card_all_same_digit_example_passes_luhn() -> None:
    # the all-same rejection is what rejects it, not the checksum
    assert luhn_valid("6666666666666")


# --------------------------------------------------------------------------- IBAN


def test_iban_registry_table() -> None:
    assert len(IBAN_LENGTHS) >= 80
    published = {"NO": 15, "BE": 16, "DE": 22, "GB": 22, "FR": 27, "MT": 31, "LC": 32, "RU": 33}
    for country, length in published.items():
        assert IBAN_LENGTHS[country] == length


@pytest.mark.parametrize(
    "iban",
    [
        pytest.param("GB82WEST12345698765432", id="gb"),
        pytest.param("DE89370400440532013000", id="de"),
        pytest.param("gb82west12345698765432", id="lower-case"),
        pytest.param("NL91ABNA0417164300", id="nl"),
        pytest.param("NO9386011117947", id="no-shortest"),
        pytest.param("BE68539007547034", id="be"),
        pytest.param("FR1420041010050500013M02606", id="fr"),
        pytest.param("MT84MALT011000012345MTLCAST001S", id="mt"),
        pytest.param(ref_iban("LC", "HEMM000100010012001200023015"), id="lc-constructed"),
    ],
)
def test_iban_valid_accepts(iban: str) -> None:
    assert ref_iban_valid(iban.upper())
    assert iban_valid(iban)


@pytest.mark.parametrize(
    "iban",
    [
        pytest.param("GB83WEST12345698765432", id="bad-check-digits"),
        pytest.param("GB82WEST12345698765433", id="bad-body"),
        pytest.param(ref_iban("DE", "3704004405320130001"), id="de-too-long"),
        pytest.param(ref_iban("XX", "370400440532013000"), id="unknown-country"),
        pytest.param(ref_iban("IR", "0170000000100324200001"), id="not-in-registry"),
        pytest.param("GB82 WEST 1234 5698 7654 32", id="spaces"),
        pytest.param("GBXXWEST12345698765432", id="letters-as-check-digits"),
        pytest.param("GB82WEST1234569876543ß", id="non-ascii"),
        pytest.param("GB82WEST12345698765-32", id="punctuation"),
        pytest.param("", id="empty"),
    ],
)
def test_iban_valid_rejects(iban: str) -> None:
    assert not iban_valid(iban)


@st.composite
def ibans(draw: st.DrawFn) -> str:
    country = draw(st.sampled_from(sorted(IBAN_LENGTHS)))
    alphabet = DIGITS + "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    size = IBAN_LENGTHS[country] - 4
    bban = draw(st.text(alphabet=alphabet, min_size=size, max_size=size))
    return ref_iban(country, bban)


@given(iban=ibans())
def test_iban_with_computed_check_digits_validates(iban: str) -> None:
    assert iban_valid(iban)


@given(iban=ibans(), data=st.data())
def test_iban_detects_any_single_digit_change(iban: str, data: st.DataObject) -> None:
    positions = [i for i, char in enumerate(iban) if char.isdigit()]
    index = data.draw(st.sampled_from(positions))
    replacement = data.draw(st.sampled_from(DIGITS.replace(iban[index], "")))
    assert not iban_valid(iban[:index] + replacement + iban[index + 1 :])


# --------------------------------------------------------------------------- Verhoeff / Aadhaar


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        pytest.param("2363", True, id="wikipedia-236"),
        pytest.param("2364", False, id="wikipedia-236-wrong"),
        pytest.param("0", True, id="zero"),
        pytest.param("", False, id="empty"),
        pytest.param("23a3", False, id="letter"),
    ],
)
def test_verhoeff_valid(number: str, expected: bool) -> None:
    assert verhoeff_valid(number) is expected


def test_verhoeff_reference_matches_published_example() -> None:
    assert verhoeff_check_digit("236") == "3"


@given(payload=digit_strings)
def test_verhoeff_correct_check_digit_validates(payload: str) -> None:
    assert verhoeff_valid(with_verhoeff(payload))


@given(payload=digit_strings, data=st.data())
def test_verhoeff_detects_any_single_digit_error(payload: str, data: st.DataObject) -> None:
    number = with_verhoeff(payload)
    index = data.draw(st.integers(0, len(number) - 1))
    replacement = data.draw(st.sampled_from(DIGITS.replace(number[index], "")))
    assert not verhoeff_valid(number[:index] + replacement + number[index + 1 :])


@given(payload=digit_strings, data=st.data())
def test_verhoeff_detects_any_adjacent_transposition(payload: str, data: st.DataObject) -> None:
    number = with_verhoeff(payload)
    swappable = [i for i in range(len(number) - 1) if number[i] != number[i + 1]]
    if not swappable:
        return
    i = data.draw(st.sampled_from(swappable))
    assert not verhoeff_valid(number[:i] + number[i + 1] + number[i] + number[i + 2 :])


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        pytest.param(with_verhoeff("23412341234"), True, id="constructed"),
        pytest.param(with_verhoeff("99999999999"), True, id="constructed-9"),
        pytest.param(with_verhoeff("12341234123"), False, id="first-digit-1"),
        pytest.param(with_verhoeff("02341234123"), False, id="first-digit-0"),
        pytest.param(with_verhoeff("2341234123"), False, id="11-digits"),
        pytest.param(with_verhoeff("234123412341"), False, id="13-digits"),
        pytest.param("", False, id="empty"),
    ],
)
def test_aadhaar_valid(number: str, expected: bool) -> None:
    assert aadhaar_valid(number) is expected


def test_aadhaar_rejects_wrong_check_digit() -> None:
    number = with_verhoeff("23412341234")
    wrong = str((int(number[-1]) + 1) % 10)
    assert not aadhaar_valid(number[:-1] + wrong)


# --------------------------------------------------------------------------- United States


@pytest.mark.parametrize(
    ("ssn", "expected"),
    [
        pytest.param("536904399", True, id="valid"),
        pytest.param("001010001", True, id="lowest-parts"),
        pytest.param("899999999", True, id="area-899"),
        pytest.param("666123456", False, id="area-666"),
        pytest.param("000123456", False, id="area-000"),
        pytest.param("900123456", False, id="area-900"),
        pytest.param("999123456", False, id="area-999"),
        pytest.param("536004399", False, id="group-00"),
        pytest.param("536900000", False, id="serial-0000"),
        pytest.param("078051120", False, id="woolworth-wallet"),
        pytest.param("219099999", False, id="ssa-advertising"),
        pytest.param("123456789", False, id="sequence"),
        pytest.param("53690439", False, id="8-digits"),
        pytest.param("536-90-4399", False, id="dashes"),
        pytest.param("", False, id="empty"),
    ],
)
def test_us_ssn_valid(ssn: str, expected: bool) -> None:
    assert us_ssn_valid(ssn) is expected


@pytest.mark.parametrize(
    ("itin", "expected"),
    [
        pytest.param("912501234", True, id="group-50"),
        pytest.param("912651234", True, id="group-65"),
        pytest.param("912701234", True, id="group-70"),
        pytest.param("912881234", True, id="group-88"),
        pytest.param("912921234", True, id="group-92"),
        pytest.param("912941234", True, id="group-94"),
        pytest.param("999991234", True, id="group-99"),
        pytest.param("912491234", False, id="group-49"),
        pytest.param("912661234", False, id="group-66"),
        pytest.param("912891234", False, id="group-89"),
        pytest.param("912931234", False, id="group-93"),
        pytest.param("812701234", False, id="area-not-9"),
        pytest.param("91270123", False, id="8-digits"),
        pytest.param("", False, id="empty"),
    ],
)
def test_us_itin_valid(itin: str, expected: bool) -> None:
    assert us_itin_valid(itin) is expected


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        pytest.param("2125550123", True, id="nyc"),
        pytest.param("9089876543", True, id="area-908"),
        pytest.param("2122125555", True, id="exchange-212"),
        pytest.param("1125550123", False, id="area-starts-1"),
        pytest.param("0125550123", False, id="area-starts-0"),
        pytest.param("2925550123", False, id="area-middle-9"),
        pytest.param("4115550123", False, id="area-n11"),
        pytest.param("2121115555", False, id="exchange-n11"),
        pytest.param("2120555555", False, id="exchange-starts-0"),
        pytest.param("2121555555", False, id="exchange-starts-1"),
        pytest.param("12125550123", False, id="11-digits"),
        pytest.param("212555012a", False, id="letter"),
        pytest.param("", False, id="empty"),
    ],
)
def test_nanp_valid(number: str, expected: bool) -> None:
    assert nanp_valid(number) is expected


# --------------------------------------------------------------------------- Canada


@pytest.mark.parametrize(
    ("sin", "expected"),
    [
        pytest.param("130692544", True, id="wikipedia-example"),
        pytest.param(with_luhn("93069254"), True, id="temporary-resident-9"),
        pytest.param("046454286", False, id="published-sample-first-digit-0"),
        pytest.param(with_luhn("84645428"), False, id="first-digit-8"),
        pytest.param("130692545", False, id="luhn-failure"),
        pytest.param("13069254", False, id="8-digits"),
        pytest.param("", False, id="empty"),
    ],
)
def test_ca_sin_valid(sin: str, expected: bool) -> None:
    assert ca_sin_valid(sin) is expected


def test_ca_sin_published_sample_is_luhn_valid() -> None:
    # 046 454 286 is the Government of Canada's illustration number; 0 is never issued, so
    # only the first-digit rule rejects it.
    assert ref_luhn_valid("046454286")
    assert ref_luhn_valid("130692544")


# --------------------------------------------------------------------------- United Kingdom


@pytest.mark.parametrize(
    ("nino", "expected"),
    [
        pytest.param("AB123456C", True, id="valid"),
        pytest.param("ab123456c", True, id="lower-case"),
        pytest.param("ZY987654A", True, id="suffix-a"),
        pytest.param("CE000000D", True, id="suffix-d"),
        pytest.param("GB123456A", False, id="prefix-gb"),
        pytest.param("BG123456A", False, id="prefix-bg"),
        pytest.param("NK123456A", False, id="prefix-nk"),
        pytest.param("KN123456A", False, id="prefix-kn"),
        pytest.param("TN123456A", False, id="prefix-tn"),
        pytest.param("NT123456A", False, id="prefix-nt"),
        pytest.param("ZZ123456A", False, id="prefix-zz"),
        pytest.param("DA123456A", False, id="first-d"),
        pytest.param("QA123456A", False, id="first-q"),
        pytest.param("AO123456A", False, id="second-o"),
        pytest.param("AV123456A", False, id="second-v"),
        pytest.param("AB123456E", False, id="suffix-e"),
        pytest.param("AB12345C", False, id="short"),
        pytest.param("AB 12 34 56 C", False, id="spaces"),
        pytest.param("A1123456C", False, id="digit-prefix"),
        pytest.param("AB12345XC", False, id="letter-in-digits"),
        pytest.param("", False, id="empty"),
    ],
)
def test_uk_nino_valid(nino: str, expected: bool) -> None:
    assert uk_nino_valid(nino) is expected


# --------------------------------------------------------------------------- Germany


def test_de_tax_id_reference_on_published_values() -> None:
    assert ref_mod_11_10_valid("86095742719")
    assert ref_mod_11_10_valid("65929970489")
    assert not ref_mod_11_10_valid("86095742718")


@pytest.mark.parametrize(
    ("tax_id", "expected"),
    [
        pytest.param("86095742719", True, id="published-one-pair"),
        pytest.param("65929970489", True, id="published-triple"),
        pytest.param("1121345678", True, id="triple-not-in-a-row"),
        pytest.param("1123456789", True, id="pair-adjacent"),
        pytest.param("1234567891", True, id="pair-apart"),
        pytest.param("1112345678", False, id="triple-in-a-row"),
        pytest.param("1234567890", False, id="no-repeat"),
        pytest.param("1122345678", False, id="two-pairs"),
        pytest.param("1121314567", False, id="quadruple"),
        pytest.param("0123456789", False, id="leading-zero"),
    ],
)
def test_de_tax_id_digit_rules(tax_id: str, expected: bool) -> None:
    if len(tax_id) == 10:
        tax_id += ref_mod_11_10_check_digit(tax_id)
    assert ref_mod_11_10_valid(tax_id)
    assert de_tax_id_valid(tax_id) is expected


@pytest.mark.parametrize(
    "tax_id",
    [
        pytest.param("86095742718", id="wrong-check-digit"),
        pytest.param("8609574271", id="10-digits"),
        pytest.param("860957427190", id="12-digits"),
        pytest.param("8609574271X", id="letter"),
        pytest.param("", id="empty"),
    ],
)
def test_de_tax_id_rejects(tax_id: str) -> None:
    assert not de_tax_id_valid(tax_id)


@given(body=st.permutations("0123456789"), data=st.data())
def test_de_tax_id_check_digit_matches_reference(body: list[str], data: st.DataObject) -> None:
    # make a valid digit pattern: one digit duplicated over another, first digit non-zero
    digits = body.copy()
    source, target = data.draw(st.lists(st.integers(0, 9), min_size=2, max_size=2, unique=True))
    digits[target] = digits[source]
    if digits[0] == "0":
        return
    prefix = "".join(digits)
    for check in DIGITS:
        assert de_tax_id_valid(prefix + check) is ref_mod_11_10_valid(prefix + check)


# --------------------------------------------------------------------------- France


def nir_key(number13: str) -> str:
    department = {"2A": "19", "2B": "18"}.get(number13[5:7].upper(), number13[5:7])
    numeric = int(number13[:5] + department + number13[7:])
    return f"{97 - numeric % 97:02d}"


def test_fr_nir_published_key_by_hand() -> None:
    assert 97 - 2550814168025 % 97 == 38
    assert nir_key("2550814168025") == "38"


@pytest.mark.parametrize(
    ("nir", "expected"),
    [
        pytest.param("255081416802538", True, id="published-key-38"),
        pytest.param("180012A123456" + nir_key("180012A123456"), True, id="corsica-2a"),
        pytest.param("180012B123456" + nir_key("180012B123456"), True, id="corsica-2b"),
        pytest.param("180012a123456" + nir_key("180012a123456"), True, id="corsica-lower-case"),
        pytest.param("7800175123456" + nir_key("7800175123456"), True, id="sex-7-temporary"),
        pytest.param("255081416802539", False, id="wrong-key"),
        pytest.param("180012A123456" + nir_key("1800120123456"), False, id="2a-not-as-20"),
        pytest.param("5550814168025" + nir_key("5550814168025"), False, id="first-digit-5"),
        pytest.param("0550814168025" + nir_key("0550814168025"), False, id="first-digit-0"),
        pytest.param("180012C12345600", False, id="department-2c"),
        pytest.param("25508141680253X", False, id="letter-in-key"),
        pytest.param("2550814168025", False, id="no-key"),
        pytest.param("2 55 08 14 168 025 38", False, id="spaces"),
        pytest.param("", False, id="empty"),
    ],
)
def test_fr_nir_valid(nir: str, expected: bool) -> None:
    assert fr_nir_valid(nir) is expected


# --------------------------------------------------------------------------- Brazil


@pytest.mark.parametrize(
    ("cpf", "expected"),
    [
        pytest.param("52998224725", True, id="published"),
        pytest.param("111444777" + ref_cpf_check_digits("111444777"), True, id="constructed"),
        pytest.param("000000001" + ref_cpf_check_digits("000000001"), True, id="leading-zeros"),
        pytest.param("52998224724", False, id="second-digit-wrong"),
        pytest.param("52998224715", False, id="first-digit-wrong"),
        pytest.param("11111111111", False, id="all-same"),
        pytest.param("529.982.247-25", False, id="punctuation"),
        pytest.param("5299822472", False, id="10-digits"),
        pytest.param("", False, id="empty"),
    ],
)
def test_br_cpf_valid(cpf: str, expected: bool) -> None:
    assert br_cpf_valid(cpf) is expected


def test_br_cpf_reference() -> None:
    assert ref_cpf_check_digits("529982247") == "25"
    assert ref_cpf_check_digits("111111111") == "11"  # all-same passes the arithmetic


# --------------------------------------------------------------------------- Spain


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        pytest.param("12345678Z", True, id="dni"),
        pytest.param("12345678z", True, id="dni-lower-case"),
        pytest.param("00000000T", True, id="dni-zero"),
        pytest.param("X1234567L", True, id="nie-x"),
        pytest.param("x1234567l", True, id="nie-lower-case"),
        pytest.param("Y1234567X", True, id="nie-y"),
        pytest.param("Z1234567R", True, id="nie-z"),
        pytest.param("12345678A", False, id="dni-wrong-letter"),
        pytest.param("X1234567Z", False, id="nie-wrong-letter"),
        pytest.param("W1234567L", False, id="bad-nie-prefix"),
        pytest.param("1234567Z", False, id="short"),
        pytest.param("123456789", False, id="digit-as-letter"),
        pytest.param("12345678-Z", False, id="dash"),
        pytest.param("", False, id="empty"),
    ],
)
def test_es_dni_valid(code: str, expected: bool) -> None:
    assert es_dni_valid(code) is expected


def test_es_reference_letters() -> None:
    table = "TRWAGMYFPDXBNJZSQVHLCKE"
    assert table[12345678 % 23] == "Z"
    assert table[1234567 % 23] == "L"
    assert table[11234567 % 23] == "X"
    assert table[21234567 % 23] == "R"
    assert table[0] == "T"


# --------------------------------------------------------------------------- Italy


def omocodia(code: str, position: int) -> str:
    letter = "LMNPQRSTUV"[int(code[position])]
    first15 = code[:position] + letter + code[position + 1 : 15]
    return first15 + ref_it_check_char(first15)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        pytest.param("RSSMRA85T10A562S", True, id="published"),
        pytest.param("rssmra85t10a562s", True, id="lower-case"),
        pytest.param(omocodia("RSSMRA85T10A562S", 14), True, id="omocodia-last"),
        pytest.param(omocodia(omocodia("RSSMRA85T10A562S", 14), 6), True, id="omocodia-two"),
        pytest.param("RSSMRA85T10A562T", False, id="wrong-check"),
        pytest.param(
            "RSSMRA85F10A562" + ref_it_check_char("RSSMRA85F10A562"), False, id="bad-month-f"
        ),
        pytest.param(
            "RSSMR185T10A562" + ref_it_check_char("RSSMR185T10A562"), False, id="digit-in-name"
        ),
        pytest.param(
            "RSSMRA8AT10A562" + ref_it_check_char("RSSMRA8AT10A562"), False, id="a-in-year"
        ),
        pytest.param("RSSMRA85T10A5625", False, id="digit-as-check"),
        pytest.param("RSSMRA85T10A562", False, id="15-chars"),
        pytest.param("RSSMRA85T10A562S0", False, id="17-chars"),
        pytest.param("", False, id="empty"),
    ],
)
def test_it_fiscal_code_valid(code: str, expected: bool) -> None:
    assert it_fiscal_code_valid(code) is expected


def test_it_reference_on_published_value() -> None:
    assert ref_it_check_char("RSSMRA85T10A562") == "S"


# --------------------------------------------------------------------------- Australia


@pytest.mark.parametrize(
    ("tfn", "expected"),
    [
        pytest.param("123456782", True, id="published-9"),
        pytest.param("12345677", True, id="constructed-8"),
        pytest.param("123456783", False, id="wrong-9"),
        pytest.param("12345678", False, id="wrong-8"),
        pytest.param("1234567", False, id="7-digits"),
        pytest.param("1234567820", False, id="10-digits"),
        pytest.param("12345678a", False, id="letter"),
        pytest.param("", False, id="empty"),
    ],
)
def test_au_tfn_valid(tfn: str, expected: bool) -> None:
    if tfn.isdigit() and len(tfn) in {8, 9}:
        assert (ref_tfn_sum(tfn) % 11 == 0) is expected
    assert au_tfn_valid(tfn) is expected


# --------------------------------------------------------------------------- ICAO 9303

SPECIMEN_MRZ = "L898902C36UTO7408122F1204159ZE184226B<<<<<10"


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        pytest.param("L898902C3", 6, id="specimen-document-number"),
        pytest.param("740812", 2, id="specimen-birth"),
        pytest.param("120415", 9, id="specimen-expiry"),
        pytest.param("ZE184226B<<<<<", 1, id="specimen-optional"),
        pytest.param("<<<", 0, id="filler"),
        pytest.param("", 0, id="empty"),
        pytest.param("l898902c3", -1, id="lower-case"),
        pytest.param("L898 902", -1, id="space"),
        pytest.param("Ä", -1, id="non-ascii"),
    ],
)
def test_icao_check_digit(field: str, expected: int) -> None:
    assert icao_check_digit(field) == expected
    if expected >= 0:
        assert ref_icao(field) == expected


@given(field=st.text(alphabet=DIGITS + "ABCDEFGHIJKLMNOPQRSTUVWXYZ<", max_size=40))
def test_icao_check_digit_matches_reference(field: str) -> None:
    assert icao_check_digit(field) == ref_icao(field)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("L898902C36", True, id="specimen"),
        pytest.param("123456" + str(ref_icao("123456")), True, id="6-digit-number"),
        pytest.param("AB12345" + str(ref_icao("AB12345")), True, id="7-char-number"),
        pytest.param("L898902C37", False, id="wrong-check"),
        pytest.param("ABCDEFGH" + str(ref_icao("ABCDEFGH")), False, id="no-digit"),
        pytest.param("l898902c36", False, id="lower-case"),
        pytest.param("L898902C3X", False, id="letter-check"),
        pytest.param("12345" + str(ref_icao("12345")), False, id="5-char-number"),
        pytest.param("1234567890" + str(ref_icao("1234567890")), False, id="10-char-number"),
        pytest.param("L898<02C36", False, id="filler"),
        pytest.param("", False, id="empty"),
    ],
)
def test_passport_number_valid(text: str, expected: bool) -> None:
    assert passport_number_valid(text) is expected


def test_mrz_specimen_valid() -> None:
    assert mrz_line_valid(SPECIMEN_MRZ)


@pytest.mark.parametrize(
    ("index", "replacement"),
    [
        pytest.param(0, "M", id="document-number"),
        pytest.param(9, "7", id="document-check"),
        pytest.param(14, "5", id="birth-date"),
        pytest.param(19, "3", id="birth-check"),
        pytest.param(22, "3", id="expiry-date"),
        pytest.param(27, "0", id="expiry-check"),
        pytest.param(27, "<", id="expiry-check-filler"),
        pytest.param(5, "a", id="lower-case"),
        pytest.param(30, " ", id="space"),
    ],
)
def test_mrz_line_rejects_corruption(index: int, replacement: str) -> None:
    assert not mrz_line_valid(SPECIMEN_MRZ[:index] + replacement + SPECIMEN_MRZ[index + 1 :])


@pytest.mark.parametrize(
    "line",
    [
        pytest.param(SPECIMEN_MRZ[:-1], id="43-chars"),
        pytest.param(SPECIMEN_MRZ + "<", id="45-chars"),
        pytest.param("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", id="line-1"),
        pytest.param("", id="empty"),
    ],
)
def test_mrz_line_rejects_other_input(line: str) -> None:
    assert not mrz_line_valid(line)


# --------------------------------------------------------------------------- IMEI


@pytest.mark.parametrize(
    ("imei", "expected"),
    [
        pytest.param("490154203237518", True, id="published"),
        pytest.param(with_luhn("35209900176148"), True, id="constructed-35"),
        pytest.param(with_luhn("86000000000001"), True, id="constructed-86"),
        pytest.param("490154203237517", False, id="wrong-check"),
        pytest.param(with_luhn("12015420323751"), False, id="unknown-reporting-body"),
        pytest.param("49015420323751", False, id="14-digits"),
        pytest.param(with_luhn("490154203237518"), False, id="16-digits"),
        pytest.param("000000000000000", False, id="all-zero"),
        pytest.param("", False, id="empty"),
    ],
)
def test_imei_valid(imei: str, expected: bool) -> None:
    assert imei_valid(imei) is expected
    if expected:
        assert ref_luhn_valid(imei)


# --------------------------------------------------------------------------- generic helpers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("192.168.0.1", True, id="private"),
        pytest.param("10.0.0.0", True, id="zero-octets"),
        pytest.param("255.255.255.255", True, id="broadcast"),
        pytest.param("8.8.8.8", True, id="short"),
        pytest.param("256.1.1.1", False, id="octet-256"),
        pytest.param("1.2.3.999", False, id="octet-999"),
        pytest.param("01.2.3.4", False, id="leading-zero"),
        pytest.param("1.2.3.00", False, id="double-zero"),
        pytest.param("1.2.3", False, id="three-octets"),
        pytest.param("1.2.3.4.5", False, id="five-octets"),
        pytest.param("1..2.3", False, id="empty-octet"),
        pytest.param("1.2.3.4.", False, id="trailing-dot"),
        pytest.param(" 1.2.3.4", False, id="leading-space"),
        pytest.param("1.2.3.+4", False, id="plus-sign"),
        pytest.param("a.b.c.d", False, id="letters"),
        pytest.param("١.٢.٣.٤", False, id="arabic-indic-digits"),
        pytest.param("", False, id="empty"),
    ],
)
def test_ipv4_octets_valid(text: str, expected: bool) -> None:
    assert ipv4_octets_valid(text) is expected


@given(octets=st.tuples(*[st.integers(0, 255)] * 4))
def test_ipv4_any_canonical_address_validates(octets: tuple[int, int, int, int]) -> None:
    assert ipv4_octets_valid(".".join(map(str, octets)))


@pytest.mark.parametrize(
    ("digits", "expected"),
    [
        pytest.param("8609574271", True, id="random"),
        pytest.param("1357", True, id="odd-step"),
        pytest.param("1234567809", True, id="run-broken"),
        pytest.param("13", True, id="two-digits"),
        pytest.param("111111111", False, id="all-same"),
        pytest.param("0", False, id="single"),
        pytest.param("123456789", False, id="ascending"),
        pytest.param("1234567890", False, id="ascending-wrapping"),
        pytest.param("987654321", False, id="descending"),
        pytest.param("0987654321", False, id="descending-wrapping"),
        pytest.param("", False, id="empty"),
        pytest.param("12a", False, id="non-digit"),
    ],
)
def test_looks_random(digits: str, expected: bool) -> None:
    assert looks_random(digits) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("", 0.0, id="empty"),
        pytest.param("aaaa", 0.0, id="constant"),
        pytest.param("abab", 1.0, id="two-symbols"),
        pytest.param("abcd", 2.0, id="four-symbols"),
        pytest.param("aab", math.log2(3) - 2 / 3, id="skewed"),
        pytest.param("0123456789abcdef", 4.0, id="hex-alphabet"),
    ],
)
def test_shannon_entropy(text: str, expected: float) -> None:
    assert shannon_entropy(text) == pytest.approx(expected)


@given(text=st.text())
def test_shannon_entropy_bounds(text: str) -> None:
    value = shannon_entropy(text)
    assert value >= 0.0
    assert value <= math.log2(max(len(set(text)), 1)) + 1e-9


# --------------------------------------------------------------------------- robustness

BOOL_PREDICATES: list[Callable[[str], bool]] = [
    aadhaar_valid,
    au_tfn_valid,
    br_cpf_valid,
    ca_sin_valid,
    card_valid,
    de_tax_id_valid,
    es_dni_valid,
    fr_nir_valid,
    iban_valid,
    imei_valid,
    ipv4_octets_valid,
    it_fiscal_code_valid,
    looks_random,
    luhn_valid,
    mrz_line_valid,
    nanp_valid,
    passport_number_valid,
    uk_nino_valid,
    us_itin_valid,
    us_ssn_valid,
    verhoeff_valid,
]


@pytest.mark.parametrize("predicate", [pytest.param(p, id=p.__name__) for p in BOOL_PREDICATES])
@given(text=st.text())
def test_predicates_never_raise(predicate: Callable[[str], bool], text: str) -> None:
    assert isinstance(predicate(text), bool)


@pytest.mark.parametrize("predicate", [pytest.param(p, id=p.__name__) for p in BOOL_PREDICATES])
@given(text=st.text(alphabet=DIGITS + "ABCXYZabcxyz<.-", max_size=50))
def test_predicates_never_raise_on_near_misses(predicate: Callable[[str], bool], text: str) -> None:
    assert isinstance(predicate(text), bool)


@given(text=st.text())
def test_other_helpers_never_raise(text: str) -> None:
    assert set(digits_only(text)) <= set(DIGITS)
    assert -1 <= icao_check_digit(text) <= 9
    assert shannon_entropy(text) >= 0.0
