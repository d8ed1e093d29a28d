"""Shared test configuration."""

from __future__ import annotations

import os

from hypothesis import settings


# CI runs the same examples every time, so a red build always points at a change, never at a
# lucky draw; developers' runs explore new examples (and keep failures in .hypothesis/).
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")
