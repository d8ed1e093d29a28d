"""
Values in disguise: invisible characters inside them, look-alike digits and letters, JSON escapes.

``jane\u200b.doe@example.com`` (a zero-width space inside), ``４１１１ １１１１ …`` (full-width
digits), ``٤١١١ …`` (Arabic-Indic digits) and ``jane.doe\\u0040example.com`` (a JSON escape
left in a message) all print or decode as the value. :func:`unhide` gives the matcher the plain
text to scan and, for each of its characters, where it stands in the original, so that the
replacement covers the disguised value whole.

Only text that holds such characters pays for this: ASCII text without ``\\u`` is not touched.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache


__all__ = ["unhide"]

# Characters that print as nothing: zero-width space, non-joiner and joiner, word joiner, BOM,
# soft hyphen. Dropped from the plain text.
_INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
# What changes the length of the text: invisible characters, and \uXXXX escapes (a surrogate
# escape is left alone: decoded on its own it would be a lone surrogate).
_LENGTH_CHANGING = re.compile(rf"[{_INVISIBLE}]|\\u(?![dD][89a-fA-F])[0-9a-fA-F]{{4}}")
# Anything that makes a text worth unhiding: the above, full-width forms, the small commercial
# at, and decimal digits of any script but ASCII.
_DISGUISE = re.compile(rf"[{_INVISIBLE}\ufe6b\uff01-\uff5e]|(?![0-9])\d|\\u[0-9a-fA-F]{{4}}")


@lru_cache(maxsize=1)
def _look_alikes() -> dict[int, int]:
    """A translation table: full-width ASCII to ASCII, decimal digits of every script to 0-9."""
    table = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
    table[0xFE6B] = ord("@")  # small commercial at
    for code in range(0x0660, 0x20000):  # every script's digits lie in these planes
        char = chr(code)
        if unicodedata.category(char) == "Nd":
            table[code] = ord("0") + unicodedata.digit(char)
    return table


def unhide(text: str) -> tuple[str, list[int]] | None:
    """
    The plain form of *text* and, for each offset in it (and its end), the offset in *text*;
    None when *text* holds nothing in disguise.
    """
    if text.isascii() and "\\u" not in text:
        return None
    if _DISGUISE.search(text) is None:
        return None
    parts: list[str] = []
    origin: list[int] = []
    position = 0
    for match in _LENGTH_CHANGING.finditer(text):
        parts.append(text[position : match.start()])
        origin.extend(range(position, match.start()))
        token = match.group()
        if len(token) == 6:  # \uXXXX
            parts.append(chr(int(token[2:], 16)))
            origin.append(match.start())
        position = match.end()
    parts.append(text[position:])
    origin.extend(range(position, len(text) + 1))
    return "".join(parts).translate(_look_alikes()), origin
