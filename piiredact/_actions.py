"""
What happens to a finding: ``mask``, ``partial``, ``token``, ``generalize`` or ``drop``.

Every replacement is built so that a second pass finds nothing in it (idempotence): masks and tokens
contain no trigger, partial forms keep too little to validate, and generalized addresses carry a
prefix length, which the address rules skip.
"""

from __future__ import annotations

import ipaddress
import math

from piiredact import _validators as v
from piiredact._keyring import Keyring


__all__ = ["apply_action", "generalize_ip", "mask"]

_PARTIAL_LAST4 = frozenset(
    {
        "CREDIT_CARD",
        "IBAN",
        "PHONE",
        "US_SSN",
        "US_ITIN",
        "CA_SIN",
        "IN_AADHAAR",
        "IMEI",
        "BR_CPF",
        "DE_TAX_ID",
        "FR_NIR",
        "AU_TFN",
    }
)


def mask(kind: str) -> str:
    """``[KIND]``: the documented mask."""
    return f"[{kind}]"


def _partial(kind: str, value: str) -> str:
    if kind in _PARTIAL_LAST4:
        digits = v.digits_only(value)
        if len(digits) >= 8:
            return f"[{kind} …{digits[-4:]}]"
    if kind == "EMAIL":
        domain = value.replace("%40", "@").rpartition("@")[2]
        return f"[EMAIL]@{domain}"
    return mask(kind)


def generalize_ip(value: str, *, ipv4_prefix: int = 24, ipv6_prefix: int = 48) -> str:
    """The network an address belongs to, in CIDR notation (``203.0.113.0/24``)."""
    try:
        address = ipaddress.ip_address(value.strip("[]"))
    except ValueError:
        return mask("IP")
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    prefix = ipv4_prefix if address.version == 4 else ipv6_prefix
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def _generalize(kind: str, value: str, *, ipv4_prefix: int, ipv6_prefix: int) -> str:
    if kind in ("IPV4", "IPV6"):
        return generalize_ip(value, ipv4_prefix=ipv4_prefix, ipv6_prefix=ipv6_prefix)
    if kind == "GEO_COORD":
        try:
            return f"{math.floor(float(value) * 10) / 10:.1f}~"
        except ValueError:
            return mask(kind)
    if kind == "DATE_OF_BIRTH":
        date = v.parse_date(value)
        return f"[{kind} {date.year}]" if date else mask(kind)
    return mask(kind)


def apply_action(
    action: str,
    kind: str,
    value: str,
    keyring: Keyring | None,
    *,
    ipv4_prefix: int = 24,
    ipv6_prefix: int = 48,
) -> str:
    """The replacement text for *value*, a finding of *kind*, under *action*."""
    if action == "mask":
        return mask(kind)
    if action == "drop":
        return ""
    if action == "token" and keyring is not None:
        return keyring.token(kind, value)
    if action == "partial":
        return _partial(kind, value)
    if action == "generalize":
        return _generalize(kind, value, ipv4_prefix=ipv4_prefix, ipv6_prefix=ipv6_prefix)
    return mask(kind)
