"""The JSON Schema of install-contract.yaml, generated from the contract model.

`schemas/install-contract.schema.json` is this output, checked in; a test fails when it is
stale. Regenerate with `install-contract schema -o schemas/install-contract.schema.json`.
"""

from __future__ import annotations

import json
from typing import Any


def schema() -> dict[str, Any]:
    from contract.pipeline._pydantic import twin
    from contract.pipeline.model import Contract

    body = twin(Contract).model_json_schema(by_alias=True, mode="validation")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **body}


def schema_text() -> str:
    return json.dumps(schema(), indent=2, ensure_ascii=False) + "\n"
