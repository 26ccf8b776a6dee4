"""vLLM's `serve` flags and parser names, from the packaged dump of vLLM 0.33.0's real parser.

Regenerate `contract/data/vllm_flags.json` with `scripts/refresh-vllm-flags`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class VllmFlags:
    version: str
    tool_call_parsers: frozenset[str]
    reasoning_parsers: frozenset[str]
    # option string -> flag record (every accepted spelling)
    options: dict[str, dict[str, Any]]

    def dest(self, option: str) -> str | None:
        record = self.options.get(option)
        return record["dest"] if record else None


@functools.cache
def load() -> VllmFlags:
    from contract.resources import read_data  # by path: no importlib.resources at start-up

    raw = read_data("vllm_flags.json")
    # Every spelling vLLM accepts is listed, the off-switches (--no-enable-x) included.
    options: dict[str, dict[str, Any]] = {}
    for record in raw["flags"]:
        for option in (*record["flags"], *(record.get("negative_flags") or ())):
            options[option] = record
    return VllmFlags(
        version=str(raw.get("vllm_version", "")),
        tool_call_parsers=frozenset(raw["tool_call_parsers"]),
        reasoning_parsers=frozenset(raw["reasoning_parsers"]),
        options=options,
    )
