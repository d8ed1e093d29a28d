"""
piiredact: keep personal data and secrets out of logs, traces and metrics.

The engine is a :class:`Redactor` built from a :class:`Policy`; :func:`redact` uses a shared
default one. Output is *pseudonymized*, not anonymous: masks hide values, keyed tokens replace them
with stable references.
"""

from __future__ import annotations

from piiredact._keyring import Keyring
from piiredact._matcher import Finding
from piiredact._redactor import FAILED_MARKER, Redactor, default_redactor
from piiredact._reversible import reveal
from piiredact.exceptions import (
    ConfigurationError,
    InvalidRuleError,
    LimitExceeded,
    PiiFoundError,
    PiiRedactError,
    RevealError,
)
from piiredact.policy import FieldRules, Limits, Policy
from piiredact.rules import BUILTIN_RULES, Rule
from piiredact.stdlib import install, uninstall


__all__ = [
    "BUILTIN_RULES",
    "FAILED_MARKER",
    "ConfigurationError",
    "FieldRules",
    "Finding",
    "InvalidRuleError",
    "Keyring",
    "LimitExceeded",
    "Limits",
    "PiiFoundError",
    "PiiRedactError",
    "Policy",
    "Redactor",
    "RevealError",
    "Rule",
    "__version__",
    "default_redactor",
    "install",
    "redact",
    "reveal",
    "uninstall",
]

__version__ = "0.1.0"


def redact(text: str) -> str:
    """
    Redact *text* with the default policy; returns *text* itself when it holds nothing to redact.

    Never raises: on an internal failure the result is :data:`FAILED_MARKER`.

    .. versionadded:: 0.1.0
    """
    return default_redactor().redact(text)
