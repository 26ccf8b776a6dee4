"""placeholder"""

from __future__ import annotations

from typing import Any


def render_gitops(*args: Any, **kwargs: Any) -> dict[str, bytes]:
    raise NotImplementedError
