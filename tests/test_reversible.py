"""
Reversible tokens (action ``encrypt``, AES-SIV): round trips, determinism and joins, and clean
failures for a wrong key, a wrong context, an altered token and a missing ``cryptography``.
"""

from __future__ import annotations

import re
import sys

import pytest

from piiredact import (
    FAILED_MARKER,
    ConfigurationError,
    FieldRules,
    Keyring,
    Policy,
    Redactor,
    RevealError,
    reveal,
)


KEY = "reversible-tests-key-0123456789abcdefgh"
OTHER_KEY = "reversible-tests-other-key-987654321zyx"
REVERSIBLE = re.compile(r"<(?P<kind>[A-Z0-9_]+):(?P<kid>[\w-]+):~(?P<sealed>[a-z2-7]+)>")


def _encrypting(**settings: object) -> Redactor:
    policy = Policy(
        actions={"contact": "encrypt", "network": "encrypt", "PERSON": "encrypt"},
        token_key=f"k1:{KEY}",
        **settings,  # type: ignore[arg-type]
    )
    return Redactor(policy)


class TestRoundTrip:
    @pytest.mark.parametrize(
        ("line", "value"),
        [
            pytest.param("mail Alice@Example.COM", "alice@example.com", id="email-normalized"),
            pytest.param("mail josé@bücher.example", "josé@xn--bcher-kva.example", id="idn"),
            pytest.param("call +1 (415) 555-0100", "+14155550100", id="phone-e164"),
            pytest.param("from 2001:DB8::42", "2001:db8::42", id="ipv6"),
            pytest.param('name="Zoë O\'Neil-Åström"', "Zoë O'Neil-Åström", id="unicode-name"),
        ],
    )
    def test_reveal_gives_the_normalized_value(self, line: str, value: str) -> None:
        """What the redactor encrypts, reveal() turns back into the (normalized) value."""
        redacted = _encrypting().redact(line)
        token = REVERSIBLE.search(redacted)

        assert token is not None, redacted
        assert value not in redacted
        assert reveal(token[0], key=f"k1:{KEY}") == value

    def test_deterministic_and_joinable(self) -> None:
        """Equal values give equal tokens, in any spelling and in any redactor with the key."""
        first = _encrypting().redact("mail Alice@Example.COM")
        second = _encrypting().redact("mail alice@example.com")

        assert first == second

    def test_different_values_and_kinds_differ(self) -> None:
        """Different values give different tokens; the kind is bound to the token."""
        keyring = Keyring.from_secret(KEY)
        redactor = _encrypting()

        assert redactor.redact("mail a@example.com") != redactor.redact("mail b@example.com")
        token = REVERSIBLE.search(redactor.redact("mail a@example.com"))[0]  # type: ignore[index]
        relabelled = token.replace("<EMAIL:", "<PERSON:")
        with pytest.raises(RevealError):
            reveal(relabelled, key=keyring)

    def test_key_from_environment(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Without key=, reveal() uses PIIREDACT_KEY (what the CLI does)."""
        token = _encrypting().redact("+14155550100")
        monkeypatch.setenv("PIIREDACT_KEY", f"k1:{KEY}")

        assert reveal(token) == "+14155550100"

    def test_output_is_stable_under_a_second_pass(self) -> None:
        """Reversible tokens are left alone by a second pass, also by the strict preset."""
        line = "from a.long.address.for.testing@subdomain.example.org at 198.51.100.23 ok"
        redacted = _encrypting().redact(line)
        strict = Redactor(Policy(preset="strict"))

        assert _encrypting().redact(redacted) == redacted
        assert strict.redact(redacted) == redacted
        assert strict.redact_value({"email": redacted}) == {"email": redacted}

    def test_field_transform_encrypts_whole_values(self) -> None:
        """``encrypt`` as a field transform seals a whole field under the field's kind."""
        rules = FieldRules(transforms={"user.id": "encrypt", "user.mail": "encrypt:EMAIL"})
        redactor = Redactor(Policy(fields=rules, token_key=KEY, encrypt_context="support"))

        fields = redactor.redact_fields({"user": {"id": 4242, "mail": "Bob@Example.com"}})

        assert REVERSIBLE.fullmatch(fields["user"]["id"])["kind"] == "ID"  # type: ignore[index]
        assert reveal(fields["user"]["id"], key=KEY, context="support") == "4242"
        assert reveal(fields["user"]["mail"], key=KEY, context="support") == "bob@example.com"


class TestCleanFailures:
    @pytest.fixture
    def token(self) -> str:
        return _encrypting(encrypt_context="billing").redact("+14155550100")

    def test_wrong_key(self, token: str) -> None:
        """Another key under the same id does not open the token."""
        with pytest.raises(RevealError, match="wrong key or context") as info:
            reveal(token, key=f"k1:{OTHER_KEY}", context="billing")

        assert "4155550100" not in str(info.value)
        assert info.value.__cause__ is None
        assert info.value.__suppress_context__

    def test_wrong_context(self, token: str) -> None:
        """The same key in another context does not open the token."""
        assert reveal(token, key=f"k1:{KEY}", context="billing") == "+14155550100"
        with pytest.raises(RevealError, match="wrong key or context"):
            reveal(token, key=f"k1:{KEY}", context="support")
        with pytest.raises(RevealError, match="wrong key or context"):
            reveal(token, key=f"k1:{KEY}")

    def test_unknown_key_id(self, token: str) -> None:
        """A keyring without the token's key id says so."""
        with pytest.raises(RevealError, match="'k1' is not in the keyring"):
            reveal(token, key=f"k7:{KEY}", context="billing")

    @pytest.mark.parametrize(
        "alter",
        [
            pytest.param(lambda t: t[:-2] + ("a" if t[-2] != "a" else "b") + ">", id="last-char"),
            pytest.param(lambda t: t.replace(":~", ":~a"), id="inserted"),
            pytest.param(lambda t: t[:20] + t[21:], id="removed"),
        ],
    )
    def test_altered_token(self, token: str, alter: object) -> None:
        """A token altered in any way fails authentication."""
        altered = alter(token)  # type: ignore[operator]

        assert altered != token
        with pytest.raises(RevealError):
            reveal(altered, key=f"k1:{KEY}", context="billing")

    @pytest.mark.parametrize(
        "text",
        [
            pytest.param("<PHONE:k1:uXOuHHjowsb9foKfWBwTNQ>", id="keyed-token"),
            pytest.param("[PHONE]", id="mask"),
            pytest.param("+14155550100", id="a-value"),
            pytest.param("<PHONE:k1:~ABCDEFGHIJKLMNOPQRSTUVWXYZ>", id="upper-case"),
        ],
    )
    def test_not_a_reversible_token(self, text: str) -> None:
        """Keyed tokens (one-way), masks and values cannot be revealed."""
        with pytest.raises(RevealError, match="not a reversible"):
            reveal(text, key=KEY)

    def test_no_key_configured(self, monkeypatch: pytest.MonkeyPatch, token: str) -> None:
        """Without a key anywhere, reveal() says where to put one."""
        monkeypatch.delenv("PIIREDACT_KEY", raising=False)
        monkeypatch.delenv("PIIREDACT_KEY_FILE", raising=False)

        with pytest.raises(ConfigurationError, match="PIIREDACT_KEY"):
            reveal(token)

    def test_encrypt_needs_a_configured_key(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """A random per-process key would make unrevealable tokens: refused at configuration."""
        monkeypatch.delenv("PIIREDACT_KEY", raising=False)
        monkeypatch.delenv("PIIREDACT_KEY_FILE", raising=False)

        with pytest.raises(ConfigurationError, match="'encrypt' needs a key"):
            Redactor(Policy(actions={"EMAIL": "encrypt"}))
        with pytest.raises(ConfigurationError, match="'encrypt' needs a key"):
            Redactor(Policy(fields=FieldRules(transforms={"user.id": "encrypt"})))

    def test_missing_extra(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Without ``cryptography`` the policy fails at configuration with an install hint,
        and a Redactor without ``encrypt`` does not care."""
        for name in list(sys.modules):
            if name == "cryptography" or name.startswith("cryptography."):
                monkeypatch.delitem(sys.modules, name)
        monkeypatch.setitem(sys.modules, "cryptography", None)  # what an absent package does

        with pytest.raises(ConfigurationError, match=re.escape("piiredact[crypto]")):
            Redactor(Policy(actions={"EMAIL": "encrypt"}, token_key=KEY))
        assert Redactor(Policy(actions={"EMAIL": "token"}, token_key=KEY)).redact("a@b.io")

    def test_unreadable_field_value_fails_closed(self) -> None:
        """A field value that is no string or number becomes the failure marker."""
        redactor = Redactor(Policy(fields=FieldRules(transforms={"f": "encrypt"}), token_key=KEY))

        assert redactor.redact_fields({"f": {"nested": 1}}) == {"f": FAILED_MARKER}
