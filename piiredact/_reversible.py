"""
Reversible tokens: deterministic authenticated encryption (AES-SIV, RFC 5297) of the normalized
value, so that the holder of the key can read a value back while equal values still give equal
tokens (joins keep working). Needs the ``crypto`` extra (``cryptography``), imported only here and
only when a reversible token is made or read.

No format-preserving encryption: FF3 was withdrawn by NIST (SP 800-38G Rev. 1, 2025) and no
maintained FF1 exists for Python.
"""

from __future__ import annotations

import base64
import re
from typing import TYPE_CHECKING, cast

from piiredact._keyring import Keyring, canonical
from piiredact.exceptions import ConfigurationError, RevealError


if TYPE_CHECKING:
    from cryptography.hazmat.primitives.ciphers.aead import AESSIV

__all__ = ["encrypt", "require_crypto", "reveal"]

# <KIND:kid:~ciphertext>. The ciphertext is RFC 4648 base32 in lower case: letters and the digits
# 2-7 only, never upper case, so no rule reads it as a random secret, an access key or a number.
_REVERSIBLE = re.compile(r"<([A-Z][A-Z0-9_]{0,63}):([A-Za-z0-9_-]{1,16}):~([a-z2-7]{26,})>")
# The cipher key of a token key: HKDF-SHA-256 to 64 bytes (AES-SIV with two AES-256 keys; Tink
# uses 64-byte keys because 32-byte ones fall to a multi-user attack). The label keeps it apart
# from the same key's HMAC tokens.
_SIV_KEY_BYTES = 64
_SIV_LABEL = b"piiredact reversible token v1"


def require_crypto() -> None:
    """
    Raises:
        ConfigurationError: ``cryptography`` is missing (a policy asks for reversible tokens).
    """
    try:
        import cryptography.hazmat.primitives.ciphers.aead  # noqa: F401, PLC0415
    except ImportError:
        msg = "action 'encrypt' needs the crypto extra: pip install 'piiredact[crypto]'"
        raise ConfigurationError(msg) from None


def encrypt(
    keyring: Keyring,
    kind: str,
    value: str,
    *,
    context: str = "",
    phone_country_code: str | None = None,
) -> str:
    """
    ``<KIND:kid:~…>``: *value*, normalized as for keyed tokens, encrypted with the primary key.

    The kind and *context* are authenticated as associated data: the token reveals only under
    the same kind and context, and equal values give equal tokens only within one context.
    """
    kind, text = canonical(kind, value, phone_country_code=phone_country_code)
    sealed = _cipher(keyring, keyring.primary).encrypt(
        text.encode("utf-8", "surrogatepass"), [kind.encode(), context.encode()]
    )
    encoded = base64.b32encode(sealed).decode("ascii").rstrip("=").lower()
    return f"<{kind}:{keyring.primary}:~{encoded}>"


def reveal(token: str, *, key: str | bytes | Keyring | None = None, context: str = "") -> str:
    """
    The value a reversible token (action ``encrypt``) was made from, in its normalized spelling.

    Only for authorised holders of the key: whoever can call this can read every reversible
    token made with the key. Keyed tokens (action ``token``) cannot be revealed.

    Args:
        token: ``<KIND:kid:~…>``, as it appears in the output.

        key: The keyring (its text form, ``"k2:…,k1:…"``, or a :class:`Keyring`); when omitted,
            the one in ``PIIREDACT_KEY`` or ``PIIREDACT_KEY_FILE``.

        context: The context the token was made in (the policy's ``encrypt_context``).

    Raises:
        RevealError: The token is not reversible, its key id is not in the keyring, or it does not
            open with this key and context.
        ConfigurationError: No key is configured, the keyring is invalid, or ``cryptography`` is
            missing.

    .. versionadded:: 0.1.0
    """
    keyring = _keyring(key)
    match = _REVERSIBLE.fullmatch(token.strip())
    if match is None:
        msg = "not a reversible piiredact token (<KIND:kid:~…>)"
        raise RevealError(msg)
    kind, key_id, encoded = match.groups()
    if key_id not in keyring.ids:
        msg = f"the token's key id {key_id!r} is not in the keyring"
        raise RevealError(msg)
    require_crypto()
    from cryptography.exceptions import InvalidTag  # noqa: PLC0415 - the optional extra

    try:
        sealed = base64.b32decode(encoded.upper() + "=" * (-len(encoded) % 8))
        plain = _cipher(keyring, key_id).decrypt(sealed, [kind.encode(), context.encode()])
        return plain.decode("utf-8", "surrogatepass")
    except (InvalidTag, ValueError):  # ValueError: padding bits or bytes that are not UTF-8
        msg = "the token does not open with this key and context (wrong key or context, or altered)"
        raise RevealError(msg) from None


def _keyring(key: str | bytes | Keyring | None) -> Keyring:
    if isinstance(key, Keyring):
        return key
    if key is not None:
        return Keyring.from_secret(key)
    keyring = Keyring.from_environment()
    if keyring is None:
        msg = "no key to reveal with: pass key= or set PIIREDACT_KEY or PIIREDACT_KEY_FILE"
        raise ConfigurationError(msg)
    return keyring


def _cipher(keyring: Keyring, key_id: str) -> AESSIV:
    """The AES-SIV cipher of key *key_id*, derived once per keyring and key."""
    cipher = keyring._derived.get(key_id)
    if cipher is None:
        require_crypto()
        from cryptography.hazmat.primitives.ciphers.aead import AESSIV  # noqa: PLC0415
        from cryptography.hazmat.primitives.hashes import SHA256  # noqa: PLC0415
        from cryptography.hazmat.primitives.kdf.hkdf import HKDF  # noqa: PLC0415

        derived = HKDF(SHA256(), _SIV_KEY_BYTES, salt=None, info=_SIV_LABEL).derive(
            keyring._secret(key_id)
        )
        cipher = keyring._derived[key_id] = AESSIV(derived)
    return cast("AESSIV", cipher)
