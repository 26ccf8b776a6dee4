"""What the LiteLLM proxy reads, as render writes it and apply and import litellm read it back."""

from __future__ import annotations

import re
from typing import Any

from contract.knowledge.envref import VAR_NAME

# LiteLLM reads a value written `os.environ/VAR` from the environment variable VAR.
ENV_PREFIX = "os.environ/"
# The variable render points `general_settings.master_key` at.
MASTER_KEY_ENV = "LITELLM_MASTER_KEY"
# The Secret the proxy loads its variables from when `platform.litellm.secret` does not say.
SECRET_NAME = "litellm-credentials"


def env_name(value: Any) -> str | None:
    """NAME of `os.environ/NAME`, else None."""
    if isinstance(value, str) and value.strip().startswith(ENV_PREFIX):
        name = value.strip()[len(ENV_PREFIX) :]
        if re.fullmatch(VAR_NAME, name):
            return name
    return None
