"""The one Jinja2 environment: StrictUndefined, no autoescape (YAML, JSON, shell), user overrides first."""

from __future__ import annotations

import json
import shlex
from typing import Any

import jinja2

from contract._resources import resource_dir
from contract.render._yamlout import block, scalar


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _shelljoin(argv: list[str]) -> str:
    """Shell-quoted argv, one `--flag value` per continued line."""
    lines: list[list[str]] = [[]]
    for arg in argv:
        if arg.startswith("-") and lines[-1]:
            lines.append([])
        lines[-1].append(shlex.quote(arg))
    return " \\\n  ".join(" ".join(line) for line in lines)


def environment(overrides: str | None = None) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    if overrides:
        loaders.append(jinja2.FileSystemLoader(overrides))
    loaders.append(jinja2.FileSystemLoader(str(resource_dir("templates"))))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(yaml=scalar, yaml_block=block, json=_json, shelljoin=_shelljoin)
    return env
