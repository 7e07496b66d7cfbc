"""`python -m autograd_lite ...` runs the `autograd-lite` command line (see `cli.main`)."""

from __future__ import annotations

from .cli import main

if __name__ == "__main__":
    raise SystemExit(main())
