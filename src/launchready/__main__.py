"""Allow ``python -m launchready``."""

from __future__ import annotations

from launchready.cli import main

if __name__ == "__main__":
    main()
