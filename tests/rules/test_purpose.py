"""Types, tools and flags (contract/pipeline/rules/purpose.py, IC401-IC406).

Each rule of the family: the fixture that triggers it alone (tests/contracts/invalid/CODE-*.yaml),
every example of its documentation (tests/support/rule_docs.py), then its branches.

Families and parsers are the seed's and vLLM 0.33.0's (`contract/knowledge/families.py`,
`contract/data/vllm_flags.json`): gpt-oss uses the `openai` tool-call parser and the
`openai_gptoss` reasoning parser; Qwen 3 `qwen3_coder` (or `hermes`); Nemotron 3 Super needs
--trust-remote-code.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from contract.diagnostics import Severity
from tests.support.corpus import VALID
from tests.support.entries import Found, cloud, served
from tests.support.entries import findings as found_with
from tests.support.rule_docs import assert_documented_example, documented_examples
from tests.support.rules import ENTRY, diagnostics, family_codes, family_fixtures, fixture_codes

FAMILY = "purpose"


@pytest.mark.parametrize("path", family_fixtures(FAMILY), ids=lambda p: p.stem)
def test_invalid_fixture_triggers_its_rule_and_nothing_else(path: Path) -> None:
    raised, expected = fixture_codes(path)
    assert raised == expected


@pytest.mark.parametrize(("code", "passing", "index", "example"), documented_examples(family_codes(FAMILY)))
def test_documented_example(code: str, passing: bool, index: int, example: str) -> None:
    assert_documented_example(code, passing, example)


# -- parsers and flags -----------------------------------------------------------------------------


def test_nemotron_needs_reasoning_parser_and_remote_code(write) -> None:  # type: ignore[no-untyped-def]
    text = (
        "models:\n  - litellmModelName: nemotron\n    litellmModel: openai/nemotron\n    displayName: N\n"
        "    provider: Self-Hosted\n    type: CHAT\n    metadataType: Text Generation\n    contextWindow: 1000000\n"
        "    apiBase: http://n:8000/v1\n    vllm:\n      model: nvidia/NVIDIA-Nemotron-3-Super-120B-A12B-BF16\n"
        "      gpus: {count: 4, memoryGiB: 80}\n      toolCallParser: qwen3_coder\n      enableAutoToolChoice: true\n"
    )
    found = diagnostics(write, text)
    assert [(d.code, d.hint) for d in found] == [
        ("IC404", "add trustRemoteCode: true"),
        ("IC404", "add reasoningParser: nemotron_v3"),
    ]


def test_unknown_parser_is_an_error_with_the_nearest_name(write) -> None:  # type: ignore[no-untyped-def]
    text = (
        Path(VALID[0])
        .read_text()
        .replace(
            "toolCallParser: qwen3_coder\n      enableAutoToolChoice: true\n      enablePrefixCaching",
            "toolCallParser: qwen3-coder\n      enableAutoToolChoice: true\n      enablePrefixCaching",
            1,
        )
    )
    found = [d for d in diagnostics(write, text) if d.code == "IC404"]
    assert [(d.severity, d.hint) for d in found] == [(Severity.ERROR, "did you mean qwen3_coder?")]


def test_flag_pointing_at_the_wrong_kind_of_model(write) -> None:  # type: ignore[no-untyped-def]
    found = diagnostics(write, ENTRY + "featureFlags:\n  EMBEDDING_MODELS: [gpt-4o]\n")
    assert [(d.code, d.line, d.column, d.path) for d in found] == [
        ("IC405", 12, 22, "/featureFlags/EMBEDDING_MODELS/0")
    ]


def test_tool_calling_flag_without_parser_is_reported_once(write) -> None:  # type: ignore[no-untyped-def]
    text = (
        "models:\n  - litellmModelName: qwen3-8b\n    litellmModel: openai/qwen3-8b\n    displayName: Qwen3 8B\n"
        "    provider: Self-Hosted\n    type: CHAT\n    metadataType: Text Generation\n    contextWindow: 131072\n"
        "    apiBase: http://qwen3-8b.inference.svc.cluster.local:8000/v1\n    apiKey: ${VLLM_API_KEY}\n"
        "    vllm:\n      model: Qwen/Qwen3-8B\n      gpus: {count: 1, memoryGiB: 80}\n"
        "featureFlags:\n  TOOL_CALLING_MODELS: [qwen3-8b]\n"
    )
    assert [d.code for d in diagnostics(write, text)] == ["IC403"]


# -- IC401-IC406 branch by branch: each boundary, and the exact place, message and hint ------------


CODES = ("IC401", "IC402", "IC403", "IC404")


TOOLS = {"toolCallParser": "hermes", "enableAutoToolChoice": True}


def findings(entry: dict[str, Any]) -> list[Found]:
    return found_with(entry, CODES)


GPT_OSS = "openai/gpt-oss-20b"


ONE_24 = {"gpus": {"count": 1, "memoryGiB": 24}}


GPT_OSS_RIGHT = {"toolCallParser": "openai", "enableAutoToolChoice": True, "reasoningParser": "openai_gptoss"}


QUIET = [
    pytest.param(cloud(), id="chat-text-generation"),
    pytest.param(
        cloud(
            litellmModelName="e",
            litellmModel="openai/text-embedding-3-small",
            type="INTERNAL",
            metadataType="Embeddings",
        ),
        id="internal-embeddings",
    ),
    pytest.param(served("acme/e", type="INTERNAL", metadataType="Embeddings"), id="IC403-not-for-internal"),
    pytest.param(served("Qwen/Qwen3-8B", TOOLS), id="IC404-an-also-accepted-parser"),
    pytest.param(served(GPT_OSS, {**GPT_OSS_RIGHT, **ONE_24}, contextWindow=131072), id="IC404-all-right"),
    pytest.param(served("acme/x-8b", TOOLS), id="IC404-no-family-known"),
]


AUTO = "toolCallParser is set but enableAutoToolChoice is not true; vLLM needs both"


NO_PARSER = "the vllm block has no toolCallParser: agents cannot call tools"


FOUND = [
    pytest.param(
        cloud(litellmModelName="e", litellmModel="openai/text-embedding-3-small", metadataType="Embeddings"),
        [
            (
                "IC401",
                "error",
                "/models/0/type",
                "type CHAT is for Text Generation models, but metadataType is 'Embeddings'",
                "write type: INTERNAL for embeddings and transcription models",
            )
        ],
        id="IC401-chat-not-text",
    ),
    pytest.param(
        cloud(type="INTERNAL"),
        [
            (
                "IC401",
                "error",
                "/models/0/type",
                "type INTERNAL is for Embeddings and Transcription, but metadataType is 'Text Generation'",
                "write type: CHAT for a text generation model",
            )
        ],
        id="IC401-internal-text",
    ),
    pytest.param(
        cloud(
            litellmModelName="e",
            litellmModel="openai/text-embedding-3-small",
            type="INTERNAL",
            metadataType="Transcription",
        ),
        [
            (
                "IC402",
                "error",
                "/models/0/metadataType",
                "text-embedding-3-small is an embedding model, but metadataType is 'Transcription'",
                "write metadataType: Embeddings (and type: INTERNAL)",
            )
        ],
        id="IC402-embedding",
    ),
    pytest.param(
        cloud(
            litellmModelName="w", litellmModel="openai/whisper-1", type="INTERNAL", metadataType="Embeddings"
        ),
        [
            (
                "IC402",
                "error",
                "/models/0/metadataType",
                "whisper-1 is an audio transcription model, but metadataType is 'Embeddings'",
                "write metadataType: Transcription (and type: INTERNAL)",
            )
        ],
        id="IC402-transcription",
    ),
    pytest.param(
        served(
            GPT_OSS,
            {**GPT_OSS_RIGHT, **ONE_24},
            contextWindow=131072,
            type="INTERNAL",
            metadataType="Embeddings",
        ),
        [
            (
                "IC402",
                "error",
                "/models/0/metadataType",
                "openai/gpt-oss-20b is a chat model, but metadataType is 'Embeddings'",
                "write metadataType: Text Generation (and type: CHAT)",
            )
        ],
        id="IC402-chat",
    ),
    pytest.param(
        served("acme/x-8b"),
        [
            (
                "IC403",
                "error",
                "/models/0/vllm",
                NO_PARSER,
                "add toolCallParser: <parser for the model family> and enableAutoToolChoice: true",
            )
        ],
        id="IC403-no-parser-no-family",
    ),
    pytest.param(
        served("Qwen/Qwen3-Coder-30B-A3B-Instruct"),
        [
            (
                "IC403",
                "error",
                "/models/0/vllm",
                NO_PARSER,
                "add toolCallParser: qwen3_coder and enableAutoToolChoice: true",
            )
        ],
        id="IC403-no-parser-the-familys",
    ),
    pytest.param(
        served("acme/x-8b", {"toolCallParser": "hermes", "enableAutoToolChoice": False}),
        [("IC403", "error", "/models/0/vllm/enableAutoToolChoice", AUTO, "add enableAutoToolChoice: true")],
        id="IC403-auto-tool-choice-false",
    ),
    pytest.param(
        served("acme/x-8b", {"toolCallParser": "hermes"}),
        [("IC403", "error", "/models/0/vllm", AUTO, "add enableAutoToolChoice: true")],
        id="IC403-auto-tool-choice-missing",
    ),
    pytest.param(
        served("acme/x-8b", {"toolCallParser": "hermess", "enableAutoToolChoice": True}),
        [
            (
                "IC404",
                "error",
                "/models/0/vllm/toolCallParser",
                "vLLM 0.33.0 has no tool-call parser 'hermess'",
                "did you mean hermes?",
            )
        ],
        id="IC404-unknown-parser-near",
    ),
    pytest.param(
        served("acme/x-8b", {"toolCallParser": "zzzzzzzzzz", "enableAutoToolChoice": True}),
        [
            (
                "IC404",
                "error",
                "/models/0/vllm/toolCallParser",
                "vLLM 0.33.0 has no tool-call parser 'zzzzzzzzzz'",
                "see `vllm serve --help=tool-call-parser`",
            )
        ],
        id="IC404-unknown-parser-far",
    ),
    pytest.param(
        served("acme/x-8b", {**TOOLS, "reasoningParser": "deepseek_r2"}),
        [
            (
                "IC404",
                "error",
                "/models/0/vllm/reasoningParser",
                "vLLM 0.33.0 has no reasoning parser 'deepseek_r2'",
                "did you mean deepseek_r1?",
            )
        ],
        id="IC404-unknown-reasoning-parser-near",
    ),
    pytest.param(
        served("acme/x-8b", {**TOOLS, "reasoningParser": "zzzzzzzzzz"}),
        [
            (
                "IC404",
                "error",
                "/models/0/vllm/reasoningParser",
                "vLLM 0.33.0 has no reasoning parser 'zzzzzzzzzz'",
                "see `vllm serve --help=reasoning-parser`",
            )
        ],
        id="IC404-unknown-reasoning-parser-far",
    ),
    pytest.param(
        served(GPT_OSS, {**TOOLS, **ONE_24}, contextWindow=131072),
        [
            (
                "IC404",
                "warning",
                "/models/0/vllm",
                "GPT OSS models need a reasoning parser",
                "add reasoningParser: openai_gptoss",
            ),
            (
                "IC404",
                "warning",
                "/models/0/vllm/toolCallParser",
                "GPT OSS models use the openai tool-call parser, not hermes",
                "write toolCallParser: openai",
            ),
        ],
        id="IC404-family-parser-and-reasoning",
    ),
    pytest.param(
        served(
            "nvidia/NVIDIA-Nemotron-3-Super-120B-A12B-FP8",
            {
                "toolCallParser": "qwen3_coder",
                "enableAutoToolChoice": True,
                "reasoningParser": "nemotron_v3",
                "tensorParallelSize": 4,
                "gpus": {"count": 4, "memoryGiB": 80},
            },
        ),
        [
            (
                "IC404",
                "warning",
                "/models/0/vllm",
                "NVIDIA Nemotron 3 Super models need --trust-remote-code",
                "add trustRemoteCode: true",
            )
        ],
        id="IC404-trust-remote-code",
    ),
]


FLAGGED = """\
models:
  - litellmModelName: gpt-4o
    litellmModel: openai/gpt-4o
    displayName: GPT-4o
    provider: OpenAI
    type: CHAT
    metadataType: Text Generation
    contextWindow: 128000
    apiKey: ${OPENAI_API_KEY}
featureFlags:
"""


@pytest.mark.parametrize("entry", QUIET)
def test_quiet(entry: dict[str, Any]) -> None:
    assert findings(entry) == []


@pytest.mark.parametrize(("entry", "expected"), FOUND)
def test_each_branch_says_where_what_and_how_to_fix(
    entry: dict[str, Any], expected: list[tuple[str, str, str, str, str]]
) -> None:
    assert sorted(findings(entry)) == sorted(expected)


def test_an_unknown_parser_is_not_also_called_the_wrong_one_for_the_family() -> None:
    codes = [
        f[3]
        for f in findings(
            served("Qwen/Qwen3-8B", {"toolCallParser": "hermess", "enableAutoToolChoice": True})
        )
    ]
    assert codes == ["vLLM 0.33.0 has no tool-call parser 'hermess'"]


@pytest.mark.parametrize(
    ("flags", "platform", "expected"),
    [
        pytest.param(
            "  DEFAULT_WORKFLOW_MODEL: gpt-4o\n",
            "",
            [
                (
                    "/featureFlags/DEFAULT_WORKFLOW_MODEL",
                    11,
                    3,
                    "featureFlags names DEFAULT_WORKFLOW_MODEL, which is not a flag the platform defines",
                    "did you mean DEFAULT_WORKFLOW_STEP_MODEL? "
                    "list the platform's own flags in platform.unleash.knownFlags",
                )
            ],
            id="typo-nearest-known",
        ),
        pytest.param(
            "  CODE_REVIEW_MODELS: [gpt-4o]\n",
            "",
            [
                (
                    "/featureFlags/CODE_REVIEW_MODELS",
                    11,
                    3,
                    "featureFlags names CODE_REVIEW_MODELS, which is not a flag the platform defines",
                    "list the platform's own flags in platform.unleash.knownFlags",
                )
            ],
            id="no-near-name",
        ),
        pytest.param(
            "  CODE_REVIEW_MODELS: [gpt-4o]\n  CODE_REVIEW_MODEL: gpt-4o\n",
            "platform:\n  unleash: {knownFlags: [CODE_REVIEW_MODELS]}\n",
            [
                (
                    "/featureFlags/CODE_REVIEW_MODEL",
                    12,
                    3,
                    "featureFlags names CODE_REVIEW_MODEL, which is not a flag the platform defines",
                    "did you mean CODE_REVIEW_MODELS? "
                    "list the platform's own flags in platform.unleash.knownFlags",
                )
            ],
            id="known-flags-extend-the-list",
        ),
        pytest.param(
            "  TOOL_CALLING_MODELS: [gpt-4o]\n  AUDIO_TRANSCRIPTION: []\n", "", [], id="the-seed-flags"
        ),
    ],
)
def test_ic406_flag_names(flags: str, platform: str, expected: list[tuple[str, int, int, str, str]]) -> None:
    from contract.pipeline.validate import validate_text

    result = validate_text(FLAGGED + flags + platform, file="c.yaml")
    assert [
        (d.path, d.line, d.column, d.message, d.hint) for d in result.diagnostics if d.code == "IC406"
    ] == expected
