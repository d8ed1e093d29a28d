"""
The package as shipped: what importing it pulls in, its public surface, its version and its
typing marker.
"""

from __future__ import annotations

import importlib.metadata
import importlib.resources
import json
import subprocess
import sys

import pytest

import piiredact


# Third-party modules that ``import piiredact`` may load: its declared dependencies.
ALLOWED_THIRD_PARTY = frozenset({"regex", "ahocorasick", "wrapt"})
# Integrations and test tools that must only load when the application asks for them.
FORBIDDEN = ("structlog", "opentelemetry", "pytest", "_pytest", "hypothesis")

_PROBE = """
import json, sys
before = set(sys.modules)
import piiredact
loaded = sorted(set(sys.modules) - before)
print(json.dumps({"loaded": loaded, "stdlib": sorted(sys.stdlib_module_names)}))
"""


@pytest.fixture(scope="module")
def imported_modules() -> tuple[frozenset[str], frozenset[str]]:
    """The top-level names of the modules a fresh ``python -I`` loads for ``import piiredact``,
    and the standard library's names."""
    result = subprocess.run(
        [sys.executable, "-I", "-c", _PROBE],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    report = json.loads(result.stdout)
    return (
        frozenset(name.partition(".")[0] for name in report["loaded"]),
        frozenset(report["stdlib"]),
    )


def test_import_loads_no_integration(
    imported_modules: tuple[frozenset[str], frozenset[str]],
) -> None:
    """Importing piiredact loads neither structlog, OpenTelemetry nor any test tool."""
    loaded, _ = imported_modules

    assert [name for name in FORBIDDEN if name in loaded] == []


def test_import_loads_only_declared_dependencies(
    imported_modules: tuple[frozenset[str], frozenset[str]],
) -> None:
    """Besides the standard library, only regex, pyahocorasick and (optionally) wrapt load."""
    loaded, stdlib = imported_modules

    third_party = {name for name in loaded if name not in stdlib and not name.startswith("_")}

    assert set() == third_party - ALLOWED_THIRD_PARTY - {"piiredact"}
    assert {"regex", "ahocorasick"} <= third_party


def _isort_style(name: str) -> tuple[int, str]:
    """Ruff's RUF022 order: SCREAMING_CASE constants, then CamelCase classes, then the rest."""
    if name.isupper():
        return 0, name
    if name[0].isupper():
        return 1, name
    return 2, name


def test_all_is_sorted() -> None:
    """``__all__`` is sorted isort-style (as ``ruff`` RUF022 keeps it), without duplicates."""
    assert sorted(set(piiredact.__all__), key=_isort_style) == piiredact.__all__


def test_all_names_exist() -> None:
    """Every name in ``__all__`` is an attribute of the package."""
    assert [name for name in piiredact.__all__ if not hasattr(piiredact, name)] == []


def test_public_surface() -> None:
    """The documented API is exported."""
    documented = {
        "FAILED_MARKER", "ConfigurationError", "Finding", "InvalidRuleError", "Limits", "Policy",
        "Redactor", "Rule", "__version__", "redact",
    }  # fmt: skip

    assert set() == documented - set(piiredact.__all__)


def test_failed_marker() -> None:
    """The failure marker is the documented string."""
    assert piiredact.FAILED_MARKER == "[REDACTION_FAILED]"


def test_version_matches_metadata() -> None:
    """``__version__`` is the installed distribution's version."""
    assert importlib.metadata.version("piiredact") == piiredact.__version__


def test_py_typed_is_shipped() -> None:
    """The package carries its PEP 561 ``py.typed`` marker."""
    assert importlib.resources.files("piiredact").joinpath("py.typed").is_file()


def test_exception_hierarchy() -> None:
    """Configuration errors are ValueErrors; all errors share one base class."""
    assert issubclass(piiredact.ConfigurationError, ValueError)
    assert issubclass(piiredact.InvalidRuleError, piiredact.ConfigurationError)
    assert issubclass(piiredact.ConfigurationError, piiredact.PiiRedactError)
    assert issubclass(piiredact.PiiFoundError, piiredact.PiiRedactError)


@pytest.mark.parametrize(
    ("module", "host", "extra", "says"),
    [
        ("piiredact.structlog", "structlog", "structlog", "requires structlog"),
        ("piiredact.otel", "opentelemetry.sdk", "otel", "requires the OpenTelemetry SDK"),
        ("piiredact.dp", "opendp", "dp", ""),
        ("piiredact.spark", "pyspark", "spark", ""),
    ],
)
def test_an_integration_without_its_host_names_the_extra(
    module: str, host: str, extra: str, says: str
) -> None:
    """Without its host library, importing an integration raises an ImportError that says
    which extra to install."""
    probe = (
        f"import sys; sys.modules[{host!r}] = None\n"
        f"try:\n    import {module}\nexcept ImportError as e:\n    print(e)\n"
    )
    result = subprocess.run(
        [sys.executable, "-I", "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )

    assert f"pip install 'piiredact[{extra}]'" in result.stdout
    assert says in result.stdout
