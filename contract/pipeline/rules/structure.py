"""IC00x: reading and typing the file. Raised by the loader and the schema stage of the engine."""

from __future__ import annotations

from contract.diagnostics import Severity
from contract.pipeline.rules.registry import builtin

builtin(
    "IC001",
    "yaml-syntax",
    Severity.ERROR,
    "load",
    """The file cannot be read as one YAML document of plain data.

    Syntax errors, tabs used for indentation, non-UTF-8 or binary input, several documents,
    custom or Python tags (never constructed), alias bombs and runaway nesting all stop the
    reading at the position shown.

    Fails:

        models:
        <TAB>- litellmModelName: gpt-4o      # indented with a tab character
        apiKey: !!python/object/apply:os.system ["id"]

    Passes:

        models:
          - litellmModelName: gpt-4o
    """,
)

builtin(
    "IC002",
    "duplicate-key",
    Severity.ERROR,
    "load",
    """A mapping sets the same key twice (reported at the repeat; the first value is used).

    YAML readers disagree on which value wins, so the contract means different things to
    different tools.

    Fails:

        - litellmModelName: gpt-4o
          contextWindow: 128000
          contextWindow: 8192

    Passes:

        - litellmModelName: gpt-4o
          contextWindow: 128000
    """,
)

builtin(
    "IC003",
    "missing-field",
    Severity.ERROR,
    "schema",
    """A required field is absent (reported at the first line of its entry or block).

    Required in every entry: litellmModelName, litellmModel, displayName, provider, type,
    metadataType, contextWindow; in a vllm block: model; in gpus: count. (gpus without
    memoryGiB is IC209's: only count 0, CPU serving, may leave it out.)

    Fails:

        - litellmModelName: gpt-4o
          litellmModel: openai/gpt-4o          # no displayName, provider, ...

    Passes:

        - litellmModelName: gpt-4o
          litellmModel: openai/gpt-4o
          displayName: GPT-4o
          provider: OpenAI
          type: CHAT
          metadataType: Text Generation
          contextWindow: 128000
    """,
)

builtin(
    "IC004",
    "invalid-value",
    Severity.ERROR,
    "schema",
    """A value has the wrong type, an impossible number, or is not one of the allowed words.

    Fails:

        type: chat                 # CHAT or INTERNAL
        contextWindow: "128000"    # a number, not a string
        vllm: {port: 0}

    Passes:

        type: CHAT
        contextWindow: 128000
        vllm: {port: 8000}
    """,
)

builtin(
    "IC005",
    "unknown-field",
    Severity.WARNING,
    "schema",
    """A key the contract does not define; the hint names the closest field.

    A misspelt optional field is silently ignored by the platform, so the setting you meant
    never takes effect. Top-level keys other than models, featureFlags, platform and routers
    belong to the rest of the install contract and are not judged.

    Fails:

        - litellmModelName: gpt-4o
          maxToken: 16384          # maxTokens

    Passes:

        - litellmModelName: gpt-4o
          maxTokens: 16384
    """,
)

builtin(
    "IC006",
    "no-models",
    Severity.ERROR,
    "schema",
    """`models:` is absent, not a list, or empty, or the file is not a mapping at all.

    Fails:

        models: {}

    Passes:

        models:
          - litellmModelName: gpt-4o
            litellmModel: openai/gpt-4o      # and the entry's other fields
    """,
)
