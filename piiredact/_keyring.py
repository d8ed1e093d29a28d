"""
HMAC keys with ids for keyed tokens, where they come from (a policy, the environment, a file),
and the per-kind normalization applied before hashing.
"""

from __future__ import annotations

import base64
import contextlib
import hmac
import ipaddress
import os
import re
import secrets
import threading
import unicodedata
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from piiredact import _validators as v
from piiredact.exceptions import ConfigurationError
from piiredact.rules._contact import _international_phone_valid


if TYPE_CHECKING:
    from piiredact.policy import Policy

__all__ = ["DEFAULT_TOKEN_BITS", "MAX_TOKEN_BITS", "MIN_KEY_BYTES", "MIN_TOKEN_BITS", "Keyring"]

#: Keys shorter than this are refused (NIST SP 800-107: an HMAC key as long as the hash output).
MIN_KEY_BYTES = 32
#: Token lengths: 128 bits by default. RFC 2104 allows no less than half the MAC, and 96 bits
#: keep a collision among 10⁹ values at 6e-12; past 160 bits (27 characters) a token would look
#: like a random secret to the strict preset's high-entropy rule.
DEFAULT_TOKEN_BITS = 128
MIN_TOKEN_BITS = 96
MAX_TOKEN_BITS = 160

_KEY_ID = re.compile(r"[A-Za-z0-9_-]{1,16}")
# <KIND:kid:mac> for keyed tokens, <KIND:kid:~ciphertext> for reversible ones.
_TOKEN = re.compile(r"<([A-Z][A-Z0-9_]{0,63}):([A-Za-z0-9_-]{1,16}):(~?)[A-Za-z0-9_-]{8,4096}>")
_EPHEMERAL: Keyring | None = None
_EPHEMERAL_LOCK = threading.Lock()


def canonical(kind: str, value: str, *, phone_country_code: str | None = None) -> tuple[str, str]:
    """
    The kind and spelling *value* is tokenized under, so that the same person gets the same token
    everywhere: e-mail addresses lower-cased with IDN domains in their ASCII form, phone numbers in
    E.164, IP addresses in canonical form (an IPv4-mapped IPv6 address is its IPv4 address), dates
    in ISO 8601, numbers and ids as their upper-case letters and digits.
    """
    if not value.isascii():  # ASCII text is NFKC already (the check is the cheap part)
        value = unicodedata.normalize("NFKC", value)
    value = value.strip()
    if kind == "EMAIL":
        local, _, domain = value.replace("%40", "@").rpartition("@")
        domain = domain.rstrip(".")
        if not domain.isascii():
            with contextlib.suppress(UnicodeError):
                domain = domain.encode("idna").decode("ascii")
        return kind, f"{local.lower()}@{domain.lower()}"
    if kind == "PHONE":
        return kind, _e164(value, phone_country_code)
    if kind in ("IPV4", "IPV6"):
        try:
            address = ipaddress.ip_address(value.strip("[]").partition("%")[0])
        except ValueError:
            return kind, value.lower()
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        return f"IPV{address.version}", str(address)
    if kind == "MAC_ADDRESS":
        return kind, value.replace("-", "").replace(":", "").replace(".", "").lower()
    if kind == "DATE_OF_BIRTH" and (date := v.parse_date(value)) is not None:
        return kind, date.isoformat()
    if any(c.isdigit() for c in value) and kind not in ("PASSWORD", "SECRET"):
        compact = "".join(c for c in value if c.isalnum())
        if compact:
            return kind, compact.upper()
    return kind, value


def _e164(value: str, country_code: str | None) -> str:
    """A phone number in E.164 (``+14155550100``) where its country can be told."""
    value = value.replace("%2B", "+").replace("%2b", "+")
    digits = v.digits_only(value)
    if value.startswith("+"):
        return "+" + digits
    if value.startswith("00"):
        return "+" + digits[2:]
    if country_code is not None:
        if digits.startswith("0"):  # a trunk prefix: the number is national
            return f"+{country_code}{digits[1:]}"
        if country_code == "1" and len(digits) == 10:
            return "+1" + digits
    if _international_phone_valid("+" + digits):  # international, written without its "+"
        return "+" + digits
    # National, in a country we were not told: only its digits (see Policy.phone_country_code).
    return digits if country_code is None else f"+{country_code}{digits}"


class Keyring:
    """
    HMAC-SHA-256 keys by id; the primary one makes new tokens, all of them are recognised.

    Rotation keeps old tokens readable: list the new key first (it becomes the primary) and keep
    the old one after it until the data holding its tokens has expired (see ``docs/privacy.md``).

    Args:
        keys: Key id to key (text is UTF-8 encoded); each at least :data:`MIN_KEY_BYTES` bytes.
            Ids are 1 to 16 ASCII letters, digits, ``-`` or ``_``.

        primary: The id of the key that makes tokens; the first key when omitted.

        token_bits: Length of the MAC in a token: 96 to 160 bits, a multiple of 8.

    Raises:
        ConfigurationError: A key is too short, an id is invalid or the primary is not a key.
            The message names ids and lengths, never keys.

    .. versionadded:: 0.1.0
    """

    __slots__ = ("_derived", "_keys", "primary", "token_bits")

    def __init__(
        self,
        keys: Mapping[str, bytes | str],
        primary: str | None = None,
        *,
        token_bits: int = DEFAULT_TOKEN_BITS,
    ) -> None:
        if not keys:
            msg = "token keys: no key given"
            raise ConfigurationError(msg)
        if primary is None:
            primary = next(iter(keys))
        if primary not in keys:
            msg = f"token keys: primary key id {primary!r} is not among the keys"
            raise ConfigurationError(msg)
        raw: dict[str, bytes] = {}
        for key_id, key in keys.items():
            name: object = key_id  # ids may come from configuration
            if not isinstance(name, str) or not _KEY_ID.fullmatch(name):
                msg = f"token keys: key id {key_id!r} must be 1-16 ASCII letters, digits, - or _"
                raise ConfigurationError(msg)
            material = key.encode() if isinstance(key, str) else bytes(key)
            if len(material) < MIN_KEY_BYTES:
                msg = (
                    f"token keys: key {key_id!r} is {len(material)} bytes; "
                    f"at least {MIN_KEY_BYTES} are needed"
                )
                raise ConfigurationError(msg)
            raw[key_id] = material
        check_token_bits(token_bits)
        # The primary first: the order tokens are tried in.
        self._keys = {primary: raw[primary], **raw}
        self.primary = primary
        self.token_bits = token_bits
        self._derived: dict[str, object] = {}  # per key id: the cipher of reversible tokens

    def __repr__(self) -> str:
        return f"Keyring(ids={list(self._keys)!r}, primary={self.primary!r})"

    @property
    def ids(self) -> tuple[str, ...]:
        """The key ids, the primary first."""
        return tuple(self._keys)

    # ------------------------------------------------------------------------- where keys live
    @classmethod
    def from_secret(cls, secret: str | bytes, *, token_bits: int = DEFAULT_TOKEN_BITS) -> Keyring:
        """
        A keyring from its text form: ``"<key>"`` (one key, id ``k1``), ``"<id>:<key>"``, or
        several ``<id>:<key>`` entries separated by commas or line breaks, the primary first.
        Bytes are one key.

        Raises:
            ConfigurationError: The text holds no key, a duplicate id or an invalid key.
        """
        if isinstance(secret, bytes):
            return cls({"k1": secret}, token_bits=token_bits)
        entries = [
            entry.strip()
            for line in secret.splitlines()
            if not line.lstrip().startswith("#")
            for entry in line.split(",")
            if entry.strip()
        ]
        keys: dict[str, str] = {}
        for entry in entries:
            head, sep, tail = entry.partition(":")
            if sep and _KEY_ID.fullmatch(head):
                key_id, key = head, tail.strip()
            elif len(entries) == 1:
                key_id, key = "k1", entry
            else:
                msg = "token keys: with several keys each needs an id (<id>:<key>)"
                raise ConfigurationError(msg)
            if key_id in keys:
                msg = f"token keys: key id {key_id!r} is given twice"
                raise ConfigurationError(msg)
            keys[key_id] = key
        return cls(keys, token_bits=token_bits)

    @classmethod
    def from_file(
        cls, path: str | os.PathLike[str], *, token_bits: int = DEFAULT_TOKEN_BITS
    ) -> Keyring:
        """
        A keyring from a file in the :meth:`from_secret` text form: one ``<id>:<key>`` a line,
        the primary first; blank lines and lines starting with ``#`` are ignored.

        Raises:
            ConfigurationError: The file cannot be read or holds no valid keyring.
        """
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            msg = f"token key file {os.fspath(path)!r}: {exc.strerror}"
            raise ConfigurationError(msg) from None
        except UnicodeError:
            msg = f"token key file {os.fspath(path)!r}: not UTF-8 text"
            raise ConfigurationError(msg) from None
        try:
            return cls.from_secret(text, token_bits=token_bits)
        except ConfigurationError as exc:
            msg = f"token key file {os.fspath(path)!r}: {exc}"
            raise ConfigurationError(msg) from None

    @classmethod
    def from_environment(
        cls, environ: Mapping[str, str] | None = None, *, token_bits: int = DEFAULT_TOKEN_BITS
    ) -> Keyring | None:
        """
        The keyring in ``PIIREDACT_KEY`` (its text form) or in the file ``PIIREDACT_KEY_FILE``
        names; None when neither is set.

        Raises:
            ConfigurationError: Both are set, or the keyring is invalid.
        """
        env = os.environ if environ is None else environ
        secret, path = env.get("PIIREDACT_KEY"), env.get("PIIREDACT_KEY_FILE")
        if secret and path:
            msg = "token keys: set PIIREDACT_KEY or PIIREDACT_KEY_FILE, not both"
            raise ConfigurationError(msg)
        if secret:
            return cls.from_secret(secret, token_bits=token_bits)
        if path:
            return cls.from_file(path, token_bits=token_bits)
        return None

    @classmethod
    def from_policy(cls, policy: Policy) -> Keyring | None:
        """
        The keyring *policy* names (``token_key`` or ``token_key_file``), else the environment's
        (:meth:`from_environment`); None when no key is configured anywhere.
        """
        bits = policy.token_bits
        if policy.token_key is not None:
            return cls.from_secret(policy.token_key, token_bits=bits)
        if policy.token_key_file is not None:
            return cls.from_file(policy.token_key_file, token_bits=bits)
        return cls.from_environment(token_bits=bits)

    @classmethod
    def ephemeral(cls, *, token_bits: int = DEFAULT_TOKEN_BITS) -> Keyring:
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
                _EPHEMERAL = cls({"tmp": secrets.token_bytes(MIN_KEY_BYTES)})
            ring = _EPHEMERAL
        if ring.token_bits == token_bits:
            return ring
        return cls(ring._keys, token_bits=token_bits)

    # ----------------------------------------------------------------------------------- tokens
    def token(self, kind: str, value: str, *, phone_country_code: str | None = None) -> str:
        """
        ``<KIND:kid:…>``: HMAC-SHA-256 with the primary key over the kind and the normalized
        value, truncated to :attr:`token_bits` and base64url-encoded.

        Args:
            kind: What the value is (``"EMAIL"``); it selects the normalization and is part of
                the MAC, so equal strings of two kinds get unrelated tokens.

            value: The value.

            phone_country_code: The country calling code of phone numbers written in national
                form (``"1"``, ``"44"``); without it they are tokenized as their digits.
        """
        return self._token(
            self.primary, *canonical(kind, value, phone_country_code=phone_country_code)
        )

    def tokens(
        self, kind: str, value: str, *, phone_country_code: str | None = None
    ) -> tuple[str, ...]:
        """
        The token of *value* under every key, the primary's first: what to look for in data
        written before a rotation (the tokens of one person across key generations).
        """
        kind, value = canonical(kind, value, phone_country_code=phone_country_code)
        return tuple(self._token(key_id, kind, value) for key_id in self._keys)

    def _token(self, key_id: str, kind: str, value: str) -> str:
        message = kind.encode() + b"\x00" + value.encode("utf-8", "surrogatepass")
        digest = hmac.digest(self._keys[key_id], message, "sha256")  # one C call
        text = base64.urlsafe_b64encode(digest[: self.token_bits // 8]).decode().rstrip("=")
        return f"<{kind}:{key_id}:{text}>"

    def key_id(self, token: str) -> str | None:
        """
        The id of the key that made *token* (keyed or reversible) when it is one of this
        keyring's, else None. The id is not authenticated: to check that a token belongs to a
        value, compare it with :meth:`tokens`.
        """
        match = _TOKEN.fullmatch(token.strip())
        if match is None or match[2] not in self._keys:
            return None
        return match[2]

    def _secret(self, key_id: str) -> bytes:
        """The key *key_id* (for the reversible-token cipher); KeyError when unknown."""
        return self._keys[key_id]


def check_token_bits(bits: object) -> None:
    """
    Raises:
        ConfigurationError: *bits* is not a multiple of 8 between the bounds.
    """
    if (
        isinstance(bits, bool)
        or not isinstance(bits, int)
        or not MIN_TOKEN_BITS <= bits <= MAX_TOKEN_BITS
        or bits % 8
    ):
        msg = (
            f"token_bits must be a multiple of 8 from {MIN_TOKEN_BITS} to {MAX_TOKEN_BITS}, "
            f"not {bits!r}"
        )
        raise ConfigurationError(msg)
