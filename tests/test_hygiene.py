"""
Secrets hygiene: no matched value, and no key, in anything piiredact itself says: reprs,
exceptions, warnings, counters, findings, the CLI's output. (The pytest plugin's reports are
checked in test_pytest_plugin.py, on real pytest runs.)
"""

from __future__ import annotations

import contextlib
import logging
import warnings
from pathlib import Path

import pytest

import piiredact
from piiredact import ConfigurationError, LimitExceeded, Limits, Policy, Redactor
from piiredact._cli import main as cli


EMAIL = "jane.doe@example.com"
CARD = "4111 1111 1111 1111"
TOKEN = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
KEY = "hygiene-test-key-" + "0123456789abcdef" * 2
VALUES = (EMAIL, CARD, TOKEN, "jane.doe", "4111111111111111")
LINE = f"user {EMAIL} paid with {CARD}, token {TOKEN}"


def assert_says_nothing(*texts: object) -> None:
    said = "\n".join(str(text) for text in texts)
    leaked = [secret for secret in (*VALUES, KEY, KEY[-16:]) if secret in said]
    assert leaked == [], f"{len(leaked)} values or key fragments leaked"


def test_reprs_and_counters() -> None:
    policy = Policy(token_key=KEY, actions={"EMAIL": "token"})
    redactor = Redactor(policy)
    redactor.redact(LINE)
    redactor.redact_value({"password": TOKEN, "contact": EMAIL})
    things: list[object] = [policy, redactor, redactor.stats, redactor.find(LINE)]
    things.append(piiredact.stdlib.RedactingFilter(policy=policy))
    with contextlib.suppress(ImportError):
        from piiredact.structlog import RedactingProcessor

        things.append(RedactingProcessor(policy))
    with contextlib.suppress(ImportError):
        from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

        from piiredact.otel import RedactingSpanExporter

        exporter = RedactingSpanExporter(InMemorySpanExporter(), policy)
        things += [exporter, exporter.redaction_stats]
    assert_says_nothing(*(repr(thing) for thing in things))


@pytest.mark.parametrize(
    "build",
    [
        lambda: Policy(token_key=KEY[:20]),  # too short: refused, without showing it
        lambda: Policy.from_mapping({"token_key": KEY[:20]}),
        lambda: Policy.from_env({"PIIREDACT_KEY": KEY[:20]}),
    ],
)
def test_configuration_errors(build: object) -> None:
    with pytest.raises(ConfigurationError) as error:
        build()  # type: ignore[operator]
    assert_says_nothing(error.value, repr(error.value), error.value.args)


def test_limit_errors_of_audits() -> None:
    redactor = Redactor(Policy(limits=Limits(max_key_pairs=2)))
    with pytest.raises(LimitExceeded) as error:
        redactor.find(f"password={TOKEN} secret={TOKEN} token={TOKEN} email={EMAIL}")
    assert_says_nothing(error.value, repr(error.value))


def test_warnings_and_the_record_layer_failing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PIIREDACT_KEY", raising=False)
    monkeypatch.setattr(piiredact._keyring, "_EPHEMERAL", None)  # so that it warns here
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        Redactor(Policy(actions={"EMAIL": "token"})).redact(LINE)  # an ephemeral key: warned
        with contextlib.suppress(ImportError):
            from piiredact.structlog import RedactingProcessor

            class Exploding(Redactor):
                __slots__ = ()

                def redact(self, text: str) -> str:
                    raise RuntimeError(text)

            processor = RedactingProcessor(Policy())
            processor.redactor = Exploding()
            processor(None, "info", {"event": LINE})
    assert caught
    assert_says_nothing(*(warning.message for warning in caught))


@pytest.mark.parametrize(
    "arguments",
    [["scan"], ["scan", "--format", "json"], ["scan", "--format", "sarif"], ["redact"]],
)
def test_cli_output_in_every_format(
    arguments: list[str], tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "app.log"
    log.write_text(f"{LINE}\n" * 3 + f'{{"password": "{TOKEN}", "email": "{EMAIL}"}}\n')
    status = cli([*arguments, str(log)])
    out, err = capfd.readouterr()
    assert status in (0, 1)
    assert out
    assert_says_nothing(out, err)


def test_logging_of_our_own(caplog: pytest.LogCaptureFixture) -> None:
    """Whatever piiredact logs about itself while working holds no value."""
    caplog.set_level(logging.DEBUG, logger="piiredact")
    Redactor().redact(LINE)
    Redactor(Policy(limits=Limits(max_value_length=10))).redact(LINE)
    assert_says_nothing(caplog.text)
