"""What vllm-project/production-stack's chart demands of the values render writes.

The chart's `values.schema.json` accepts values its templates refuse (`helm template` stops at
`Value 'modelSpec.requestMemory' must be defined !`). The templates' own demands are facts in
`contract/data/production_stack_chart.json`, with the template line each comes from; this
module holds rendered values against them, as `helm template` would.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any


@functools.cache
def chart_facts() -> dict[str, Any]:
    from contract.resources import read_data

    data: dict[str, Any] = read_data("production_stack_chart.json")
    return data


def _defined(value: Any) -> bool:
    """Helm's `required` refuses a missing value, null and the empty string. (An empty
    requestCPU or requestMemory passes it, quoted first, but the API server refuses an empty
    quantity: refused here too.)"""
    return value is not None and value != ""


def production_stack_problems(values: Mapping[str, Any]) -> list[str]:
    """Each place the chart would refuse `values` or build an invalid image; [] when it installs."""
    from contract.errors import UsageError
    from contract.knowledge import images

    facts = chart_facts()
    problems: list[str] = []
    engine = values.get("servingEngineSpec")
    specs = engine.get("modelSpec") if isinstance(engine, Mapping) else None
    if not isinstance(specs, list):
        return ["servingEngineSpec.modelSpec: missing or not a list"]
    for index, spec in enumerate(specs):
        where = f"servingEngineSpec.modelSpec[{index}]"
        if not isinstance(spec, Mapping):
            problems.append(f"{where}: not a mapping")
            continue
        for need in facts["required"]:
            unless = need.get("unless")
            if unless and spec.get(unless):
                continue
            if not _defined(spec.get(need["value"])):
                problems.append(f"{where}: {need['message']} ({need['template']})")
        if _defined(spec.get("repository")) and _defined(spec.get("tag")):
            image = facts["image"]["format"].format(repository=spec["repository"], tag=spec["tag"])
            try:
                images.parse(image)
            except UsageError as exc:
                problems.append(f"{where}: the chart pulls {image!r}, which is no image reference: {exc}")
        gpus = spec.get("requestGPU")
        if gpus is not None and (not isinstance(gpus, int) or isinstance(gpus, bool) or gpus < 0):
            problems.append(f"{where}: requestGPU {gpus!r} is not a count of GPUs")
    return problems
