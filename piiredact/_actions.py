"""
What happens to a finding: ``mask``, ``partial``, ``token``, ``encrypt``, ``generalize`` or
``drop``; and what a field transform (:class:`~piiredact.FieldRules`) makes of a whole value.

Every replacement is built so that a second pass finds nothing in it (idempotence): masks and tokens
contain no trigger, partial forms keep too little to validate, and generalized addresses carry a
prefix length, which the address rules skip.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Literal

from piiredact import _validators as v
from piiredact import generalize
from piiredact._keyring import Keyring
from piiredact._reversible import encrypt


if TYPE_CHECKING:
    from piiredact.policy import Policy

__all__ = ["apply_action", "apply_transform", "mask"]

_DATE_UNITS: dict[str, Literal["year", "month", "day"]] = {
    "year": "year",
    "month": "month",
    "day": "day",
}
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


def _generalize(kind: str, value: str, policy: Policy) -> str:
    # The helpers raise on what they cannot read; a finding that is not what its kind says
    # (a validator let it through) is masked.
    try:
        if kind in ("IPV4", "IPV6"):
            return generalize.ip_prefix(
                value, ipv4_prefix=policy.ipv4_prefix, ipv6_prefix=policy.ipv6_prefix
            )
        if kind == "GEO_COORD":
            decimals = policy.geo_decimals
            # "~" marks the value as rounded, and keeps the coordinate rules from reading it.
            return f"{generalize.coordinate(value, decimals=decimals):.{decimals}f}~"
        if kind == "DATE_OF_BIRTH":
            return f"[{kind} {generalize.truncate_date(value)}]"
    except ValueError:
        pass
    return mask(kind)


def apply_action(
    action: str, kind: str, value: str, keyring: Keyring | None, policy: Policy
) -> str:
    """The replacement text for *value*, a finding of *kind*, under *action*."""
    if action == "mask":
        return mask(kind)
    if action == "drop":
        return ""
    if action == "token" and keyring is not None:
        return keyring.token(kind, value, phone_country_code=policy.phone_country_code)
    if action == "encrypt" and keyring is not None:
        return encrypt(
            keyring,
            kind,
            value,
            context=policy.encrypt_context,
            phone_country_code=policy.phone_country_code,
        )
    if action == "partial":
        return _partial(kind, value)
    if action == "generalize":
        return _generalize(kind, value, policy)
    return mask(kind)


def apply_transform(
    transform: str, kind: str, value: object, keyring: Keyring | None, policy: Policy
) -> str | float:
    """
    What the field transform *transform* makes of a whole field *value* (*kind* names it for
    ``mask``, ``token`` and ``encrypt``).

    Raises:
        ValueError: The value is not what the transform reads (an age that is no number).
    """
    if transform == "mask":
        return mask(kind)
    if transform in ("token", "encrypt"):
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            msg = f"{transform}: a field value to tokenize must be a string or a number"
            raise ValueError(msg)
        return apply_action(transform, kind, str(value), keyring, policy)
    if transform == "ip_prefix":
        return generalize.ip_prefix(
            str(value), ipv4_prefix=policy.ipv4_prefix, ipv6_prefix=policy.ipv6_prefix
        )
    if transform in _DATE_UNITS and isinstance(value, str | dt.date):
        return generalize.truncate_date(value, unit=_DATE_UNITS[transform])
    if transform == "user_agent" and isinstance(value, str):
        return generalize.user_agent(value)
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        msg = f"{transform}: cannot read a {type(value).__name__}"
        raise ValueError(msg)
    if transform == "coordinate":
        return generalize.coordinate(value, decimals=policy.geo_decimals)
    if transform == "age_bucket":
        return generalize.age_bucket(value)
    if transform == "zip3" and not isinstance(value, float):
        return generalize.zip3(value)
    msg = f"{transform}: cannot read this value"
    raise ValueError(msg)
