"""Parse `vllm serve` command lines with vLLM's real argument parser.

Run with the python of the .peers/vllm venv (scripts/peers/install-vllm):

    echo '[["vllm", "serve", "Qwen/Qwen3-0.6B", "--port", "8000"]]' \
        | .peers/vllm/bin/python scripts/peers/vllm_parse.py

stdin: a JSON list of argv lists, each starting with "vllm", "serve".
stdout: a JSON list with one result per argv, in order:

    {"ok": bool,            # parsed and passed validate_parsed_serve_args
     "error": str | null,   # argparse's message, or the validator's exception
     "start_error": str | null,  # what the API server would still reject at
                                 # start, before loading any model (unknown
                                 # --tool-call-parser / --reasoning-parser)
     "warnings": [str],     # vLLM log records (WARNING and up) while parsing
     "args": {dest: value}} # every parsed value, JSON-safe; {} when not ok

The parser is built once, the way `vllm serve` builds it (vllm/entrypoints/
cli/main.py): a top-level FlexibleArgumentParser with a `serve` subparser
filled by make_arg_parser, parsing argv[1:]. The top-level parse_args is what
moves `--model X` to the positional, maps `_` to `-`, expands dotted
`--x.y v` JSON args and `-O3`, so the subparser alone would not be faithful.
Nothing is downloaded: parsing never loads a model config, and the
environment is forced offline before vLLM is imported.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import dataclasses
import enum
import io
import json
import logging
import os
import sys
from typing import Any

OFFLINE_ENV = {
    "VLLM_TARGET_DEVICE": "cpu",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "VLLM_NO_USAGE_STATS": "1",
    "DO_NOT_TRACK": "1",
}

SERVE_USAGE = "vllm serve [model_tag] [options]"


def _force_offline() -> None:
    for key, value in OFFLINE_ENV.items():
        os.environ[key] = value


class _RecordWarnings(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def build_parser() -> argparse.ArgumentParser:
    """The top-level `vllm` parser with only the `serve` subcommand."""
    from vllm.entrypoints.common.cli_args import make_arg_parser
    from vllm.utils.argparse_utils import FlexibleArgumentParser

    parser = FlexibleArgumentParser(prog="vllm", description="vLLM CLI")
    subparsers = parser.add_subparsers(required=False, dest="subparser")
    serve = subparsers.add_parser("serve", usage=SERVE_USAGE)
    make_arg_parser(serve)
    return parser


def serve_parser(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """The `serve` subparser inside the top-level parser."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action.choices["serve"]
    raise LookupError("no serve subcommand")


def json_safe(value: Any, depth: int = 0) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if depth > 6:
        return repr(value)
    if isinstance(value, enum.Enum):
        return json_safe(value.value, depth + 1)
    if isinstance(value, dict):
        return {str(k): json_safe(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v, depth + 1) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((json_safe(v, depth + 1) for v in value), key=repr)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: json_safe(getattr(value, f.name, None), depth + 1) for f in dataclasses.fields(value)}
    return repr(value)


def _argparse_message(stderr_text: str) -> str:
    # argparse prints the usage, then "<prog>: error: <message>", which may
    # go on over several lines (pydantic validation errors do).
    lines = [line.rstrip() for line in stderr_text.strip().splitlines()]
    for index in range(len(lines) - 1, -1, -1):
        if ": error: " in lines[index]:
            return "\n".join(line for line in lines[index:] if line.strip())
    text = "\n".join(line for line in lines if line.strip())
    return text or "argparse exited without a message"


def _start_error(ns: argparse.Namespace) -> str | None:
    """What validate_api_server_args would reject when the server starts.

    The server merges --reasoning-parser into structured_outputs_config
    (EngineArgs.create_structured_outputs_config) before this check, so a
    copy of the namespace gets the same merge here.
    """
    from vllm.config import StructuredOutputsConfig
    from vllm.entrypoints.common.cli_args import validate_api_server_args

    check = argparse.Namespace(**vars(ns))
    config = copy.copy(ns.structured_outputs_config) or StructuredOutputsConfig()
    if getattr(ns, "reasoning_parser", None):
        config.reasoning_parser = ns.reasoning_parser
    check.structured_outputs_config = config
    try:
        validate_api_server_args(check)
    except (KeyError, ValueError, TypeError) as exc:
        return str(exc.args[0]) if exc.args else repr(exc)
    return None


def parse_one(parser: argparse.ArgumentParser, argv: list[str]) -> dict[str, Any]:
    from vllm.entrypoints.common.cli_args import validate_parsed_serve_args

    result: dict[str, Any] = {
        "ok": False,
        "error": None,
        "start_error": None,
        "warnings": [],
        "args": {},
    }
    if not (
        isinstance(argv, list) and all(isinstance(a, str) for a in argv) and argv[:2] == ["vllm", "serve"]
    ):
        result["error"] = f"not a `vllm serve` argv: {argv!r}"
        return result

    recorder = _RecordWarnings()
    vllm_logger = logging.getLogger("vllm")
    vllm_logger.addHandler(recorder)
    captured = io.StringIO()
    try:
        with contextlib.redirect_stderr(captured):
            ns = parser.parse_args(argv[1:])
        validate_parsed_serve_args(ns)
    except SystemExit:
        result["error"] = _argparse_message(captured.getvalue())
        return result
    except Exception as exc:  # the validators raise ValueError/TypeError/KeyError
        result["error"] = f"{type(exc).__name__}: {exc}"
        return result
    finally:
        vllm_logger.removeHandler(recorder)
        result["warnings"] = recorder.messages
        sys.stderr.write(captured.getvalue())

    # ServeSubcommand.cmd does the same before anything else: the positional
    # model tag wins over --model's default.
    if getattr(ns, "model_tag", None) is not None:
        ns.model = ns.model_tag
    result["ok"] = True
    result["start_error"] = _start_error(ns)
    result["args"] = {k: json_safe(v) for k, v in sorted(vars(ns).items())}
    return result


def main() -> int:
    _force_offline()
    # vLLM logs to stdout; keep the real stdout for the JSON answer only.
    answer = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    sys.stdout.flush()
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())

    argvs = json.load(sys.stdin)
    if not isinstance(argvs, list):
        print("vllm_parse: stdin must be a JSON list of argv lists", file=sys.stderr)
        return 2
    parser = build_parser()
    results = [parse_one(parser, argv) for argv in argvs]
    json.dump(results, answer)
    answer.write("\n")
    answer.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
