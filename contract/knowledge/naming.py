"""Names derived from a model id or name: Kubernetes names, and `add`'s display name, creator
and cost tier guesses. One place, so that rules, render and add derive the same ones."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import TYPE_CHECKING

from contract.knowledge.facts import BEDROCK_PROFILES, MODE_KINDS

if TYPE_CHECKING:
    from contract.knowledge.catalog import Provider


_NOT_DNS = re.compile(r"[^a-z0-9]+")


def k8s_name(name: str) -> str:
    """A DNS-1123 name for Kubernetes objects: `Qwen3.Coder_30B` -> qwen3-coder-30b."""
    return _NOT_DNS.sub("-", name.lower()).strip("-")


# Price bands without prices: the packaged catalog keeps only limits, mode and tool support
# (scripts/refresh-catalog drops LiteLLM's per-token prices), so the tier is read from the id.
_LOW_MARKERS = ("mini", "nano", "haiku", "flash", "lite", "small", "instant", "tiny", "micro")
_HIGH_MARKERS = ("opus", "ultra", "gpt-4.5", "o1-pro", "o3-pro", "deep-research")


def cost_tier(model_id: str, mode: str, *, self_hosted: bool = False) -> str:
    """A first guess at costTier, for the engineer to confirm (it only orders the model picker).

    The packaged catalog carries no prices, so the guess is read from what the model is:

    * LOW: self-hosted models (the platform pays for GPUs, not tokens: the seed writes LOW for
      DeepHat), embedding and transcription models, and the small tiers of a family (`mini`,
      `nano`, `haiku`, `flash`, `lite`, `small`, `instant`);
    * HIGH: the flagship tiers (`opus`, `ultra`, `gpt-4.5`, `o1-pro`, `o3-pro`, deep research);
    * MEDIUM otherwise, as the seed writes for Claude Sonnet 4, GPT-4o and Gemini 2.5 Pro.
    """
    lowered = model_id.lower()
    if self_hosted or MODE_KINDS.get(mode, ("CHAT",))[0] == "INTERNAL":
        return "LOW"
    if any(marker in lowered for marker in _HIGH_MARKERS):
        return "HIGH"
    if any(re.search(rf"(?:^|[-_.:/]){marker}(?:$|[-_.:/\d])", lowered) for marker in _LOW_MARKERS):
        return "LOW"
    return "MEDIUM"


# Names the seeds give where a tidy title-casing of the id would differ.
_SEED_DISPLAY_NAMES: Mapping[str, str] = {
    "text-embedding-3-small": "OpenAI Embeddings (small)",
    "text-embedding-3-large": "OpenAI Embeddings (large)",
    "qwen/qwen3-coder-30b-a3b-instruct": "Qwen3 Coder 30B",
    "qwen/qwen3-coder-30b-instruct": "Qwen3 Coder 30B",
    "deephat/deephat-v2-ext": "DeepHat V2",
    "nvidia/nvidia-nemotron-3-super-120b-a12b-bf16": "NVIDIA Nemotron 3 Super",
}

_WORDS: Mapping[str, str] = {
    "gpt": "GPT",
    "oss": "OSS",
    "glm": "GLM",
    "ai": "AI",
    "tts": "TTS",
    "vl": "VL",
    "hd": "HD",
    "deepseek": "DeepSeek",
    "openai": "OpenAI",
    "xai": "xAI",
    "nvidia": "NVIDIA",
}

_DATE_SUFFIX = re.compile(r"(?:[-@]20\d{2}-?\d{2}-?\d{2}|-\d{2}-20\d{2}|-\d{4}|-latest)$")


def _bedrock_bare(model_id: str) -> str:
    """`us.anthropic.claude-sonnet-4-20250514-v1:0` -> `claude-sonnet-4-20250514`."""
    bare = model_id
    for region in BEDROCK_PROFILES:
        if bare.startswith(region):
            bare = bare[len(region) :]
            break
    vendor, dot, rest = bare.partition(".")
    if dot and rest and "." not in vendor and not vendor[:1].isdigit():
        bare = rest
    return re.sub(r"(?:-v\d+(?::\d+)?|:\d+)$", "", bare)


def display_name(model_id: str, row: Provider | None = None) -> str:
    """A readable name for the model picker: the seed's where it names the model, else a tidy
    title-casing of the id without its date (`claude-3-5-sonnet-20241022` -> `Claude 3.5 Sonnet`,
    `gpt-4o-mini` -> `GPT-4o Mini`); Bedrock and Azure entries get the seed's `(Bedrock)` /
    `(Azure)` suffix."""
    if row is not None and "ollama" in row.prefixes:
        return _ollama_name(model_id)
    bare = _bedrock_bare(model_id) if row is not None and row.auth == "aws" else model_id
    name = _SEED_DISPLAY_NAMES.get(bare.lower()) or _tidy(bare)
    if row is not None and row.auth == "aws":
        return f"{name} (Bedrock)"
    if row is not None and row.auth == "azure":
        return f"{name} (Azure)"
    return name


def _ollama_name(tag: str) -> str:
    """An Ollama tag read as its library writes it: `llama3.1` -> Llama 3.1, `qwen3:32b` ->
    Qwen 3 32B, `mistral-small3.1:24b` -> Mistral Small 3.1 24B (a quantization suffix of the
    tag, `8b-instruct-q4_K_M`, is left out)."""
    name, _, size = tag.rstrip("/").rsplit("/", 1)[-1].partition(":")
    # A word glued to its version (llama3.1, qwen3, gemma3) is two words; r1 and v3 stay one.
    words = [
        re.sub(r"^([a-z]{3,})(\d[\d.]*)$", r"\1-\2", token) for token in re.split(r"[-_]", name) if token
    ]
    size = size.split("-", 1)[0]
    if re.fullmatch(r"\d+(?:\.\d+)?[bm]|\d+x\d+b", size.lower()):
        words.append(re.sub(r"b$", "B", size.lower()))  # 70B, 8x22B
    return _tidy("-".join(words)) if words else tag


def _tidy(model_id: str) -> str:
    base = model_id.rstrip("/").rsplit("/", 1)[-1]
    base = _DATE_SUFFIX.sub("", base) or base
    words: list[str] = []
    previous_digit = False
    tokens = [t for t in re.split(r"[-_\s]+", base) if t]
    index = 0
    while index < len(tokens):
        token = tokens[index]
        lowered = token.lower()
        if lowered == "gpt" and index + 1 < len(tokens) and tokens[index + 1][:1].isdigit():
            words.append(f"GPT-{tokens[index + 1]}")
            index += 2
            previous_digit = False
            continue
        if token.isdigit() and len(token) == 1 and previous_digit:
            words[-1] += f".{token}"  # claude-3-5 -> 3.5, opus-4-1 -> 4.1
        elif any(ch.isupper() for ch in token):
            words.append(token)  # the author's own spelling (Hugging Face ids)
        elif lowered in _WORDS:
            words.append(_WORDS[lowered])
        elif re.fullmatch(r"\d+(?:\.\d+)?[bmk]", lowered):
            words.append(token.upper())  # 30b -> 30B
        elif token[0].isdigit() or re.fullmatch(r"o\d+", lowered):
            words.append(token)  # 4o, 2.5, o3
        elif re.fullmatch(r"[a-z]\d+[a-z]?", lowered):
            words.append(token.upper())  # v3, r1, a3b
        else:
            words.append(token[0].upper() + token[1:])
        previous_digit = token.isdigit() and len(token) == 1
        index += 1
    return " ".join(words) or model_id


# Who made a model, from the vendor part of a Bedrock id or the organisation of a Hugging Face id.
_VENDORS: Mapping[str, str] = {
    "anthropic": "Anthropic",
    "meta": "Meta",
    "meta-llama": "Meta",
    "amazon": "Amazon",
    "mistral": "Mistral AI",
    "mistralai": "Mistral AI",
    "cohere": "Cohere",
    "ai21": "AI21 Labs",
    "deepseek": "DeepSeek",
    "deepseek-ai": "DeepSeek",
    "openai": "OpenAI",
    "qwen": "Alibaba",
    "google": "Google",
    "nvidia": "NVIDIA",
    "deephat": "Kindo",
    "microsoft": "Microsoft",
    "ibm-granite": "IBM",
    "x-ai": "xAI",
    "z-ai": "Z.ai",
    "zai-org": "Z.ai",
    "moonshotai": "Moonshot AI",
    "writer": "Writer",
}
# ... and from the model's family name when the id has no vendor part.
_FAMILY_CREATORS: tuple[tuple[str, str], ...] = (
    ("claude", "Anthropic"),
    ("llama", "Meta"),
    ("gpt", "OpenAI"),
    ("gemini", "Google"),
    ("gemma", "Google"),
    ("qwen", "Alibaba"),
    ("mistral", "Mistral AI"),
    ("mixtral", "Mistral AI"),
    ("deepseek", "DeepSeek"),
    ("nemotron", "NVIDIA"),
    ("deephat", "Kindo"),
    ("grok", "xAI"),
    ("glm", "Z.ai"),
)


def creator_from_id(model_id: str) -> str | None:
    lowered = model_id.lower()
    for region in BEDROCK_PROFILES:
        if lowered.startswith(region):
            lowered = lowered[len(region) :]
            break
    org = lowered.split("/", 1)[0] if "/" in lowered else lowered.split(".", 1)[0]
    if org in _VENDORS:
        return _VENDORS[org]
    for marker, creator in _FAMILY_CREATORS:
        if marker in lowered:
            return creator
    return None


@cache
def snake(key: str) -> str:
    """The attribute of a YAML key: `awsAccessKeyId` -> `aws_access_key_id` (camel's inverse;
    pydantic's to_snake would import pydantic on `validate`'s path). Cached: the rules ask for
    the same few fields once per entry."""
    out = []
    for i, ch in enumerate(key):
        if ch.isupper() and i and not key[i - 1].isupper():
            out.append("_")
        out.append(ch.lower())
    return "".join(out)
