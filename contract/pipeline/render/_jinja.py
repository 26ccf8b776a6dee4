"""The one Jinja2 environment: StrictUndefined, no autoescape (YAML, JSON, shell), user overrides first."""

from __future__ import annotations

import json
import shlex
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

import jinja2

from contract.errors import TemplateError, UsageError
from contract.pipeline.render.yamlout import block, scalar
from contract.resources import resource_dir


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


def known_templates() -> list[str]:
    root = resource_dir("templates")
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*.j2"))


def check_overrides(overrides: str) -> None:
    """A --templates directory exists and overrides at least one template the tool renders."""
    root = Path(overrides)
    if not root.is_dir():
        raise UsageError(f"--templates {overrides}: no such directory")
    known = known_templates()
    if not any((root / name).is_file() for name in known):
        raise UsageError(
            f"--templates {overrides}: overrides no template; use the same names as the tool's: {', '.join(known)}"
        )


def render_template(env: jinja2.Environment, template: str, /, *args: Any, **kwargs: Any) -> str:
    """Render one template; a mistake in it becomes a TemplateError naming its file and line."""
    try:
        return env.get_template(template).render(*args, **kwargs)
    except jinja2.TemplateSyntaxError as exc:
        where = exc.filename or exc.name or template
        raise TemplateError(f"{where}:{exc.lineno}: template syntax error: {exc.message}") from None
    except jinja2.TemplateError as exc:
        filename, line = _template_frame(exc, env, template)
        raise TemplateError(f"{filename}:{line}: {type(exc).__name__}: {exc.message}") from None


def _template_frame(exc: BaseException, env: jinja2.Environment, name: str) -> tuple[str, int | str]:
    """The template file and line an error was raised from (Jinja maps frames to templates)."""
    try:
        filename = env.get_template(name).filename or name
    except jinja2.TemplateError:  # pragma: no cover - it loaded a moment ago
        filename = name
    line: int | str = "?"
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    return filename, line


class _Environment(jinja2.Environment):
    """Each template's globals as one plain dict, not jinja2's ChainMap over the environment's:
    every render copies them twice (10,000 files at scale), and a ChainMap is iterated in
    Python. The environment's globals are complete before the first template is loaded."""

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        return {**self.globals, **(d or {})}


def environment(overrides: str | None = None) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    if overrides:
        check_overrides(overrides)
        loaders.append(jinja2.FileSystemLoader(overrides))
    loaders.append(jinja2.FileSystemLoader(str(resource_dir("templates"))))
    env = _Environment(
        loader=jinja2.ChoiceLoader(loaders),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        # Templates do not change during a run: no stat per render (10,000 files at scale).
        auto_reload=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(yaml=scalar, yaml_block=block, json=_json, shelljoin=_shelljoin)
    return env
