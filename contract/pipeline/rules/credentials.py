"""IC3xx: credentials. Messages name fields and variables, never a secret's value."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from typing import Any

from contract.diagnostics import Path, Severity
from contract.knowledge import envref, secrets
from contract.knowledge.secrets import SECRET_FIELDS, VLLM_SECRET_FIELDS
from contract.pipeline.rules._context import ContractView, Entry
from contract.pipeline.rules.registry import Finding, rule

AZURE_API_VERSION = re.compile(r"^\d{4}-\d{2}-\d{2}(-preview)?$")


def _present(value: Any) -> bool:
    """A credential left empty counts as absent (the seed's Bedrock IRSA fallback)."""
    if value is None:
        return False
    text = value.get_secret_value() if hasattr(value, "get_secret_value") else value
    return bool(str(text).strip())


@rule("IC301", "azure-incomplete", Severity.ERROR, uses=("litellmModel", "apiBase", "apiVersion", "apiKey"))
def azure_incomplete(entry: Entry) -> Iterator[Finding]:
    """An `azure/` entry lacks apiBase, apiVersion or apiKey, or apiVersion is malformed.

    Azure will not route without all three; LiteLLM rejects requests without apiVersion.
    apiVersion is a date like '2024-10-21' (quote it), optionally with `-preview`.

    Fails:

        litellmModel: azure/my-gpt4o-deployment
        apiBase: https://my-resource.openai.azure.com
        apiKey: ${AZURE_API_KEY}

    Passes:

        litellmModel: azure/my-gpt4o-deployment
        apiBase: https://my-resource.openai.azure.com
        apiVersion: '2024-10-21'
        apiKey: ${AZURE_API_KEY}
    """
    if entry.prefix != "azure":
        return
    model = entry.model
    examples = {
        "apiBase": "apiBase: https://<resource>.openai.azure.com",
        "apiVersion": "apiVersion: '2024-10-21'",
        "apiKey": "apiKey: ${AZURE_API_KEY}",
    }
    for name, value in (
        ("apiBase", model.api_base),
        ("apiVersion", model.api_version),
        ("apiKey", model.api_key),
    ):
        if not _present(value):
            yield Finding(
                f"an azure/ entry needs {name}; Azure will not route without it", hint=f"add {examples[name]}"
            )
    version = model.api_version
    if version and envref.whole_ref(version) is None and not AZURE_API_VERSION.match(version):
        yield Finding(
            f"apiVersion {version!r} is not an Azure API version (YYYY-MM-DD, optionally -preview)",
            ("apiVersion",),
            hint="write e.g. apiVersion: '2024-10-21', quoted",
        )


@rule(
    "IC302",
    "bedrock-incomplete",
    Severity.ERROR,
    uses=("litellmModel", "awsRegion", "awsAccessKeyId", "awsSecretAccessKey"),
)
def bedrock_incomplete(entry: Entry) -> Iterator[Finding]:
    """A `bedrock/` entry lacks awsRegion, or sets only one half of the AWS key pair.

    Without both keys LiteLLM uses the cluster's IRSA role, which is fine; with one key it
    fails to sign requests.

    Fails:

        litellmModel: bedrock/us.anthropic.claude-sonnet-4-20250514-v1:0
        awsAccessKeyId: ${AWS_ACCESS_KEY_ID}

    Passes:

        litellmModel: bedrock/us.anthropic.claude-sonnet-4-20250514-v1:0
        awsRegion: us-west-2
        awsAccessKeyId: ${AWS_ACCESS_KEY_ID}
        awsSecretAccessKey: ${AWS_SECRET_ACCESS_KEY}
    """
    if entry.prefix not in ("bedrock", "bedrock_converse"):
        return
    model = entry.model
    if not _present(model.aws_region):
        yield Finding(
            "a bedrock/ entry needs awsRegion", hint="add awsRegion: <the model's region>, e.g. us-west-2"
        )
    has_id, has_secret = _present(model.aws_access_key_id), _present(model.aws_secret_access_key)
    if has_id != has_secret:
        given, missing = (
            ("awsAccessKeyId", "awsSecretAccessKey") if has_id else ("awsSecretAccessKey", "awsAccessKeyId")
        )
        yield Finding(
            f"{given} is set but {missing} is not",
            (given,),
            hint=f"add {missing}: ${{AWS_{'SECRET_ACCESS_KEY' if missing.startswith('awsSecret') else 'ACCESS_KEY_ID'}}}, "
            "or remove both to use the cluster's IRSA role",
        )


@rule(
    "IC303",
    "inline-secret",
    Severity.WARNING,
    uses=(
        "apiKey",
        "awsAccessKeyId",
        "awsSecretAccessKey",
        "vllm",
        "provider",
        "litellmModelName",
        "apiBase",
    ),
)
def inline_secret(entry: Entry) -> Iterator[Finding]:
    """A secret field holds a literal value instead of a `${VAR}` reference.

    A literal key ends up in git, in rendered files and in logs. Keep it in the environment
    (or a Secret) and reference it; the tool never prints the value. A password inside
    apiBase (`https://user:password@host`) is an error: render would have to write it out.

    Fails:

        apiKey: sk-ant-...
        apiBase: https://user:hunter22@llm.example.com/v1

    Passes:

        apiKey: ${ANTHROPIC_API_KEY}
    """
    for path, value in _secrets(entry):
        if not _present(value):
            continue
        text = value.get_secret_value()
        if envref.whole_ref(text) is not None:
            continue
        near = envref.near_ref(text)
        if near is not None:
            hint = f"write ${{{near}}}: a reference is a dollar sign and the name in braces"
        else:
            var = envref.literal_var(entry.model.litellm_model_name, str(path[-1]))
            hint = f"move the value into the environment and write {path[-1]}: ${{{var}}}"
        yield Finding(f"{'.'.join(str(p) for p in path)} holds a literal secret", path, hint=hint)
    base = entry.model.api_base
    if base and secrets.url_password(base):
        # It cannot move to the environment as a key can: render would write it out.
        yield Finding(
            "apiBase holds a password (user:password@): it would be written into the rendered config",
            ("apiBase",),
            hint="remove the user:password@ part; put the credential in apiKey: ${VAR}",
            severity=Severity.ERROR,
        )


def _secrets(entry: Entry) -> Iterator[tuple[Path, Any]]:
    model = entry.model
    for name in SECRET_FIELDS:
        yield (name,), getattr(model, _attr(name))
    if model.vllm is not None:
        for name in VLLM_SECRET_FIELDS:
            yield ("vllm", name), getattr(model.vllm, _attr(name))


@cache
def _attr(camel: str) -> str:
    from contract.knowledge.naming import snake as to_snake

    return to_snake(camel)


@rule("IC304", "unset-env", Severity.ERROR, scope="contract")
def unset_env(view: ContractView) -> Iterator[Finding]:
    """A `${VAR}` the entry references is not set (checked with --check-env, and before apply).

    Reported once per variable, at its first use, naming every entry and field that uses it:
    four self-hosted entries reading ${VLLM_API_KEY} are one thing to export, not four.

    Fails (with ANTHROPIC_API_KEY unset):

        apiKey: ${ANTHROPIC_API_KEY}

    Passes (after `export ANTHROPIC_API_KEY=...`):

        apiKey: ${ANTHROPIC_API_KEY}
    """
    if not view.options.check_env:
        return
    uses: dict[str, list[tuple[Entry, Path]]] = {}
    for entry in view.entries:
        for path, text in _strings(entry.raw, ()):
            for name in envref.unset(envref.refs(text), view.options.env):
                uses.setdefault(name, []).append((entry, path))
    for name, where in uses.items():
        first, path = where[0]
        yield Finding(
            f"environment variable {name} is not set (referenced by {_referrers(where)})",
            ("models", first.index, *path),
            hint=f"export {name}=… in the shell or CI job that runs the tool",
        )


def _referrers(where: list[tuple[Entry, Path]]) -> str:
    """`apiKey` (one entry), or `qwen (apiKey), deephat (apiKey, apiBase)` (several)."""
    fields: dict[int, list[str]] = {}
    names: dict[int, str] = {}
    for entry, path in where:
        fields.setdefault(entry.index, []).append(".".join(str(p) for p in path))
        raw_name = entry.raw.get("litellmModelName")
        names[entry.index] = raw_name if isinstance(raw_name, str) else f"models[{entry.index}]"
    if len(fields) == 1:
        return ", ".join(next(iter(fields.values())))
    return f"{len(fields)} entries: " + ", ".join(
        f"{names[index]} ({', '.join(used)})" for index, used in fields.items()
    )


def _strings(value: Any, path: Path) -> Iterator[tuple[Path, str]]:
    if isinstance(value, str):
        if "${" in value:
            yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, (*path, str(key)))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _strings(item, (*path, i))


@rule(
    "IC305",
    "missing-credentials",
    Severity.ERROR,
    uses=("litellmModel", "provider", "apiKey", "apiBase", "vllm", "litellmModelName"),
)
def missing_credentials(entry: Entry) -> Iterator[Finding]:
    """A cloud API entry whose provider needs a key has no apiKey.

    Without a key LiteLLM sends whatever key its environment happens to hold (or none) and
    the provider answers 401. Self-hosted endpoints, Bedrock (IRSA) and Vertex AI (ADC) are
    exempt; Azure is IC301.

    Fails:

        litellmModel: anthropic/claude-sonnet-4-20250514    # and no apiKey

    Passes:

        litellmModel: anthropic/claude-sonnet-4-20250514
        apiKey: ${ANTHROPIC_API_KEY}
    """
    if entry.self_hosted or entry.prefix in ("azure", None) or _present(entry.model.api_key):
        return
    from contract.knowledge import catalog

    provider = catalog.provider_for_prefix(entry.prefix)
    if provider is None or provider.auth != "api_key":
        return
    if entry.prefix == "openai" and entry.model.api_base is not None and entry.provider is None:
        return  # an unknown OpenAI-compatible endpoint may not need a key
    var = provider.env_var or envref.literal_var(entry.model.litellm_model_name, "apiKey")
    yield Finding(
        f"{entry.model.provider} needs an API key and this entry has no apiKey",
        hint=f"add apiKey: ${{{var}}}",
    )


@rule("IC306", "embedded-env-ref", Severity.ERROR, uses=("apiBase", "apiVersion", "awsRegion"))
def embedded_env_ref(entry: Entry) -> Iterator[Finding]:
    """`${VAR}` inside a longer value of a field LiteLLM reads from the environment.

    LiteLLM reads a value from the environment only when the whole value is `os.environ/VAR`:
    render turns `apiBase: ${QWEN_URL}` into that, but `http://${HOST}:8000/v1` would reach
    LiteLLM as it stands. Make the whole value one variable.

    Fails:

        apiBase: http://${VLLM_HOST}:8000/v1

    Passes:

        apiBase: ${VLLM_BASE_URL}
        apiBase: http://deephat-v2.inference.svc.cluster.local:8000/v1
    """
    model = entry.model
    for name, value in (
        ("apiBase", model.api_base),
        ("apiVersion", model.api_version),
        ("awsRegion", model.aws_region),
    ):
        if value is None or envref.whole_ref(value) is not None:
            continue
        found = envref.refs(value)
        if found:
            yield Finding(
                f"{name} uses ${{{found[0]}}} inside a longer value; LiteLLM reads only a whole variable",
                (name,),
                hint=f"write {name}: ${{{envref.literal_var(model.litellm_model_name, name)}}} and put the "
                "whole value in that variable, or write the value out",
            )


@rule("IC307", "shared-variable", Severity.ERROR, scope="contract")
def shared_variable(view: ContractView) -> Iterator[Finding]:
    """Two literal secrets would move to one environment variable, or onto one another entry names.

    render moves a literal secret to a variable named after its entry (gpt-4o's apiKey to
    GPT_4O_API_KEY). Names that differ only in punctuation or case (gpt-4o, gpt_4o) give one
    variable, and the second value would silently replace the first.

    Fails:

        models:
          - {litellmModelName: gpt-4o, apiKey: sk-one...}
          - {litellmModelName: gpt_4o, apiKey: sk-two...}

    Passes:

        models:
          - {litellmModelName: gpt-4o, apiKey: "${OPENAI_API_KEY}"}
          - {litellmModelName: gpt_4o, apiKey: "${OPENAI_API_KEY}"}
    """
    referenced: set[str] = set()
    literals: list[tuple[Entry, Path]] = []  # one pass over the secrets: 10,000 entries at scale
    for entry in view.entries:
        for path, value in _secrets(entry):
            if _present(value):
                name = envref.whole_ref(value.get_secret_value())
                if name:
                    referenced.add(name)
                elif path[0] != "vllm" and not entry.broken:
                    # (hfToken goes to a Secret key, not to LiteLLM's environment)
                    literals.append((entry, path))
    first: dict[str, tuple[int, str]] = {}
    for entry, path in literals:
        var = envref.literal_var(entry.model.litellm_model_name, str(path[-1]))
        where = ("models", entry.index, *path)
        if var in first:
            index, field = first[var]
            yield Finding(
                f"this literal {path[-1]} and the {field} of models[{index}] would both move to {var}",
                where,
                hint="reference each secret as ${VAR} with a name of its own",
            )
        elif var in referenced:
            yield Finding(
                f"this literal {path[-1]} would move to {var}, which another entry references",
                where,
                hint=f"reference it as ${{{var}}} if it is the same secret, or rename the entry",
            )
        else:
            first[var] = (entry.index, str(path[-1]))
