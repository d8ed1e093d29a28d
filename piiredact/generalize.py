"""
Generalization: a value replaced by the group it belongs to (a network, a grid cell, a year, an age
bracket, a ZIP3 area, a browser release line), so that telemetry keeps cohorts instead of people.

Each helper works on its own and is also what the ``generalize`` action and the per-field
transforms of :class:`~piiredact.FieldRules` apply. The helpers raise :class:`ValueError` on input
they cannot read; the actions fail closed instead (a mask or the failure marker).

Generalized data is still personal data when the groups are small or can be combined with other
data: a /24 network holds at most 254 hosts. See ``docs/privacy.md``.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import math
from collections.abc import Collection
from decimal import ROUND_FLOOR, Decimal, InvalidOperation
from typing import Literal

import regex

from piiredact import _validators as v


__all__ = [
    "RESTRICTED_ZIP3",
    "age_bucket",
    "coordinate",
    "ip_prefix",
    "truncate_date",
    "user_agent",
    "zip3",
]

#: Three-digit ZIP prefixes whose areas had 20,000 people or fewer: HIPAA's Safe Harbor method
#: (45 CFR 164.514(b)(2)(i)(B)) replaces them by ``000``. The list is the one HHS published from
#: the 2000 Census; HHS asks for current Census data, so pass your own to :func:`zip3`.
RESTRICTED_ZIP3 = frozenset(
    {
        "036", "059", "063", "102", "203", "556", "692", "790", "821", "823", "830", "831",
        "878", "879", "884", "890", "893",
    }
)  # fmt: skip

_MAX_AGE_BUCKET = 90  # HIPAA Safe Harbor: ages over 89 fall into one "90 or older" group
_MAX_DECIMALS = 2  # 0.01° is about 1.1 km at the equator; 0.001° (111 m) can single out a house
_ZIP = regex.compile(r"(\d{3})\d{2}(?:-?\d{4})?")
_USER_AGENT_LENGTH = 1024  # real user agents are shorter; a longer one is read up to here
# Checked in order, since most browsers also claim to be Mozilla, Chrome and Safari: crawlers and
# tools first, then browsers built on Chromium before Chrome itself, then Safari (whose version
# is in ``Version/``) and Internet Explorer.
_USER_AGENTS = tuple(
    (family, regex.compile(pattern))
    for family, pattern in (
        ("Googlebot", r"\bGooglebot/(\d{1,4})"),
        ("bingbot", r"\bbingbot/(\d{1,4})"),
        ("curl", r"^curl/(\d{1,4})"),
        ("Wget", r"^Wget/(\d{1,4})"),
        ("python-requests", r"^python-requests/(\d{1,4})"),
        ("Go-http-client", r"^Go-http-client/(\d{1,4})"),
        ("okhttp", r"\bokhttp/(\d{1,4})"),
        ("Edge", r"\b(?:Edg|EdgA|EdgiOS|Edge)/(\d{1,4})"),
        ("Opera", r"\b(?:OPR|OPiOS)/(\d{1,4})"),
        ("Samsung Internet", r"\bSamsungBrowser/(\d{1,4})"),
        ("Yandex Browser", r"\bYaBrowser/(\d{1,4})"),
        ("Firefox", r"\b(?:Firefox|FxiOS)/(\d{1,4})"),
        ("Chrome", r"\b(?:Chrome|CriOS|Chromium)/(\d{1,4})"),
        ("Safari", r"\bVersion/(\d{1,4})(?=.*\bSafari/)"),
        (
            "Internet Explorer",
            r"\bMSIE (\d{1,4})|\bTrident/\d{1,4}\.\d{1,4};.{0,64}?\brv:(\d{1,4})",
        ),
    )
)


def ip_prefix(
    address: str | ipaddress.IPv4Address | ipaddress.IPv6Address,
    *,
    ipv4_prefix: int = 24,
    ipv6_prefix: int = 48,
) -> str:
    """
    The network *address* belongs to, in CIDR notation: ``203.0.113.0/24``, ``2001:db8:85a3::/48``.

    An IPv4-mapped IPv6 address (``::ffff:203.0.113.7``) is treated as the IPv4 address it
    carries, brackets and zone ids (``[fe80::1%eth0]``) are ignored. /24 is what Google Analytics
    keeps; /16 leaves 65,534 hosts per network instead of 254.

    Args:
        address: An IPv4 or IPv6 address.

        ipv4_prefix: Bits kept of an IPv4 address (0 to 32).

        ipv6_prefix: Bits kept of an IPv6 address (0 to 128).

    Raises:
        ValueError: *address* is no IP address, or a prefix length is out of range.

    .. versionadded:: 0.1.0
    """
    if not 0 <= ipv4_prefix <= 32 or not 0 <= ipv6_prefix <= 128:
        msg = "ip_prefix: prefix lengths must be 0-32 (IPv4) and 0-128 (IPv6)"
        raise ValueError(msg)
    if isinstance(address, str):
        text = address.strip().removeprefix("[").removesuffix("]").partition("%")[0]
        ip = ipaddress.ip_address(text)
    else:
        ip = address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        elif ip.scope_id is not None:  # a network has no zone
            ip = ipaddress.IPv6Address(int(ip))
    prefix = ipv4_prefix if ip.version == 4 else ipv6_prefix
    return str(ipaddress.ip_network((ip, prefix), strict=False))


def coordinate(value: float | str, *, decimals: int = 1) -> float:
    """
    A latitude or longitude floored to a grid of *decimals* decimal places: ``-33.8688`` becomes
    ``-33.9``, the south-west corner of its cell (flooring, unlike rounding, never moves a point
    into a neighbouring cell, so a cell holds exactly the points inside it).

    One decimal is a cell of about 11 km, two about 1.1 km (at the equator; less east-west away
    from it). Finer grids identify buildings and are refused.

    Args:
        value: Decimal degrees, between -180 and 180.

        decimals: Decimal places kept: 0, 1 or 2.

    Raises:
        ValueError: *value* is no coordinate, or *decimals* is out of range.

    .. versionadded:: 0.1.0
    """
    if isinstance(decimals, bool) or decimals not in range(_MAX_DECIMALS + 1):
        msg = f"coordinate: decimals must be 0 to {_MAX_DECIMALS}, not {decimals!r}"
        raise ValueError(msg)
    if isinstance(value, bool) or not isinstance(value, float | int | str):
        msg = "coordinate: not a number of degrees"
        raise ValueError(msg)
    try:
        # Decimal from the shortest repr: 4.35 floors to 4.35, where float arithmetic
        # (4.35 * 100 = 434.99…) would give 4.34.
        degrees = Decimal(value.strip() if isinstance(value, str) else repr(float(value)))
    except InvalidOperation:
        msg = "coordinate: not a number of degrees"
        raise ValueError(msg) from None
    if not degrees.is_finite() or abs(degrees) > 180:
        msg = "coordinate: degrees must be between -180 and 180"
        raise ValueError(msg)
    return float(degrees.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_FLOOR)) + 0.0


def truncate_date(value: dt.date | str, *, unit: Literal["year", "month", "day"] = "year") -> str:
    """
    A date or timestamp cut to its *unit*: ``2024``, ``2024-02`` or ``2024-02-29``.

    Timestamps with a time zone are converted to UTC first, so that one instant falls on one day
    wherever it was logged. Strings are ISO 8601 (``2024-02-29``, ``2024-02-29T23:30:00+01:00``,
    ``20240229``) or day/month/year forms (``29.02.2024``, ``02/29/2024``).

    Args:
        value: A :class:`~datetime.date`, :class:`~datetime.datetime` or string.

        unit: ``"year"`` (what HIPAA's Safe Harbor keeps of a date), ``"month"`` or ``"day"``.

    Raises:
        ValueError: *value* is no valid date (``2023-02-29``), or *unit* is unknown.

    .. versionadded:: 0.1.0
    """
    if unit not in ("year", "month", "day"):
        msg = f"truncate_date: unit must be 'year', 'month' or 'day', not {unit!r}"
        raise ValueError(msg)
    day = _to_date(value)
    if unit == "year":
        return f"{day.year:04d}"
    if unit == "month":
        return f"{day.year:04d}-{day.month:02d}"
    return day.isoformat()


def _to_date(value: object) -> dt.date:
    if isinstance(value, str):
        text = value.strip()
        try:
            value = dt.datetime.fromisoformat(text)
        except ValueError:
            parsed = v.parse_date(text)
            if parsed is None:
                msg = "truncate_date: not a date"
                raise ValueError(msg) from None
            return parsed
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC)
        return value.date()
    if isinstance(value, dt.date):
        return value
    msg = "truncate_date: not a date"
    raise ValueError(msg)


def age_bucket(age: float | str, *, width: int = 10) -> str:
    """
    The age bracket of *age* in years: ``"80-89"``, and ``"90+"`` for everyone 90 or older (the
    HIPAA Safe Harbor group, since very old ages are rare enough to identify people).

    Args:
        age: Age in years; fractions are floored (89.9 is 89).

        width: Years per bracket (1 to 90); the last bracket before ``90+`` is cut at 89.

    Raises:
        ValueError: *age* is negative or not a number, or *width* is out of range.

    .. versionadded:: 0.1.0
    """
    size: object = width  # checked at run time: it may come from configuration
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= 90:
        msg = f"age_bucket: width must be 1 to 90 years, not {size!r}"
        raise ValueError(msg)
    if isinstance(age, bool) or not isinstance(age, int | float | str):
        msg = "age_bucket: not an age"
        raise ValueError(msg)
    try:
        years = float(age)
    except ValueError:
        msg = "age_bucket: not an age"
        raise ValueError(msg) from None
    if not math.isfinite(years) or years < 0:
        msg = "age_bucket: not an age"
        raise ValueError(msg)
    if years >= _MAX_AGE_BUCKET:
        return f"{_MAX_AGE_BUCKET}+"
    low = int(years) // width * width
    high = min(low + width, _MAX_AGE_BUCKET) - 1
    return str(low) if low == high else f"{low}-{high}"


def zip3(code: str | int, *, restricted: Collection[str] = RESTRICTED_ZIP3) -> str:
    """
    The three-digit prefix of a US ZIP code (``"94107-1234"`` gives ``"941"``), or ``"000"`` when
    the prefix is in *restricted* (areas of 20,000 people or fewer).

    Args:
        code: A five-digit ZIP or ZIP+4 code; an integer is read as a ZIP that lost its leading
            zeros (``2134`` is ``02134``).

        restricted: The prefixes to suppress; :data:`RESTRICTED_ZIP3` by default.

    Raises:
        ValueError: *code* is no ZIP code.

    .. versionadded:: 0.1.0
    """
    if isinstance(code, int) and not isinstance(code, bool) and 0 <= code <= 99_999:
        code = f"{code:05d}"
    match = _ZIP.fullmatch(code.strip()) if isinstance(code, str) else None
    if match is None:
        msg = "zip3: not a US ZIP code"
        raise ValueError(msg)
    return "000" if match[1] in restricted else match[1]


def user_agent(value: str) -> str:
    """
    The browser (or client) family and major version a User-Agent header names: ``"Chrome 126"``,
    ``"Safari 17"``, ``"curl 8"``; ``"Other"`` when it names none we know.

    Everything else in the header (operating system and its version, device model, build ids,
    extensions) is dropped: together those details single out a device.

    .. versionadded:: 0.1.0
    """
    text = value[:_USER_AGENT_LENGTH]
    for family, pattern in _USER_AGENTS:
        match = pattern.search(text)
        if match is not None:
            major = next(group for group in match.groups() if group is not None)
            return f"{family} {int(major)}"
    return "Other"
