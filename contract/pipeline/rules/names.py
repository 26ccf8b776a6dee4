"""IC1xx: names, provider prefixes and endpoints: what LiteLLM routes by."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import SplitResult, urlsplit

from contract.diagnostics import Severity
from contract.knowledge import catalog, entries, envref
from contract.knowledge.facts import OLLAMA_ENDPOINTS, OLLAMA_PREFIXES, ollama_server
from contract.knowledge.naming import k8s_name
from contract.pipeline.rules._context import ContractView, Entry
from contract.pipeline.rules.registry import Finding, rule


@rule("IC101", "duplicate-name", Severity.ERROR, scope="contract")
def duplicate_name(view: ContractView) -> Iterator[Finding]:
    """litellmModelName is repeated: LiteLLM and Unleash cannot tell the entries apart.

    The name is the routing key: LiteLLM's `model_name`, the admin API's model and the name
    Unleash variants point at. Two entries with one name make one of them unreachable.

    Fails:

        models:
          - litellmModelName: gpt-4o
            litellmModel: openai/gpt-4o
          - litellmModelName: gpt-4o
            litellmModel: azure/my-gpt4o-deployment

    Passes:

        models:
          - litellmModelName: gpt-4o
            litellmModel: openai/gpt-4o
          - litellmModelName: azure-gpt-4o
            litellmModel: azure/my-gpt4o-deployment
    """
    first: dict[str, int] = {}
    for named in view.names:
        if named.name in first:
            yield Finding(
                f"litellmModelName {named.name!r} is already used by models[{first[named.name]}]",
                ("models", named.index, "litellmModelName"),
                hint="give each entry its own name, e.g. suffix the provider (azure-gpt-4o)",
            )
        else:
            first[named.name] = named.index


# Names Windows reserves for devices, with or without an extension (case-insensitive).
_RESERVED = frozenset(
    {"con", "prn", "aux", "nul"} | {f"{d}{n}" for d in ("com", "lpt") for n in range(1, 10)}
)
_NOT_IN_FILE_NAMES = set('/\\<>:"|?*')
_CONTROL = re.compile("[\x00-\x1f\x7f]")
# The longest rendered file name is `<name>.values.yaml`; file systems allow 255 bytes.
MAX_FILE_NAME = 200


def unsafe_file_name(name: str) -> str | None:
    """Why `name` cannot name a rendered file (vllm/<name>.sh), or None when it can."""
    if name in (".", "..") or name.startswith("."):
        return "starts with a dot (a hidden file, or a step out of the folder)"
    bad = sorted(set(name) & _NOT_IN_FILE_NAMES)
    if bad:
        return f"holds {' '.join(bad)}, which a file name cannot"
    if _CONTROL.search(name):
        return "holds a control character"
    if name != name.rstrip(" ."):
        return "ends in a space or a dot"
    if name.split(".", 1)[0].lower() in _RESERVED:
        return f"{name.split('.', 1)[0]!r} is a device name on Windows"
    if len(name.encode("utf-8")) > MAX_FILE_NAME:
        return f"is longer than {MAX_FILE_NAME} bytes"
    if not k8s_name(name):
        return "has no letter or digit to name its Kubernetes objects"
    return None


@rule("IC109", "unsafe-name", Severity.ERROR, scope="contract")
def unsafe_name(view: ContractView) -> Iterator[Finding]:
    """A self-hosted litellmModelName cannot name the files and objects render writes for it.

    `render` writes vllm/<name>.argv.json, vllm/<name>.sh and helm/platform/<name>.values.yaml,
    and names Kubernetes objects after it. A name with `/`, `..`, a leading dot, a control
    character or a device name (CON, NUL, ...) would write outside the output folder or fail on
    some systems; two names equal but for case overwrite each other on macOS and Windows, and
    two that give one Kubernetes name (`Qwen3.Coder`, `qwen3-coder`) share one Secret.

    Fails:

        - litellmModelName: Qwen/Qwen3-Coder-30B
          vllm: {model: Qwen/Qwen3-Coder-30B-A3B-Instruct}

    Passes:

        - litellmModelName: qwen3-coder-30b
          vllm: {model: Qwen/Qwen3-Coder-30B-A3B-Instruct}
    """
    seen: dict[str, tuple[int, str]] = {}
    for named in view.names:
        if named.entry is None or named.entry.model.vllm is None:
            continue
        name = named.name
        where = ("models", named.index, "litellmModelName")
        reason = unsafe_file_name(name)
        if reason is not None:
            yield Finding(
                f"litellmModelName {name!r} cannot name the rendered files: it {reason}",
                where,
                hint=f"use letters, digits, '-', '_' and '.', e.g. {k8s_name(name) or 'my-model'}",
            )
            continue
        for key in {name.casefold(), k8s_name(name)}:
            if key in seen and seen[key][1] != name:
                index, other = seen[key]
                yield Finding(
                    f"litellmModelName {name!r} and {other!r} (models[{index}]) name the same files "
                    "or Kubernetes objects",
                    where,
                    hint="give the two entries names that differ in more than case and punctuation",
                )
                break
        else:
            seen.setdefault(name.casefold(), (named.index, name))
            seen.setdefault(k8s_name(name), (named.index, name))


@rule("IC102", "unknown-prefix", Severity.ERROR, uses=("litellmModel", "provider"))
def unknown_prefix(entry: Entry) -> Iterator[Finding]:
    """litellmModel has no provider prefix, or one that is not a LiteLLM provider.

    LiteLLM picks the client from the text before the first `/`. A missing or misspelt prefix
    is dropped silently by the proxy and the model never routes.

    Fails:

        litellmModel: gpt-4o            # no prefix
        litellmModel: opneai/gpt-4o     # not a provider

    Passes:

        litellmModel: openai/gpt-4o
    """
    model = entry.model
    if entry.prefix is None:
        expected = entry.provider.prefixes[0] if entry.provider and entry.provider.prefixes else "openai"
        yield Finding(
            f"litellmModel {model.litellm_model!r} has no provider prefix",
            ("litellmModel",),
            hint=f"write {expected}/{model.litellm_model}",
        )
    elif entry.prefix != "vllm" and not entry.prefix_known:
        nearest = catalog.nearest(entry.prefix, catalog.provider_prefixes())
        yield Finding(
            f"{entry.prefix!r} in {model.litellm_model!r} is not a LiteLLM provider prefix",
            ("litellmModel",),
            hint=f"did you mean {nearest}/{entry.suffix}?"
            if nearest
            else "see `install-contract catalog` for prefixes",
        )


@rule("IC103", "prefix-provider-mismatch", Severity.ERROR, uses=("litellmModel", "provider", "apiBase"))
def prefix_provider_mismatch(entry: Entry) -> Iterator[Finding]:
    """The litellmModel prefix contradicts the `provider` display name.

    `provider` becomes the ModelProvider row in the platform; the prefix decides where
    LiteLLM sends traffic. When they disagree, the UI says one vendor and requests go to
    another. An OpenAI-compatible provider (DeepSeek, Groq, ...) may use `openai/` with an
    `apiBase`; unknown display names are not judged.

    Fails:

        provider: Anthropic
        litellmModel: openai/claude-sonnet-4-20250514

    Passes:

        provider: Anthropic
        litellmModel: anthropic/claude-sonnet-4-20250514
    """
    finding = _prefix_contradiction(entry)
    if finding is not None:
        yield finding


def _prefix_contradiction(entry: Entry) -> Finding | None:
    """IC103's finding, when the prefix routes elsewhere than `provider` says."""
    provider = entry.provider
    if provider is None or not entry.prefix_known or entry.prefix == "vllm":
        return None
    allowed = set(provider.prefixes)
    if provider.openai_compatible and entry.model.api_base is not None:
        allowed.add("openai")
    if entry.prefix in allowed:
        return None
    owner = catalog.provider_for_prefix(entry.prefix or "")
    hint = f"use {provider.prefixes[0]}/… for provider {entry.model.provider!r}"
    if owner is not None:
        hint += f", or set provider: {owner.display_names[0]}"
    return Finding(
        f"prefix {entry.prefix!r} does not route to provider {entry.model.provider!r}",
        ("litellmModel",),
        hint=hint,
    )


@rule(
    "IC104",
    "served-name-mismatch",
    Severity.ERROR,
    uses=("litellmModel", "litellmModelName", "provider", "vllm"),
)
def served_name_mismatch(entry: Entry) -> Iterator[Finding]:
    """Self-hosted: litellmModelName, the suffix of litellmModel and vllm.servedModelName differ.

    LiteLLM strips the prefix and sends the rest as `"model"`; vLLM answers only to its
    --served-model-name. Any difference is a 404 from LiteLLM.

    Fails:

        litellmModelName: qwen3-coder-30b
        litellmModel: openai/qwen3-coder
        vllm: {model: Qwen/Qwen3-Coder-30B-A3B-Instruct, servedModelName: qwen3-coder-30b}

    Passes:

        litellmModelName: qwen3-coder-30b
        litellmModel: openai/qwen3-coder-30b
        vllm: {model: Qwen/Qwen3-Coder-30B-A3B-Instruct}
    """
    if not entry.self_hosted or entry.prefix is None:
        return
    name = entry.model.litellm_model_name
    if entry.suffix != name:
        yield Finding(
            f"litellmModel sends {entry.suffix!r} to the server, but litellmModelName is {name!r}",
            ("litellmModel",),
            hint=f"write litellmModel: {entry.prefix}/{name}",
        )
    vllm = entry.model.vllm
    if vllm is not None and vllm.served_model_name is not None and vllm.served_model_name != name:
        yield Finding(
            f"vllm.servedModelName {vllm.served_model_name!r} differs from litellmModelName {name!r}",
            ("vllm", "servedModelName"),
            hint=f"write servedModelName: {name}, or leave it out (it defaults to litellmModelName)",
        )


@rule("IC105", "base-url-path", Severity.ERROR, uses=("apiBase", "litellmModel", "provider", "vllm"))
def base_url_path(entry: Entry) -> Iterator[Finding]:
    """apiBase has the wrong path for its protocol.

    A self-hosted server and any other endpoint reached with `openai/` or `hosted_vllm/`
    speaks vLLM's and OpenAI's layout: the base URL ends in `/v1` and LiteLLM appends
    `/chat/completions` itself. A provider the catalog knows is held to the base URLs it
    documents instead (DeepSeek `https://api.deepseek.com`, Perplexity
    `https://api.perplexity.ai`, Gemini's `…/v1beta/openai`, Groq `…/openai/v1`). Azure takes
    the bare resource URL; LiteLLM builds `/openai/deployments/…?api-version=…`. LiteLLM's
    `ollama/` and `ollama_chat/` call Ollama's native API (`/api/chat`, `/api/generate`), so
    their apiBase is the server itself, without Ollama's OpenAI-compatible `/v1` and without
    `/api` (LiteLLM appends `/api/chat` itself; only that exact path is taken whole).

    Fails:

        litellmModel: ollama_chat/llama3.1
        apiBase: http://gpu-box:11434/v1                                    # ollama: no /v1
        litellmModel: ollama_chat/llama3.1
        apiBase: http://gpu-box:11434/api                                   # /api/api/chat
        apiBase: http://vllm-qwen.inference.svc.cluster.local:8000          # no /v1
        apiBase: https://api.deepseek.com/v1/chat/completions
        apiBase: https://api.groq.com/v1                                    # Groq: /openai/v1
        apiBase: https://my-resource.openai.azure.com/openai/deployments/x  # azure/

    Passes:

        litellmModel: ollama_chat/llama3.1
        apiBase: http://gpu-box:11434
        apiBase: http://vllm-qwen.inference.svc.cluster.local:8000/v1
        apiBase: https://api.perplexity.ai
        apiBase: https://my-resource.openai.azure.com                       # azure/
    """
    base = entry.model.api_base
    if base is None or envref.whole_ref(base) is not None:
        return
    try:
        parts = urlsplit(base)
    except ValueError:  # `http://[host` (an unclosed IPv6 bracket, as while typing)
        parts = urlsplit("")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        yield Finding(
            f"apiBase {base!r} is not an http(s) URL",
            ("apiBase",),
            hint="write the full URL, e.g. http://my-model.inference.svc.cluster.local:8000/v1",
        )
        return
    yield from _protocol_path(entry, base, parts)


def _protocol_path(entry: Entry, base: str, parts: SplitResult) -> Iterator[Finding]:
    """The path of an http(s) apiBase, held to what the entry's protocol reads."""
    path = parts.path.rstrip("/")
    root = f"{parts.scheme}://{parts.netloc}"
    if entry.prefix in ("azure", "azure_ai"):
        if "/openai/deployments" in path or "api-version" in parts.query:
            yield Finding(
                "an Azure apiBase is the resource URL only; LiteLLM adds the deployment and api-version",
                ("apiBase",),
                hint=f"write apiBase: {root} and put the version in apiVersion",
            )
    elif entry.prefix in OLLAMA_PREFIXES:
        yield from _ollama_path(entry.prefix, root, path)
    else:
        documented = None if entry.self_hosted else _provider_at(parts.netloc)
        if documented is not None:
            yield from _documented_base(entry, base, documented)
        elif entry.openai_compatible:
            yield from _openai_compatible_path(root, path)


def _ollama_path(prefix: str, root: str, path: str) -> Iterator[Finding]:
    """An Ollama apiBase is the server: no /v1, and no /api path but the one LiteLLM takes whole."""
    if path.endswith("/v1"):
        yield Finding(
            f"LiteLLM's {prefix}/ calls Ollama's native API (/api/chat, /api/generate), "
            "not its OpenAI-compatible /v1",
            ("apiBase",),
            hint=f"write apiBase: {root}{path[:-3]}",
        )
        return
    endpoint = OLLAMA_ENDPOINTS[prefix]
    server = ollama_server(path)
    if path.endswith(endpoint) or (server == path and not path.endswith("/api")):
        return
    if server == path:  # ends in /api
        server = path[: -len("/api")]
    yield Finding(
        f"LiteLLM's {prefix}/ appends {endpoint} to apiBase itself: {path}{endpoint} would be requested",
        ("apiBase",),
        hint=f"write apiBase: {root}{server}",
    )


def _documented_base(entry: Entry, base: str, documented: catalog.Provider) -> Iterator[Finding]:
    """A cloud provider's endpoint: one of the base URLs it documents."""
    known = documented.documented_base_urls
    if base.rstrip("/") not in (url.rstrip("/") for url in known):
        name = documented.display_names[0]
        own = entry.prefix in documented.prefixes
        yield Finding(
            f"apiBase is not a base URL {name} documents ({' or '.join(known)})",
            ("apiBase",),
            hint=f"write apiBase: {known[0]}" + (", or leave apiBase out" if own else ""),
        )


def _openai_compatible_path(root: str, path: str) -> Iterator[Finding]:
    """vLLM's and OpenAI's layout: the base URL ends in /v1, once."""
    if path.endswith("/chat/completions") or path.endswith("/completions"):
        trimmed = (
            path.rsplit("/chat/completions", 1)[0] if "/chat/completions" in path else path.rsplit("/", 1)[0]
        )
        yield Finding(
            "apiBase is a base URL: LiteLLM appends /chat/completions itself",
            ("apiBase",),
            hint=f"write apiBase: {root}{trimmed}",
        )
    elif path.endswith("/v1/v1"):
        yield Finding(
            "apiBase ends in /v1/v1: requests would go to /v1/v1/chat/completions",
            ("apiBase",),
            hint=f"write apiBase: {root}{path[:-3]}",
        )
    elif not path.endswith("/v1"):
        yield Finding(
            "an OpenAI-compatible apiBase must end in /v1 (requests would miss /v1/chat/completions)",
            ("apiBase",),
            hint=f"write apiBase: {root}{path}/v1",
        )


def _provider_at(netloc: str) -> catalog.Provider | None:
    """The cloud provider whose documented base URL is at this host (and port), if any."""
    wanted = netloc.lower()
    for provider in catalog.providers():
        for url in provider.documented_base_urls:
            if urlsplit(url).netloc.lower() == wanted:
                return provider
    return None


@rule("IC108", "in-process-vllm-prefix", Severity.ERROR, uses=("litellmModel",))
def in_process_vllm_prefix(entry: Entry) -> Iterator[Finding]:
    """litellmModel uses the `vllm/` prefix, which makes LiteLLM load vLLM in-process.

    `vllm/` is LiteLLM's in-process provider: the proxy would import vLLM and try to load the
    weights itself instead of calling your server. Talk to a vLLM server over HTTP.

    Fails:

        litellmModel: vllm/deephat-v2

    Passes:

        litellmModel: openai/deephat-v2
        apiBase: http://deephat-v2.inference.svc.cluster.local:8000/v1
    """
    if entry.prefix == "vllm":
        yield Finding(
            "the vllm/ prefix runs vLLM inside the LiteLLM proxy instead of calling your server",
            ("litellmModel",),
            hint=f"write litellmModel: openai/{entry.suffix} (or hosted_vllm/{entry.suffix}) with an apiBase",
        )


@rule("IC106", "model-alias", Severity.WARNING, uses=("litellmModel", "provider", "vllm"))
def model_alias(entry: Entry) -> Iterator[Finding]:
    """litellmModel is an alias that moves: `-latest`, or an undated Claude id with a dated one.

    An alias silently changes the model under you, so yesterday's evaluation no longer holds.
    Pin the dated id. (OpenAI's and Google's plain ids, such as gpt-4o and gemini-2.5-pro, are
    the ids they publish for production, and are not reported.)

    Fails:

        litellmModel: anthropic/claude-sonnet-4
        litellmModel: anthropic/claude-3-5-sonnet-latest

    Passes:

        litellmModel: anthropic/claude-sonnet-4-20250514
    """
    alias = _alias(entry)
    if alias is None:
        return
    dated = alias[1]
    hint = f"pin the dated id: {entry.prefix}/{dated}" if dated else "pin a dated model id"
    yield Finding(
        f"{entry.suffix!r} is an alias that can move to another model", ("litellmModel",), hint=hint
    )


def _alias(entry: Entry) -> tuple[str, str | None] | None:
    """(alias, the dated id it stands for) when litellmModel is a moving alias, else None."""
    if entry.self_hosted or entry.prefix is None:
        return None
    model_id = entry.suffix
    if not model_id.endswith(("-latest", ":latest")) and "claude" not in model_id:
        return None
    # Looked up under the entry's own prefix: `anthropic/claude-3-5-sonnet-latest` pins to
    # Anthropic's dated id, not to Vertex AI's `claude-3-5-sonnet@20240620`.
    found = entry.catalog().dated_alias(f"{entry.prefix}/{model_id}")
    dated = entries.suffix(found) if found else None
    if dated is None and "claude" in model_id and not model_id.endswith(("-latest", ":latest")):
        return None
    return model_id, dated


@rule(
    "IC107",
    "unknown-model",
    Severity.WARNING,
    uses=("litellmModel", "provider", "apiBase", "baseModel", "vllm"),
)
def unknown_model(entry: Entry) -> Iterator[Finding]:
    """The catalog does not know this cloud model id; the hint names the nearest known id.

    Outdated or misspelt ids silently fall back or fail at the provider. Self-hosted entries,
    Azure deployments without a baseModel and unknown OpenAI-compatible endpoints are not
    judged, nor is a litellmModel that IC102 or IC103 already reports (its prefix is wrong, so
    the id cannot be judged under it). A newer catalog can be loaded with --catalog (see
    `install-contract catalog`).

    Fails:

        litellmModel: openai/gpt-4-o

    Passes:

        litellmModel: openai/gpt-4o
    """
    if entry.self_hosted or not entry.prefix_known or entry.prefix == "vllm":
        return  # IC102 and IC108 judge the prefix
    if _prefix_contradiction(entry) is not None:
        return  # IC103: the id is looked up under a prefix that is already wrong
    if entry.prefix == "azure" and entry.model.base_model is None:
        return
    if entry.prefix == "openai" and entry.model.api_base is not None and entry.provider is None:
        return
    if entry.facts is not None or _alias(entry) is not None:
        return  # known, or an alias IC106 reports
    if entry.prefix in ("azure", "azure_ai") and entry.model.base_model is not None:
        nearest = entry.catalog().nearest_id(f"azure/{entry.model.base_model}")
        yield Finding(
            f"baseModel {entry.model.base_model!r} is not a model the catalog knows",
            ("baseModel",),
            hint=f"did you mean {nearest.split('/', 1)[-1]}?" if nearest else "check the model id",
        )
        return
    nearest = entry.catalog().nearest_id(entry.model.litellm_model)
    yield Finding(
        f"{entry.model.litellm_model!r} is not a model the catalog knows",
        ("litellmModel",),
        hint=f"did you mean {nearest}?" if nearest else "check the id against the provider's model list",
    )
