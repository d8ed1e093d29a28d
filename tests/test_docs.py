"""
Honest privacy language: neither the package nor its documentation calls its output anonymous.
Masks and keyed tokens are pseudonymization (GDPR Recital 26), so the words "anonymous",
"anonymized", "anonymization" and "de-identified" may appear only where a sentence denies them.
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Iterator
from pathlib import Path

import pytest


ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = re.compile(r"\banonymi[sz](?:ed|ation)\b|\banonymous(?:ly)?\b|\bde-identified\b", re.I)
NEGATION = re.compile(r"\b(?:not|never|no|nor|cannot|without)\b|n't\b", re.I)
# Sentences end at . ! ? followed by a space, or at a blank line.
SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n\s*\n")


def _prose_of_module(source: str) -> Iterator[tuple[int, str]]:
    """Comments, and strings that contain a space (docstrings, messages): not data such as
    the user name ``"anonymous"`` in a rule's list of words."""
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT or (
            token.type == tokenize.STRING and " " in token.string
        ):
            yield token.start[0], token.string


def _documents() -> Iterator[tuple[str, int, str]]:
    """(file, first line, text) of every piece of prose that ships or is published."""
    markdown = [ROOT / "README.md", ROOT / "CHANGELOG.md", *sorted((ROOT / "docs").rglob("*.md"))]
    for path in markdown:
        yield path.relative_to(ROOT).as_posix(), 1, path.read_text(encoding="utf-8")
    for path in sorted((ROOT / "piiredact").rglob("*.py")):
        for line, text in _prose_of_module(path.read_text(encoding="utf-8")):
            yield path.relative_to(ROOT).as_posix(), line, text


def claims(text: str) -> list[str]:
    """The sentences of *text* that use a forbidden word without denying it."""
    return [
        " ".join(sentence.split())
        for sentence in SENTENCE_END.split(text)
        if (word := FORBIDDEN.search(sentence)) and not NEGATION.search(sentence, 0, word.start())
    ]


def test_nothing_calls_the_output_anonymous() -> None:
    """No sentence in the package, the README, the changelog or the docs calls the output
    anonymous, anonymized or de-identified."""
    found = [
        f"{name}:{line}: {sentence}"
        for name, line, text in _documents()
        for sentence in claims(text)
    ]

    assert found == []


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        pytest.param("Logs are anonymized before export.", True, id="claim"),
        pytest.param("Tokens make users ANONYMOUS.", True, id="upper-case"),
        pytest.param("Full anonymisation of IPs. Fast.", True, id="british"),
        pytest.param("Records are de-identified.", True, id="de-identified"),
        pytest.param("The anonymous user logged in, not the admin.", True, id="negation-after"),
        pytest.param("Output is pseudonymized, not anonymous.", False, id="denied"),
        pytest.param("Hashing doesn't make data anonymous.", False, id="doesnt"),
        pytest.param("Never call the output anonymized.", False, id="never"),
        pytest.param("An anonymity set of 5.", False, id="other-word"),
    ],
)
def test_the_check_itself(text: str, flagged: bool) -> None:
    """The check flags claims and lets denials through."""
    assert bool(claims(text)) is flagged


def test_privacy_model_is_documented_and_linked() -> None:
    """docs/privacy.md quotes GDPR Recital 26, and the README links it."""
    model = (ROOT / "docs" / "privacy.md").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")

    assert "Recital 26" in model
    assert "should be considered to be information on an identifiable natural person" in model
    assert "(docs/privacy.md)" in readme
