"""What the terminal a command runs in allows."""

from __future__ import annotations

import sys


def interactive() -> bool:
    """Whether the user can answer y/n (stdin is a terminal)."""
    return sys.stdin.isatty()
