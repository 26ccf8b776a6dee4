"""Run vLLM Semantic Router's own `vllm-sr config validate` on many configs in one process.

Run with the peer's interpreter (`.peers/vllm-sr/bin/python`), never from a directory that
holds this project's `cli/` package (vllm-sr's package is also called `cli`). Reads a JSON list
of config paths on stdin and writes one JSON result per path: {"path", "ok", "output"}.

Why one process: every `vllm-sr config validate` parses the model catalog vllm-sr ships
(megabytes of YAML) with PyYAML's pure-Python loader, ≈40 s a run on a loaded 2-core machine.
Here PyYAML's own libyaml loader (`CSafeLoader`, same package, same result) stands in for
`yaml.safe_load`, and the click command is invoked in-process once per config. The command,
its parser and its validator are vllm-sr's, unchanged.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
from typing import Any

import yaml


def _c_safe_load(stream: Any) -> Any:
    return yaml.load(stream, Loader=yaml.CSafeLoader)


def main() -> None:
    if getattr(yaml, "__with_libyaml__", False):
        yaml.safe_load = _c_safe_load
    from cli.main import main as vllm_sr

    results = []
    for path in json.load(sys.stdin):
        out = io.StringIO()
        code: Any = 0
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            try:
                vllm_sr.main(["config", "validate", "--config", path], prog_name="vllm-sr", standalone_mode=False)
            except SystemExit as exc:
                code = exc.code
            except Exception as exc:  # reported as a failed validation
                code = 1
                print(f"{type(exc).__name__}: {exc}")
        results.append({"path": path, "ok": code in (0, None), "output": out.getvalue()})
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
