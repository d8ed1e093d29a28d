"""The prefilter's fold and its shape triggers."""

from __future__ import annotations

import pytest

import piiredact
from piiredact.rules._shape import WORD_START, digit_groups, expand_word_start, fold


def test_fold_keeps_length_and_offsets() -> None:
    """Digits fold to 0 and letters to lower case, one character for one, whatever the script."""
    text = "İstanbul ALICE@X.COM 4111 ✓ \\udc80"

    folded = fold(text)

    assert len(folded) == len(text)
    assert folded.index("alice@x.com") == text.index("ALICE@X.COM")
    assert folded[text.index("4111") : text.index("4111") + 4] == "0000"


def test_a_word_start_shape_expands_to_every_delimiter() -> None:
    """``^`` stands for each delimiter as the fold writes it (most as one space), and the match
    starts one character after it."""
    expanded = dict(expand_word_start("^0000"))

    assert set(expanded) == {fold(start) + "0000" for start in WORD_START}
    assert len(expanded) < len(WORD_START) / 2
    assert set(expanded.values()) == {1}
    assert expand_word_start("0000") == (("0000", 0),)


def test_digit_groups_cover_url_encoded_spaces() -> None:
    """A grouped number is triggered when its groups are joined by %20 too."""
    assert "000%00" + "0000" in digit_groups(3, 4)


@pytest.mark.parametrize(
    "line",
    [
        pytest.param("4111111111111111", id="at-the-start-of-the-text"),
        pytest.param("card=4111111111111111", id="after-a-key"),
        pytest.param('"4111111111111111"', id="quoted"),
    ],
)
def test_a_digit_run_triggers_at_a_word_start(line: str) -> None:
    """Thirteen or more digits wake the card rule wherever a word starts."""
    assert "4111111111111111" not in piiredact.redact(line)


def test_a_digit_run_inside_a_token_does_not_trigger() -> None:
    """``blk_-1608999687919862906``: digits joined to a word are part of it."""
    line = "block blk_-4111111111111111 served"

    assert piiredact.redact(line) is line
