"""
``python -m piiredact.demo``: redact a few built-in sample log lines and show them before and after.

The values below are synthetic (documentation ranges, test card numbers, invented people).
"""

from __future__ import annotations

import sys

from piiredact import Policy, Redactor


__all__ = ["SAMPLE_LINES", "main"]

SAMPLE_LINES = (
    "2024-07-30T22:04:11.066Z INFO login ok user=jdoe email=jane.doe@example.com ip=203.0.113.7",
    '{"event": "payment", "card": "4111 1111 1111 1111", "iban": "DE89 3704 0044 0532 0130 00"}',
    "Dec 10 06:55:46 bastion sshd[2420]: Failed password for invalid user alice from 198.51.100.23",
    "POST /v1/users?phone=%2B4930123456&token=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl",
    "> Authorization: Bearer 8be72914b9f7b6f9b8c1d4fe6abcae3cce5176b7",
    "UPDATE customers SET ssn = '536-90-4399', address = '221B Baker Street, London' WHERE id = 7",
    "db url postgres://app:s3cr3t-P4ss@db.internal:5432/orders pool=10",
    # Machine noise that must come through untouched.
    "081109 203615 148 INFO dfs.DataNode: block blk_-1608999687919862906 size 67108864 "
    "trace=4bf92f3577b34da6a3ce929d0e0e4736 v=4.2.17 pid=4242 took 12.5ms",
)


def main() -> int:
    """Print each sample line before and after redaction with the default policy."""
    redactor = Redactor(Policy())
    for line in SAMPLE_LINES:
        redacted = redactor.redact(line)
        sys.stdout.write(f"  before: {line}\n")
        sys.stdout.write(f"  after:  {redacted}\n")
        sys.stdout.write("\n" if redacted != line else "  (nothing to redact)\n\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
