"""
The prefilter's alphabet: how the matcher folds text before its Aho-Corasick pass.

Every ASCII digit becomes ``0``, every ASCII letter becomes lower case, and the delimiters no
trigger tells apart (white space, ``, ; | ! ? { } ] >`` …) become a space; all other characters
stay, so offsets in the fold are offsets in the text. Literal triggers, cue words and key words are
matched in this fold, and so are *shape* triggers: ``4111 1111 1111 1111`` folds to
``0000 0000 0000 0000``, so a card rule triggered by ``0000 0000 0000`` runs only on text that
holds such a group, while timestamps and process ids never wake it.
"""

from __future__ import annotations

import itertools
import string


__all__ = [
    "FOLD",
    "HEX_FOLD",
    "WORD_START",
    "digit_groups",
    "digit_run",
    "expand_word_start",
    "fold",
    "hex_groups",
]

# What may stand before a value that starts a word: ``^`` at the start of a shape means one of
# these delimiters (the matcher reads the text behind a space, so the start of the text counts
# too). Connectors such as ``_ - . + @ %`` are left out: a number after them is part of a
# longer token (``blk_-1608…``, ``v1.2``). A slash starts a word: values stand alone as URL path
# segments (``/cards/4111111111111111``), and rules tell ``Chrome/120.0`` apart themselves.
WORD_START = " \t\r\n\x0b\x0c\"'`([{<>)]}=:;|,!?*&#$~\\/"
# The delimiters no trigger tells apart fold to one space. This keeps the automaton small: a word
# that starts a shape is added once per delimiter it may follow.
# ``:`` (IPv6, MAC, headers), ``(`` ``)`` (phone numbers), ``<`` (passport MRZ), ``/`` (URLs,
# ``hooks.slack.com/``) and what ends a key (``= " ' \ [``: ``user=`` is a key, ``user jane`` is
# none) stay.
_ONE_SPACE = "".join(c for c in WORD_START if c not in ":()<=\"'\\[/")
FOLD = bytes.maketrans(
    (string.digits + string.ascii_uppercase + _ONE_SPACE).encode(),
    ("0" * 10 + string.ascii_lowercase + " " * len(_ONE_SPACE)).encode(),
)


def fold(text: str) -> str:
    """*text* in the prefilter's alphabet (same length)."""
    # Through Latin-1 bytes because bytes.translate is a C table lookup, several times faster than
    # str.translate; characters outside Latin-1 become "?", one for one, so offsets still hold.
    return text.encode("latin-1", "replace").translate(FOLD).decode("latin-1")


HEX_FOLD = "0abcdef"


def expand_word_start(shape: str) -> tuple[tuple[str, int], ...]:
    """
    The literal words for *shape* (in the fold) and how many of their characters come before a
    match.

    ``^0000`` (four digits at the start of a word) becomes `` 0000``, ``:0000``, ``(0000`` …
    with offset 1; any other shape stands for itself with offset 0.
    """
    if not shape.startswith("^"):
        return ((shape, 0),)
    starts = dict.fromkeys(fold(WORD_START))
    return tuple((start + shape[1:], 1) for start in starts)


def digit_groups(*sizes: int, separators: tuple[str, ...] = (" ", "-")) -> tuple[str, ...]:
    """The folds of digit groups of *sizes* joined by each separator (and by ``%20``)."""
    return tuple(separator.join("0" * size for size in sizes) for separator in (*separators, "%00"))


def digit_run(length: int) -> tuple[str, ...]:
    """The fold of *length* consecutive digits at the start of a word (one trigger per run, not
    one per digit of it)."""
    return ("^" + "0" * length,)


def hex_groups(size: int, count: int, separator: str) -> tuple[str, ...]:
    """The folds of *count* hex groups of *size* characters framed by *separator* on both sides
    (``:0a:f0:``)."""
    shapes = []
    for chars in itertools.product(HEX_FOLD, repeat=size * count):
        groups = ["".join(chars[i : i + size]) for i in range(0, size * count, size)]
        shapes.append(separator + separator.join(groups) + separator)
    return tuple(shapes)
