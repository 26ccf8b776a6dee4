"""The generated JSON Schema: current, accepted by check-jsonschema, referenced by every fixture."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from contract.pipeline.schema import schema_text
from tests.support.corpus import CONTRACTS, INVALID, ROOT, VALID

SCHEMA = ROOT / "schemas" / "install-contract.schema.json"


def test_checked_in_schema_is_current() -> None:
    assert SCHEMA.read_text() == schema_text(), (
        "schemas/install-contract.schema.json is stale: "
        "run `install-contract schema -o schemas/install-contract.schema.json`"
    )


def test_schema_is_valid_draft_2020_12() -> None:
    jsonschema.Draft202012Validator.check_schema(json.loads(SCHEMA.read_text()))


@pytest.mark.parametrize("path", [*VALID, *INVALID], ids=lambda p: p.stem)
def test_every_contract_carries_the_schema_modeline(path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# yaml-language-server: $schema=")
    target = (path.parent / first.split("$schema=", 1)[1]).resolve()
    assert target == SCHEMA


def test_check_jsonschema_accepts_the_valid_contracts() -> None:
    exe = Path(sys.executable).parent / "check-jsonschema"
    proc = subprocess.run(
        [str(exe), "--schemafile", str(SCHEMA), *map(str, VALID)], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_check_jsonschema_rejects_what_the_schema_can_see() -> None:
    exe = Path(sys.executable).parent / "check-jsonschema"
    bad = [
        CONTRACTS / "invalid" / "IC003-missing-field.yaml",
        CONTRACTS / "invalid" / "IC004-invalid-value.yaml",
    ]
    for path in bad:
        proc = subprocess.run(
            [str(exe), "--schemafile", str(SCHEMA), str(path)], capture_output=True, timeout=120
        )
        assert proc.returncode == 1, path


def test_schema_describes_every_field() -> None:
    schema = json.loads(SCHEMA.read_text())
    for name in ("ModelEntry", "VllmSpec", "Gpus"):
        for field, spec in schema["$defs"][name]["properties"].items():
            assert spec.get("description"), f"{name}.{field} has no description"
