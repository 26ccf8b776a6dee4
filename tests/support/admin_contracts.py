"""Contracts for `plan`/`apply` against the admin API test server, the canaries they carry, and the CLI
run with the environment they need.

Not a test module: `from tests.support.admin_contracts import ...`.
"""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

from cli.main import main

TOKEN = "test-admin-token"
CANARY = "sk-CANARY-5f3e9a1d7c"
CANARY_AWS = "AKIA-CANARY-0b8e2f"
ENV = {"ADMIN_API_TOKEN": TOKEN, "OPENAI_API_KEY": CANARY, "AWS_SECRET": CANARY_AWS, "AWS_ID": CANARY_AWS}


def entry(name: str, provider: str = "OpenAI", **extra: str) -> str:
    lines = [
        f"  - litellmModelName: {name}",
        "    litellmModel: openai/gpt-4o-2024-08-06",
        f"    displayName: GPT-4o {name}",
        f"    provider: {provider}",
        "    creator: OpenAI",
        "    type: CHAT",
        "    metadataType: Text Generation",
        "    costTier: MEDIUM",
        "    contextWindow: 128000",
        "    maxTokens: 16384",
        "    apiKey: ${OPENAI_API_KEY}",
    ]
    lines += [f"    {k}: {v}" for k, v in extra.items()]
    return "\n".join(lines) + "\n"


def contract(url: str, names: list[str] | int = 3, *, body: str = "") -> str:
    if isinstance(names, int):
        names = [f"gpt-4o-{i}" for i in range(names)]
    head = f"platform:\n  adminApi:\n    url: {url}\nmodels:\n"
    return head + "".join(entry(n) for n in names) + body


def cli(path: Path, *args: str, env: dict[str, str] | None = None, stdin: str | None = None) -> Result:
    runner = CliRunner()
    return runner.invoke(main, [*args, str(path)], env={**ENV, **(env or {})}, input=stdin)
