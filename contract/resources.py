"""The files the package ships: `contract/data/` tables, and schemas/, templates/, docs/.

In a checkout schemas/, templates/ and docs/ are top-level folders beside the package; in a wheel
they are bundled inside it (`contract/_bundled/`). `contract/data/` is inside the package in both.
Paths are built with `os.path`: `validate` reads data tables at start-up, and pathlib or
importlib.resources would cost more than the read.
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

_PACKAGE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(_PACKAGE, "data")


def read_data(name: str) -> Any:
    """The parsed JSON table `contract/data/<name>`."""
    with open(os.path.join(DATA, name), "rb") as stream:
        return json.loads(stream.read())


def resource_dir(name: str) -> Path:
    """`schemas`, `templates` or `docs`: the wheel's bundled copy, else the checkout's top-level folder."""
    from pathlib import Path

    bundled = Path(_PACKAGE) / "_bundled" / name
    if bundled.is_dir():
        return bundled
    return Path(_PACKAGE).parent / name
