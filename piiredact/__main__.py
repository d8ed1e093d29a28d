"""``python -m piiredact``: the ``piiredact`` command."""

from __future__ import annotations

from piiredact._cli import main


raise SystemExit(main())
