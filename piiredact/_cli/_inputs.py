"""
Reading logs: files, standard input and gzip alike, line by line in bounded memory, and the files
under directories.
"""

from __future__ import annotations

import fnmatch
import gzip
import io
import os
import stat
import sys
import zlib
from collections.abc import Iterator, Sequence
from pathlib import PurePath
from typing import NamedTuple, cast


__all__ = ["STDIN", "Input", "InputError", "Line", "find_files"]

#: The name that stands for standard input.
STDIN = "-"

_GZIP_MAGIC = b"\x1f\x8b"
# UTF-8 spends at most four bytes on a character: a line longer than this many bytes per allowed
# character is over the policy's length limit whatever it holds, and is not kept in memory.
_MAX_BYTES_PER_CHAR = 4


class InputError(Exception):
    """
    An input cannot be read: it is missing or unreadable, or its gzip stream is corrupt or cut
    short. The message names the input and the reason, never its content.
    """

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"cannot read {name!r}: {reason}")
        self.name = name
        self.reason = reason

    @classmethod
    def from_exception(cls, name: str, exc: BaseException) -> InputError:
        """The error for *exc*, raised while opening or reading *name*."""
        if isinstance(exc, OSError) and exc.strerror:
            return cls(name, exc.strerror)
        return cls(name, str(exc).partition("\n")[0] or type(exc).__name__)


class Line(NamedTuple):
    """
    One line of input: its text without the terminator (None when it is too long to be kept), its
    bytes as read (terminator included; empty for a line that was not kept) and its terminator.
    """

    text: str | None
    raw: bytes
    end: bytes


class Input:
    """
    One input opened for reading (a path or :data:`STDIN`), gzip-compressed or not: the magic
    number decides, so that ``zcat``-free pipes work too.

    Lines are decoded as UTF-8 with ``surrogateescape``: bytes that are not UTF-8 come back out
    unchanged when written with the same error handler. A line longer than *max_chars*
    characters can never be redacted (the engine fails closed on it), so only its end is looked
    for and its text is not kept: memory stays bounded whatever the input holds.
    """

    def __init__(self, name: str, *, max_chars: int) -> None:
        self.name = name
        self._limit = _MAX_BYTES_PER_CHAR * max_chars + 3
        try:
            self._file: io.BufferedReader = (
                cast(io.BufferedReader, sys.stdin.buffer) if name == STDIN else open(name, "rb")  # noqa: SIM115 - closed by close()
            )
        except OSError as exc:
            raise InputError.from_exception(name, exc) from None
        try:
            head = self._file.peek(2)[:2]
        except OSError as exc:  # a directory on some systems, a device that fails
            self.close()
            raise InputError.from_exception(name, exc) from None
        self._stream: io.BufferedIOBase = (
            gzip.GzipFile(fileobj=self._file, mode="rb") if head == _GZIP_MAGIC else self._file
        )

    def __enter__(self) -> Input:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the file (never standard input, which belongs to the process)."""
        if self.name != STDIN:
            self._file.close()

    @property
    def is_stream(self) -> bool:
        """True when the input arrives over time (a pipe or a terminal), not from a file."""
        try:
            return not stat.S_ISREG(os.fstat(self._file.fileno()).st_mode)
        except (OSError, ValueError):  # no file descriptor (a test's stand-in for stdin)
            return True

    def position(self) -> int:
        """Bytes read from the file so far (compressed bytes for a gzip file)."""
        try:
            return self._file.tell()
        except OSError:  # a pipe
            return 0

    def __iter__(self) -> Iterator[Line]:
        """
        The lines, in order.

        Raises:
            InputError: The input cannot be read to its end (an I/O error, a corrupt or
                truncated gzip stream).
        """
        try:
            yield from self._lines()
        except (OSError, EOFError, zlib.error) as exc:  # gzip.BadGzipFile is an OSError
            raise InputError.from_exception(self.name, exc) from None

    def _lines(self) -> Iterator[Line]:
        readline = self._stream.readline
        limit = self._limit
        while chunk := readline(limit):
            if chunk.endswith(b"\n"):
                cut = -2 if chunk.endswith(b"\r\n") else -1
                yield Line(chunk[:cut].decode("utf-8", "surrogateescape"), chunk, chunk[cut:])
            elif len(chunk) < limit:  # the last line, without a terminator
                yield Line(chunk.decode("utf-8", "surrogateescape"), chunk, b"")
            else:
                yield Line(None, b"", self._skip_line(chunk[-1:]))

    def _skip_line(self, last: bytes) -> bytes:
        """Read past the rest of an over-long line (whose last byte read is *last*); return its
        terminator."""
        readline = self._stream.readline
        while chunk := readline(self._limit):
            if chunk.endswith(b"\n"):
                return b"\r\n" if (last + chunk).endswith(b"\r\n") else b"\n"
            last = chunk[-1:]
        return b""


def find_files(
    paths: Sequence[str], *, include: Sequence[str] = (), exclude: Sequence[str] = ()
) -> tuple[list[str], list[tuple[str, str]]]:
    """
    The files to read for *paths*, in order: each path that is not a directory as it is, and the
    files under each directory (recursively, sorted, symbolic links to directories not followed).

    Under a directory, a file is taken when its name or its path relative to the directory
    matches an *include* glob (any file when there are none) and no *exclude* glob; a directory
    that matches an *exclude* glob is skipped whole.

    Returns:
        The file names, and ``(name, reason)`` for each directory that could not be read.
    """
    files: list[str] = []
    errors: list[tuple[str, str]] = []

    def matches(globs: Sequence[str], name: str, relative: str) -> bool:
        return any(fnmatch.fnmatch(name, g) or fnmatch.fnmatch(relative, g) for g in globs)

    for given in paths:
        if given == STDIN or not os.path.isdir(given):
            files.append(given)
            continue

        def unreadable(exc: OSError, given: str = given) -> None:
            errors.append((exc.filename or given, exc.strerror or type(exc).__name__))

        for root, dirs, names in os.walk(given, onerror=unreadable):
            base = PurePath(os.path.relpath(root, given))
            dirs[:] = sorted(d for d in dirs if not matches(exclude, d, (base / d).as_posix()))
            for name in sorted(names):
                relative = (base / name).as_posix()
                if (not include or matches(include, name, relative)) and not matches(
                    exclude, name, relative
                ):
                    files.append(os.path.join(root, name))
    return files, errors
