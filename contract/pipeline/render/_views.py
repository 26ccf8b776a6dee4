"""What each artifact says about each entry, as plain data for the templates.

Secrets never become values here: a `${VAR}` reference becomes LiteLLM's `os.environ/VAR` or
a Secret name/key; a literal secret in the contract is replaced by a variable named after the
entry (GPT_4O_API_KEY), which the render reports as one to provide.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from contract.errors import UsageError
from contract.knowledge import envref, images, sizing
from contract.knowledge.catalog import ModelFacts
from contract.knowledge.entries import is_self_hosted
from contract.knowledge.facts import RENDERED_MODE
from contract.knowledge.litellm import ENV_PREFIX, SECRET_NAME
from contract.knowledge.litellm import MASTER_KEY_ENV as MASTER_KEY_ENV  # render reads views.MASTER_KEY_ENV
from contract.knowledge.naming import k8s_name
from contract.pipeline.model import ModelEntry, Platform, Secret, VllmSpec

# The charts and release names the install scripts name. The platform's chart ships with the
# platform (seed 002 installs it from its folder: `helm install deephat-v2 .`); production-stack's
# is `helm repo add vllm https://vllm-project.github.io/production-stack`; LiteLLM's is on GHCR.
PLATFORM_CHART = '"${CHART:-.}"'
PRODUCTION_STACK_CHART = "vllm/vllm-stack --version 0.1.12"
PRODUCTION_STACK_RELEASE = "vllm-stack"
LITELLM_CHART = "oci://ghcr.io/berriai/litellm-helm"
LITELLM_RELEASE = "litellm"
# A vLLM server's CPU and memory when `vllm.resources` does not say (README, "Helm values"):
# the API server, the engine core and one worker a GPU each hold a CPU busy (tokenizing,
# scheduling, detokenizing), and the weights pass through host memory while they load.
BASE_CPU = 4
CPU_PER_GPU = 2
BASE_MEMORY_GIB = 16
MEMORY_PER_GPU_GIB = 16  # when the weights' size is unknown
# LiteLLM falls back to the ambient OPENAI_API_KEY when an openai/ entry has no key: a
# self-hosted server without auth gets this placeholder instead of a real OpenAI key.
NO_KEY = "no-key-required"


@dataclass
class EnvNeeds:
    """Environment variables the rendered LiteLLM config reads, and where they come from."""

    referenced: set[str] = field(default_factory=set)
    # variable -> ("gpt-4o", "apiKey"): literals in the contract that must move to the environment
    from_literals: dict[str, tuple[str, str]] = field(default_factory=dict)

    def all(self) -> list[str]:
        return sorted({MASTER_KEY_ENV, *self.referenced, *self.from_literals})


def litellm_secret(platform: Platform | None) -> str:
    """The Secret LiteLLM loads its variables from: `platform.litellm.secret`, else the default."""
    if platform is not None and platform.litellm is not None:
        return platform.litellm.secret
    return SECRET_NAME


def _secret(value: Secret | None, entry: ModelEntry, field_name: str, needs: EnvNeeds) -> str | None:
    if value is None or not value.get_secret_value().strip():
        return None
    var = envref.whole_ref(value.get_secret_value())
    if var is None:
        var = envref.literal_var(entry.litellm_model_name, field_name)
        source = (entry.litellm_model_name, field_name)
        if needs.from_literals.setdefault(var, source) != source or var in needs.referenced:
            raise UsageError(f"two secrets would share the variable {var} (IC307); nothing was rendered")
    elif var in needs.from_literals:
        raise UsageError(f"two secrets would share the variable {var} (IC307); nothing was rendered")
    else:
        needs.referenced.add(var)
    return f"{ENV_PREFIX}{var}"


def _plain(value: str | None, entry: ModelEntry, field_name: str, needs: EnvNeeds) -> str | None:
    if value is None:
        return None
    var = envref.whole_ref(value)
    if var is not None:
        needs.referenced.add(var)
        return f"{ENV_PREFIX}{var}"
    if envref.refs(value):
        raise UsageError(
            f"{entry.litellm_model_name}: {field_name} uses ${{VAR}} inside a longer value; LiteLLM reads "
            "only a whole os.environ/VAR value (write the whole value as one variable)"
        )
    return value


def litellm_entry(entry: ModelEntry, tools: bool, needs: EnvNeeds) -> dict[str, Any]:
    params: dict[str, Any] = {"model": entry.litellm_model}
    api_base = _plain(entry.api_base, entry, "apiBase", needs)
    if api_base is not None:
        params["api_base"] = api_base
    api_key = _secret(entry.api_key, entry, "apiKey", needs)
    if api_key is None and is_self_hosted(entry):
        api_key = NO_KEY
    if api_key is not None:
        params["api_key"] = api_key
    for name, value in (("api_version", entry.api_version), ("aws_region_name", entry.aws_region)):
        rendered = _plain(value, entry, name, needs)
        if rendered is not None:
            params[name] = rendered
    for name, secret, field_name in (
        ("aws_access_key_id", entry.aws_access_key_id, "awsAccessKeyId"),
        ("aws_secret_access_key", entry.aws_secret_access_key, "awsSecretAccessKey"),
    ):
        rendered = _secret(secret, entry, field_name, needs)
        if rendered is not None:
            params[name] = rendered
    info: dict[str, Any] = {"id": entry.litellm_model_name}
    if entry.base_model and entry.litellm_model.startswith("azure/"):
        info["base_model"] = f"azure/{entry.base_model}"
    elif entry.base_model:
        info["base_model"] = entry.base_model
    info["max_input_tokens"] = entry.context_window
    if entry.max_tokens is not None:
        info["max_output_tokens"] = entry.max_tokens
    info["mode"] = RENDERED_MODE[entry.metadata_type]
    info["supports_function_calling"] = tools
    return {"model_name": entry.litellm_model_name, "litellm_params": params, "model_info": info}


def model_flags(vllm: VllmSpec) -> list[str]:
    """The flags that depend on the model family rather than on the deployment.

    The production-stack chart has no fields for them, so they travel in its extraArgs.
    """
    flags: list[str] = []
    if vllm.kv_cache_dtype:
        flags += ["--kv-cache-dtype", vllm.kv_cache_dtype]
    if vllm.quantization:
        flags += ["--quantization", vllm.quantization]
    if vllm.trust_remote_code:
        flags.append("--trust-remote-code")
    if vllm.tool_call_parser:
        flags += ["--tool-call-parser", vllm.tool_call_parser]
    if vllm.enable_auto_tool_choice:
        flags.append("--enable-auto-tool-choice")
    if vllm.reasoning_parser:
        flags += ["--reasoning-parser", vllm.reasoning_parser]
    if vllm.revision:
        flags += ["--revision", vllm.revision]
    return flags


def tensor_parallel(vllm: VllmSpec) -> int | None:
    if vllm.tensor_parallel_size is not None:
        return vllm.tensor_parallel_size
    return vllm.gpus.count if vllm.gpus is not None else None


def vllm_argv(entry: ModelEntry) -> list[str]:
    """`vllm serve` arguments: the deployment's flags, then the family's, then extraArgs.

    The API key stays in VLLM_API_KEY, never on the command line.
    """
    vllm = entry.vllm
    assert vllm is not None
    argv = [
        "vllm",
        "serve",
        vllm.model,
        "--served-model-name",
        entry.litellm_model_name,
        "--port",
        str(vllm.port),
    ]
    argv += ["--max-model-len", str(vllm.max_model_len or entry.context_window)]
    if vllm.dtype:
        argv += ["--dtype", vllm.dtype]
    tp = tensor_parallel(vllm)
    if tp is not None:
        argv += ["--tensor-parallel-size", str(tp)]
    argv += model_flags(vllm)
    for flag, on in (
        ("prefix-caching", vllm.enable_prefix_caching),
        ("chunked-prefill", vllm.enable_chunked_prefill),
    ):
        if on is not None:
            argv.append(f"--enable-{flag}" if on else f"--no-enable-{flag}")
    return argv + list(vllm.extra_args)


def _flag(value: bool | None) -> str | None:
    return None if value is None else ("true" if value else "false")


def platform_values(entry: ModelEntry, registry: str | None, requests: tuple[int, str]) -> dict[str, Any]:
    """The platform chart's values, in the shape of the seed's values-deephat.yaml.

    With a mirror `registry`, the image is always written (the chart's default would be
    pulled from the internet) and points at the mirror. `requests` is (cpu, memory) from
    `server_requests`. The keys (`vllmApiKey`, `hfToken`) are not values here: the install
    script passes them from the environment (`platform_keys`).
    """
    vllm = entry.vllm
    assert vllm is not None
    image = vllm.image
    if image is not None or registry is not None:
        image = ":".join(image_parts(image, registry))
    values: dict[str, Any] = {
        "model": vllm.model,
        "servedModelName": entry.litellm_model_name,
        "maxModelLen": vllm.max_model_len or entry.context_window,
    }
    optional: list[tuple[str, Any]] = [
        ("dtype", vllm.dtype),
        ("quantization", vllm.quantization),
        ("kvCacheDtype", vllm.kv_cache_dtype),
        ("tensorParallelSize", None if tensor_parallel(vllm) is None else str(tensor_parallel(vllm))),
        ("enableChunkedPrefill", _flag(vllm.enable_chunked_prefill)),
        ("enablePrefixCaching", _flag(vllm.enable_prefix_caching)),
        ("enableAutoToolChoice", _flag(vllm.enable_auto_tool_choice)),
        ("toolCallParser", vllm.tool_call_parser),
        ("reasoningParser", vllm.reasoning_parser),
        ("trustRemoteCode", _flag(vllm.trust_remote_code)),
        ("port", None if vllm.port == 8000 else vllm.port),
        ("image", image),
        ("extraArgs", list(vllm.extra_args) or None),
    ]
    values.update((k, v) for k, v in optional if v is not None)
    cpu, memory = requests
    gpus = {"nvidia.com/gpu": vllm.gpus.count} if vllm.gpus is not None and vllm.gpus.count else {}
    values["resources"] = {"limits": dict(gpus), "requests": {**gpus, "cpu": str(cpu), "memory": memory}}
    if not gpus:
        del values["resources"]["limits"]
    return values


def production_stack_spec(
    entry: ModelEntry, registry: str | None, requests: tuple[int, str]
) -> dict[str, Any]:
    """One `servingEngineSpec.modelSpec[]` item of vllm-project/production-stack.

    Everything the chart's templates require of an item (`contract/data/production_stack_chart.json`):
    `repository` and `tag`, which it joins as `repository:tag`, and `requestCPU` and
    `requestMemory`; `requestGPU` becomes `nvidia.com/gpu`. The Hugging Face token is passed by
    the install script, not written here.
    """
    vllm = entry.vllm
    assert vllm is not None
    repository, tag = image_parts(vllm.image, registry)
    config: dict[str, Any] = {"maxModelLen": vllm.max_model_len or entry.context_window}
    if vllm.dtype:
        config["dtype"] = vllm.dtype
    tp = tensor_parallel(vllm)
    if tp is not None:
        config["tensorParallelSize"] = tp
    if vllm.enable_prefix_caching is not None:
        config["enablePrefixCaching"] = vllm.enable_prefix_caching
    if vllm.enable_chunked_prefill is not None:
        config["enableChunkedPrefill"] = vllm.enable_chunked_prefill
    # The chart has no fields for these: they travel as extra arguments.
    extra = ["--served-model-name", entry.litellm_model_name, *model_flags(vllm)]
    config["extraArgs"] = extra + list(vllm.extra_args)
    spec: dict[str, Any] = {
        "name": k8s_name(entry.litellm_model_name),
        "repository": repository,
        "tag": tag,
        "modelURL": vllm.model,
        "replicaCount": 1,
        "requestCPU": requests[0],
        "requestMemory": requests[1],
    }
    if vllm.gpus is not None and vllm.gpus.count:
        spec["requestGPU"] = vllm.gpus.count
    spec["vllmConfig"] = config
    return spec


def server_requests(entry: ModelEntry, facts: ModelFacts | None) -> tuple[int, str]:
    """(cpu cores, memory as a Kubernetes quantity) the server's pod requests: `vllm.resources`,
    else BASE_CPU + CPU_PER_GPU a GPU, and the weights (rounded up) + BASE_MEMORY_GIB."""
    vllm = entry.vllm
    assert vllm is not None
    count = vllm.gpus.count if vllm.gpus is not None else 0
    weights = sizing.suggest(
        vllm.model,
        params_b=vllm.params_billions or (facts.params_b if facts else None),
        dtype=vllm.dtype,
        quantization=vllm.quantization,
        native=facts.weights if facts else None,
        context=entry.context_window,
    )
    cpu = BASE_CPU + CPU_PER_GPU * count
    memory: float = BASE_MEMORY_GIB + (
        math.ceil(weights.weights_gib) if weights is not None else MEMORY_PER_GPU_GIB * max(count, 1)
    )
    given = vllm.resources
    if given is not None:
        cpu = given.cpu if given.cpu is not None else cpu
        memory = given.memory_gib if given.memory_gib is not None else memory
    return cpu, f"{memory:g}Gi"


# -- keys: from the environment into `helm upgrade --install`, never into a file ----------------


def key_variable(entry: ModelEntry, value: Secret | None, field_name: str) -> str | None:
    """The environment variable that holds a key: the `${VAR}` it is written as, else the
    variable named after the entry that render asks for (GPT_4O_API_KEY)."""
    if value is None or not value.get_secret_value().strip():
        return None
    return envref.whole_ref(value.get_secret_value()) or envref.literal_var(
        entry.litellm_model_name, field_name
    )


def platform_keys(entry: ModelEntry) -> list[tuple[str, str]]:
    """(chart value, variable) of the keys the seed's platform chart takes as plain values."""
    vllm = entry.vllm
    assert vllm is not None
    keys = [
        ("vllmApiKey", key_variable(entry, entry.api_key, "apiKey")),
        ("hfToken", key_variable(entry, vllm.hf_token, "hfToken")),
    ]
    return [(value, var) for value, var in keys if var is not None]


def production_stack_keys(entries: list[ModelEntry]) -> list[tuple[str, str]]:
    """(chart value, variable) for production-stack: one vLLM API key for every model (the
    first entry's; the chart has one), and each model's Hugging Face token by its index. The
    chart keeps both in one Secret named after the release (`<release>-secrets`)."""
    keys: list[tuple[str, str]] = []
    api_keys = [var for e in entries if (var := key_variable(e, e.api_key, "apiKey"))]
    if api_keys:
        keys.append(("servingEngineSpec.vllmApiKey", api_keys[0]))
    for index, entry in enumerate(entries):
        assert entry.vllm is not None
        var = key_variable(entry, entry.vllm.hf_token, "hfToken")
        if var is not None:
            keys.append((f"servingEngineSpec.modelSpec[{index}].hf_token", var))
    return keys


def production_stack_key_warnings(entries: list[ModelEntry]) -> list[str]:
    """What production-stack's one vLLM API key leaves out: a served entry whose key LiteLLM
    sends is not the one every server of the release checks (another variable, or none)."""
    keys = [(e.litellm_model_name, key_variable(e, e.api_key, "apiKey")) for e in entries]
    chosen = next((var for _, var in keys if var is not None), None)
    if chosen is None:
        return []
    first = next(name for name, var in keys if var == chosen)
    return [
        f"production-stack: every server of the release checks one key, {first}'s ${chosen}; "
        f"LiteLLM calls {name} with {'$' + var if var else 'no key'}, which those servers refuse "
        f"(give every vllm: entry apiKey: ${{{chosen}}}, or install {name} with its platform chart)"
        for name, var in keys
        if var != chosen
    ]


def litellm_image(registry: str | None) -> dict[str, str] | None:
    """LiteLLM chart `image:` values: only with a mirror, where the chart's default would be pulled."""
    if registry is None:
        return None
    repository, tag = image_parts(images.LITELLM_IMAGE, registry)
    return {"repository": repository, "tag": tag}


def image_parts(image: str | None, registry: str | None = None) -> tuple[str, str]:
    """(repository, tag) for a chart that pulls `repository:tag`: the name as written (or as the
    mirror serves it), and the tag with any digest after it (`v0.33.0@sha256:…`); no tag is
    `latest`. A digest-only image has no such form: IC210 refuses it before render."""
    reference = image or images.DEFAULT_VLLM_IMAGE
    name, tag, digest = images.name_tag_digest(reference)
    if registry is not None:
        name = images.mirror(reference, registry).repository
    return name, images.chart_tag(tag, digest)
