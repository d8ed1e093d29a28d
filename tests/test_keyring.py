"""
:class:`piiredact.Keyring`: normalization before hashing (one person, one token, in every process),
token length, where keys come from (policy, environment, file), and key rotation as documented in
``docs/privacy.md``.
"""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from piiredact import ConfigurationError, Keyring, Policy, Redactor, RevealError, reveal


KEY = "keyring-tests-key-0123456789abcdefghij"
NEW_KEY = "keyring-tests-new-key-9876543210zyxwvu"
TOKEN = re.compile(r"<(?P<kind>[A-Z0-9_]+):(?P<kid>[\w-]+):(?P<mac>[A-Za-z0-9_-]+)>")

# Spellings of one value each, as they turn up in different services.
SPELLINGS = [
    pytest.param("EMAIL", ["Alice@Example.COM", "alice@example.com", " ALICE@EXAMPLE.COM "],
                 id="email-case"),
    pytest.param("EMAIL", ["bob@bücher.example", "BOB@XN--BCHER-KVA.EXAMPLE",
                           "bob%40Bücher.example", "bob＠bücher.example", "bob@bücher.example."],
                 id="email-idn"),
    pytest.param("PHONE", ["+1 (415) 555-0100", "14155550100", "+14155550100", "001 415 555 0100",
                           "+1.415.555.0100", "%2B14155550100"], id="phone-e164"),
    pytest.param("PHONE", ["+44 7700 900123", "447700900123", "0044 7700 900123"], id="phone-uk"),
    pytest.param("CREDIT_CARD", ["4111 1111 1111 1111", "4111-1111-1111-1111", "4111111111111111",
                                 "４１１１ １１１１ １１１１ １１１１"], id="card-digits"),
    pytest.param("US_SSN", ["536-90-4399", "536904399", "536 90 4399"], id="ssn-digits"),
    pytest.param("UK_NINO", ["AB 12 34 56 C", "ab123456c"], id="nino"),
    pytest.param("IBAN", ["DE89 3704 0044 0532 0130 00", "de89370400440532013000"], id="iban"),
    pytest.param("IPV6", ["2001:DB8::1", "2001:0db8:0000:0000:0000:0000:0000:0001",
                          "[2001:db8::1]"], id="ipv6-canonical"),
    pytest.param("MAC_ADDRESS", ["00:1A:2B:3C:4D:5E", "00-1a-2b-3c-4d-5e", "001a.2b3c.4d5e"],
                 id="mac"),
    pytest.param("DATE_OF_BIRTH", ["1974-05-06", "05/06/1974", "19740506"], id="birth-date"),
]  # fmt: skip


def _mac(token: str) -> str:
    match = TOKEN.fullmatch(token)
    assert match is not None, token
    return match["mac"]


class TestNormalization:
    @pytest.mark.parametrize(("kind", "spellings"), SPELLINGS)
    def test_spellings_share_a_token(self, kind: str, spellings: list[str]) -> None:
        """Every spelling of one value gets the same token."""
        keyring = Keyring.from_secret(KEY)

        assert len({keyring.token(kind, spelling) for spelling in spellings}) == 1

    def test_different_values_do_not(self) -> None:
        """Normalization keeps values apart that differ: another local part, another number."""
        keyring = Keyring.from_secret(KEY)
        pairs = [
            ("EMAIL", "alice@example.com", "alice@example.org"),
            ("EMAIL", "alice@example.com", "alice.x@example.com"),
            ("PHONE", "+14155550100", "+14155550101"),
            ("PHONE", "+44 7700 900123", "+44 7700 900132"),
            ("US_SSN", "536-90-4399", "536-90-4398"),
        ]

        assert all(keyring.token(k, a) != keyring.token(k, b) for k, a, b in pairs)

    def test_ipv4_mapped_address_is_its_ipv4_address(self) -> None:
        """An IPv4-mapped IPv6 address tokenizes as the IPv4 address it carries."""
        keyring = Keyring.from_secret(KEY)

        assert keyring.token("IPV6", "::ffff:203.0.113.7") == keyring.token("IPV4", "203.0.113.7")
        assert keyring.token("IPV6", "::ffff:203.0.113.7").startswith("<IPV4:")

    @pytest.mark.parametrize(
        ("code", "national", "international"),
        [
            pytest.param("1", "(415) 555-0100", "+1 415 555 0100", id="nanp"),
            pytest.param("44", "07700 900123", "+44 7700 900123", id="uk-trunk-zero"),
            pytest.param("49", "030 901820", "+49 30 901820", id="de-trunk-zero"),
        ],
    )
    def test_national_numbers_with_a_country_code(
        self, code: str, national: str, international: str
    ) -> None:
        """With the policy's country code a national number gets its E.164 token."""
        keyring = Keyring.from_secret(KEY)

        assert keyring.token("PHONE", national, phone_country_code=code) == keyring.token(
            "PHONE", international
        )
        assert keyring.token("PHONE", national) != keyring.token("PHONE", international)

    def test_kind_is_part_of_the_mac(self) -> None:
        """One string as two kinds gets two unrelated tokens."""
        keyring = Keyring.from_secret(KEY)

        assert _mac(keyring.token("USERNAME", "jdoe")) != _mac(keyring.token("PERSON", "jdoe"))


class TestAcrossProcesses:
    def test_two_processes_one_key_same_tokens_for_all_spellings(self) -> None:
        """Two interpreters with one PIIREDACT_KEY give one token to every spelling of a value,
        through the redaction engine (detection, normalization, token)."""
        lines = {
            "first": "from Alice@Example.COM tel +1 (415) 555-0100",
            "second": "from alice@example.com tel +14155550100 phone 14155550100",
        }
        code = (
            "import json, sys, piiredact; "
            "r = piiredact.Redactor(piiredact.Policy(actions={'contact': 'token'})); "
            "print(json.dumps(r.redact(sys.argv[1])))"
        )
        env = {**os.environ, "PIIREDACT_KEY": f"k9:{KEY}"}
        outputs = {
            name: json.loads(
                subprocess.run(
                    [sys.executable, "-W", "error", "-c", code, line],
                    env=env,
                    capture_output=True,
                    text=True,
                    check=True,
                    timeout=60,
                ).stdout
            )
            for name, line in lines.items()
        }

        first = TOKEN.findall(outputs["first"])
        second = TOKEN.findall(outputs["second"])
        assert [kind for kind, _, _ in first] == ["EMAIL", "PHONE"]
        assert first == second[:2]
        assert second[2] == second[1]
        assert {kid for _, kid, _ in first} == {"k9"}
        assert "alice" not in outputs["first"].lower() + outputs["second"].lower()


class TestTokens:
    def test_different_keys_give_unrelated_tokens(self) -> None:
        """Under two keys the MACs of the same values differ in about half their bits."""
        first, second = Keyring.from_secret(KEY), Keyring.from_secret(NEW_KEY)
        values = [f"user{i}@example.com" for i in range(500)]

        distances = [
            (_bits(first.token("EMAIL", v)) ^ _bits(second.token("EMAIL", v))).bit_count()
            for v in values
        ]

        assert min(distances) > 0
        assert 60 <= sum(distances) / len(distances) <= 68  # 64 of 128 bits for random MACs

    def test_no_collisions_among_a_million_values(self) -> None:
        """10⁶ distinct values (e-mail addresses, phone numbers, IP addresses) get 10⁶ tokens."""
        keyring = Keyring.from_secret(KEY)
        token = keyring.token
        macs = {token("EMAIL", f"user{i}@example.com")[-23:] for i in range(600_000)}
        macs.update(token("PHONE", f"+1415{i:07d}")[-23:] for i in range(200_000))
        macs.update(token("IPV4", f"10.{i >> 16}.{(i >> 8) & 255}.{i & 255}")[-23:]
                    for i in range(200_000))  # fmt: skip

        assert len(macs) == 1_000_000

    @pytest.mark.parametrize(
        ("bits", "length"),
        [pytest.param(96, 16, id="96"), pytest.param(128, 22, id="128-default"),
         pytest.param(160, 27, id="160")],
    )  # fmt: skip
    def test_token_bits(self, bits: int, length: int) -> None:
        """The MAC is truncated to ``token_bits`` (its leftmost bits, NIST SP 800-107)."""
        short = Redactor(Policy(actions={"EMAIL": "token"}, token_key=KEY, token_bits=bits))
        full = Keyring.from_secret(KEY, token_bits=160)

        mac = _mac(short.redact("alice@example.com"))

        assert len(mac) == length
        assert _mac(full.token("EMAIL", "alice@example.com")).startswith(mac[: length - 1])

    @pytest.mark.parametrize("bits", [64, 88, 100, 168, 256, True])
    def test_token_bits_out_of_bounds_are_refused(self, bits: int) -> None:
        """Under 96 bits, over 160, or not a multiple of 8: refused, naming the setting."""
        with pytest.raises(ConfigurationError, match="token_bits"):
            Policy(token_bits=bits)

    def test_repr_shows_ids_only(self) -> None:
        """A keyring's repr names its key ids and primary, never a key."""
        keyring = Keyring.from_secret(f"k2:{NEW_KEY},k1:{KEY}")

        assert repr(keyring) == "Keyring(ids=['k2', 'k1'], primary='k2')"


def _bits(token: str) -> int:
    mac = _mac(token)
    return int.from_bytes(base64.urlsafe_b64decode(mac + "=" * (-len(mac) % 4)), "big")


class TestKeySources:
    def test_policy_file_and_environment_agree(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """One keyring given in the policy, in a key file or in either variable: one token."""
        spec = f"k2:{NEW_KEY}\nk1:{KEY}\n"
        key_file = tmp_path / "keys"
        key_file.write_text(f"# rotated 2026-11\n{spec}\n", encoding="utf-8")
        line = "to alice@example.com"

        def token(**settings: object) -> str:
            policy = Policy(actions={"EMAIL": "token"}, **settings)  # type: ignore[arg-type]
            return Redactor(policy).redact(line)

        from_policy = token(token_key=spec.replace("\n", ","))
        from_file = token(token_key_file=str(key_file))
        monkeypatch.setenv("PIIREDACT_KEY_FILE", str(key_file))
        from_env_file = token()
        monkeypatch.delenv("PIIREDACT_KEY_FILE")
        monkeypatch.setenv("PIIREDACT_KEY", spec)
        from_env = token()

        assert {from_policy, from_file, from_env_file, from_env} == {from_policy}
        assert TOKEN.search(from_policy)["kid"] == "k2"  # type: ignore[index]

    def test_policy_from_env_reads_the_key_file_variable(self, tmp_path: Path) -> None:
        """``Policy.from_env`` takes PIIREDACT_KEY_FILE; a policy file's key yields to it."""
        policy_file = tmp_path / "piiredact.toml"
        policy_file.write_text(f'token_key = "{KEY}"\n', encoding="utf-8")

        policy = Policy.from_env(
            {"PIIREDACT_POLICY": str(policy_file), "PIIREDACT_KEY_FILE": "/run/secrets/keys"}
        )

        assert (policy.token_key, policy.token_key_file) == (None, "/run/secrets/keys")

    @pytest.mark.parametrize(
        ("spec", "message"),
        [
            pytest.param("k1:short", "'k1' is 5 bytes; at least 32", id="short-named"),
            pytest.param(f"k1:{KEY},k2:tiny", "'k2' is 4 bytes", id="short-second"),
            pytest.param(f"k1:{KEY},k1:{NEW_KEY}", "'k1' is given twice", id="duplicate-id"),
            pytest.param(f"{KEY},{NEW_KEY}", "each needs an id", id="several-without-ids"),
            pytest.param("# only a comment\n", "no key given", id="empty"),
        ],
    )
    def test_invalid_keyrings_are_refused_without_showing_keys(
        self, tmp_path: Path, spec: str, message: str
    ) -> None:
        """Short keys, duplicate ids and ambiguous lists are refused, in a policy and in a key
        file alike; the message names ids and lengths, never a key."""
        key_file = tmp_path / "keys"
        key_file.write_text(spec, encoding="utf-8")

        with pytest.raises(ConfigurationError, match=re.escape(message)) as in_policy:
            Policy(token_key=spec)
        with pytest.raises(ConfigurationError, match=re.escape(message)) as in_file:
            Redactor(Policy(actions={"EMAIL": "token"}, token_key_file=str(key_file)))

        keys = [entry.partition(":")[2] or entry for entry in re.split(r"[,\n]", spec)
                if entry and not entry.startswith("#")]  # fmt: skip
        for error in (in_policy, in_file):
            assert [key for key in keys if key in str(error.value)] == []
        assert str(key_file) in str(in_file.value)

    def test_missing_key_file_names_the_file(self, tmp_path: Path) -> None:
        """A key file that cannot be read fails when the Redactor is built, naming the file."""
        missing = tmp_path / "nope"

        with pytest.raises(ConfigurationError, match=r"nope.*No such file"):
            Redactor(Policy(actions={"EMAIL": "token"}, token_key_file=str(missing)))

    @pytest.mark.parametrize(
        ("settings", "named"),
        [
            pytest.param({"token_key": KEY, "token_key_file": "/k"}, "set one", id="both"),
            pytest.param({"token_key_file": ""}, "token_key_file", id="empty-path"),
            pytest.param({"phone_country_code": "+1"}, "phone_country_code", id="country-plus"),
            pytest.param({"phone_country_code": "1234"}, "phone_country_code", id="country-long"),
            pytest.param({"encrypt_context": 5}, "encrypt_context", id="context-type"),
        ],
    )
    def test_key_settings_are_checked(self, settings: dict[str, object], named: str) -> None:
        """Key settings are validated when the policy is built."""
        with pytest.raises(ConfigurationError, match=named):
            Policy(**settings)  # type: ignore[arg-type]

    def test_both_variables_are_refused(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """PIIREDACT_KEY and PIIREDACT_KEY_FILE together are ambiguous: refused."""
        monkeypatch.setenv("PIIREDACT_KEY", KEY)
        monkeypatch.setenv("PIIREDACT_KEY_FILE", "/run/secrets/keys")

        with pytest.raises(ConfigurationError, match="not both"):
            Redactor(Policy(actions={"EMAIL": "token"}))
        with pytest.raises(ConfigurationError, match="not both"):
            Policy.from_env()


class TestRotation:
    """The rotation procedure of ``docs/privacy.md``, step by step."""

    def test_documented_procedure(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Stage the new key, promote it, keep recognising (and revealing) old tokens, retire."""
        line = "login alice@example.com"
        actions = {"EMAIL": "token", "PHONE": "encrypt"}

        def deploy(keys: str) -> tuple[Redactor, Keyring]:
            monkeypatch.setenv("PIIREDACT_KEY", keys)
            policy = Policy(actions=actions)
            keyring = Keyring.from_policy(policy)
            assert keyring is not None
            return Redactor(policy), keyring

        # 0. Before: one key, k1.
        redactor, _ = deploy(f"k1:{KEY}")
        old_token = redactor.redact(line).split()[-1]
        old_reversible = redactor.redact("+14155550100")

        # 1. Stage: add k2 after k1. Tokens do not change; readers already know k2.
        redactor, keyring = deploy(f"k1:{KEY},k2:{NEW_KEY}")
        assert redactor.redact(line).split()[-1] == old_token
        assert keyring.ids == ("k1", "k2")

        # 2. Promote: k2 first. New tokens carry k2; old ones are still recognised.
        redactor, keyring = deploy(f"k2:{NEW_KEY},k1:{KEY}")
        new_token = redactor.redact(line).split()[-1]
        assert TOKEN.fullmatch(new_token)["kid"] == "k2"  # type: ignore[index]
        assert new_token != old_token
        assert keyring.key_id(old_token) == "k1"
        assert keyring.key_id(new_token) == "k2"
        # Looking a person up in data from both periods: their token under every key.
        assert keyring.tokens("EMAIL", "Alice@Example.com") == (new_token, old_token)
        assert reveal(old_reversible, key=keyring) == "+14155550100"

        # 3. Retire k1 once the data holding its tokens has expired.
        _, keyring = deploy(f"k2:{NEW_KEY}")
        assert keyring.key_id(old_token) is None
        assert keyring.key_id(new_token) == "k2"
        with pytest.raises(RevealError, match="'k1' is not in the keyring"):
            reveal(old_reversible, key=keyring)

    @pytest.mark.parametrize(
        "token",
        [
            pytest.param("<EMAIL:k3:abcdefghijklmnopqrstuv>", id="unknown-id"),
            pytest.param("<EMAIL:k1>", id="no-mac"),
            pytest.param("[EMAIL]", id="mask"),
            pytest.param("alice@example.com", id="a-value"),
        ],
    )
    def test_key_id_of_foreign_text_is_none(self, token: str) -> None:
        """Text that is no token of this keyring has no key id."""
        assert Keyring.from_secret(f"k1:{KEY}").key_id(token) is None
