"""
``piiredact rules``: the catalog of a policy's rules, each with the check that backs its pattern
and an example input redacted live by the same policy.

Every example is synthetic: documentation address ranges (RFC 5737, RFC 3849), ``example``
domains, test card numbers, published specimen documents and invented people, with valid check
digits so that the validators accept them.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from piiredact import Redactor
from piiredact.rules import Rule


__all__ = ["EXAMPLES", "list_rules"]

#: Per built-in rule: what validates a match beyond its pattern, and an example line.
EXAMPLES: dict[str, tuple[str, str]] = {
    "EMAIL": ("", "signup ok for jane.doe+news@example.com"),
    "PHONE": ("E.164 country code and length", "sms queued to +44 20 7946 0958"),
    "PHONE_INTERNATIONAL_00": ("E.164 country code and length", "call mobile 0044 7911 123456"),
    "PHONE_NANP": ("NANP area code and exchange", "callback (415) 555-0132 requested"),
    "PHONE_NATIONAL": ("6 to 12 digits, not a date", "Telefon: 0221 1234567"),
    "IPV4": ("not loopback, unspecified or multicast", "login from 203.0.113.7"),
    "IPV6": ("RFC 4291 form, not loopback", "peer=2001:db8:85a3::8a2e:370:7334 closed"),
    "MAC_ADDRESS": ("not all zeros or broadcast", "DHCPACK to 00-1A-2B-3C-4D-5E via eth1"),
    "CREDIT_CARD": ("Luhn, issuer prefix and length", "charging card 4111 1111 1111 1111"),
    "IBAN": ("ISO 13616 country length, mod 97", "payout to DE89 3704 0044 0532 0130 00"),
    "IBAN_VALUE": ("ISO 13616 country length, mod 97", "iban=de89370400440532013000"),
    "US_ITIN": ("IRS ITIN group ranges", "W-7 processed, ITIN 902-77-4302 assigned"),
    "US_ITIN_COMPACT": ("IRS ITIN group ranges", "tax_id=912704302 status=ok"),
    "US_SSN": ("SSA area, group and serial rules", "ssn=205-84-4747 verified"),
    "US_SSN_COMPACT": ("SSA area, group and serial rules", "background check: SSN 536228761"),
    "UK_NINO": ("HMRC prefix letters and suffix", "NI number AB 12 34 56 C verified"),
    "CA_SIN": ("Luhn, first digit", "SIN 511-699-316 validated"),
    "DE_TAX_ID": ("ISO 7064 MOD 11,10", "Steuer-ID 27489569135 gespeichert"),
    "FR_NIR": ("control key (97 - mod 97)", "NIR 284087511500634 lu"),
    "IN_AADHAAR": ("Verhoeff", "UIDAI auth for 4918 2736 4507"),
    "IN_AADHAAR_COMPACT": ("Verhoeff", "aadhaar=491827364507 kyc=ok"),
    "IN_PAN": ("", "PAN ABCPE1234F linked"),
    "BR_CPF": ("two mod-11 check digits", "cpf 529.982.247-25 cadastrado"),
    "BR_CPF_COMPACT": ("two mod-11 check digits", "cpf=52998224725 cadastro=ok"),
    "ES_DNI": ("mod-23 control letter", "DNI 47913680B registrado"),
    "IT_FISCAL_CODE": ("check letter", "codice fiscale BRGSBL21D10D946P"),
    "AU_TFN": ("weighted mod 11", "lodged for TFN 876543210"),
    "PASSPORT": ("ICAO 9303 check digit", "passport number C01X00T41 scanned"),
    "PASSPORT_MRZ": (
        "ICAO 9303 check digits",
        "mrz line 2: L898902C36UTO7408122F1204159ZE184226B<<<<<10",
    ),
    "IMEI": ("Luhn, reporting body", "device 35-693803-861885-7 registered"),
    "IMEI_COMPACT": ("Luhn, reporting body", "device imei 356938038618857 registered"),
    "JWT": ("", "id_token=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ"),
    "AWS_ACCESS_KEY": ("", "AccessKeyId=AKIAIOSFODNN7EXAMPLE"),
    "AWS_SECRET_KEY": ("", "aws_secret wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY loaded"),
    "GITHUB_TOKEN": ("", "GITHUB_TOKEN=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"),
    "SLACK_TOKEN": ("", "slack xoxb-792645707781-5094023704404-flg75vmECdV7htYwQmgdr1Ws"),
    "STRIPE_KEY": ("", "stripe key sk_live_4eC39HqLyjWDarjtT1zdp7dc"),
    "GOOGLE_API_KEY": ("", "x-goog-api-key: AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe"),
    "OAUTH_CLIENT_SECRET": ("", "oauth client 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"),
    "API_KEY": ("", "mailgun key-3a0f6e2b9c8d7e6f5a4b3c2d1e0f9a8b loaded"),
    "BEARER_TOKEN": ("", "Authorization: Bearer rHpb9fYk2WXWp51EFeN-vn37uNNdSVkaBVmjHIxBnEW"),
    "BASIC_AUTH": (
        "decodes to user:password",
        "Authorization: Basic c3ZjLWRlcGxveTpUcjB1YjRkb3ImM3hhbXBsZQ==",
    ),
    "PRIVATE_KEY": (
        "",
        "key=-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\\n"
        "-----END PRIVATE KEY-----",
    ),
    "URL_CREDENTIALS": ("", "db postgres://app:s3cr3t-P4ss@db.example.com/orders"),
    "HIGH_ENTROPY_TOKEN": ("character entropy", "token 8fJ2kLq9ZxW4mN7pRt3vBy6cHd1sGa5e"),
    "DATE_OF_BIRTH": ("a calendar date, 1900 to today", "patient born 1974-03-12 admitted"),
    "GEO_COORD": ("latitude and longitude ranges", "device located at 48.8584, 2.2945"),
    "USERNAME_IN_MESSAGE": ("not a system account", "Failed password for alice from port 22"),
    "ACCESS_LOG_USER": (
        "not a system account",
        '198.51.100.4 - alice [10/Oct/2024:13:55:36 +0000] "GET / HTTP/1.1" 200 512',
    ),
    "STREET_ADDRESS_IN_MESSAGE": (
        "words with a house number",
        "ship to address 221B Baker Street, London",
    ),
    "PASSPORT_MRZ_NAME": ("", "mrz line 1: P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<"),
    "PERSON_IN_MESSAGE": ("capitalized name", "ticket assigned to Maria Gonzalez"),
    "PASSWORD_IN_MESSAGE": ("", "temporary password Xk9-bb2Q sent"),
    "PASSWORD_VALUE": ("", '{"password": "correct horse battery staple"}'),
    "CLIENT_SECRET_VALUE": ("", '{"client_secret": "d8f7a6s5d4f3g2h1"}'),
    "AWS_SECRET_VALUE": ("", "aws_secret_access_key=EXAMPLEKEY123"),
    "API_KEY_VALUE": ("", "x-api-key: 0f1e2d3c4b5a69788796a5b4c3d2e1f0"),
    "SESSION_VALUE": ("long random value", "Cookie: PHPSESSID=aha8qfg39rufn3hn3h86teopqi"),
    "AUTHORIZATION_VALUE": ("", '{"authorization": "Token 5f9d3c2b1a0e"}'),
    "SECRET_VALUE": ("opaque token, not an object repr", "webhook_secret=9f8e7d6c5b4a retries=3"),
    "PERSON_NAME_VALUE": ("capitalized words", '{"full_name": "Maria Gonzalez"}'),
    "USERNAME_VALUE": ("not a system account", "user=jdoe action=login"),
    "STREET_ADDRESS_VALUE": (
        "words with a house number",
        '{"address": "742 Evergreen Terrace, Springfield"}',
    ),
    "COORDINATE_VALUE": ("a number within ±180", '{"lat": 48.8584}'),
}


def _row(redactor: Redactor, rule: Rule) -> dict[str, Any]:
    check, example = EXAMPLES.get(rule.name, ("custom" if rule.validator else "", ""))
    if not check and rule.keyed_only:
        check = "any value under its keys"
    return {
        "rule": rule.name,
        "kind": rule.kind,
        "category": rule.category,
        "action": redactor.policy.action_for(rule),
        "validator": check,
        "description": rule.description,
        "example": example,
        "redacted": redactor.redact(example) if example else "",
    }


def list_rules(redactor: Redactor, *, as_json: bool) -> None:
    """Write the catalog of *redactor*'s policy to standard output: a table or JSON."""
    stream = sys.stdout
    rows = [_row(redactor, rule) for rule in redactor.policy.rules()]
    if as_json:
        stream.write(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
        return
    from rich.console import Console  # noqa: PLC0415 - rich loads only for a table
    from rich.table import Table  # noqa: PLC0415

    table = Table(show_lines=True)
    for column in ("rule", "category", "action", "validator", "example", "redacted"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(
            f"{row['rule']}\n({row['kind']})" if row["kind"] != row["rule"] else row["rule"],
            row["category"],
            row["action"],
            row["validator"] or "—",
            row["example"],
            row["redacted"],
        )
    # Cells hold redacted output ("[EMAIL]"): no markup, or rich would read it as a style.
    Console(file=stream, highlight=False, markup=False, emoji=False).print(table)
