"""What only the platform can tell (contract/pipeline/rules/platform.py, IC5xx): every example of its
documentation, judged against the admin API test server's providers as `plan` judges them.

`plan` runs these rules on a real contract in tests/test_apply_platform.py and tests/test_apply_admin.py;
they have no fixture (`validate` never runs them).
"""

from __future__ import annotations

import pytest

from tests.support.rule_docs import assert_documented_example, documented_examples
from tests.support.rules import family_codes

FAMILY = "platform"


@pytest.mark.parametrize(("code", "passing", "index", "example"), documented_examples(family_codes(FAMILY)))
def test_documented_example(code: str, passing: bool, index: int, example: str) -> None:
    assert_documented_example(code, passing, example)
