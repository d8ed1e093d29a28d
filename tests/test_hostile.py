"""
Hostile and odd input: what is detected, and what is only survived (never raises, never crashes,
never returns a raw value it was asked to protect).
"""

from __future__ import annotations

import time

import pytest

import piiredact
from piiredact import FAILED_MARKER, Limits, Policy, Redactor
from piiredact._unhide import unhide


EMAIL = "jane.doe@example.com"
REDACTOR = Redactor()


# ------------------------------------------------------------------------------ detected
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # invisible characters inside a value
        ("mail jane\u200b.doe@example.com now", "mail [EMAIL] now"),
        ("mail jane.doe@exa\u200dmple.com now", "mail [EMAIL] now"),
        ("mail jane.doe@exam\u00adple.com", "mail [EMAIL]"),
        ("card 4111\u200c1111\u200c1111\u200c1111", "card [CREDIT_CARD]"),
        ("ssn 536-90-\u20604399", "ssn [US_SSN]"),
        ("token \ufeffjane.doe@example.com", "token \ufeff[EMAIL]"),  # before it: left as is
        # look-alike digits and letters
        ("card ４１１１ １１１１ １１１１ １１１１", "card [CREDIT_CARD]"),
        ("card ٤١١١ ١١١١ ١١١١ ١١١١", "card [CREDIT_CARD]"),
        ("card ۴۱۱۱ ۱۱۱۱ ۱۱۱۱ ۱۱۱۱", "card [CREDIT_CARD]"),
        ("call +१ ४१५ ५५५ ०१००", "call [PHONE]"),
        ("mail ｊａｎｅ＠ｅｘａｍｐｌｅ．ｃｏｍ", "mail [EMAIL]"),
        ("mail jane.doe﹫example.com", "mail [EMAIL]"),
        ("from ２０３．０．１１３．７", "from [IPV4]"),
        ("mail jаne.doe@example.com", "mail [EMAIL]"),  # a Cyrillic "а": still a valid address
        # JSON escapes left in a message
        (r'{"msg": "mail jane.doe\u0040example.com"}', '{"msg": "mail [EMAIL]"}'),
        (r"jane\u002edoe\u0040example\u002ecom", "[EMAIL]"),
        # scripts, direction marks and control characters around a value
        ("مستخدم jane.doe@example.com من 203.0.113.7", "مستخدم [EMAIL] من [IPV4]"),
        ("user \u202ejane.doe@example.com\u202c", "user \u202e[EMAIL]\u202c"),
        ("用户 jane.doe@example.com 登录", "用户 [EMAIL] 登录"),
        ("user jane.doe@example.com\x00 ip 203.0.113.7\x00", "user [EMAIL]\x00 ip [IPV4]\x00"),
        ("x \ud800 jane.doe@example.com \udfff", "x \ud800 [EMAIL] \udfff"),
    ],
)
def test_values_in_disguise_are_detected(text: str, expected: str) -> None:
    assert REDACTOR.redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "用户登录成功 会话 42",
        r"C:\users\u1234 and C:\Users\ubuntu",
        r'{"e": "\ud83d\ude00 ok"}',
        "٢٠٢٦-١١-٢٩ ١٠:٠٠",  # a timestamp in Arabic-Indic digits is still a timestamp
        "version ４.２.１",
    ],
)
def test_disguise_handling_leaves_clean_text_alone(text: str) -> None:
    assert REDACTOR.redact(text) is text


def test_plain_ascii_text_is_not_unhidden() -> None:
    assert unhide("user 42 from node-7") is None
    assert unhide("café au lait") is None  # non-ASCII, nothing in disguise


def test_unhidden_offsets_point_into_the_original() -> None:
    text = "a\u200bb\\u0040c"
    plain, origin = unhide(text) or ("", [])
    assert plain == "ab@c"
    assert [text[origin[i]] for i in range(len(plain))] == ["a", "b", "\\", "c"]
    assert origin[len(plain)] == len(text)


# ------------------------------------------------------------------------------ survived
class Unprintable:
    def __str__(self) -> str:
        raise RuntimeError(type(self).__name__)

    __repr__ = __str__


class Telltale:
    def __str__(self) -> str:
        return "contact " + EMAIL

    __repr__ = __str__


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (b"mail jane.doe@example.com", b"mail [EMAIL]"),
        (bytearray(b"jane.doe@example.com"), b"[EMAIL]"),
        (b"\xff\xfe jane.doe@example.com \x80", b"\xff\xfe [EMAIL] \x80"),  # not UTF-8 either
        (Unprintable(), FAILED_MARKER),
        (Telltale(), "contact [EMAIL]"),
        ({"password": Unprintable()}, {"password": FAILED_MARKER}),
    ],
)
def test_odd_values(value: object, expected: object) -> None:
    assert REDACTOR.redact_value(value) == expected


def test_recursive_containers_fail_closed_where_they_loop() -> None:
    looping: list[object] = [EMAIL]
    looping.append(looping)
    mapping: dict[str, object] = {"email": EMAIL}
    mapping["self"] = mapping
    assert REDACTOR.redact_value(looping) == ["[EMAIL]", FAILED_MARKER]
    assert REDACTOR.redact_value(mapping) == {"email": "[EMAIL]", "self": FAILED_MARKER}


def test_ten_megabytes_fail_closed_at_once_under_the_default_limit() -> None:
    text = "x" * 10_000_000 + " " + EMAIL
    start = time.perf_counter()
    assert REDACTOR.redact(text) == FAILED_MARKER
    assert time.perf_counter() - start < 1.0  # a guard against scanning it anyway (50x headroom)


def test_ten_megabytes_are_scanned_when_the_limit_allows() -> None:
    redactor = Redactor(Policy(limits=Limits(max_value_length=20_000_000)))
    text = "word " * 2_000_000 + EMAIL
    assert redactor.redact(text).endswith("word [EMAIL]")


def test_invisible_characters_everywhere_do_not_break_it() -> None:
    text = "\u200b".join("user jane.doe@example.com from 203.0.113.7")
    redacted = piiredact.redact(text)
    assert EMAIL not in redacted.replace("\u200b", "")
    assert "203.0.113.7" not in redacted.replace("\u200b", "")
