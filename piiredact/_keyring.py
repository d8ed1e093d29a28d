"""HMAC keys with ids for keyed tokens, and the per-kind normalization applied before hashing."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import ipaddress
import os
import secrets
import threading
import warnings
from collections.abc import Mapping

from piiredact import _validators as v
from piiredact.exceptions import ConfigurationError


__all__ = ["MIN_KEY_BYTES", "Keyring", "normalize"]

#: Keys shorter than this are refused (NIST SP 800-107: an HMAC key as long as the hash output).
MIN_KEY_BYTES = 32
_TOKEN_BYTES = 16  # 128-bit tokens
_EPHEMERAL: Keyring | None = None
_EPHEMERAL_LOCK = threading.Lock()


def normalize(kind: str, value: str) -> str:
    """The canonical spelling of *value*, so the same person gets the same token everywhere."""
    value = value.strip()
    if kind == "EMAIL":
        local, _, domain = value.replace("%40", "@").rpartition("@")
        with contextlib.suppress(UnicodeError):
            domain = domain.encode("idna").decode("ascii")
        return f"{local.lower()}@{domain.lower()}"
    if kind == "PHONE":
        digits = v.digits_only(value.replace("%2B", "+"))
        if value.startswith(("+", "%2B")):
            return "+" + digits
        if value.startswith("00"):
            return "+" + digits[2:]
        return digits
    if kind in ("IPV4", "IPV6"):
        try:
            return str(ipaddress.ip_address(value.strip("[]")))
        except ValueError:
            return value.lower()
    if kind == "MAC_ADDRESS":
        return value.replace("-", "").replace(":", "").replace(".", "").lower()
    if any(c.isdigit() for c in value) and kind not in ("PASSWORD", "SECRET"):
        compact = "".join(c for c in value if c.isalnum())
        if compact:
            return compact.upper()
    return value


class Keyring:
    """
    HMAC-SHA-256 keys by id; the primary one makes new tokens.

    Args:
        keys: Key id to key bytes (each at least :data:`MIN_KEY_BYTES` long).
        primary: The id of the key that makes tokens.

    .. versionadded:: 0.1.0
    """

    __slots__ = ("_keys", "primary")

    def __init__(self, keys: Mapping[str, bytes], primary: str) -> None:
        if primary not in keys:
            msg = f"token keys: primary key id {primary!r} is not among the keys"
            raise ConfigurationError(msg)
        for key_id, key in keys.items():
            if not key_id.isascii() or not key_id.replace("-", "").replace("_", "").isalnum():
                msg = f"token keys: key id {key_id!r} must be ASCII letters, digits, - or _"
                raise ConfigurationError(msg)
            if len(key) < MIN_KEY_BYTES:
                msg = (
                    f"token keys: key {key_id!r} is {len(key)} bytes; "
                    f"at least {MIN_KEY_BYTES} are needed"
                )
                raise ConfigurationError(msg)
        self._keys = dict(keys)
        self.primary = primary

    def __repr__(self) -> str:
        return f"Keyring(ids={sorted(self._keys)!r}, primary={self.primary!r})"

    @classmethod
    def from_secret(cls, secret: str | bytes, key_id: str = "k1") -> Keyring:
        """A one-key keyring; *secret* may be ``"<id>:<key>"`` to name the key."""
        if isinstance(secret, str):
            head, sep, tail = secret.partition(":")
            if (
                sep
                and head
                and len(head) <= 16
                and head.replace("-", "").replace("_", "").isalnum()
            ):
                key_id, secret = head, tail
            raw = secret.encode()
        else:
            raw = secret
        return cls({key_id: raw}, key_id)

    @classmethod
    def ephemeral(cls) -> Keyring:
        """
        The random key of this process (made on first use, with a warning): tokens are stable
        within the process but will not join across processes or restarts.
        """
        global _EPHEMERAL  # noqa: PLW0603 - one key per process, made on first use
        with _EPHEMERAL_LOCK:
            if _EPHEMERAL is None:
                warnings.warn(
                    "piiredact: no token key configured (policy token_key or PIIREDACT_KEY); "
                    "using a random per-process key, so tokens will differ between processes",
                    RuntimeWarning,
                    stacklevel=3,
                )
                _EPHEMERAL = cls({"tmp": secrets.token_bytes(MIN_KEY_BYTES)}, "tmp")
            return _EPHEMERAL

    @classmethod
    def from_environment(cls) -> Keyring | None:
        """The keyring named by ``PIIREDACT_KEY``, or None when it is not set."""
        secret = os.environ.get("PIIREDACT_KEY")
        return cls.from_secret(secret) if secret else None

    def token(self, kind: str, value: str) -> str:
        """``<KIND:kid:…>``: HMAC-SHA-256 over the kind and the normalized value, 128 bits."""
        message = kind.encode() + b"\x00" + normalize(kind, value).encode("utf-8", "surrogatepass")
        digest = hmac.new(self._keys[self.primary], message, hashlib.sha256).digest()
        text = base64.urlsafe_b64encode(digest[:_TOKEN_BYTES]).decode().rstrip("=")
        return f"<{kind}:{self.primary}:{text}>"
