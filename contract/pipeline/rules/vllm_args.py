"""IC207–IC208: `vllm.extraArgs` checked against vLLM's own flags and the ones the tool generates;
IC210: `vllm.image` as the charts pull it."""

from __future__ import annotations

import re
from collections.abc import Iterator

from contract.diagnostics import Severity
from contract.knowledge import catalog, secrets, vllm_flags
from contract.pipeline.model import VllmSpec
from contract.pipeline.rules._context import Entry
from contract.pipeline.rules.registry import Finding, rule

_NUMBER = re.compile(r"^-\d+(\.\d+)?$")


def _options(extra_args: list[str]) -> Iterator[tuple[int, str]]:
    """(index, option as vLLM would look it up) for every flag in extraArgs."""
    for index, arg in enumerate(extra_args):
        if not arg.startswith("-") or _NUMBER.match(arg):
            continue
        option = secrets.option_name(arg)
        if option == "-O" or re.match(r"^-O\d", option):
            option = "--optimization-level"  # vLLM's parser expands -O3 to --optimization-level 3
        yield index, option


@rule("IC207", "unknown-vllm-flag", Severity.ERROR, uses=("vllm",))
def unknown_vllm_flag(entry: Entry) -> Iterator[Finding]:
    """An `extraArgs` flag that `vllm serve` does not have.

    vLLM stops at start-up on an unknown flag, after the pod was scheduled and the image
    pulled. Flags are checked against the parser of the vLLM version the tool was built with.

    Fails:

        vllm: {model: DeepHat/DeepHat-V2-ext, extraArgs: [--gpu-memory-utilisation, "0.9"]}

    Passes:

        vllm: {model: DeepHat/DeepHat-V2-ext, extraArgs: [--gpu-memory-utilization, "0.9"]}
    """
    vllm = entry.model.vllm
    if vllm is None:
        return
    flags = vllm_flags.load()
    for index, option in _options(vllm.extra_args):
        if option not in flags.options:
            nearest = catalog.nearest(option, [o for o in flags.options if o.startswith("--")])
            yield Finding(
                f"vLLM {flags.version} has no flag {option}",
                ("vllm", "extraArgs", index),
                hint=f"did you mean {nearest}?" if nearest else "see `vllm serve --help=all`",
            )


# vLLM destination -> the vllm field that sets it ("" for what is always generated).
_GENERATED = {
    "model": "model",
    "model_tag": "model",
    "revision": "revision",
    "served_model_name": "",
    "port": "port",
    "max_model_len": "maxModelLen",
    "dtype": "dtype",
    "quantization": "quantization",
    "kv_cache_dtype": "kvCacheDtype",
    "tensor_parallel_size": "tensorParallelSize",
    "trust_remote_code": "trustRemoteCode",
    "tool_call_parser": "toolCallParser",
    "enable_auto_tool_choice": "enableAutoToolChoice",
    "reasoning_parser": "reasoningParser",
    "enable_prefix_caching": "enablePrefixCaching",
    "enable_chunked_prefill": "enableChunkedPrefill",
}


def _generates(vllm: VllmSpec, dest: str) -> bool:
    field = _GENERATED.get(dest)
    if field is None:
        return False
    if field in ("", "model", "port", "maxModelLen"):
        return True
    if field == "tensorParallelSize":
        return vllm.tensor_parallel_size is not None or vllm.gpus is not None
    from contract.knowledge.naming import snake as to_snake

    attr = to_snake(field)
    return getattr(vllm, attr) not in (None, False)


@rule("IC208", "conflicting-vllm-flag", Severity.ERROR, uses=("vllm", "litellmModelName", "contextWindow"))
def conflicting_vllm_flag(entry: Entry) -> Iterator[Finding]:
    """An `extraArgs` flag repeats or contradicts one the tool generates, or carries a secret.

    The tool writes --served-model-name, --max-model-len, --port and the flags of the vllm
    fields; a second copy in extraArgs silently wins and undoes what validate checked. A
    secret on the command line (--api-key, --hf-token) shows in `ps`, in logs and in every
    rendered file: the API key belongs in apiKey (vLLM reads VLLM_API_KEY), the Hugging Face
    token in vllm.hfToken (HF_TOKEN), both set from a Secret.

    Fails:

        vllm: {model: DeepHat/DeepHat-V2-ext, extraArgs: [--max-model-len, "32768"]}
        vllm: {model: DeepHat/DeepHat-V2-ext, extraArgs: [--hf-token, hf_example]}

    Passes:

        contextWindow: 32768
        vllm: {model: DeepHat/DeepHat-V2-ext}
    """
    vllm = entry.model.vllm
    if vllm is None:
        return
    flags = vllm_flags.load()
    for index, option in _options(vllm.extra_args):
        dest = flags.dest(option)
        if dest in secrets.SECRET_FLAG_DESTS:
            field, variable = secrets.SECRET_FLAG_DESTS[dest]
            yield Finding(
                f"{option} puts a secret on the command line (and in every rendered file)",
                ("vllm", "extraArgs", index),
                hint=f"remove it and set {field}: ${{{variable}}}; vLLM reads {variable}, "
                "which the deployment sets from a Secret",
            )
        elif dest is not None and _generates(vllm, dest):
            field = _GENERATED[dest] or "litellmModelName"
            yield Finding(
                f"{option} is generated from the contract; a second copy in extraArgs overrides it",
                ("vllm", "extraArgs", index),
                hint=f"remove it and set {'vllm.' if field != 'litellmModelName' else ''}{field} instead",
            )


@rule("IC210", "image-reference", Severity.ERROR, uses=("vllm",))
def image_reference(entry: Entry) -> Iterator[Finding]:
    """`vllm.image` is no image reference, or one a Helm chart cannot pull (a digest without a tag).

    The charts build the image as `repository:tag`, so a digest rides in the tag
    (`v0.33.0@sha256:…`) and an image named by its digest alone has no form they can write.
    Every other form works: `name`, `name:tag`, `registry:port/path/name:tag`,
    `name:tag@sha256:…`.

    Fails:

        vllm: {model: DeepHat/DeepHat-V2-ext, image: "vllm/vllm-openai@sha256:0000000000000000000000000000000000000000000000000000000000000000"}

        vllm: {model: DeepHat/DeepHat-V2-ext, image: "vllm/vLLM-openai:v0.33.0"}

    Passes:

        vllm: {model: DeepHat/DeepHat-V2-ext, image: "registry.internal:5000/ai/vllm-openai:v0.33.0@sha256:0000000000000000000000000000000000000000000000000000000000000000"}
    """
    from contract.errors import UsageError
    from contract.knowledge import images

    vllm = entry.model.vllm
    if vllm is None or vllm.image is None:
        return
    try:
        name, tag, digest = images.name_tag_digest(vllm.image)
    except UsageError as exc:
        yield Finding(
            str(exc),
            ("vllm", "image"),
            hint="write [registry[:port]/]path/name[:tag][@sha256:<64 hex digits>], e.g. vllm/vllm-openai:v0.33.0",
        )
        return
    if tag is None and digest is not None:
        yield Finding(
            f"{vllm.image!r} names a digest without a tag: the Helm charts pull repository:tag and cannot write it",
            ("vllm", "image"),
            hint=f"write the tag the digest was built from before it: {name}:<tag>@{digest}",
        )
