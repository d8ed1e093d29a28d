"""
Exceptions raised by piiredact.

Every exception is raised at configuration time or by the testing helpers; the redaction path
itself never raises into the application (it fails closed instead)::

    PiiRedactError
    ├── ConfigurationError (also a ValueError)  a bad policy, rule, key or limit
    │   └── InvalidRuleError                     a custom rule that cannot be used safely
    ├── LimitExceeded                            Redactor.find: a text needs more work than allowed
    ├── RevealError (also a ValueError)          reveal: a token that cannot be opened
    └── PiiFoundError (also an AssertionError)  raised by the testing helpers

No message ever contains a matched value.
"""

from __future__ import annotations


__all__ = [
    "ConfigurationError",
    "InvalidRuleError",
    "LimitExceeded",
    "PiiFoundError",
    "PiiRedactError",
    "RevealError",
]


class PiiRedactError(Exception):
    """
    Base class of every exception raised by piiredact.

    .. versionadded:: 0.1.0
    """


class ConfigurationError(PiiRedactError, ValueError):
    """
    A policy, rule, key or limit is invalid; raised when the policy is built.

    .. versionadded:: 0.1.0
    """


class InvalidRuleError(ConfigurationError):
    """
    A custom rule cannot be used: its pattern does not compile or can backtrack catastrophically.

    Args:
        rule_name: The name of the offending rule.
        reason: Why it was rejected (never contains matched text).
        source: Where the rule came from (a policy file), if anywhere.

    .. versionadded:: 0.1.0
    """

    def __init__(self, rule_name: str, reason: str, source: str = "") -> None:
        prefix = f"{source}: " if source else ""
        super().__init__(f"{prefix}rule {rule_name!r}: {reason}")
        self.rule_name = rule_name
        self.reason = reason
        self.source = source

    def __reduce__(self) -> tuple[type[InvalidRuleError], tuple[str, str, str]]:
        return (type(self), (self.rule_name, self.reason, self.source))


class LimitExceeded(PiiRedactError):
    """
    A text needs more work than the policy's limits allow (too many key/value pairs or matches).

    :meth:`piiredact.Redactor.redact` fails closed on it; :meth:`~piiredact.Redactor.find`
    raises it, because an audit must know.

    Args:
        reason: Which limit: ``"too_many_keys"`` or ``"too_many_candidates"``.

    .. versionadded:: 0.1.0
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class RevealError(PiiRedactError, ValueError):
    """
    A token cannot be revealed: it is not a reversible token, its key is not in the keyring, or it
    does not open with this key and context (a wrong key or context, or an altered token).

    The message never contains the token's content.

    .. versionadded:: 0.1.0
    """


class PiiFoundError(PiiRedactError, AssertionError):
    """
    Text that should be free of personal data contains some (testing helpers only).

    .. versionadded:: 0.1.0
    """
