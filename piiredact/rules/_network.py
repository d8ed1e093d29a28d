"""Network identifiers: IPv4 and IPv6 addresses and MAC addresses."""

from __future__ import annotations

import itertools
import string

from piiredact.rules import Rule
from piiredact.rules._shape import HEX_FOLD, WORD_START, hex_groups


# Whatever may stand next to an address: any punctuation or space, not a letter or digit.
_NOT_A_WORD = "".join(sorted(set(string.punctuation + WORD_START) - {":"}))


def _ipv4_personal(value: str) -> bool:
    # Loopback (127/8), the unspecified address, multicast and reserved ranges (224/3) identify
    # no one. Private ranges do: they identify hosts and their users.
    first = int(value.partition(".")[0])
    return value != "0.0.0.0" and first != 127 and first < 224  # noqa: S104 - not a bind address


def _ipv6_packed(candidate: str) -> bytes | None:
    """The 16 bytes of an IPv6 address, or None: ``inet_pton`` parses in C, 30 times faster than
    ``ipaddress``."""
    import socket  # noqa: PLC0415 - 4 ms to import, and only IPv6 candidates need it

    try:
        return socket.inet_pton(socket.AF_INET6, candidate)
    except OSError:
        return None


_UNSPECIFIED = bytes(16)
_LOOPBACK = bytes(15) + b"\x01"
_IPV4_MAPPED = bytes(10) + b"\xff\xff"  # ::ffff:0:0/96


def _ipv6_address_personal(candidate: str) -> bool:
    packed = _ipv6_packed(candidate)
    if packed is None:
        return False
    if packed.startswith(_IPV4_MAPPED):
        return _ipv4_personal(".".join(map(str, packed[12:])))
    # Loopback, unspecified and multicast (ff00::/8) addresses identify no one.
    return packed not in (_LOOPBACK, _UNSPECIFIED) and packed[0] != 0xFF


def _ipv6_personal(value: str) -> bool:
    candidate = value.strip("[]")
    if candidate.count(":") < 2 or max(len(g) for g in candidate.split(":")) < 2:
        return False  # "a::b" is more often C++ or Ruby than an address
    # "::1:80" also reads as loopback plus a port; an address that may be loopback is not PII.
    host, _, port = candidate.rpartition(":")
    if port.isdigit() and host.count(":") >= 2 and _ipv6_packed(host) in (_LOOPBACK, _UNSPECIFIED):
        return False
    return _ipv6_address_personal(candidate)


def _mac_personal(value: str) -> bool:
    digits = value.replace(":", "").replace("-", "").replace(".", "").lower()
    return digits not in ("000000000000", "ffffffffffff")


_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"

RULES = (
    Rule(
        name="IPV4",
        anchored=True,
        category="network",
        # RFC 791 dotted quad; a CIDR suffix means a network, which is what generalization
        # produces, so it is not an address.
        pattern=rf"""
            (?=\d{{1,3}}\.)                                             # cheap first test
            (?<![\w.]|\d\.|[vV]\.?|[A-Za-z]/)                        # not Chrome/120.0.0.0
            (?<!(?<![A-Za-z])(?i:version|firmware|build|release|ver|rev|agent)["']?[ ]?[=:]?[ ]?["']?)
            {_OCTET}(?:\.{_OCTET}){{3}}
            (?![\w]|\.\d|/\d)
        """,
        # Three octets and the first digit of the fourth: one hit per address, mostly.
        shapes=tuple(
            ".".join("0" * n for n in sizes) + ".0"
            for sizes in itertools.product((1, 2, 3), repeat=3)
        ),
        # "firmware version 4.2.17.147", "agent 7.6.30.241 started", "version=…": not addresses.
        validator=_ipv4_personal,
        action="mask",
        priority=6,
        description="IPv4 address (loopback, unspecified and multicast excepted)",
    ),
    Rule(
        name="IPV6",
        category="network",
        # RFC 4291 text forms, compressed and full, IPv4-mapped; validated by the ipaddress module.
        pattern=r"""
            (?<![\w:.])
            (?:(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}                                                # full form
              |(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){0,6})?::                                      # compressed
               (?:(?:[0-9A-Fa-f]{1,4}:){0,5}(?:\d{1,3}\.){3}\d{1,3}|[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){0,6})?)
            (?![\w]|\.\w|:[0-9A-Fa-f]*[^\d\W]|::|/\d)                         # a :port may follow
        """,
        # "::" between hex digits or delimiters (not Class::method or std::vector), or a full
        # group of four between colons.
        shapes=(
            *(
                before + "::" + after
                for before in HEX_FOLD + _NOT_A_WORD
                for after in HEX_FOLD + _NOT_A_WORD
            ),
            *hex_groups(4, 1, ":"),
        ),
        window=(40, 46),
        validator=_ipv6_personal,
        priority=6,
        description="IPv6 address in any RFC 4291 text form (loopback and unspecified excepted)",
    ),
    Rule(
        name="MAC_ADDRESS",
        category="network",
        # IEEE 802 MAC-48: six colon- or dash-separated octets, or Cisco's three dotted quads.
        pattern=r"""
            (?<![\w:.-])
            (?:[0-9A-Fa-f]{2}(?P<sep>[:-])[0-9A-Fa-f]{2}(?:(?P=sep)[0-9A-Fa-f]{2}){4}
              |[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4})
            (?![\w:-]|\.\w)
        """,
        # Two framed octets with a hex letter, or three framed all-digit ones: every MAC has one
        # of them, while timestamps (12:04:59) and dates (2005-06-03-15) have neither.
        shapes=tuple(
            shape
            for separator in ":-"
            for shape in (*hex_groups(2, 2, separator), f"{separator}00" * 3 + separator)
            if shape != f"{separator}00{separator}00{separator}"
        )
        + hex_groups(4, 1, "."),
        window=(5, 14),
        validator=_mac_personal,
        priority=7,
        description="MAC address (colon, dash or Cisco dot notation)",
        keys=("mac",),
    ),
)
