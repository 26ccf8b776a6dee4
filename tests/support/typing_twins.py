"""Typing a contract without pydantic's validator, compared with what pydantic's twin of the model builds.

Not a test module: `from tests.support.typing_twins import same`.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from contract.pipeline._fast import construct
from contract.pipeline._pydantic import from_twin, twin


def same(cls: type[Any], raw: Any) -> None:
    """construct(cls, raw) is None, or equal in every respect to what the pydantic twin makes."""
    fast = construct(cls, raw)
    try:
        slow = from_twin(cls, twin(cls).model_validate(raw))
    except ValidationError:
        slow = None
    if fast is None:
        return
    assert slow is not None, f"accepted what pydantic refuses: {raw!r}"
    assert fast == slow  # Secret compares its value
    assert repr(fast) == repr(slow)  # types too: 80 and 80.0 compare equal
