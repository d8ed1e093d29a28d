"""``piiredact reveal``: reversible tokens back to their values, with the key from a file or the
environment, and clean one-line refusals."""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

import pytest

from piiredact import Policy, Redactor
from piiredact._cli import main


pytest.importorskip("cryptography")

KEY = "reveal-test-key-" + "0123456789abcdef" * 2
TOKEN = re.compile(r"<[A-Z_]+:k1:~[a-z2-7]+>")


def tokens_of(text: str, context: str = "") -> list[str]:
    policy = Policy(
        actions={"EMAIL": "encrypt", "PHONE": "encrypt"}, token_key=KEY, encrypt_context=context
    )
    return TOKEN.findall(Redactor(policy).redact(text))


@pytest.fixture
def keyed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIIREDACT_KEY", KEY)


def test_tokens_from_arguments(keyed: None, capsys: pytest.CaptureFixture[str]) -> None:
    email, phone = tokens_of("mail Jane.Doe@Example.com or call +1 (415) 555-0100")
    assert main(["reveal", email, phone]) == 0
    assert capsys.readouterr().out == "jane.doe@example.com\n+14155550100\n"


def test_tokens_from_stdin_and_a_key_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("PIIREDACT_KEY", raising=False)
    key_file = tmp_path / "keys"
    key_file.write_text(KEY + "\n")
    (email,) = tokens_of("mail jane@example.com", context="billing")
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"{email}\n\n"))
    assert main(["reveal", "--key-file", str(key_file), "--context", "billing"]) == 0
    assert capsys.readouterr().out == "jane@example.com\n"


@pytest.mark.parametrize(
    "arguments",
    [
        ["--context", "other"],  # the wrong context
        [],  # no context, though the token was made in one
    ],
)
def test_a_token_that_does_not_open(
    keyed: None, arguments: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    (email,) = tokens_of("mail jane@example.com", context="billing")
    assert main(["reveal", *arguments, email]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("piiredact reveal: error: token 1:")
    assert "jane" not in err


def test_no_key(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    (email,) = tokens_of("mail jane@example.com")
    monkeypatch.delenv("PIIREDACT_KEY", raising=False)
    monkeypatch.delenv("PIIREDACT_KEY_FILE", raising=False)
    assert main(["reveal", email]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "Traceback" not in err


def test_not_a_reversible_token(keyed: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["reveal", "[EMAIL]"]) == 2
    assert "not a reversible piiredact token" in capsys.readouterr().err
