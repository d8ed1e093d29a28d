"""
:class:`Policy`: which rules run, what each does, and the limits; built from Python, TOML or the
environment, validated when it is built.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

import regex

from piiredact.exceptions import ConfigurationError, InvalidRuleError
from piiredact.rules import ACTIONS, BUILTIN_RULES, CATEGORIES, Rule
from piiredact.rules._credentials import STRICT_ONLY


__all__ = ["PRESETS", "Limits", "Policy"]

#: The built-in presets: ``default`` (every rule), ``strict`` (also long high-entropy strings of
#: no known format; masks instead of partial forms), ``secrets`` (credentials only).
PRESETS = ("default", "strict", "secrets")

# Actions that only make sense for some kinds.
_GENERALIZABLE = frozenset({"IPV4", "IPV6", "GEO_COORD", "DATE_OF_BIRTH"})


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
        for item in fields(self):
            value = getattr(self, item.name)
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                msg = f"limits.{item.name} must be a positive number, not {value!r}"
                raise ConfigurationError(msg)


@dataclass(frozen=True, slots=True, kw_only=True)
class Policy:
    """
    A frozen redaction policy.

    Args:
        preset: One of :data:`PRESETS`.
        actions: Action by kind (``"EMAIL"``), rule name or category (``"network"``); the most
            specific wins. Actions: ``mask``, ``partial``, ``token``, ``generalize``, ``drop``.
        disabled: Kinds, rule names or categories to switch off.
        custom_rules: Extra rules, checked for catastrophic backtracking when the policy is built.
        sensitive_keys: Extra key names whose values are always redacted (as ``SECRET``), matched
            word by word like the built-in ones (``"tenant_secret"`` covers ``TenantSecret``).
        safe_keys: Key names whose values structured redaction leaves alone (``"trace_id"``).
        limits: See :class:`Limits`.
        token_key: The HMAC key for ``token`` (at least 32 bytes; ``"<id>:<key>"`` names it).
            Defaults to ``PIIREDACT_KEY``; without either, a random per-process key is used.
        ipv4_prefix: Prefix length that ``generalize`` keeps of an IPv4 address.
        ipv6_prefix: Prefix length that ``generalize`` keeps of an IPv6 address.

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
    ipv4_prefix: int = 24
    ipv6_prefix: int = 48

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
            if action not in ACTIONS:
                msg = f"actions.{name}: {action!r} is not one of {sorted(ACTIONS)}"
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
        token_key: object = self.token_key  # from TOML or a caller without type checks
        if token_key is not None and not isinstance(token_key, str | bytes):
            msg = "token_key must be a str or bytes"
            raise ConfigurationError(msg)

    def __getstate__(self) -> dict[str, Any]:
        # The read-only view of ``actions`` does not pickle; its dict does (QueueHandler,
        # multiprocessing and Spark ship policies to other processes).
        state = {item.name: getattr(self, item.name) for item in fields(self)}
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
        if self.preset != "strict":
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
            "preset", "actions", "disabled", "rules", "limits", "token_key", "ipv4_prefix",
            "ipv6_prefix", "sensitive_keys", "safe_keys",
        }  # fmt: skip
        unknown = set(config) - allowed
        if unknown:
            msg = f"{source}: unknown setting(s) {sorted(unknown)}; allowed: {sorted(allowed)}"
            raise ConfigurationError(msg)
        kwargs: dict[str, Any] = {
            k: config[k]
            for k in config
            if k in ("preset", "token_key", "ipv4_prefix", "ipv6_prefix")
        }
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
        ``PIIREDACT_KEY`` is the token key.
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
        if env.get("PIIREDACT_KEY"):
            changes["token_key"] = env["PIIREDACT_KEY"]
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

    Two checks: nested unbounded repeats that are neither possessive nor atomic (the classic
    ``(a+)+`` shape), and a run against pump strings with a tight CPU budget.

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
    for pump in _PUMPS:
        try:
            compiled.search(pump, timeout=0.05)
        except TimeoutError:
            raise InvalidRuleError(
                rule.name, "pattern backtracks catastrophically (pump string exceeded 50 ms)"
            ) from None
