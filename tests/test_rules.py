"""
Per-kind corpora for the built-in rules, run through :func:`piiredact.redact`.

Every positive value is valid for its checksum: the helpers below compute check digits with
textbook formulations written independently of :mod:`piiredact._validators`, and are pinned to
published specimen values first. Positive lines are written with ``«KIND:value»`` markers: the
line holds the value, the expected output holds ``[KIND]`` in its place, and every other character
of the line must come through unchanged.

Negatives are the look-alikes that fill real logs (ids, digests, timestamps, versions, sizes,
loopback addresses, host names); they must come through untouched.
"""

from __future__ import annotations

import base64
import re
import string

import pytest
from reference import verhoeff_check_digit

import piiredact


# ------------------------------------------------------------------------------ check digits


def luhn_complete(body: str) -> str:
    """*body* followed by its Luhn (ISO/IEC 7812-1 annex B) check digit."""
    total = 0
    for position, char in enumerate(reversed(body)):
        digit = int(char)
        if position % 2 == 0:  # these positions are doubled once the check digit is appended
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return body + str(-total % 10)


def iban(country: str, bban: str) -> str:
    """An IBAN (ISO 13616) for *bban*, with the ISO 7064 MOD 97-10 check digits."""
    rearranged = bban + country + "00"
    number = int("".join(str(int(char, 36)) for char in rearranged))
    return f"{country}{98 - number % 97:02d}{bban}"


def verhoeff_complete(body: str) -> str:
    """*body* followed by its Verhoeff check digit (the tables of Verhoeff, 1969)."""
    return body + verhoeff_check_digit(body)


def cpf_complete(body: str) -> str:
    """A Brazilian CPF: 9 digits and the two mod-11 check digits."""
    digits = body
    for first_weight in (10, 11):
        total = sum(int(d) * w for d, w in zip(digits, range(first_weight, 1, -1), strict=True))
        digits += str(total * 10 % 11 % 10)
    return digits


def de_tax_id_complete(body: str) -> str:
    """A German Steuer-ID: 10 digits and the ISO 7064 MOD 11,10 check digit."""
    product = 10
    for char in body:
        total = (int(char) + product) % 10 or 10
        product = total * 2 % 11
    return body + str((11 - product) % 10)


def nir_complete(body: str) -> str:
    """A French NIR: 13 characters and the key 97 - (number mod 97)."""
    number = int(body.upper().replace("2A", "19").replace("2B", "18"))
    return f"{body}{97 - number % 97:02d}"


def dni_complete(number: str) -> str:
    """A Spanish DNI (8 digits) or NIE (X/Y/Z and 7 digits) with its mod-23 control letter."""
    numeric = number.translate(str.maketrans("XYZ", "012"))
    return number + "TRWAGMYFPDXBNJZSQVHLCKE"[int(numeric) % 23]


_FISCAL_ODD = (1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25,
               24, 23)  # fmt: skip


def fiscal_code_complete(body: str) -> str:
    """An Italian codice fiscale: 15 characters and the check letter."""
    total = 0
    for position, char in enumerate(body):
        value = int(char) if char.isdigit() else ord(char) - ord("A")
        total += _FISCAL_ODD[value] if position % 2 == 0 else value
    return body + string.ascii_uppercase[total % 26]


def tfn_complete(body: str) -> str:
    """An Australian TFN: the 9-digit number starting with *body* whose weighted sum is 0 mod 11."""
    weights = (1, 4, 3, 7, 5, 8, 6, 9, 10)
    for last in string.digits:
        candidate = body + last
        if sum(int(d) * w for d, w in zip(candidate, weights, strict=True)) % 11 == 0:
            return candidate
    msg = f"no TFN starts with {body}"
    raise ValueError(msg)


def icao_complete(field: str) -> str:
    """*field* followed by its ICAO Doc 9303 check digit (weights 7, 3, 1; A = 10; < = 0)."""
    values = {"<": 0, **{c: int(c) for c in string.digits}}
    values.update({c: i for i, c in enumerate(string.ascii_uppercase, start=10)})
    return field + str(sum(values[c] * (7, 3, 1)[i % 3] for i, c in enumerate(field)) % 10)


def grouped(value: str, sizes: tuple[int, ...], separator: str) -> str:
    """*value* cut into groups of *sizes* joined by *separator*."""
    parts, position = [], 0
    for size in sizes:
        parts.append(value[position : position + size])
        position += size
    return separator.join(parts)


# ------------------------------------------------------------------------------ valid values

VISA = luhn_complete("453201511283036")
MASTERCARD = luhn_complete("545454545454545")
MASTERCARD_2 = luhn_complete("222300004840001")
AMEX = luhn_complete("37828224631000")
DISCOVER = luhn_complete("601100099013942")
JCB = luhn_complete("353011133330000")
VISA_19 = luhn_complete("439825979190748337")
IBAN_DE = iban("DE", "370400440532013000")
IBAN_GB = iban("GB", "NWBK60161331926819")
IBAN_FR = iban("FR", "20041010050500013M02606")
IBAN_NL = iban("NL", "ABNA0417164300")
AADHAAR = verhoeff_complete("49182736450")
AADHAAR_2 = verhoeff_complete("73526194820")
CPF = cpf_complete("529982247")
CPF_FORMATTED = f"{grouped(CPF, (3, 3, 3), '.')}-{CPF[9:]}"  # ddd.ddd.ddd-dd
STEUER_ID = de_tax_id_complete("2748956913")
NIR = nir_complete("2840875115006")
DNI = dni_complete("47913680")
NIE = dni_complete("X1234567")
FISCAL_CODE = fiscal_code_complete("BRGSBL21D10D946")
FISCAL_CODE_2 = fiscal_code_complete("VRDLGU80A01H501")
TFN = tfn_complete("87654321")
SIN = luhn_complete("51169931")
IMEI = luhn_complete("35693803861885")
PASSPORT = icao_complete("C01X00T4")
_MRZ_FIELDS = (
    icao_complete("L898902C3"),  # document number
    icao_complete("740812"),  # date of birth
    icao_complete("120415"),  # date of expiry
    icao_complete("ZE184226B<<<<<"),  # personal number
)
# ICAO 9303 TD3 line 2; the last digit is the composite check over the four fields.
MRZ_LINE_2 = (
    f"{_MRZ_FIELDS[0]}UTO{_MRZ_FIELDS[1]}F{_MRZ_FIELDS[2]}{_MRZ_FIELDS[3]}"
    + icao_complete("".join(_MRZ_FIELDS))[-1]
)
BASIC_CREDENTIALS = base64.b64encode(b"svc-deploy:Tr0ub4dor&3xample").decode()
JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9l"
    "In0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
)
PEM = (
    "-----BEGIN RSA PRIVATE KEY-----\\nMIICXQIBAAKBgQC6zjKXWj+07X990p2FRBqsZkqLHmojXUtd6nidJw5s\\n"
    "5IKISdh+g+WM8xRSaxkL4LwakjgH43rlWdectnptsdUVWOPL\\n-----END RSA PRIVATE KEY-----"
)


@pytest.mark.parametrize(
    ("computed", "published"),
    [
        pytest.param(luhn_complete("411111111111111"), "4111111111111111", id="luhn-visa-test"),
        pytest.param(luhn_complete("7992739871"), "79927398713", id="luhn-wikipedia"),
        pytest.param(iban("DE", "370400440532013000"), "DE89370400440532013000", id="iban-de"),
        pytest.param(iban("GB", "WEST12345698765432"), "GB82WEST12345698765432", id="iban-gb"),
        pytest.param(verhoeff_complete("236"), "2363", id="verhoeff-wikipedia"),
        pytest.param(cpf_complete("111444777"), "11144477735", id="cpf"),
        pytest.param(de_tax_id_complete("8609574271"), "86095742719", id="steuer-id-bzst"),
        pytest.param(nir_complete("2550814168025"), "255081416802538", id="nir-insee"),
        pytest.param(dni_complete("12345678"), "12345678Z", id="dni"),
        pytest.param(fiscal_code_complete("RSSMRA85T10A562"), "RSSMRA85T10A562S", id="cf"),
        pytest.param(tfn_complete("12345678"), "123456782", id="tfn-ato"),
        pytest.param(icao_complete("L898902C3"), "L898902C36", id="icao-9303-specimen"),
        pytest.param(
            MRZ_LINE_2, "L898902C36UTO7408122F1204159ZE184226B<<<<<10", id="icao-9303-td3-line-2"
        ),
    ],
)
def test_check_digit_helpers_match_published_values(computed: str, published: str) -> None:
    """The helpers that build the corpus reproduce published specimen numbers."""
    assert published == computed


_MARKED = re.compile(r"«([A-Z0-9_]+):(.*?)»")


def _case(template: str, case_id: str) -> object:
    """A pytest.param of (line, values, expected) from a ``«KIND:value»`` template."""
    line = _MARKED.sub(lambda m: m[2], template)
    expected = _MARKED.sub(lambda m: f"[{m[1]}]", template)
    values = tuple(m[2] for m in _MARKED.finditer(template))
    assert values, f"{case_id}: the template marks no value"
    return pytest.param(line, values, expected, id=case_id)


POSITIVES = [
    # -------------------------------------------------------------- EMAIL
    _case(
        '{"level":"info","msg":"signup","email":"«EMAIL:jane.doe+promo@example.co.uk»"}',
        "email-json",
    ),
    _case(
        'ts=2024-05-01T10:00:00Z level=info msg="mail sent" rcpt=«EMAIL:j.smith@mail.example.com»',
        "email-logfmt",
    ),
    _case(
        "GET /unsubscribe?list=news&email=«EMAIL:bob%40example.org» HTTP/1.1", "email-url-encoded"
    ),
    _case("From: Carla Gomez <«EMAIL:carla.gomez@correo.example.es»>", "email-header"),
    _case("UPDATE users SET email = '«EMAIL:x.y_z@sub.example.net»' WHERE id = 42", "email-sql"),
    _case(
        "password reset requested by «EMAIL:o.reilly-smith@example.com» from the web app",
        "email-plain",
    ),
    _case("Contact the account owner at «EMAIL:owner@example.org».", "email-end-of-sentence"),
    # -------------------------------------------------------------- PHONE
    _case(
        'level=info msg="otp sent" msisdn="«PHONE:+31 10 123 4195»" status=queued',
        "phone-e164-logfmt",
    ),
    _case('{"contact": {"phone": "«PHONE:+44 20 7946 0958»"}}', "phone-json"),
    _case('{"contact": {"phone": "«PHONE:030 1234567»"}}', "phone-json-7-digit-subscriber"),
    _case("Rückruf erbeten, Telefon: «PHONE:0221 1234567»", "phone-cue-7-digit-subscriber"),
    _case("callback registered for «PHONE:(415) 555-0132» by agent 17", "phone-nanp-parens"),
    _case("sms to «PHONE:212-555-0147» queued", "phone-nanp-dashed"),
    _case("GET /verify?tel=«PHONE:%2B4930123456789»&lang=de HTTP/1.1", "phone-url-encoded"),
    _case("customer asked to call mobile «PHONE:0044 7911 123456» after 5pm", "phone-00-prefix"),
    _case("INSERT INTO leads (id, phone) VALUES (9, '«PHONE:+49 30 901820»')", "phone-sql"),
    # -------------------------------------------------------------- IPV4
    # Regressions: values right next to other numbers, versions and scope operators.
    _case("card «CREDIT_CARD:4111 1111 1111 1111» 200 OK", "card-before-a-number"),
    _case("04-17 12:00:01.5  2227 «CREDIT_CARD:4111 1111 1111 1111» 2227 V", "card-between-pids"),
    _case("call «PHONE:+14155550132» 03-17 16:13:38.819 ok", "phone-before-a-date"),
    _case("AppleCamIn::wake «IPV6:2001:39a2:1bb3:d9f1:6ff7:3226:b0ba:abe4»", "ipv6-after-scope"),
    _case("iconservicesagent[328]: «IPV4:23.52.123.194» -[ISGenerate]", "ipv4-after-agent-name"),
    _case("client «IPV4:203.0.113.45» connected", "ipv4-plain"),
    _case('{"remote_addr": "«IPV4:198.51.100.7»", "status": 200}', "ipv4-json"),
    _case(
        '«IPV4:10.12.0.7» - - [10/Oct/2024:13:55:36 +0000] "GET / HTTP/1.1" 200 512',
        "ipv4-access-log",
    ),
    _case("X-Forwarded-For: «IPV4:192.0.2.33»", "ipv4-header"),
    _case("GET /geo?ip=«IPV4:8.8.4.4»&fmt=json HTTP/1.1", "ipv4-query"),
    _case("upstream connect to «IPV4:172.16.4.20»:5432 failed: connection refused", "ipv4-port"),
    _case("SELECT * FROM sessions WHERE ip = '«IPV4:100.64.12.9»'", "ipv4-sql"),
    _case("connection closed by «IPV4:198.51.100.23».", "ipv4-end-of-sentence"),
    # -------------------------------------------------------------- IPV6
    _case('peer=«IPV6:2001:db8:85a3::8a2e:370:7334» msg="tls handshake"', "ipv6-logfmt"),
    _case('{"client_ip": "«IPV6:fe80::1ff:fe23:4567:890a»"}', "ipv6-json"),
    _case("connection from [«IPV6:2a00:1450:4001:82b::200e»]:443 accepted", "ipv6-bracket-port"),
    _case("connection reset by «IPV6:2001:db8:85a3::8a2e:370:7334».", "ipv6-end-of-sentence"),
    _case(
        "Old: msra-sa-41/«IPV6:2aa9:7b34:8cd7:be46:0:2744:56a8:803a» New: msra-sa-41",
        "ipv6-full-form",
    ),
    # -------------------------------------------------------------- MAC
    _case("carte vitale lue mac=«MAC_ADDRESS:B6:E7:AB:3D:36:95» iface=eth0", "mac-colon"),
    _case("DHCPACK on «IPV4:10.0.0.1» to «MAC_ADDRESS:00-1A-2B-3C-4D-5E» via eth1", "mac-dash"),
    _case("DHCP lease renewed for «MAC_ADDRESS:b6:e7:ab:3d:36:95».", "mac-end-of-sentence"),
    _case(
        "%SW_MATM-4-MACFLAP_NOTIF: Host «MAC_ADDRESS:0050.56c0.0008» in vlan 1 is flapping",
        "mac-cisco",
    ),
    # -------------------------------------------------------------- CREDIT_CARD
    _case(f"charging card «CREDIT_CARD:{VISA}» amount=12.50 EUR", "card-visa-compact"),
    _case(f"card «CREDIT_CARD:{VISA_19}» declined", "card-visa-19-digits"),
    _case(
        f'card="«CREDIT_CARD:{grouped(MASTERCARD, (4, 4, 4, 4), " ")}»" status=approved',
        "card-mastercard-spaced",
    ),
    _case(f"pan=«CREDIT_CARD:{grouped(AMEX, (4, 6, 5), '-')}» approval=ok", "card-amex-dashed"),
    _case(f'{{"payment": {{"card_number": "«CREDIT_CARD:{DISCOVER}»"}}}}', "card-discover-json"),
    _case(
        f"POST /v2/cards/«CREDIT_CARD:{grouped(VISA, (4, 4, 4, 4), '-')}»/charge HTTP/1.1",
        "card-url-path-segment",
    ),
    _case(f"GET /v2/cards/«CREDIT_CARD:{VISA}» HTTP/1.1", "card-compact-url-path-segment"),
    _case(f'{{"card_number": «CREDIT_CARD:{VISA}», "amount": 12}}', "card-json-number"),
    _case(f"INSERT INTO payments (id, pan) VALUES (7, '«CREDIT_CARD:{JCB}»')", "card-jcb-sql"),  # noqa: S608
    _case(
        f"POST /charge?cc=«CREDIT_CARD:{grouped(MASTERCARD_2, (4, 4, 4, 4), '%20')}»&amount=5",
        "card-mc2-url-encoded",
    ),
    # -------------------------------------------------------------- IBAN
    _case(f"iban=«IBAN:{IBAN_DE}» amount=120.00", "iban-logfmt"),
    _case(
        f'{{"beneficiary": {{"iban": "«IBAN:{grouped(IBAN_GB, (4,) * 5 + (2,), " ")}»"}}}}',
        "iban-json-spaced",
    ),
    _case(f"SEPA transfer to «IBAN:{IBAN_FR}» scheduled", "iban-plain"),
    _case(f"SELECT * FROM accounts WHERE iban = '«IBAN:{IBAN_NL}»'", "iban-sql"),  # noqa: S608
    _case(f"GET /payouts?iban=«IBAN:{IBAN_NL}»&currency=EUR HTTP/1.1", "iban-query"),
    _case(f"iban=«IBAN:{IBAN_DE.lower()}» amount=120.00", "iban-lower-case-under-key"),
    _case(
        f'{{"IBAN": "«IBAN:{grouped(IBAN_GB.lower(), (4,) * 5 + (2,), " ")}»"}}',
        "iban-lower-case-spaced-under-key",
    ),
    # -------------------------------------------------------------- US_SSN / US_ITIN
    _case("ssn=«US_SSN:205-84-4747» verified", "ssn-logfmt"),
    _case("GET /api/v1/people/«US_SSN:536-22-8761»/verify HTTP/1.1", "ssn-url-path-segment"),
    _case('{"applicant": {"ssn": "«US_SSN:536 22 8761»"}}', "ssn-json-spaced"),
    _case("background check: SSN «US_SSN:536228761» on file", "ssn-compact-cue"),
    _case("1702  1815 «US_SSN:205-84-4747» I WindowManager: after numbers", "ssn-after-numbers"),
    _case("ssn «US_SSN:536 22 8761» 12 items", "ssn-spaced-before-a-small-number"),
    _case("W-7 processed, ITIN «US_ITIN:902-77-4302» assigned", "itin-grouped"),
    _case("tax_id=«US_ITIN:912704302» status=ok", "itin-compact-key"),
    # -------------------------------------------------------------- UK_NINO
    _case("payroll: NI number «UK_NINO:OB719194A» verified", "nino-plain"),
    _case('nino="«UK_NINO:AB 12 34 56 C»" employer=acme', "nino-spaced"),
    # -------------------------------------------------------------- CA_SIN
    _case(f"SIN «CA_SIN:{grouped(SIN, (3, 3, 3), '-')}» validated for payroll", "sin-dashed"),
    _case(f'{{"sin": "«CA_SIN:{SIN}»"}}', "sin-json"),
    # -------------------------------------------------------------- DE_TAX_ID
    _case(
        f'idnr="«DE_TAX_ID:{grouped(STEUER_ID, (2, 3, 3, 3), " ")}»" lookup=elster',
        "steuer-id-spaced",
    ),
    _case(f"Steuer-ID «DE_TAX_ID:{STEUER_ID}» gespeichert", "steuer-id-compact"),
    # -------------------------------------------------------------- FR_NIR
    _case(
        f"carte vitale lue, NIR «FR_NIR:{grouped(NIR, (1, 2, 2, 2, 3, 3, 2), ' ')}»", "nir-spaced"
    ),
    _case(f'{{"nir": "«FR_NIR:{NIR}»"}}', "nir-json"),
    # -------------------------------------------------------------- IN_AADHAAR / IN_PAN
    _case(
        f"UIDAI auth response for «IN_AADHAAR:{grouped(AADHAAR, (4, 4, 4), ' ')}»: Y",
        "aadhaar-spaced",
    ),
    _case(f"aadhaar=«IN_AADHAAR:{AADHAAR_2}» kyc=ok", "aadhaar-compact-key"),
    # An IP address's octet next to an id is no group of a run of numbers: the id is found in the
    # first pass, not only once the address is masked.
    _case(
        f"from «IPV4:10.0.0.123» «IN_AADHAAR:{grouped(AADHAAR, (4, 4, 4), ' ')}» "
        "«IPV4:192.168.1.100» ok",
        "aadhaar-between-ip-addresses",
    ),
    _case("GET /kyc?pan=«IN_PAN:AAAPL1234C»&step=2 HTTP/1.1", "in-pan-query"),
    _case("PAN «IN_PAN:ABCPE1234F» linked to the account", "in-pan-plain"),
    # -------------------------------------------------------------- BR_CPF
    _case(
        f"SELECT id FROM customers WHERE cpf = '«BR_CPF:{CPF_FORMATTED}»'",  # noqa: S608
        "cpf-formatted-sql",
    ),
    _case(f"cpf=«BR_CPF:{CPF}» cadastro=ok", "cpf-compact-key"),
    # -------------------------------------------------------------- ES_DNI
    _case(f"SELECT id FROM employees WHERE dni = '«ES_DNI:{DNI}»' LIMIT 1", "dni-sql"),  # noqa: S608
    _case(f"NIE «ES_DNI:{NIE}» registrado", "nie-plain"),
    # -------------------------------------------------------------- IT_FISCAL_CODE
    _case(f"tessera sanitaria letta, CF «IT_FISCAL_CODE:{FISCAL_CODE}»", "cf-plain"),
    _case(f"codice_fiscale=«IT_FISCAL_CODE:{FISCAL_CODE_2}» esito=ok", "cf-logfmt"),
    # -------------------------------------------------------------- AU_TFN
    _case(f"ATO STP event lodged for TFN «AU_TFN:{TFN}»", "tfn-plain"),
    _case(f'{{"tfn": "«AU_TFN:{grouped(TFN, (3, 3, 3), " ")}»"}}', "tfn-json-spaced"),
    # -------------------------------------------------------------- PASSPORT
    _case(f"passport number «PASSPORT:{PASSPORT}» scanned at gate 4", "passport-cue"),
    _case(f'{{"passport_no": "«PASSPORT:{PASSPORT}»"}}', "passport-json"),
    _case(f"mrz line 2: «PASSPORT:{MRZ_LINE_2}»", "passport-mrz-line"),
    # -------------------------------------------------------------- IMEI
    _case(
        f"SELECT id FROM devices WHERE imei = '«IMEI:{grouped(IMEI, (2, 6, 6, 1), '-')}»'",  # noqa: S608
        "imei-dashed-sql",
    ),
    _case(f"device imei «IMEI:{IMEI}» registered", "imei-compact-cue"),
    # -------------------------------------------------------------- credentials
    _case(f"> Authorization: Bearer «BEARER_TOKEN:{JWT}»", "bearer-jwt-header"),
    _case(
        "Authorization: Bearer «BEARER_TOKEN:rHpb9fYk2WXWp51EFeN-vn37uNNdSVkaBVmjHIxBnEW»",
        "bearer-opaque-header",
    ),
    _case(f'{{"authorization": "Bearer «BEARER_TOKEN:{JWT}»"}}', "bearer-json"),
    _case(f'{{"cookie": "theme=dark; access_token=«JWT:{JWT}»"}}', "jwt-json-cookie"),
    _case(f"GET /callback?state=xyz&id_token=«JWT:{JWT}» HTTP/1.1", "jwt-query"),
    _case(f"Authorization: Basic «BASIC_AUTH:{BASIC_CREDENTIALS}»", "basic-header"),
    _case(
        f'{{"authorization": "Basic «BASIC_AUTH:{BASIC_CREDENTIALS}»", "accept": "*/*"}}',
        "basic-json",
    ),
    _case(
        'msg="user updated" AccessKeyId=«AWS_ACCESS_KEY:AKIAIOSFODNN7EXAMPLE» pid=2748569',
        "aws-access-key-logfmt",
    ),
    _case('{"aws_access_key_id": "«AWS_ACCESS_KEY:ASIAY34FZKBOKMUTVV7A»"}', "aws-access-key-json"),
    _case(
        "loaded credentials from env: AWS_SECRET_ACCESS_KEY=«AWS_SECRET_KEY:"
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY» request_id=1",
        "aws-secret-key-env",
    ),
    _case(
        "aws secret access key rotated to "
        "«AWS_SECRET_KEY:wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY»",
        "aws-secret-key-cue",
    ),
    _case(
        'msg="retrying request" '
        "GITHUB_TOKEN=«GITHUB_TOKEN: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»",
        "github-classic-logfmt",
    ),
    _case(
        "using «GITHUB_TOKEN:github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz"
        "ABCDEFGHIJKLMNOPQRSTUVW» for the mirror",
        "github-fine-grained",
    ),
    _case(
        '{"slack": "«SLACK_TOKEN:xoxb-792645707781-5094023704404-flg75vmECdV7htYwQmgdr1Ws»"}',
        "slack-bot-json",
    ),
    _case(
        "POST https://hooks.slack.com/services/«SLACK_TOKEN:T0AAAAAAA/B0BBBBBBB/abcdefghijklmnopqr"
        "stuvwx» 200",
        "slack-webhook",
    ),
    _case(
        "stripe client initialised with «STRIPE_KEY:sk_live_4eC39HqLyjWDarjtT1zdp7dc»",
        "stripe-live",
    ),
    _case("STRIPE_WEBHOOK=«STRIPE_KEY:whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw» ok", "stripe-whsec"),
    _case(
        "> x-goog-api-key: «GOOGLE_API_KEY:AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe»",
        "google-key-header",
    ),
    _case(
        "GET https://maps.googleapis.com/maps/api/geocode/json?sensor=false&key=«GOOGLE_API_KEY:"
        "AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe»",
        "google-key-query",
    ),
    _case(
        "oauth config loaded: «OAUTH_CLIENT_SECRET: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»",
        "google-client-secret",
    ),
    _case(
        "calling upstream with «API_KEY:sk-proj-k4XPdCAA4xxWI1iy05T1xchQx4lT-aKr9VxrtKqsjU»",
        "openai-key",
    ),
    _case(
        "sendgrid init «API_KEY:SG.ngeVfQFYQlKU0ufo8x5d1A.TwL2iGABf9DHoTf-09kqeF8tAmbihYzrnopKc"
        "-1s5cr» ok",
        "sendgrid-key",
    ),
    _case("mailgun «API_KEY:key-3a0f6e2b9c8d7e6f5a4b3c2d1e0f9a8b» loaded", "mailgun-key"),
    _case(f'msg="tls config" TLS_KEY="«PRIVATE_KEY:{PEM}»"', "pem-escaped-newlines"),
    _case(
        "connecting to postgres://«USERNAME:app_user»:«PASSWORD:s3cr3tP4ss»@db.internal:5432/orders",
        "url-credentials",
    ),
    _case("cache: redis://:«PASSWORD:s3cretpass»@cache.internal:6379/0", "url-password-only"),
    # -------------------------------------------------------------- keyed secrets
    _case(
        'msg="db connect" passwd=«PASSWORD:8q63uZkhc@Fc8DtIvVu» '
        "trace_id=a9af279d436abf62a28f755d5bc4e4a1",
        "password-logfmt",
    ),
    _case('{"password": "«PASSWORD:correct horse battery staple»"}', "password-json"),
    _case("UPDATE users SET password = '«PASSWORD:Winter2024!»' WHERE id = 7", "password-sql"),
    _case("POST /login?remember=1&pwd=«PASSWORD:Sup3rS3cret» HTTP/1.1", "password-query"),
    _case('{"password": «PASSWORD:123456»}', "password-json-number"),
    _case(
        "> Cookie: theme=dark; PHPSESSID=«SESSION_COOKIE:aha8qfg39rufn3hn3h86teopqi»",
        "session-cookie",
    ),
    _case('{"client_secret": "«OAUTH_CLIENT_SECRET:d8f7a6s5d4f3g2h1»"}', "client-secret-json"),
    _case("webhook_secret=«SECRET:9f8e7d6c5b4a» retries=3", "secret-logfmt"),
    _case(
        "GET /dl?file=a.pdf&X-Amz-Signature=«SECRET:0aa1bb2cc3dd4ee5ff»&X-Amz-Expires=300",
        "signature-query",
    ),
    _case("x-api-key: «API_KEY:0f1e2d3c4b5a69788796a5b4c3d2e1f0»", "api-key-header"),
    _case('{"api_token": "«API_KEY:zq9-Lm3-Pr7»"}', "api-token-json"),
    _case("pin=«SECRET:4821» attempt=2", "pin-logfmt"),
    # -------------------------------------------------------------- personal data
    _case('{"event": "profile updated", "dob": "«DATE_OF_BIRTH:1987-02-15»"}', "dob-json"),
    _case("patient born «DATE_OF_BIRTH:14.03.1962» admitted to ward 3", "dob-cue"),
    _case("dob=«DATE_OF_BIRTH:1990-07-04» status=verified", "dob-logfmt"),
    _case('msg="gps fix" lat=«GEO_COORD:49.508924» lng=«GEO_COORD:6.728468» sat=7', "geo-keys"),
    _case("gps position «GEO_COORD:52.520008», «GEO_COORD:13.404954» updated", "geo-pair-cue"),
    _case(
        "driver location «GEO_COORD:52.520008», «GEO_COORD:13.404954» updated", "geo-location-cue"
    ),
    _case(
        "Jul  2 01:41:33 combo sshd(pam_unix)[23544]: session opened for user «USERNAME:leos95» by "
        "(uid=509)",
        "username-pam",
    ),
    _case(
        "sshd[812]: Failed password for invalid user «USERNAME:mhoffmann» "
        "from «IPV4:203.0.113.9» port 52144 ssh2",
        "username-sshd",
    ),
    _case(
        '«IPV4:10.1.2.3» - «USERNAME:jdoe» [10/Oct/2024:13:55:36 +0000] "GET /a HTTP/1.1" 200 512',
        "username-access-log",
    ),
    _case('{"username": "«USERNAME:k.tanaka»", "action": "login"}', "username-json"),
    _case(
        "shipping label created for «STREET_ADDRESS:771 Cantu Ground, Daisystad» | carrier=dhl",
        "address-message",
    ),
    _case(
        '{"shipping_address": "«STREET_ADDRESS:12 Rue de la Paix, 75002 Paris»"}', "address-json"
    ),
    _case('{"first_name": "«PERSON:Martine»", "last_name": "«PERSON:Rousseau»"}', "person-json"),
    _case(
        "INSERT INTO contacts (id, full_name, created_at) "
        "VALUES (50600, '«PERSON:Martine Rousseau»', '2024-06-14')",
        "person-sql-insert",
    ),
]


@pytest.mark.parametrize(("line", "values", "expected"), POSITIVES)
def test_value_is_gone(line: str, values: tuple[str, ...], expected: str) -> None:
    """No positive value survives redaction, in whole."""
    redacted = piiredact.redact(line)

    assert [value for value in values if value in redacted] == []


@pytest.mark.parametrize(("line", "values", "expected"), POSITIVES)
def test_value_is_masked_and_the_rest_is_kept(
    line: str, values: tuple[str, ...], expected: str
) -> None:
    """Each value becomes its kind's mask; every other character of the line is kept."""
    assert expected == piiredact.redact(line)


@pytest.mark.parametrize(("line", "values", "expected"), POSITIVES)
def test_findings_cover_exactly_the_values(
    line: str, values: tuple[str, ...], expected: str
) -> None:
    """``find`` reports one span per value, and each span slices back to that value."""
    findings = piiredact.default_redactor().find(line)

    assert list(values) == [line[finding.start : finding.end] for finding in findings]


# ------------------------------------------------------------------------------ negatives

NOT_A_CARD = VISA[:-1] + str((int(VISA[-1]) + 1) % 10)  # the Luhn check digit is off by one
NOT_A_CARD_2 = MASTERCARD[:-1] + str((int(MASTERCARD[-1]) + 5) % 10)
SHA256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

NEGATIVES = [
    pytest.param("request_id=e24f76cd-146c-4db1-ba9e-e1a7df9d79d2 status=200", id="uuid-logfmt"),
    pytest.param('{"event.id": "cc878e26-1b16-45b1-ae6e-5ac9c440ba26", "n": 3}', id="uuid-json"),
    pytest.param("deployed git_sha=6f51082b8163a265ba3dfdc66291f382e3590082 to prod", id="git-sha"),
    pytest.param("HEAD is now at 6f51082 fix: retry on 503", id="git-short-sha"),
    pytest.param(f"artifact sha256={SHA256} uploaded", id="sha256-digest"),
    pytest.param(f"image=ghcr.io/acme/api@sha256:{SHA256} pulled", id="docker-digest"),
    pytest.param(
        "trace_id=a9af279d436abf62a28f755d5bc4e4a1 span_id=f366111de58e5e26", id="trace-span"
    ),
    pytest.param(
        "traceparent: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", id="w3c-traceparent"
    ),
    pytest.param("2024-07-30T22:04:11.066+09:00 INFO worker started", id="iso-timestamp"),
    pytest.param(
        "2005-11-21-13.41.44.752517 R22-M0-N0 RAS APP FATAL ciod: error", id="bgl-timestamp"
    ),
    pytest.param("Jul  8 00:30:39 host kernel[0]: eth0 link up", id="syslog-timestamp"),
    pytest.param("ts=1733828227 event.created_ms=1733828227599", id="epoch-seconds-millis"),
    # A lower-case IBAN is found only under an iban key: in free text it is a hex id's twin.
    pytest.param(f"blob {IBAN_DE.lower()} stored", id="lower-case-iban-without-key"),
    pytest.param('{"ts_ms": 1736875026979, "pid": 3657540}', id="epoch-millis-json"),
    pytest.param("duration=843.525ms latency_ms=12 took 1.5s elapsed=00:01:23.456", id="durations"),
    pytest.param("version=6.37.30 service.version=v10.2.1", id="semver"),
    pytest.param("agent_version=4.2.17.147 firmware=3.6.5.81", id="ip-like-versions"),
    pytest.param('{"version": "10.0.17763.1", "build": "1.2.3.4"}', id="ip-like-versions-json"),
    pytest.param("listening on :8080 port=5432", id="ports"),
    pytest.param("pid=3657540 tid=140233 ppid=1", id="pids"),
    pytest.param(
        'status=503 http.response.status_code=201 "GET /x HTTP/1.1" 404', id="http-status"
    ),
    pytest.param("bytes=26378 http.response.body.bytes=820575302 size=1048576", id="byte-counts"),
    pytest.param(
        "pod api-7d9f8b6c5-x2x9z restarted (pod=notifications-5fd8c9b7d-qw8rt)", id="k8s-pod-names"
    ),
    pytest.param(
        '127.0.0.1 - - [08/Apr/2025:00:39:25 +0000] "GET /api/orders HTTP/1.1" 200 5120 "-" '
        '"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) '
        'Chrome/120.0.0.0 Safari/537.36"',
        id="user-agent-reduced-chrome-version",
    ),
    pytest.param("file=/usr/lib/python3.11/json/decoder.py line=353", id="file-path"),
    pytest.param(
        "open /var/log/nginx/access.log.2024-05-01.gz: no such file", id="file-path-dated"
    ),
    pytest.param(
        "BLOCK* NameSystem.allocateBlock: /user/root/rand/_temporary/part-00000. "
        "blk_-1608999687919862906",
        id="hdfs-block-id",
    ),
    pytest.param(
        "Receiving block blk_8229193803249955061 src: /127.0.0.1:54106", id="hdfs-block-id-2"
    ),
    pytest.param("order_id=ORD-2024-0001934 invoice=INV-88812", id="order-ids"),
    pytest.param("total=2785.37 price=19.99 EUR amount=1657.34", id="prices"),
    pytest.param(f"txn_ref={NOT_A_CARD} amount=10.00", id="16-digits-failing-luhn"),
    pytest.param(
        f"reference {grouped(NOT_A_CARD_2, (4, 4, 4, 4), ' ')} rejected",
        id="16-digits-spaced-failing-luhn",
    ),
    pytest.param("counter 1234567890123456 requests", id="16-digit-counter"),
    pytest.param("listening on 127.0.0.1:8080 and [::1]:8080 and localhost:9090", id="loopback"),
    pytest.param('{"bind_addr": "0.0.0.0", "listen": "0.0.0.0:443", "v6": "::"}', id="unspecified"),
    pytest.param("GET https://api.example.com/v1/users?limit=50 200", id="service-host"),
    pytest.param("upstream=oauth2.googleapis.com:443 dns=ok", id="service-host-port"),
    pytest.param("ptr 0x7f3a2c001e40 freed (code 0x80004005)", id="hex-addresses"),
    pytest.param("object_id=5f8d0d55b54764421b7156c3", id="mongo-object-id"),
    pytest.param("retrying in 30s (attempt 3/5)", id="attempts"),
    pytest.param("ip route add 10.0.0.0/8 via gateway", id="cidr-network"),
    pytest.param('ETag: "33a64df551425fcc55e4d42a148795d9f25f89d4"', id="etag"),
    pytest.param("Mozilla/5.0 Chrome/120.0.0.0 Safari/537.36", id="user-agent-version"),
    pytest.param("agent 7.6.30.241 started (build 5f632a4)", id="agent-version"),
    pytest.param("firmware version 4.2.2.228 installed", id="firmware-version"),
    pytest.param("2005-06-03-15.49.38.026704 R02-M1-N0-C:J12-U11 RAS", id="bgl-timestamp"),
    pytest.param("20171223-22:15:29:606|Step_LSC|30002312|onStandStepChanged", id="healthapp"),
    pytest.param("Session: 30546173_4275933214 initialized by client", id="cbs-session-counter"),
    pytest.param("sessionid: 0x14f05578bf8000b closed", id="zookeeper-session-id"),
    pytest.param("addr=0.0.0.0:8080 ok", id="bind-address-under-addr-key"),
    pytest.param("owner=mhoffmann closed the ticket", id="lowercase-owner-handle"),
    pytest.param("x-request-id: 01HZX3K7Q8W9Y2M4N6P8R0T2V4", id="ulid"),
    pytest.param("date=2024-06-14 day=14 week=24", id="dates"),
    pytest.param(
        "xinetd[26482]: warning: can't get client address: Connection reset by peer",
        id="address-header-without-street",
    ),
    pytest.param("session opened for user cyrus by (uid=0); user=root", id="system-accounts"),
    pytest.param("Destroying surface Surface(name=InputMethod) called by", id="camel-case-name"),
    pytest.param("Fan speeds ( 3552 3534 3375 4530 3515 3479 )", id="run-of-digit-groups"),
    pytest.param("sendmail: to=root, delay=00:00:01, dsn=4.0.0, stat=Deferred", id="dsn-status"),
    pytest.param("Bad activity token: android.os.BinderProxy@2bd79ce", id="java-object-repr"),
    pytest.param("std::vector<int> resized; a::b::c resolved", id="cpp-scope"),
    pytest.param("time 12:34:56 elapsed 01:02:03:04", id="clock-times"),
    pytest.param(
        "password_policy=strict token_count=3 max_password_length=64", id="secret-metadata"
    ),
    pytest.param(
        '{"author": "build-bot", "token_type": "Bearer", "expires_in": 3600}',
        id="secret-metadata-json",
    ),
]


@pytest.mark.parametrize("line", NEGATIVES)
def test_look_alike_is_kept(line: str) -> None:
    """Look-alikes of personal data come through unchanged."""
    assert line == piiredact.redact(line)


@pytest.mark.parametrize("line", NEGATIVES)
def test_look_alike_has_no_findings(line: str) -> None:
    """``find`` reports nothing in a look-alike line."""
    assert piiredact.default_redactor().find(line) == ()


@pytest.mark.parametrize(("line", "values", "expected"), POSITIVES)
def test_second_pass_changes_nothing(line: str, values: tuple[str, ...], expected: str) -> None:
    """Redacting the redacted line again changes nothing and finds nothing."""
    once = piiredact.redact(line)

    assert (once, ()) == (piiredact.redact(once), piiredact.default_redactor().find(once))


@pytest.mark.parametrize(
    "line",
    [
        "session opened for user test by (uid=509)",
        "authentication failure; logname= uid=0 tty=NODEVssh rhost=198.51.100.4 user=guest",
        "Failed password for invalid user hunter2! from 198.51.100.4 port 22 ssh2",
    ],
)
def test_accounts_people_create_are_redacted(line: str) -> None:
    """Only accounts an operating system or a package creates stay readable: a name someone made
    up (``test``, ``guest``) may be a person's, and in a failed login it is whatever was typed."""
    assert "[USERNAME]" in piiredact.redact(line)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "session opened for user cyrus by (uid=0)",
            "session opened for user [USERNAME] by (uid=0)",
        ),
        ("Invalid user admin from 203.0.113.7", "Invalid user [USERNAME] from [IPV4]"),
        ('{"user": "root"}', '{"user": "[USERNAME]"}'),
        ("check pass; user unknown", "check pass; user unknown"),
        ('{"user_id": "12345"}', '{"user_id": "12345"}'),
    ],
)
def test_strict_preset_reports_system_accounts_too(line: str, expected: str) -> None:
    """An audit may want to know who logged in as what: the strict preset reports every account
    name; words that stand for no account stay."""
    assert piiredact.Redactor(piiredact.Policy(preset="strict")).redact(line) == expected
