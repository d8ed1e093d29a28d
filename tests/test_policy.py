"""
:class:`piiredact.Policy`: presets, actions, disabling, custom rules and their checks, validation
messages, loading from TOML, mappings and the environment, and the keyed-token action.
"""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from piiredact import (
    ConfigurationError,
    FieldRules,
    InvalidRuleError,
    Limits,
    Policy,
    Redactor,
    Rule,
    _keyring,
)


EMAIL = "jane.doe@example.org"
IP = "203.0.113.45"
IPV6 = "2001:db8:85a3::8a2e:370:7334"
CARD = "4111 1111 1111 1111"
AWS_KEY = "AKIAIOSFODNN7EXAMPLE"
GITHUB = "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"
KEY = "policy-tests-token-key-0123456789abcdef"
OTHER_KEY = "another-token-key-for-tests-9876543210"
TOKEN = re.compile(r"<(?P<kind>[A-Z0-9_]+):(?P<kid>[\w-]+):(?P<mac>[A-Za-z0-9_-]{16,})>")


def _redact(line: str, **policy: object) -> str:
    return Redactor(Policy(**policy)).redact(line)  # type: ignore[arg-type]


class TestPresets:
    def test_default_covers_personal_data_and_secrets(self) -> None:
        """The default preset masks contact data, network ids and credentials."""
        assert (
            _redact(f"to {EMAIL} from {IP} key {AWS_KEY}")
            == "to [EMAIL] from [IPV4] key [AWS_ACCESS_KEY]"
        )

    def test_secrets_preset_ignores_personal_data(self) -> None:
        """The secrets preset leaves e-mails, addresses and cards alone but catches tokens."""
        line = f"to {EMAIL} from {IP} card {CARD} key {AWS_KEY} gh {GITHUB} password=hunter22"

        expected = (
            f"to {EMAIL} from {IP} card {CARD} key [AWS_ACCESS_KEY] gh [GITHUB_TOKEN] "
            "password=[PASSWORD]"
        )
        assert expected == _redact(line, preset="secrets")

    def test_secrets_preset_runs_only_credential_rules(self) -> None:
        """Every rule of the secrets preset is a credential rule."""
        rules = Policy(preset="secrets").rules()

        assert rules
        assert {"credential"} == {rule.category for rule in rules}

    def test_strict_preset_finds_what_default_finds(self) -> None:
        """The strict preset runs every rule: it finds the same spans as the default."""
        line = f"to {EMAIL} from {IP} card {CARD} key {AWS_KEY} ssn=205-84-4747"

        assert Redactor().find(line) == Redactor(Policy(preset="strict")).find(line)

    def test_strict_preset_has_no_partial_defaults(self) -> None:
        """Under strict, no rule keeps part of its value unless the policy asks for it."""
        policy = Policy(preset="strict")

        assert "partial" not in {policy.action_for(rule) for rule in policy.rules()}

    def test_unknown_preset(self) -> None:
        """An unknown preset is refused, naming the setting."""
        with pytest.raises(ConfigurationError, match="preset"):
            Policy(preset="lenient")


class TestActions:
    def test_action_by_kind(self) -> None:
        """An action set for a kind applies to that kind only."""
        redacted = _redact(f"to {EMAIL} from {IP}", actions={"EMAIL": "drop"})

        assert redacted == "to  from [IPV4]"

    def test_action_by_category(self) -> None:
        """An action set for a category applies to all its kinds."""
        redacted = _redact(f"from {IP} via {IPV6} to {EMAIL}", actions={"network": "generalize"})

        assert redacted == "from 203.0.113.0/24 via 2001:db8:85a3::/48 to [EMAIL]"

    def test_kind_beats_category(self) -> None:
        """The most specific setting wins: kind over category."""
        redacted = _redact(
            f"from {IP} via {IPV6}", actions={"network": "drop", "IPV4": "generalize"}
        )

        assert redacted == "from 203.0.113.0/24 via "

    def test_rule_name_beats_kind(self) -> None:
        """A rule name is more specific than the kind it reports."""
        redacted = _redact(
            "owner (415) 555-0132 or +44 20 7946 0958",
            actions={"PHONE": "drop", "PHONE_NANP": "mask"},
        )

        assert redacted == "owner [PHONE] or "

    def test_partial_keeps_last_four_digits(self) -> None:
        """``partial`` keeps the last four digits of a card number."""
        assert (
            _redact(f"card {CARD} ok", actions={"CREDIT_CARD": "partial"})
            == "card [CREDIT_CARD …1111] ok"
        )

    @pytest.mark.parametrize(
        ("prefix", "expected"),
        [
            pytest.param(24, "203.0.113.0/24", id="slash-24"),
            pytest.param(16, "203.0.0.0/16", id="slash-16"),
            pytest.param(32, "203.0.113.45/32", id="slash-32"),
        ],
    )
    def test_generalize_ipv4(self, prefix: int, expected: str) -> None:
        """``generalize`` keeps the network of an IPv4 address at ``ipv4_prefix`` bits."""
        assert f"client {expected} ok" == _redact(
            f"client {IP} ok", actions={"IPV4": "generalize"}, ipv4_prefix=prefix
        )

    def test_generalize_ipv6(self) -> None:
        """``generalize`` keeps the network of an IPv6 address at ``ipv6_prefix`` bits."""
        assert (
            _redact(f"peer {IPV6}", actions={"IPV6": "generalize"}, ipv6_prefix=32)
            == "peer 2001:db8::/32"
        )

    def test_unknown_action(self) -> None:
        """An unknown action is refused, naming the key it was set for."""
        with pytest.raises(ConfigurationError, match="EMAIL"):
            Policy(actions={"EMAIL": "shred"})

    def test_unknown_kind(self) -> None:
        """An action for a name that is no kind, rule or category is refused, naming it."""
        with pytest.raises(ConfigurationError, match=r"actions.*NOT_A_KIND"):
            Policy(actions={"NOT_A_KIND": "mask"})


class TestDisabled:
    @pytest.mark.parametrize(
        ("disabled", "expected"),
        [
            pytest.param("EMAIL", f"to {EMAIL} from [IPV4]", id="kind"),
            pytest.param("network", "to [EMAIL] from 203.0.113.45", id="category"),
            pytest.param("IPV4", "to [EMAIL] from 203.0.113.45", id="rule-name"),
        ],
    )
    def test_disabled(self, disabled: str, expected: str) -> None:
        """Disabling a kind, category or rule name turns off just that."""
        assert expected == _redact(f"to {EMAIL} from {IP}", disabled=frozenset({disabled}))

    def test_disabling_one_rule_keeps_the_others_of_its_kind(self) -> None:
        """Disabling ``PHONE_NANP`` keeps the international phone rule."""
        redacted = _redact(
            "owner (415) 555-0132 or +44 20 7946 0958", disabled=frozenset({"PHONE_NANP"})
        )

        assert redacted == "owner (415) 555-0132 or [PHONE]"

    def test_unknown_name(self) -> None:
        """Disabling an unknown name is refused, naming the setting and the name."""
        with pytest.raises(ConfigurationError, match=r"disabled.*NOPE"):
            Policy(disabled=frozenset({"NOPE"}))


EMPLOYEE_ID = Rule(
    name="EMPLOYEE_ID", category="personal", pattern=r"\bEMP-\d{6}\b", triggers=("emp-",)
)


class TestCustomRules:
    def test_pattern_and_triggers(self) -> None:
        """A custom rule finds its pattern where its trigger occurs, and masks it with its kind."""
        assert (
            _redact(f"badge EMP-123456 at {EMAIL}", custom_rules=(EMPLOYEE_ID,))
            == "badge [EMPLOYEE_ID] at [EMAIL]"
        )

    def test_trigger_is_case_insensitive(self) -> None:
        """Triggers match in any case; the pattern decides what is found."""
        assert (
            _redact("emp-123456 and EMP-654321", custom_rules=(EMPLOYEE_ID,))
            == "emp-123456 and [EMPLOYEE_ID]"
        )

    def test_value_group(self) -> None:
        """Only the ``value`` group of a custom pattern is redacted."""
        rule = Rule(
            name="BADGE_NUMBER",
            category="personal",
            pattern=r"\bBADGE\#(?P<value>\d{4,8})\b",
            triggers=("badge#",),
        )

        assert (
            _redact("scan BADGE#48213 ok", custom_rules=(rule,)) == "scan BADGE#[BADGE_NUMBER] ok"
        )

    def test_kind_and_action(self) -> None:
        """A custom rule reports its kind and can be given an action by name."""
        rule = Rule(name="BADGE", kind="EMPLOYEE_ID", category="personal",
                    pattern=r"\bB\d{5}\b", triggers=("b",))  # fmt: skip

        assert (
            _redact("badge B12345 in", custom_rules=(rule,), actions={"BADGE": "drop"})
            == "badge  in"
        )
        findings = Redactor(Policy(custom_rules=(rule,))).find("badge B12345 in")
        assert [(f.kind, f.start, f.end) for f in findings] == [("EMPLOYEE_ID", 6, 12)]

    def test_custom_rule_can_be_disabled(self) -> None:
        """A custom rule is switched off by its name like a built-in one."""
        assert (
            _redact(
                "badge EMP-123456", custom_rules=(EMPLOYEE_ID,), disabled=frozenset({"EMPLOYEE_ID"})
            )
            == "badge EMP-123456"
        )

    @pytest.mark.parametrize(
        "pattern",
        [
            pytest.param(r"(a+)+$", id="nested-plus"),
            pytest.param(r"(\w*\s?)*x", id="nested-star"),
            pytest.param(r"(?:\d+)+z", id="nested-non-capturing"),
            pytest.param(r"(a|aa)+$", id="overlapping-alternation"),
        ],
    )
    def test_catastrophic_pattern_is_refused(self, pattern: str) -> None:
        """A pattern that can backtrack catastrophically is refused when the policy is built."""
        rule = Rule(name="SLOW", category="personal", pattern=pattern, triggers=("a",))

        with pytest.raises(InvalidRuleError, match="SLOW") as info:
            Policy(custom_rules=(rule,))

        assert info.value.rule_name == "SLOW"

    def test_possessive_version_is_accepted(self) -> None:
        """The possessive form of the same pattern is linear and accepted."""
        rule = Rule(name="FAST", category="personal", pattern=r"(a++)++$", triggers=("a",))

        assert (rule,) == Policy(custom_rules=(rule,)).custom_rules

    def test_pattern_that_does_not_compile(self) -> None:
        """A pattern that does not compile is refused, naming the rule and the reason."""
        rule = Rule(name="BROKEN", category="personal", pattern=r"(EMP-\d{6}", triggers=("emp",))

        with pytest.raises(InvalidRuleError, match=r"BROKEN.*compile"):
            Policy(custom_rules=(rule,))

    def test_invalid_rule_error_is_a_configuration_error(self) -> None:
        """``InvalidRuleError`` is a ConfigurationError and so a ValueError."""
        assert issubclass(InvalidRuleError, ConfigurationError)
        assert issubclass(ConfigurationError, ValueError)

    @pytest.mark.parametrize(
        "fields",
        [
            pytest.param({"name": "lower_case"}, id="lower-case-name"),
            pytest.param({"category": "misc"}, id="unknown-category"),
            pytest.param({"action": "shred"}, id="unknown-action"),
            pytest.param({"triggers": ("",)}, id="empty-trigger"),
        ],
    )
    def test_malformed_rule(self, fields: dict[str, object]) -> None:
        """A malformed rule is refused when it is made."""
        spec: dict[str, object] = {"name": "OK_RULE", "category": "personal", "pattern": "x",
                                   "triggers": ("x",), **fields}  # fmt: skip

        with pytest.raises(InvalidRuleError):
            Rule(**spec)  # type: ignore[arg-type]


class TestValidation:
    @pytest.mark.parametrize(
        ("settings", "named"),
        [
            pytest.param({"ipv4_prefix": 4}, "ipv4_prefix", id="ipv4-prefix-low"),
            pytest.param({"ipv4_prefix": 33}, "ipv4_prefix", id="ipv4-prefix-high"),
            pytest.param({"ipv6_prefix": 200}, "ipv6_prefix", id="ipv6-prefix"),
            pytest.param({"token_key": 12345}, "token_key", id="token-key-type"),
            pytest.param({"preset": "nope"}, "preset", id="preset"),
            pytest.param({"actions": {"IPV4": "blur"}}, "IPV4", id="action"),
            pytest.param({"geo_decimals": 3}, "geo_decimals", id="geo-decimals"),
            pytest.param({"token_bits": 64}, "token_bits", id="token-bits"),
            pytest.param({"fields": {"allow": ["a"]}}, "fields", id="fields-type"),
        ],
    )
    def test_message_names_the_setting(self, settings: dict[str, object], named: str) -> None:
        """Every invalid setting raises ConfigurationError whose message names it."""
        with pytest.raises(ConfigurationError, match=re.escape(named)):
            Policy(**settings)  # type: ignore[arg-type]

    @pytest.mark.parametrize(
        ("limits", "named"),
        [
            pytest.param({"max_depth": 0}, "max_depth", id="max-depth"),
            pytest.param({"max_items": -1}, "max_items", id="max-items"),
            pytest.param({"max_value_length": 0}, "max_value_length", id="max-value-length"),
            pytest.param({"match_timeout": 0.0}, "match_timeout", id="match-timeout"),
        ],
    )
    def test_limits_name_the_setting(self, limits: dict[str, float], named: str) -> None:
        """An invalid limit raises ConfigurationError naming it."""
        with pytest.raises(ConfigurationError, match=named):
            Limits(**limits)  # type: ignore[arg-type]

    def test_policy_is_frozen(self) -> None:
        """A policy cannot be changed once built, not even through its actions mapping."""
        actions = {"EMAIL": "drop"}
        policy = Policy(actions=actions)
        actions["EMAIL"] = "mask"

        with pytest.raises(dataclasses.FrozenInstanceError):
            policy.preset = "strict"  # type: ignore[misc]
        with pytest.raises(TypeError):
            policy.actions["EMAIL"] = "token"  # type: ignore[index]
        assert policy.actions["EMAIL"] == "drop"

    def test_evolve_validates(self) -> None:
        """``evolve`` returns a changed copy, validated like a new policy."""
        policy = Policy()

        assert policy.evolve(preset="secrets").preset == "secrets"
        assert policy.preset == "default"
        with pytest.raises(ConfigurationError, match="ipv4_prefix"):
            policy.evolve(ipv4_prefix=0)


def _policy_toml(table: str = "") -> str:
    """A policy file with its settings in *table* (the top level when empty)."""
    return (
        (f"[{table}]\n" if table else "")
        + 'preset = "default"\n'
        + 'disabled = ["GEO_COORD"]\n'
        + 'actions = { EMAIL = "drop", network = "generalize" }\n'
        + "limits = { max_value_length = 65536 }\n"
        + (f"[[{table}.rules]]\n" if table else "[[rules]]\n")
        + 'name = "EMPLOYEE_ID"\n'
        + 'category = "personal"\n'
        + "pattern = 'EMP-\\d{6}'\n"
        + 'triggers = ["emp-"]\n'
    )


class TestFromToml:
    @pytest.mark.parametrize(
        "table",
        [
            pytest.param("", id="top-level"),
            pytest.param("piiredact", id="piiredact-table"),
            pytest.param("tool.piiredact", id="pyproject-table"),
        ],
    )
    def test_load(self, tmp_path: Path, table: str) -> None:
        """A TOML file sets preset, actions, disabled kinds, limits and custom rules."""
        path = tmp_path / "policy.toml"
        path.write_text(_policy_toml(table), encoding="utf-8")

        policy = Policy.from_toml(path)

        assert frozenset({"GEO_COORD"}) == policy.disabled
        assert policy.limits.max_value_length == 65536
        assert tuple(rule.name for rule in policy.custom_rules) == ("EMPLOYEE_ID",)
        assert (
            Redactor(policy).redact(f"to {EMAIL} from {IP} badge EMP-123456")
            == "to  from 203.0.113.0/24 badge [EMPLOYEE_ID]"
        )

    def test_privacy_settings(self, tmp_path: Path) -> None:
        """Key, token, generalization and field settings load from TOML as from Python."""
        path = tmp_path / "policy.toml"
        path.write_text(
            "[piiredact]\n"
            'token_key_file = "/run/secrets/piiredact-keys"\n'
            'token_bits = 96\nphone_country_code = "44"\nencrypt_context = "support"\n'
            "geo_decimals = 2\nactions = { EMAIL = 'encrypt' }\n"
            "[piiredact.fields]\n"
            'allow = ["http.route"]\ndeny = ["http.route.raw"]\nmax_length = 64\n'
            'transforms = { "user.id" = "token:USER_ID" }\n'
            '[piiredact.fields.scopes."app.payments"]\nallow = ["amount"]\n',
            encoding="utf-8",
        )

        expected = Policy(
            actions={"EMAIL": "encrypt"},
            token_key_file="/run/secrets/piiredact-keys",
            token_bits=96,
            phone_country_code="44",
            encrypt_context="support",
            geo_decimals=2,
            fields=FieldRules(
                allow=("http.route",),
                deny=("http.route.raw",),
                max_length=64,
                transforms={"user.id": "token:USER_ID"},
                scopes={"app.payments": FieldRules(allow=("amount",))},
            ),
        )
        assert Policy.from_toml(path) == expected

    def test_bad_toml_names_the_file(self, tmp_path: Path) -> None:
        """A file that is not TOML raises ConfigurationError naming the file."""
        path = tmp_path / "broken.toml"
        path.write_text('preset = "default\n', encoding="utf-8")

        with pytest.raises(ConfigurationError, match=r"broken\.toml"):
            Policy.from_toml(path)

    def test_missing_file_names_the_file(self, tmp_path: Path) -> None:
        """A missing file raises ConfigurationError naming the file."""
        with pytest.raises(ConfigurationError, match=r"absent\.toml"):
            Policy.from_toml(tmp_path / "absent.toml")

    def test_unknown_setting_is_named(self, tmp_path: Path) -> None:
        """An unknown setting raises ConfigurationError naming it and the file."""
        path = tmp_path / "policy.toml"
        path.write_text('[piiredact]\nprest = "strict"\n', encoding="utf-8")

        with pytest.raises(ConfigurationError, match=r"policy.toml.*prest"):
            Policy.from_toml(path)

    def test_invalid_value_names_file_and_setting(self, tmp_path: Path) -> None:
        """An invalid value raises ConfigurationError naming the file and the setting."""
        path = tmp_path / "policy.toml"
        path.write_text("[piiredact]\nipv4_prefix = 64\n", encoding="utf-8")

        with pytest.raises(ConfigurationError, match=r"policy.toml.*ipv4_prefix"):
            Policy.from_toml(path)

    def test_catastrophic_rule_in_toml(self, tmp_path: Path) -> None:
        """A catastrophic custom pattern in a file is refused, naming the file and the rule."""
        path = tmp_path / "policy.toml"
        path.write_text(
            '[[piiredact.rules]]\nname = "SLOW"\ncategory = "personal"\npattern = "(a+)+$"\n'
            'triggers = ["a"]\n',
            encoding="utf-8",
        )

        with pytest.raises(ConfigurationError, match=r"policy.toml.*SLOW"):
            Policy.from_toml(path)


class TestFromMappingAndEnv:
    def test_from_mapping(self) -> None:
        """A mapping shaped like the TOML file builds the same policy."""
        policy = Policy.from_mapping(
            {
                "preset": "strict",
                "actions": {"EMAIL": "drop"},
                "disabled": ["IBAN"],
                "limits": {"max_depth": 4},
            }
        )

        assert ("strict", "drop", frozenset({"IBAN"}), 4) == (
            policy.preset,
            policy.actions["EMAIL"],
            policy.disabled,
            policy.limits.max_depth,
        )

    def test_from_mapping_unknown_limit(self) -> None:
        """An unknown limit raises ConfigurationError naming the limits table."""
        with pytest.raises(ConfigurationError, match="limits"):
            Policy.from_mapping({"limits": {"max_dept": 4}})

    def test_from_env(self) -> None:
        """Preset, actions, disabled names and the key come from PIIREDACT_* variables."""
        policy = Policy.from_env(
            {
                "PIIREDACT_PRESET": "strict",
                "PIIREDACT_ACTIONS": "EMAIL=token, network=generalize",
                "PIIREDACT_DISABLE": "IBAN, GEO_COORD",
                "PIIREDACT_KEY": KEY,
                "UNRELATED": "x",
            }
        )

        assert policy.preset == "strict"
        assert dict(policy.actions) == {"EMAIL": "token", "network": "generalize"}
        assert frozenset({"IBAN", "GEO_COORD"}) == policy.disabled
        assert policy.token_key == KEY

    def test_from_env_with_policy_file(self, tmp_path: Path) -> None:
        """PIIREDACT_POLICY names a TOML file that the other variables then amend."""
        path = tmp_path / "policy.toml"
        path.write_text(_policy_toml("piiredact"), encoding="utf-8")

        policy = Policy.from_env({"PIIREDACT_POLICY": str(path), "PIIREDACT_DISABLE": "IBAN"})

        assert frozenset({"GEO_COORD", "IBAN"}) == policy.disabled
        assert tuple(rule.name for rule in policy.custom_rules) == ("EMPLOYEE_ID",)

    def test_from_empty_env_is_the_default(self) -> None:
        """Without PIIREDACT_* variables the policy is the default one."""
        assert Policy() == Policy.from_env({})

    @pytest.mark.parametrize(
        ("environ", "named"),
        [
            pytest.param({"PIIREDACT_ACTIONS": "EMAIL"}, "PIIREDACT_ACTIONS", id="actions-form"),
            pytest.param({"PIIREDACT_ACTIONS": "EMAIL=blur"}, "EMAIL", id="actions-value"),
            pytest.param({"PIIREDACT_PRESET": "nope"}, "preset", id="preset"),
            pytest.param({"PIIREDACT_DISABLE": "NOPE"}, "NOPE", id="disable"),
        ],
    )
    def test_from_env_errors_name_the_variable(self, environ: dict[str, str], named: str) -> None:
        """Invalid variables raise ConfigurationError naming what is wrong."""
        with pytest.raises(ConfigurationError, match=named):
            Policy.from_env(environ)


def _token_redactor(key: str | None = KEY) -> Redactor:
    return Redactor(Policy(actions={"EMAIL": "token", "IPV4": "token"}, token_key=key))


class TestTokens:
    def test_token_shape(self) -> None:
        """A token names the kind and the key id and carries a base64url MAC."""
        redacted = _token_redactor().redact(f"to {EMAIL}")

        match = TOKEN.fullmatch(redacted.removeprefix("to "))
        assert match is not None
        assert (match["kind"], match["kid"]) == ("EMAIL", "k1")

    def test_same_input_same_token(self) -> None:
        """The same value gets the same token, in one redactor and across redactors."""
        first = _token_redactor().redact(f"to {EMAIL}")

        assert first == _token_redactor().redact(f"to {EMAIL}")
        assert first == _token_redactor().redact(f"to {EMAIL}")

    def test_different_values_different_tokens(self) -> None:
        """Different values get different tokens."""
        redactor = _token_redactor()

        assert redactor.redact(f"to {EMAIL}") != redactor.redact("to john.roe@example.org")

    def test_different_keys_different_tokens(self) -> None:
        """The same value under two keys gets two unrelated tokens."""
        assert _token_redactor(KEY).redact(f"to {EMAIL}") != _token_redactor(OTHER_KEY).redact(
            f"to {EMAIL}"
        )

    def test_tokens_do_not_depend_on_the_kind_name_only(self) -> None:
        """An e-mail and an address with the same key give tokens of their own kind."""
        redacted = _token_redactor().redact(f"to {EMAIL} from {IP}")

        assert [m["kind"] for m in TOKEN.finditer(redacted)] == ["EMAIL", "IPV4"]

    def test_named_key(self) -> None:
        """A key given as ``<id>:<key>`` puts its id in the tokens."""
        redacted = _token_redactor(f"kid7:{KEY}").redact(f"to {EMAIL}")

        assert [m["kid"] for m in TOKEN.finditer(redacted)] == ["kid7"]

    def test_key_from_environment(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Without ``token_key`` the key comes from PIIREDACT_KEY."""
        monkeypatch.setenv("PIIREDACT_KEY", KEY)

        assert _token_redactor(KEY).redact(f"to {EMAIL}") == _token_redactor(None).redact(
            f"to {EMAIL}"
        )

    @pytest.mark.parametrize(
        "key",
        [pytest.param("short", id="5-bytes"), pytest.param("x" * 31, id="31-bytes")],
    )
    def test_short_key_is_refused(self, key: str) -> None:
        """A key shorter than 32 bytes raises ConfigurationError."""
        with pytest.raises(ConfigurationError, match="32"):
            _token_redactor(key)

    def test_short_key_from_environment_is_refused(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """A too-short PIIREDACT_KEY is refused too, not silently replaced."""
        monkeypatch.setenv("PIIREDACT_KEY", "x" * 16)

        with pytest.raises(ConfigurationError, match="32"):
            _token_redactor(None)

    def test_32_byte_key_is_accepted(self) -> None:
        """A key of exactly 32 bytes is long enough."""
        assert TOKEN.search(_token_redactor("y" * 32).redact(f"to {EMAIL}"))

    def test_no_key_warns_and_still_tokenizes(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Without any key a RuntimeWarning says tokens are per-process, and values are hidden."""
        monkeypatch.delenv("PIIREDACT_KEY", raising=False)
        monkeypatch.setattr(_keyring, "_EPHEMERAL", None)  # the warning comes once per process

        with pytest.warns(RuntimeWarning, match="PIIREDACT_KEY"):
            redactor = _token_redactor(None)

        redacted = redactor.redact(f"to {EMAIL}")
        assert EMAIL not in redacted
        assert TOKEN.search(redacted)

    def test_no_key_tokens_agree_within_the_process(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """The random key is per process: two redactors in one process give the same token."""
        monkeypatch.delenv("PIIREDACT_KEY", raising=False)
        monkeypatch.setattr(_keyring, "_EPHEMERAL", None)

        with pytest.warns(RuntimeWarning, match="random per-process key"):
            first = _token_redactor(None)
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # the warning comes once per process
            second = _token_redactor(None)

        assert first.redact(f"to {EMAIL}") == second.redact(f"to {EMAIL}")

    def test_tokens_agree_across_processes(self) -> None:
        """Two interpreters with the same PIIREDACT_KEY produce the same tokens."""
        code = (
            "import piiredact; "
            "p = piiredact.Policy(actions={'EMAIL': 'token', 'IPV4': 'token'}); "
            f"print(piiredact.Redactor(p).redact({f'to {EMAIL} from {IP}'!r}))"
        )
        env = {**os.environ, "PIIREDACT_KEY": KEY}
        outputs = [
            subprocess.run(
                [sys.executable, "-W", "error", "-c", code],
                env=env,
                capture_output=True,
                text=True,
                check=True,
                timeout=60,
            ).stdout.strip()
            for _ in range(2)
        ]

        assert [_token_redactor(KEY).redact(f"to {EMAIL} from {IP}")] * 2 == outputs


def test_custom_patterns_get_the_static_analysis_of_the_builtin_ones() -> None:
    """A cubic pattern without nested repeats passes the nesting lint; regexploit refuses it."""
    rule = Rule(name="WORDS", category="personal", pattern=r"\w+\s*\w+\s*\w+x", triggers=("x",))
    with pytest.raises(InvalidRuleError, match=r"static analysis \(regexploit\)"):
        Policy(custom_rules=[rule])
