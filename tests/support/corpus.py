"""The contracts the tests read: the examples in fixtures/, tests/contracts/valid/ and
tests/contracts/invalid/CODE-name.yaml (one per rule), and the variables they reference.

Not a test module: `from tests.support.corpus import ...`.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures"
CONTRACTS = ROOT / "tests" / "contracts"
INVALID = sorted((CONTRACTS / "invalid").glob("*.yaml"))
VALID = sorted([*FIXTURES.glob("*.yaml"), *(CONTRACTS / "valid").glob("*.yaml")])

# Every variable the test contracts reference, as if exported (IC304 runs with --check-env).
EXPORTED = {
    name: "test-value"
    for name in (
        "ANTHROPIC_API_KEY",
        "OPENAI_API_KEY",
        "GEMINI_API_KEY",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AZURE_API_KEY",
        "VLLM_API_KEY",
        "HF_TOKEN",
    )
}


def expected_code(path: Path) -> str:
    """tests/contracts/invalid/IC301-azure-incomplete.yaml expects IC301."""
    return path.name.split("-", 1)[0]
