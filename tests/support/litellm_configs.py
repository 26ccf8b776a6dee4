"""The LiteLLM config written from LiteLLM's documentation that the import tests (fast and with the
real proxy) take through `import litellm` and back through `render`.

Not a test module: `from tests.support.litellm_configs import ...`.
"""

from __future__ import annotations

import secrets
from pathlib import Path

DOCS_CONFIG = Path(__file__).resolve().parents[1] / "data" / "litellm" / "docs-config.yaml"
# Literal keys of the config: found in any output, contract or side file, they leaked.
KEY_CANARY = f"sk-import-canary-{secrets.token_hex(8)}"
MASTER_CANARY = f"sk-master-canary-{secrets.token_hex(8)}"
# The entry neither the config nor the catalog gives a window: --context-window names it.
TODO_NAME = "my-finetune"


def docs_config_text() -> str:
    """The documentation config with the canaries as its literal keys."""
    text = DOCS_CONFIG.read_text(encoding="utf-8")
    return text.replace("LITERAL_KEY", KEY_CANARY).replace("LITERAL_MASTER", MASTER_CANARY)


def import_args(config: Path, contract: Path, extra: Path) -> list[str]:
    """`import litellm` of `config` into a new `contract`, the settings kept in `extra`."""
    return [
        "import",
        "litellm",
        str(config),
        "--out",
        str(contract),
        "--keep-extra",
        str(extra),
        "--context-window",
        f"{TODO_NAME}=4096",
    ]
