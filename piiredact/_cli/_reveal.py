"""
``piiredact reveal``: the values behind reversible tokens (action ``encrypt``), for authorised
holders of the key.

The key comes from ``--key-file`` or the environment (``PIIREDACT_KEY``, ``PIIREDACT_KEY_FILE``),
never from the command line, where shell histories and process lists would keep it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from typing import Any

from piiredact import RevealError, reveal
from piiredact._keyring import Keyring


__all__ = ["add_reveal_parser", "run_reveal"]


def add_reveal_parser(commands: argparse._SubParsersAction[Any]) -> None:
    """Add the ``reveal`` subcommand to *commands*."""
    parser = commands.add_parser(
        "reveal",
        help="the values behind reversible tokens (<KIND:kid:~…>), with the key",
        description="Print the value each reversible token was made from, one per line, in "
        "the order given. The key comes from --key-file or from PIIREDACT_KEY / "
        "PIIREDACT_KEY_FILE, never from the command line. Keyed tokens (action token) cannot "
        "be revealed. Exit status 2 when a token does not open (wrong key or context, or an "
        "altered token); the values of the tokens before it are printed.",
    )
    parser.add_argument(
        "tokens", nargs="*", metavar="TOKEN", help="tokens (none or '-': one per line on stdin)"
    )
    parser.add_argument("--key-file", metavar="FILE", help="the keyring file")
    parser.add_argument(
        "--context", default="", help="the policy's encrypt_context the tokens were made in"
    )


def run_reveal(args: argparse.Namespace) -> int:
    """Reveal the tokens of *args*; 0 when every one opened."""
    keyring = Keyring.from_file(args.key_file) if args.key_file else None
    for number, token in enumerate(_tokens(args.tokens), start=1):
        try:
            value = reveal(token, key=keyring, context=args.context)
        except RevealError as exc:
            sys.stderr.write(f"piiredact reveal: error: token {number}: {exc}\n")
            return 2
        sys.stdout.write(value + "\n")
    return 0


def _tokens(given: list[str]) -> Iterator[str]:
    if given and given != ["-"]:
        yield from given
        return
    for line in sys.stdin:
        if line.strip():
            yield line.strip()
