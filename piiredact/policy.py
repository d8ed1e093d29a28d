"""
:class:`Policy`: which rules run, what each does, and the limits; built from Python, TOML or the
environment, validated when it is built.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from dataclasses import fields as dataclass_fields
from pathlib import Path
from types import MappingProxyType
from typing import Any

import regex

from piiredact._keyring import DEFAULT_TOKEN_BITS, Keyring, check_token_bits
from piiredact._redos import catastrophic_backtracking
from piiredact.exceptions import ConfigurationError, InvalidRuleError
from piiredact.rules import ACTIONS, BUILTIN_RULES, CATEGORIES, Rule
from piiredact.rules._credentials import STRICT_ONLY
from piiredact.rules._personal import STRICT_VALIDATORS


__all__ = ["FIELD_TRANSFORMS", "PRESETS", "FieldRules", "Limits", "Policy"]

#: The built-in presets: ``default`` (every rule), ``strict`` (also long high-entropy strings of
#: no known format; masks instead of partial forms), ``secrets`` (credentials only).
PRESETS = ("default", "strict", "secrets")

# What a policy may do with a finding: the rules' actions, and reversible tokens (opt-in only, so
# never a rule's default).
_POLICY_ACTIONS = ACTIONS | {"encrypt"}

#: What :class:`FieldRules` ``transforms`` may do with a whole field's value: the generalization
#: helpers of :mod:`piiredact.generalize`, and ``mask``, ``token`` or ``encrypt`` (which may name
#: the kind: ``"token:EMAIL"``).
FIELD_TRANSFORMS = frozenset(
    {"mask", "token", "encrypt", "ip_prefix", "coordinate", "year", "month", "day",
     "age_bucket", "zip3", "user_agent"}
)  # fmt: skip
_KIND_TRANSFORMS = frozenset({"mask", "token", "encrypt"})
_KIND = re.compile(r"[A-Z][A-Z0-9_]{0,63}")
_COUNTRY_CODE = re.compile(r"[1-9][0-9]{0,2}")


@dataclass(frozen=True, slots=True, kw_only=True)
class Limits:
    """
    Bounds that keep redaction cheap and safe on hostile input.

    Args:
        max_value_length: Longest string (characters) that is scanned; a longer one is replaced
            whole by the failure marker, never emitted partly scanned.
        max_depth: Deepest nesting the structure walker descends into.
        max_items: Most items in one container the walker processes; the rest are replaced.
        match_timeout: CPU seconds one regex call may take (a coarse backstop; patterns are linear).
        max_key_pairs: Most ``key = value`` pairs parsed in one string; a string with more is no
            log record (a hostile ``k=k=k=…`` run costs a parse per pair) and fails closed whole.

    .. versionadded:: 0.1.0
    """

    max_value_length: int = 1_048_576
    max_depth: int = 32
    max_items: int = 10_000
    match_timeout: float = 0.25
    max_key_pairs: int = 4096

    def __post_init__(self) -> None:
        for item in dataclass_fields(self):
            value = getattr(self, item.name)
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                msg = f"limits.{item.name} must be a positive number, not {value!r}"
                raise ConfigurationError(msg)


@dataclass(frozen=True, slots=True, kw_only=True)
class FieldRules:
    """
    Data minimization for structured fields (stdlib ``extra``, structlog event keys, span
    attributes): which fields are kept, which are dropped, which are transformed, and how long
    strings may be. Applied by :meth:`Redactor.redact_fields <piiredact.Redactor.redact_fields>`
    before the kept values are redacted.

    Fields are named by dotted paths: ``user.email`` names the key ``user.email`` of a flat
    mapping and the key ``email`` inside the mapping under ``user`` alike. A name covers
    everything below it (``http`` covers ``http.request.method``); ``*`` stands for any one
    segment (``items.*.sku``). Items of lists sit at the list's path.

    Args:
        allow: The allowlist. When given, every field that is not listed, not below a listed name
            and not transformed is dropped: unknown fields fail closed. When omitted (None),
            every field is kept unless denied.

        deny: Fields always dropped, even when allowed.

        transforms: Field name to what becomes of its whole value (see
            :data:`FIELD_TRANSFORMS`): ``{"user.age": "age_bucket", "user.id": "token"}``. A
            transformed field is kept in allowlist mode. ``mask``, ``token`` and ``encrypt`` use
            the last segment of the name as the kind (``user.email`` gives ``EMAIL``) unless one
            is given (``"token:EMAIL"``).

        max_length: Strings longer than this many characters are cut to it, after redaction,
            and end with ``…``; None keeps them whole.

        scopes: Overrides by scope, the name an integration passes with each record (the logger
            name, or the instrumentation scope's). A scope applies to itself and the names below
            it (``app.payments`` to ``app.payments.api``); each one met on the way down adds its
            ``allow``, ``deny`` and ``transforms`` to the ones above it and may set
            ``max_length``. Scopes cannot nest.

    Raises:
        ConfigurationError: A name, transform or length is invalid; the message names it.

    .. versionadded:: 0.1.0
    """

    allow: tuple[str, ...] | None = None
    deny: tuple[str, ...] = ()
    transforms: Mapping[str, str] = field(default_factory=dict)
    max_length: int | None = None
    scopes: Mapping[str, FieldRules] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.allow is not None:
            object.__setattr__(self, "allow", _field_names("allow", self.allow))
        object.__setattr__(self, "deny", _field_names("deny", self.deny))
        transforms: object = self.transforms
        if not isinstance(transforms, Mapping):
            msg = "fields.transforms must map field names to transforms"
            raise ConfigurationError(msg)
        _field_names("transforms", tuple(transforms))
        for name, spec in transforms.items():
            transform, _, kind = spec.partition(":") if isinstance(spec, str) else ("", "", "")
            if transform not in FIELD_TRANSFORMS or (
                kind and (transform not in _KIND_TRANSFORMS or not _KIND.fullmatch(kind))
            ):
                msg = (
                    f"fields.transforms.{name}: {spec!r} is not one of {sorted(FIELD_TRANSFORMS)}"
                    " (mask, token and encrypt may name a kind: 'token:EMAIL')"
                )
                raise ConfigurationError(msg)
        object.__setattr__(self, "transforms", MappingProxyType(dict(transforms)))
        length: object = self.max_length
        if length is not None and (isinstance(length, bool) or not isinstance(length, int)
                                   or length < 1):  # fmt: skip
            msg = f"fields.max_length must be a positive number of characters, not {length!r}"
            raise ConfigurationError(msg)
        scopes: object = self.scopes
        if not isinstance(scopes, Mapping):
            msg = "fields.scopes must map scope names to field rules"
            raise ConfigurationError(msg)
        for scope, rules in scopes.items():
            if not isinstance(scope, str) or not scope.strip():
                msg = "fields.scopes: scope names must be non-empty strings"
                raise ConfigurationError(msg)
            if not isinstance(rules, FieldRules) or rules.scopes:
                msg = f"fields.scopes.{scope}: must be field rules without scopes of their own"
                raise ConfigurationError(msg)
        object.__setattr__(self, "scopes", MappingProxyType(dict(scopes)))

    def __getstate__(self) -> dict[str, Any]:
        # Read-only mapping views do not pickle; their dicts do.
        return {
            "allow": self.allow,
            "deny": self.deny,
            "transforms": dict(self.transforms),
            "max_length": self.max_length,
            "scopes": dict(self.scopes),
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name, value in state.items():
            object.__setattr__(self, name, value)
        object.__setattr__(self, "transforms", MappingProxyType(dict(self.transforms)))
        object.__setattr__(self, "scopes", MappingProxyType(dict(self.scopes)))

    def __bool__(self) -> bool:
        """True when the rules change anything."""
        return bool(
            self.allow is not None
            or self.deny
            or self.transforms
            or self.max_length is not None
            or self.scopes
        )

    @classmethod
    def from_mapping(cls, config: Mapping[str, Any], *, scoped: bool = True) -> FieldRules:
        """
        Field rules from a mapping shaped like the ``fields`` table of a policy file.

        Raises:
            ConfigurationError: An unknown or invalid setting; the message names it.
        """
        allowed = {"allow", "deny", "transforms", "max_length"} | ({"scopes"} if scoped else set())
        table: object = config  # from a TOML file: anything
        if not isinstance(table, Mapping):
            msg = "fields must be a table"
            raise ConfigurationError(msg)
        if unknown := set(config) - allowed:
            msg = f"fields: unknown setting(s) {sorted(unknown)}; allowed: {sorted(allowed)}"
            raise ConfigurationError(msg)
        kwargs: dict[str, Any] = {k: config[k] for k in ("transforms", "max_length") if k in config}
        for name in ("allow", "deny"):
            if name in config:
                kwargs[name] = _sequence(f"fields.{name}", config[name])
        if "scopes" in config:
            scopes = config["scopes"]
            if not isinstance(scopes, Mapping):
                msg = "fields.scopes must be a table of scope names"
                raise ConfigurationError(msg)
            kwargs["scopes"] = {
                scope: cls.from_mapping(table, scoped=False) for scope, table in scopes.items()
            }
        return cls(**kwargs)


def _sequence(name: str, value: object) -> tuple[Any, ...]:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        msg = f"{name} must be a list of field names"
        raise ConfigurationError(msg)
    return tuple(value)


def _field_names(setting: str, names: object) -> tuple[str, ...]:
    """*names* as a tuple, each a dotted path whose segments are names or ``*``."""
    names = _sequence(f"fields.{setting}", names)
    for name in names:
        if not isinstance(name, str) or not all(
            segment and (segment == "*" or "*" not in segment) for segment in name.split(".")
        ):
            msg = (
                f"fields.{setting}: {name!r} is not a dotted field name (segments are names or '*')"
            )
            raise ConfigurationError(msg)
    return names


@dataclass(frozen=True, slots=True, kw_only=True)
class Policy:
    """
    A frozen redaction policy.

    Args:
        preset: One of :data:`PRESETS`.
        actions: Action by kind (``"EMAIL"``), rule name or category (``"network"``); the most
            specific wins. Actions: ``mask``, ``partial``, ``token``, ``encrypt`` (a reversible
            token; needs ``piiredact[crypto]``), ``generalize``, ``drop``.
        disabled: Kinds, rule names or categories to switch off.
        custom_rules: Extra rules, checked for catastrophic backtracking when the policy is built.
        sensitive_keys: Extra key names whose values are always redacted (as ``SECRET``), matched
            word by word like the built-in ones (``"tenant_secret"`` covers ``TenantSecret``).
        safe_keys: Key names whose values structured redaction leaves alone (``"trace_id"``).
        limits: See :class:`Limits`.
        token_key: The keys of ``token`` and ``encrypt``, each at least 32 bytes: one key,
            ``"<id>:<key>"``, or several ``<id>:<key>`` separated by commas, the primary (the
            one that makes tokens) first. See :meth:`Keyring.from_secret
            <piiredact.Keyring.from_secret>`.
        token_key_file: A file holding the keys in the same form, one a line (instead of
            ``token_key``). Without either, ``PIIREDACT_KEY`` or ``PIIREDACT_KEY_FILE`` is used,
            and without those a random per-process key, with a warning.
        token_bits: Length of a token's MAC: 96 to 160 bits, a multiple of 8.
        phone_country_code: Country calling code (``"1"``, ``"44"``) of phone numbers written in
            national form, so that they get the token of their E.164 form.
        encrypt_context: Associated data of reversible tokens besides their kind (a name for
            the domain they are used in): a token reveals only with the same context.
        ipv4_prefix: Prefix length that ``generalize`` keeps of an IPv4 address.
        ipv6_prefix: Prefix length that ``generalize`` keeps of an IPv6 address.
        geo_decimals: Decimal places that ``generalize`` keeps of a coordinate (0 to 2;
            floored).
        fields: Data minimization for structured fields; see :class:`FieldRules`.

    Raises:
        ConfigurationError: A setting is invalid; the message names it.

    .. versionadded:: 0.1.0
    """

    preset: str = "default"
    actions: Mapping[str, str] = field(default_factory=dict)
    disabled: frozenset[str] = frozenset()
    custom_rules: tuple[Rule, ...] = ()
    sensitive_keys: tuple[str, ...] = ()
    safe_keys: tuple[str, ...] = ()
    limits: Limits = field(default_factory=Limits)
    token_key: str | bytes | None = field(default=None, repr=False)
    token_key_file: str | None = None
    token_bits: int = DEFAULT_TOKEN_BITS
    phone_country_code: str | None = None
    encrypt_context: str = ""
    ipv4_prefix: int = 24
    ipv6_prefix: int = 48
    geo_decimals: int = 1
    fields: FieldRules = field(default_factory=FieldRules)

    def __post_init__(self) -> None:
        if self.preset not in PRESETS:
            msg = f"preset {self.preset!r} is unknown; use one of {list(PRESETS)}"
            raise ConfigurationError(msg)
        object.__setattr__(self, "actions", MappingProxyType(dict(self.actions)))
        object.__setattr__(self, "disabled", frozenset(self.disabled))
        object.__setattr__(self, "custom_rules", tuple(self.custom_rules))
        for name in ("sensitive_keys", "safe_keys"):
            keys = tuple(getattr(self, name))
            if not all(isinstance(key, str) and key.strip() for key in keys):
                msg = f"{name} must be non-empty strings"
                raise ConfigurationError(msg)
            object.__setattr__(self, name, keys)
        known = self._known_names()
        for name, action in self.actions.items():
            if name not in known:
                msg = f"actions: {name!r} is not a kind, rule name or category"
                raise ConfigurationError(msg)
            if action not in _POLICY_ACTIONS:
                msg = f"actions.{name}: {action!r} is not one of {sorted(_POLICY_ACTIONS)}"
                raise ConfigurationError(msg)
        for name in self.disabled:
            if name not in known:
                msg = f"disabled: {name!r} is not a kind, rule name or category"
                raise ConfigurationError(msg)
        for rule in self.custom_rules:
            check_pattern(rule)
        if not 8 <= self.ipv4_prefix <= 32:
            msg = f"ipv4_prefix must be between 8 and 32, not {self.ipv4_prefix!r}"
            raise ConfigurationError(msg)
        if not 16 <= self.ipv6_prefix <= 128:
            msg = f"ipv6_prefix must be between 16 and 128, not {self.ipv6_prefix!r}"
            raise ConfigurationError(msg)
        if isinstance(self.geo_decimals, bool) or self.geo_decimals not in (0, 1, 2):
            msg = f"geo_decimals must be 0, 1 or 2, not {self.geo_decimals!r}"
            raise ConfigurationError(msg)
        check_token_bits(self.token_bits)
        token_key: object = self.token_key  # from TOML or a caller without type checks
        if token_key is not None and not isinstance(token_key, str | bytes):
            msg = "token_key must be a str or bytes"
            raise ConfigurationError(msg)
        if token_key is not None:
            Keyring.from_secret(token_key)  # a bad key fails here, not at the first token
        key_file: object = self.token_key_file
        if key_file is not None and (not isinstance(key_file, str) or not key_file):
            msg = "token_key_file must be a path"
            raise ConfigurationError(msg)
        if token_key is not None and key_file is not None:
            msg = "token_key and token_key_file: set one, not both"
            raise ConfigurationError(msg)
        code: object = self.phone_country_code
        if code is not None and not (isinstance(code, str) and _COUNTRY_CODE.fullmatch(code)):
            msg = f"phone_country_code must be 1 to 3 digits such as '1' or '44', not {code!r}"
            raise ConfigurationError(msg)
        context: object = self.encrypt_context
        if not isinstance(context, str):
            msg = "encrypt_context must be a string"
            raise ConfigurationError(msg)
        rules: object = self.fields
        if not isinstance(rules, FieldRules):
            msg = "fields must be FieldRules"
            raise ConfigurationError(msg)

    def __getstate__(self) -> dict[str, Any]:
        # The read-only view of ``actions`` does not pickle; its dict does (QueueHandler,
        # multiprocessing and Spark ship policies to other processes).
        state = {item.name: getattr(self, item.name) for item in dataclass_fields(self)}
        state["actions"] = dict(self.actions)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name, value in state.items():
            object.__setattr__(self, name, value)
        object.__setattr__(self, "actions", MappingProxyType(dict(self.actions)))

    def __repr__(self) -> str:
        return (
            f"Policy(preset={self.preset!r}, actions={dict(self.actions)!r}, "
            f"disabled={sorted(self.disabled)!r}, "
            f"custom_rules={[rule.name for rule in self.custom_rules]!r})"
        )

    def _known_names(self) -> set[str]:
        rules = (*BUILTIN_RULES, *self.custom_rules)
        return {r.name for r in rules} | {r.kind for r in rules} | set(CATEGORIES)

    # -------------------------------------------------------------------------------- queries
    def rules(self) -> tuple[Rule, ...]:
        """The rules this policy runs, built-in first, in catalog order."""
        rules: Iterable[Rule] = (*BUILTIN_RULES, *self.custom_rules)
        if self.preset == "strict":
            rules = (
                replace(r, validator=STRICT_VALIDATORS[r.name])
                if r.name in STRICT_VALIDATORS and r in BUILTIN_RULES
                else r
                for r in rules
            )
        else:
            rules = (r for r in rules if r.name not in STRICT_ONLY)
        if self.preset == "secrets":
            rules = (r for r in rules if r.category == "credential")
        if self.sensitive_keys:
            rules = (*rules, _sensitive_key_rule(self.sensitive_keys))
        return tuple(
            r for r in rules if not self.disabled.intersection((r.name, r.kind, r.category))
        )

    def action_for(self, rule: Rule, kind: str | None = None) -> str:
        """
        The action for findings of *rule* (of *kind*, when the rule reports several): by rule
        name, then kind, then category, then the rule's default.
        """
        for name in (rule.name, kind or rule.kind, rule.category):
            action = self.actions.get(name)
            if action is not None:
                return action
        if self.preset == "strict" and rule.action == "partial":
            return "mask"
        return rule.action

    # --------------------------------------------------------------------------- constructors
    def evolve(self, **changes: Any) -> Policy:
        """A copy with *changes* applied (and validated)."""
        return replace(self, **changes)

    @classmethod
    def from_mapping(cls, config: Mapping[str, Any], *, source: str = "policy") -> Policy:
        """
        Build a policy from a mapping shaped like the TOML file (see :meth:`from_toml`).

        Raises:
            ConfigurationError: An unknown or invalid setting; the message names it and *source*.
        """
        allowed = {
            "preset", "actions", "disabled", "rules", "limits", "token_key", "token_key_file",
            "token_bits", "phone_country_code", "encrypt_context", "ipv4_prefix", "ipv6_prefix",
            "geo_decimals", "sensitive_keys", "safe_keys", "fields",
        }  # fmt: skip
        unknown = set(config) - allowed
        if unknown:
            msg = f"{source}: unknown setting(s) {sorted(unknown)}; allowed: {sorted(allowed)}"
            raise ConfigurationError(msg)
        scalars = ("preset", "token_key", "token_key_file", "token_bits", "phone_country_code",
                   "encrypt_context", "ipv4_prefix", "ipv6_prefix", "geo_decimals")  # fmt: skip
        kwargs: dict[str, Any] = {k: config[k] for k in config if k in scalars}
        for name in ("sensitive_keys", "safe_keys"):
            if name in config:
                kwargs[name] = tuple(config[name])
        if "actions" in config:
            kwargs["actions"] = dict(config["actions"])
        if "disabled" in config:
            kwargs["disabled"] = frozenset(config["disabled"])
        if "limits" in config:
            try:
                kwargs["limits"] = Limits(**config["limits"])
            except TypeError as exc:
                msg = f"{source}: limits: {exc}"
                raise ConfigurationError(msg) from None
        rules = []
        for number, table in enumerate(config.get("rules", ()), start=1):
            try:
                spec = dict(table)
                for name in (
                    "triggers",
                    "shapes",
                    "context",
                    "anti_context",
                    "keys",
                    "key_exclude",
                ):
                    if name in spec:
                        spec[name] = tuple(spec[name])
                if "window" in spec:
                    spec["window"] = tuple(spec["window"])
                rules.append(Rule(**spec))
            except TypeError as exc:
                msg = f"{source}: rules[{number}]: {exc}"
                raise ConfigurationError(msg) from None
        kwargs["custom_rules"] = tuple(rules)
        try:
            if "fields" in config:
                kwargs["fields"] = FieldRules.from_mapping(config["fields"])
            return cls(**kwargs)
        except InvalidRuleError as exc:
            raise InvalidRuleError(exc.rule_name, exc.reason, source) from None
        except ConfigurationError as exc:
            msg = f"{source}: {exc}"
            raise ConfigurationError(msg) from None

    @classmethod
    def from_toml(cls, path: str | os.PathLike[str]) -> Policy:
        """
        Load a policy from a TOML file: a ``[piiredact]`` or ``[tool.piiredact]`` table, or the
        top level.

        Example::

            [piiredact]
            preset = "default"
            disabled = ["GEO_COORD"]
            actions = { EMAIL = "token", network = "generalize" }
            limits = { max_value_length = 65536 }

            [[piiredact.rules]]
            name = "EMPLOYEE_ID"
            category = "personal"
            pattern = 'EMP-\\d{6}'
            triggers = ["emp-"]
        """
        try:
            document = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            msg = f"policy file {os.fspath(path)!r}: {exc}"
            raise ConfigurationError(msg) from None
        table = document.get("tool", {}).get("piiredact") or document.get("piiredact") or document
        return cls.from_mapping(table, source=os.fspath(path))

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Policy:
        """
        Build a policy from environment variables.

        ``PIIREDACT_POLICY`` names a TOML file to start from; ``PIIREDACT_PRESET`` picks a preset;
        ``PIIREDACT_ACTIONS`` is ``NAME=action,…``; ``PIIREDACT_DISABLE`` is ``NAME,…``;
        ``PIIREDACT_KEY`` holds the token keys, or ``PIIREDACT_KEY_FILE`` names a file holding
        them.
        """
        env = os.environ if environ is None else environ
        policy = cls.from_toml(env["PIIREDACT_POLICY"]) if env.get("PIIREDACT_POLICY") else cls()
        changes: dict[str, Any] = {}
        if env.get("PIIREDACT_PRESET"):
            changes["preset"] = env["PIIREDACT_PRESET"].strip()
        if env.get("PIIREDACT_ACTIONS"):
            actions = dict(policy.actions)
            for item in env["PIIREDACT_ACTIONS"].split(","):
                name, sep, action = item.partition("=")
                if not sep:
                    msg = f"PIIREDACT_ACTIONS: {item.strip()!r} is not NAME=action"
                    raise ConfigurationError(msg)
                actions[name.strip()] = action.strip()
            changes["actions"] = actions
        if env.get("PIIREDACT_DISABLE"):
            names = {n.strip() for n in env["PIIREDACT_DISABLE"].split(",") if n.strip()}
            changes["disabled"] = policy.disabled | names
        if env.get("PIIREDACT_KEY") and env.get("PIIREDACT_KEY_FILE"):
            msg = "environment: set PIIREDACT_KEY or PIIREDACT_KEY_FILE, not both"
            raise ConfigurationError(msg)
        if env.get("PIIREDACT_KEY"):
            changes.update(token_key=env["PIIREDACT_KEY"], token_key_file=None)
        if env.get("PIIREDACT_KEY_FILE"):
            changes.update(token_key=None, token_key_file=env["PIIREDACT_KEY_FILE"])
        try:
            return policy.evolve(**changes)
        except ConfigurationError as exc:
            msg = f"environment: {exc}"
            raise ConfigurationError(msg) from None


def _sensitive_key_rule(keys: tuple[str, ...]) -> Rule:
    return Rule(
        name="POLICY_SENSITIVE_KEY",
        kind="SECRET",
        category="credential",
        pattern=r"(?s:.+)",
        keys=keys,
        keyed_only=True,
        priority=1,
        description="Any value under a key the policy names sensitive",
    )


# ------------------------------------------------------------------------------------ rule checks

# A repeat directly inside another repeat, neither possessive nor atomic: (a+)+, (\w*\s?)*, (x|y+)*.
_NESTED_REPEAT = re.compile(r"\((?!\?>)[^()]*(?<!\\)[+*}](?![+])[^()]*\)[+*{](?![^}]*\}\+)(?!\+)")
# Inputs that make backtracking patterns blow up: long runs of one class then a mismatch.
_PUMPS = ("a" * 4096 + "!", "1" * 4096 + "!", " " * 4096 + "!", "a1" * 2048 + "!", "a." * 2048)


def check_pattern(rule: Rule) -> None:
    """
    Reject a custom rule whose pattern does not compile or can backtrack catastrophically.

    Three checks: nested unbounded repeats that are neither possessive nor atomic (the classic
    ``(a+)+`` shape); regexploit's static analysis, the one the built-in patterns pass in the
    test suite, when it is installed (the ``lint`` extra) and can read the pattern (not when it
    uses possessive or atomic constructs); and a run against pump strings with a tight CPU
    budget.

    Raises:
        InvalidRuleError: The pattern is unusable; the message says why.
    """
    try:
        compiled = regex.compile(rule.pattern, regex.VERBOSE)
    except regex.error as exc:
        raise InvalidRuleError(rule.name, f"pattern does not compile: {exc}") from None
    if _NESTED_REPEAT.search(rule.pattern):
        raise InvalidRuleError(
            rule.name,
            "pattern nests a repeat inside a repeat; make the inner or outer repeat possessive "
            "(a++) or atomic ((?>...)) so that it cannot backtrack catastrophically",
        )
    # Unloosened: a custom pattern made safe by possessive repeats must not be refused.
    dangers = catastrophic_backtracking(rule.pattern, loosen=False)
    if dangers:
        raise InvalidRuleError(
            rule.name,
            f"static analysis (regexploit) finds catastrophic backtracking: {dangers[0]}",
        )
    for pump in _PUMPS:
        try:
            compiled.search(pump, timeout=0.05)
        except TimeoutError:
            raise InvalidRuleError(
                rule.name, "pattern backtracks catastrophically (pump string exceeded 50 ms)"
            ) from None
