"""
:mod:`piiredact.generalize`: every helper on its own (tables of edge cases: IPv4-mapped IPv6,
negative coordinates, leap days, ages 89 and 90, restricted ZIP3 areas, browser families), and the
same helpers as the ``generalize`` action and as field transforms.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import math

import pytest

from piiredact import FAILED_MARKER, FieldRules, Policy, Redactor
from piiredact.generalize import (
    RESTRICTED_ZIP3,
    age_bucket,
    coordinate,
    ip_prefix,
    truncate_date,
    user_agent,
    zip3,
)


class TestIpPrefix:
    @pytest.mark.parametrize(
        ("address", "settings", "expected"),
        [
            pytest.param("203.0.113.77", {}, "203.0.113.0/24", id="ipv4-default-24"),
            pytest.param("203.0.113.77", {"ipv4_prefix": 16}, "203.0.0.0/16", id="ipv4-16"),
            pytest.param("10.1.2.3", {"ipv4_prefix": 32}, "10.1.2.3/32", id="ipv4-32"),
            pytest.param("0.0.0.1", {"ipv4_prefix": 0}, "0.0.0.0/0", id="ipv4-0"),
            pytest.param("::ffff:203.0.113.77", {}, "203.0.113.0/24", id="ipv4-mapped"),
            pytest.param(
                "::FFFF:198.51.100.9", {"ipv4_prefix": 16}, "198.51.0.0/16", id="ipv4-mapped-16"
            ),
            pytest.param("::ffff:cb00:714d", {}, "203.0.113.0/24", id="ipv4-mapped-hex"),
            pytest.param(
                "2001:db8:85a3:8d3:1319:8a2e:370:7348", {}, "2001:db8:85a3::/48", id="ipv6-48"
            ),
            pytest.param(
                "2001:DB8:85A3::8A2E:370:7334",
                {"ipv6_prefix": 32},
                "2001:db8::/32",
                id="ipv6-upper-32",
            ),
            pytest.param("[2001:db8::1]", {}, "2001:db8::/48", id="ipv6-brackets"),
            pytest.param("fe80::1%eth0", {}, "fe80::/48", id="ipv6-zone"),
            pytest.param(" 192.0.2.1 ", {}, "192.0.2.0/24", id="whitespace"),
            pytest.param(
                ipaddress.ip_address("192.0.2.200"), {}, "192.0.2.0/24", id="address-object"
            ),
        ],
    )
    def test_table(self, address: str, settings: dict[str, int], expected: str) -> None:
        """An address becomes its network; an IPv4-mapped address its IPv4 network."""
        assert expected == ip_prefix(address, **settings)

    @pytest.mark.parametrize(
        ("address", "settings"),
        [
            pytest.param("999.1.1.1", {}, id="bad-octet"),
            pytest.param("example.com", {}, id="host-name"),
            pytest.param("", {}, id="empty"),
            pytest.param("10.0.0.1", {"ipv4_prefix": 33}, id="prefix-too-long"),
            pytest.param("::1", {"ipv6_prefix": -1}, id="negative-prefix"),
        ],
    )
    def test_invalid(self, address: str, settings: dict[str, int]) -> None:
        """What is no address, or a prefix out of range, raises ValueError."""
        with pytest.raises(ValueError):  # noqa: PT011 - the type is the contract
            ip_prefix(address, **settings)


class TestCoordinate:
    @pytest.mark.parametrize(
        ("value", "decimals", "expected"),
        [
            pytest.param(45.4215, 1, 45.4, id="positive"),
            pytest.param(-33.8688, 1, -33.9, id="negative-floors-away-from-zero"),
            pytest.param(-33.8688, 2, -33.87, id="negative-2"),
            pytest.param(-0.04, 1, -0.1, id="just-below-zero"),
            pytest.param(0.04, 1, 0.0, id="just-above-zero"),
            pytest.param(-0.0, 1, 0.0, id="negative-zero"),
            pytest.param(4.35, 2, 4.35, id="exact-decimal-not-float-error"),
            pytest.param(151.2093, 0, 151.0, id="whole-degrees"),
            pytest.param(-151.2093, 0, -152.0, id="whole-degrees-negative"),
            pytest.param(180, 2, 180.0, id="bound"),
            pytest.param("-122.4194", 1, -122.5, id="string"),
            pytest.param(-90.0, 1, -90.0, id="south-pole"),
        ],
    )
    def test_table(self, value: float | str, decimals: int, expected: float) -> None:
        """A coordinate is floored to the south-west corner of its grid cell."""
        result = coordinate(value, decimals=decimals)

        assert expected == result
        assert math.copysign(1, result) == math.copysign(1, expected)  # no "-0.0"

    def test_cells_hold_their_points(self) -> None:
        """Every point of a cell maps to the cell's corner, and no point outside does."""
        inside = [-33.9, -33.85, -33.800001]
        outside = [-33.8, -33.900001]

        assert {coordinate(v) for v in inside} == {-33.9}
        assert -33.9 not in {coordinate(v) for v in outside}

    @pytest.mark.parametrize(
        ("value", "decimals"),
        [
            pytest.param(180.5, 1, id="out-of-range"),
            pytest.param(float("nan"), 1, id="nan"),
            pytest.param(float("inf"), 1, id="infinite"),
            pytest.param("north", 1, id="text"),
            pytest.param(True, 1, id="bool"),
            pytest.param(45.0, 3, id="three-decimals-refused"),
            pytest.param(45.0, -1, id="negative-decimals"),
        ],
    )
    def test_invalid(self, value: float | str, decimals: int) -> None:
        """Out of range, not a number, or a grid finer than 0.01° raises ValueError."""
        with pytest.raises(ValueError):  # noqa: PT011
            coordinate(value, decimals=decimals)


class TestTruncateDate:
    @pytest.mark.parametrize(
        ("value", "unit", "expected"),
        [
            pytest.param("2024-02-29", "year", "2024", id="leap-day-year"),
            pytest.param("2024-02-29", "month", "2024-02", id="leap-day-month"),
            pytest.param("2024-02-29", "day", "2024-02-29", id="leap-day-day"),
            pytest.param("20240229", "month", "2024-02", id="basic-format"),
            pytest.param("29.02.2024", "day", "2024-02-29", id="day-first-dots"),
            pytest.param("02/29/2024", "day", "2024-02-29", id="us-slashes"),
            pytest.param("2000-02-29", "day", "2000-02-29", id="leap-century"),
            pytest.param(
                "2024-02-29T23:30:00-05:00", "day", "2024-03-01", id="timestamp-to-utc-day"
            ),
            pytest.param("2024-12-31T23:59:59Z", "year", "2024", id="zulu"),
            pytest.param("2024-12-31T23:30:00-01:00", "year", "2025", id="utc-crosses-year"),
            pytest.param("2024-06-01T10:00:00", "day", "2024-06-01", id="naive-timestamp"),
            pytest.param(dt.date(1974, 5, 6), "year", "1974", id="date"),
            pytest.param(
                dt.datetime(2024, 2, 29, 1, 0, tzinfo=dt.timezone(dt.timedelta(hours=2))),
                "day",
                "2024-02-28",
                id="aware-datetime",
            ),
        ],
    )
    def test_table(self, value: dt.date | str, unit: str, expected: str) -> None:
        """Dates and timestamps are cut to their year, month or day (aware ones in UTC)."""
        assert expected == truncate_date(value, unit=unit)  # type: ignore[arg-type]

    @pytest.mark.parametrize(
        ("value", "unit"),
        [
            pytest.param("2023-02-29", "year", id="not-a-leap-year"),
            pytest.param("1900-02-29", "year", id="century-not-leap"),
            pytest.param("2024-13-01", "year", id="month-13"),
            pytest.param("yesterday", "year", id="text"),
            pytest.param(1_700_000_000, "year", id="epoch-number"),
            pytest.param("2024-02-29", "week", id="unknown-unit"),
        ],
    )
    def test_invalid(self, value: object, unit: str) -> None:
        """An impossible date, something else, or an unknown unit raises ValueError."""
        with pytest.raises(ValueError):  # noqa: PT011
            truncate_date(value, unit=unit)  # type: ignore[arg-type]


class TestAgeBucket:
    @pytest.mark.parametrize(
        ("age", "width", "expected"),
        [
            pytest.param(0, 10, "0-9", id="newborn"),
            pytest.param(9, 10, "0-9", id="9"),
            pytest.param(10, 10, "10-19", id="10"),
            pytest.param(89, 10, "80-89", id="89"),
            pytest.param(89.99, 10, "80-89", id="89-and-a-bit"),
            pytest.param(90, 10, "90+", id="90"),
            pytest.param(104, 10, "90+", id="104"),
            pytest.param(89, 5, "85-89", id="89-width-5"),
            pytest.param(90, 5, "90+", id="90-width-5"),
            pytest.param(88, 7, "84-89", id="last-bracket-cut-at-89"),
            pytest.param(42, 1, "42", id="width-1"),
            pytest.param("37", 10, "30-39", id="string"),
        ],
    )
    def test_table(self, age: float | str, width: int, expected: str) -> None:
        """Ages fall into brackets of *width* years, and 90 and above into ``90+``."""
        assert expected == age_bucket(age, width=width)

    @pytest.mark.parametrize(
        ("age", "width"),
        [
            pytest.param(-1, 10, id="negative"),
            pytest.param(float("nan"), 10, id="nan"),
            pytest.param("old", 10, id="text"),
            pytest.param(True, 10, id="bool"),
            pytest.param(30, 0, id="width-0"),
            pytest.param(30, 91, id="width-91"),
        ],
    )
    def test_invalid(self, age: float | str, width: int) -> None:
        """A negative or non-numeric age, or a bad width, raises ValueError."""
        with pytest.raises(ValueError):  # noqa: PT011
            age_bucket(age, width=width)


class TestZip3:
    @pytest.mark.parametrize(
        ("code", "expected"),
        [
            pytest.param("94107", "941", id="zip5"),
            pytest.param("94107-1234", "941", id="zip-plus-4"),
            pytest.param("941071234", "941", id="zip9-compact"),
            pytest.param(" 10001 ", "100", id="whitespace"),
            pytest.param("03601", "000", id="restricted-036"),
            pytest.param("89301", "000", id="restricted-893"),
            pytest.param(2134, "021", id="integer-lost-its-zero"),
        ],
    )
    def test_table(self, code: str | int, expected: str) -> None:
        """A ZIP code keeps its first three digits unless its area is too small."""
        assert expected == zip3(code)

    def test_restricted_list_is_the_policy_s(self) -> None:
        """The suppressed prefixes can be replaced by current ones."""
        assert zip3("94107", restricted={"941"}) == "000"
        assert zip3("03601", restricted=frozenset()) == "036"
        assert "036" in RESTRICTED_ZIP3

    @pytest.mark.parametrize(
        "code",
        [
            pytest.param("9410", id="four-digits"),
            pytest.param("SW1A 1AA", id="uk-postcode"),
            pytest.param("94107-12", id="bad-plus-4"),
            pytest.param(123_456, id="large-integer"),
        ],
    )
    def test_invalid(self, code: str | int) -> None:
        """What is no US ZIP code raises ValueError."""
        with pytest.raises(ValueError):  # noqa: PT011
            zip3(code)


class TestUserAgent:
    @pytest.mark.parametrize(
        ("header", "expected"),
        [
            pytest.param(
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                "Chrome/126.0.6478.127 Safari/537.36",
                "Chrome 126",
                id="chrome-windows",
            ),
            pytest.param(
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
                "(KHTML, like Gecko) CriOS/126.0.6478.153 Mobile/15E148 Safari/604.1",
                "Chrome 126",
                id="chrome-ios",
            ),
            pytest.param(
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                "Chrome/126.0.0.0 Safari/537.36 Edg/126.0.2592.87",
                "Edge 126",
                id="edge",
            ),
            pytest.param(
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                "Chrome/125.0.0.0 Safari/537.36 OPR/111.0.0.0",
                "Opera 111",
                id="opera",
            ),
            pytest.param(
                "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
                "SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36",
                "Samsung Internet 25",
                id="samsung",
            ),
            pytest.param(
                "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
                "Firefox 128",
                id="firefox",
            ),
            pytest.param(
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 "
                "(KHTML, like Gecko) Version/17.5 Safari/605.1.15",
                "Safari 17",
                id="safari-macos",
            ),
            pytest.param(
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
                "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
                "Safari 17",
                id="safari-ios",
            ),
            pytest.param(
                "Mozilla/5.0 (Windows NT 6.1; WOW64; Trident/7.0; rv:11.0) like Gecko",
                "Internet Explorer 11",
                id="ie11",
            ),
            pytest.param(
                "Mozilla/5.0 (compatible; MSIE 10.0; Windows NT 6.2)",
                "Internet Explorer 10",
                id="ie10",
            ),
            pytest.param(
                "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 "
                "(KHTML, like Gecko) Chrome/126.0.6478.126 Mobile Safari/537.36 "
                "(compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
                "Googlebot 2",
                id="googlebot",
            ),
            pytest.param("curl/8.5.0", "curl 8", id="curl"),
            pytest.param("python-requests/2.32.3", "python-requests 2", id="requests"),
            pytest.param("MyInternalApp/3.1 (build 7781; user jdoe)", "Other", id="unknown"),
            pytest.param("", "Other", id="empty"),
        ],
    )
    def test_table(self, header: str, expected: str) -> None:
        """Only the family and the major version remain."""
        assert expected == user_agent(header)

    def test_long_header_is_read_up_to_a_bound(self) -> None:
        """A huge header is read up to a bound and still answers."""
        assert user_agent("curl/8.0 " + "x" * 1_000_000) == "curl 8"


class TestAsActions:
    def test_generalize_action_uses_the_helpers(self) -> None:
        """``generalize`` on addresses, coordinates (negative ones too) and birth dates."""
        redactor = Redactor(
            Policy(actions={"IPV6": "generalize", "location": "generalize",
                            "DATE_OF_BIRTH": "generalize"}, geo_decimals=2)
        )  # fmt: skip

        redacted = redactor.redact(
            "peer ::ffff:203.0.113.7 located at -33.8688, 151.2093 dob 2000-02-29"
        )

        assert (
            redacted == "peer 203.0.113.0/24 located at -33.87~, 151.20~ dob [DATE_OF_BIRTH 2000]"
        )
        assert redactor.redact(redacted) == redacted

    def test_field_transforms_use_the_helpers(self) -> None:
        """Every helper is available as a field transform."""
        rules = FieldRules(
            transforms={
                "client.ip": "ip_prefix",
                "geo.lat": "coordinate",
                "event.at": "month",
                "user.born": "year",
                "user.seen": "day",
                "user.age": "age_bucket",
                "user.zip": "zip3",
                "http.user_agent": "user_agent",
            }
        )
        redactor = Redactor(Policy(fields=rules, ipv4_prefix=16))
        record = {
            "client": {"ip": "198.51.100.23"},
            "geo": {"lat": -33.8688},
            "event": {"at": "2024-02-29T12:00:00Z"},
            "user": {"born": dt.date(1961, 1, 2), "seen": "2024-02-29", "age": 90,
                     "zip": "94107"},
            "http.user_agent": "curl/8.5.0",
        }  # fmt: skip

        assert redactor.redact_fields(record) == {
            "client": {"ip": "198.51.0.0/16"},
            "geo": {"lat": -33.9},
            "event": {"at": "2024-02"},
            "user": {"born": "1961", "seen": "2024-02-29", "age": "90+", "zip": "941"},
            "http.user_agent": "curl 8",
        }

    @pytest.mark.parametrize(
        ("transform", "value"),
        [
            pytest.param("age_bucket", "very old", id="age-text"),
            pytest.param("age_bucket", [1, 2], id="age-list"),
            pytest.param("zip3", "SW1A 1AA", id="zip-uk"),
            pytest.param("year", "2023-02-29", id="impossible-date"),
            pytest.param("ip_prefix", "localhost", id="host-name"),
            pytest.param("coordinate", {"lat": 1}, id="mapping"),
            pytest.param("user_agent", 42, id="ua-number"),
        ],
    )
    def test_unreadable_field_fails_closed(self, transform: str, value: object) -> None:
        """A field value the transform cannot read becomes the failure marker, counted."""
        redactor = Redactor(Policy(fields=FieldRules(transforms={"f": transform})))

        assert redactor.redact_fields({"f": value, "g": 1}) == {"f": FAILED_MARKER, "g": 1}
        assert redactor.stats == {f"error:transform_{transform}": 1}
