"""Rule families, the fixtures that trigger their rules, and validating a test contract.

A family is a module of contract/pipeline/rules/ (names, limits, ...); its codes are the ones it
registers (`@rule("IC101", ...)` or `builtin("IC001", ...)`), read from its source, so a new rule
is tested with its family without a table to update here. tests/rules/test_FAMILY.py holds the
family's tests; tests/rules/test_registry.py checks every family has that module.

Not a test module: `from tests.support.rules import ...`.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path

from contract.diagnostics import Diagnostic
from contract.pipeline import rules as rules_package
from contract.pipeline.rules import Options
from contract.pipeline.validate import validate_file, validate_text
from tests.support.corpus import EXPORTED, INVALID, expected_code

OPTIONS = Options(check_env=True, env=EXPORTED)
_REGISTERS = re.compile(r"\b(?:rule|builtin)\(\s*\"(IC\d{3})\"")

# One cloud entry that every rule passes (with EXPORTED's variables set).
ENTRY = """\
models:
  - litellmModelName: gpt-4o
    litellmModel: openai/gpt-4o
    displayName: GPT-4o
    provider: OpenAI
    type: CHAT
    metadataType: Text Generation
    contextWindow: 128000
    maxTokens: 16384
    apiKey: ${OPENAI_API_KEY}
"""

# One self-hosted entry with its vLLM block (served name = litellmModelName; no gpus:), the base
# the served-name (IC104) and hfToken tests edit.
SELF_HOSTED_ENTRY = """\
models:
  - litellmModelName: qwen3-coder-30b
    litellmModel: openai/qwen3-coder-30b
    displayName: Qwen3 Coder
    provider: Self-Hosted
    type: CHAT
    metadataType: Text Generation
    contextWindow: 262144
    apiBase: http://qwen.inference.svc.cluster.local:8000/v1
    vllm:
      model: Qwen/Qwen3-Coder-30B-A3B-Instruct
      toolCallParser: qwen3_coder
      enableAutoToolChoice: true
"""


@cache
def families() -> dict[str, tuple[str, ...]]:
    """Each family module of contract/pipeline/rules/ -> the codes it registers."""
    found: dict[str, tuple[str, ...]] = {}
    for info in pkgutil.iter_modules(rules_package.__path__):
        if info.name.startswith("_") or info.name == "registry":
            continue
        module = importlib.import_module(f"{rules_package.__name__}.{info.name}")
        found[info.name] = tuple(sorted(_REGISTERS.findall(inspect.getsource(module))))
    return found


def family_codes(family: str) -> tuple[str, ...]:
    return families()[family]


def family_fixtures(family: str) -> list[Path]:
    """tests/contracts/invalid/CODE-*.yaml of the family's codes."""
    return [p for p in INVALID if expected_code(p) in family_codes(family)]


def codes(path: Path, options: Options = OPTIONS) -> set[str]:
    return {d.code for d in validate_file(str(path), options).diagnostics}


def fixture_codes(path: Path) -> tuple[set[str], set[str]]:
    """(the codes the fixture raises, the ones it should): its own and `# also: IC303` in its header."""
    also = {
        c for line in path.read_text().splitlines() if line.startswith("# also:") for c in line[7:].split()
    }
    return codes(path), {expected_code(path), *also}


def diagnostics(
    write: Callable[[str], Path], text: str, options: Options = OPTIONS
) -> tuple[Diagnostic, ...]:
    """What `validate` reports for `text`, written to a file by the `write` fixture."""
    return validate_file(str(write(text)), options).diagnostics


def found(text: str, code: str) -> list[tuple[str, str | None, str]]:
    """(path, hint, message) of each `code` diagnostic in `text`, validated without options."""
    result = validate_text(text, file="c.yaml", options=Options())
    return [(d.path, d.hint, d.message) for d in result.diagnostics if d.code == code]
