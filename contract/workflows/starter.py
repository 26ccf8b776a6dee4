"""The starter contract `install-contract init` writes.

One live entry (Anthropic's Claude Sonnet 4, key from `${ANTHROPIC_API_KEY}`) so the file
validates clean as written, and commented-out examples for the other shapes the seed describes:
a second cloud API, Azure OpenAI, AWS Bedrock, an embeddings model, a self-hosted vLLM model,
`featureFlags:` and `environments:`. Below `models:`, prose comments start with `##` and example lines with `# `,
the convention of Helm values files: deleting the `# ` in front of an example's lines turns it on,
and every example, turned on, validates clean alongside the others.
"""

from __future__ import annotations

__all__ = ["SCHEMA_MODELINE", "STARTER"]

# The form the README documents: the schema sits beside the contract in ./schemas/ (write it
# there with `install-contract schema -o schemas/install-contract.schema.json`).
SCHEMA_MODELINE = "# yaml-language-server: $schema=./schemas/install-contract.schema.json"

STARTER = f"""\
{SCHEMA_MODELINE}
#
# install-contract.yaml: every LLM the platform may use, under `models:`.
# Check it with `install-contract validate`; list known models with `install-contract catalog`;
# add one filled from the catalog with `install-contract add PROVIDER MODEL`.
# Credentials are ${{VAR}} references to the environment: never write a key here.
# For editor completion: install-contract schema -o schemas/install-contract.schema.json

models:
  - litellmModelName: claude-sonnet-4-20250514
    litellmModel: anthropic/claude-sonnet-4-20250514
    displayName: Claude Sonnet 4
    provider: Anthropic
    creator: Anthropic
    type: CHAT
    metadataType: Text Generation
    costTier: MEDIUM
    contextWindow: 200000
    maxTokens: 16384
    apiKey: ${{ANTHROPIC_API_KEY}}

  ## Cloud API: the exact model id the provider publishes; omit apiBase for the default endpoint.
  # - litellmModelName: gpt-4o
  #   litellmModel: openai/gpt-4o
  #   displayName: GPT-4o
  #   provider: OpenAI
  #   creator: OpenAI
  #   type: CHAT
  #   metadataType: Text Generation
  #   costTier: MEDIUM
  #   contextWindow: 128000
  #   maxTokens: 16384
  #   apiKey: ${{OPENAI_API_KEY}}

  ## Azure OpenAI: litellmModel names your deployment; apiBase, apiVersion and apiKey are all
  ## required; baseModel is the underlying OpenAI model (pricing and capabilities).
  # - litellmModelName: azure-gpt-4o
  #   litellmModel: azure/my-gpt4o-deployment
  #   displayName: GPT-4o (Azure)
  #   provider: Azure OpenAI
  #   creator: OpenAI
  #   type: CHAT
  #   metadataType: Text Generation
  #   costTier: MEDIUM
  #   contextWindow: 128000
  #   maxTokens: 16384
  #   apiBase: https://my-resource.openai.azure.com
  #   apiVersion: '2024-10-21'
  #   apiKey: ${{AZURE_API_KEY}}
  #   baseModel: gpt-4o

  ## AWS Bedrock: enable the model under Bedrock > Model access first. Leave both keys out to
  ## use the cluster's IRSA role instead.
  # - litellmModelName: claude-sonnet-4-bedrock
  #   litellmModel: bedrock/us.anthropic.claude-sonnet-4-20250514-v1:0
  #   displayName: Claude Sonnet 4 (Bedrock)
  #   provider: AWS Bedrock
  #   creator: Anthropic
  #   type: CHAT
  #   metadataType: Text Generation
  #   costTier: MEDIUM
  #   contextWindow: 200000
  #   maxTokens: 16384
  #   awsRegion: us-west-2
  #   awsAccessKeyId: ${{AWS_ACCESS_KEY_ID}}
  #   awsSecretAccessKey: ${{AWS_SECRET_ACCESS_KEY}}

  ## Embeddings: an INTERNAL model, used through the EMBEDDING_MODELS flag.
  # - litellmModelName: text-embedding-3-small
  #   litellmModel: openai/text-embedding-3-small
  #   displayName: OpenAI Embeddings (small)
  #   provider: OpenAI
  #   creator: OpenAI
  #   type: INTERNAL
  #   metadataType: Embeddings
  #   costTier: LOW
  #   contextWindow: 8191
  #   apiKey: ${{OPENAI_API_KEY}}

  ## Self-hosted vLLM: litellmModelName = the suffix of litellmModel = --served-model-name;
  ## apiBase ends in /v1; agents need toolCallParser with enableAutoToolChoice.
  # - litellmModelName: qwen3-coder-30b
  #   litellmModel: openai/qwen3-coder-30b
  #   displayName: Qwen3 Coder 30B
  #   provider: Self-Hosted
  #   creator: Alibaba
  #   type: CHAT
  #   metadataType: Text Generation
  #   costTier: LOW
  #   contextWindow: 262144
  #   maxTokens: 16384
  #   apiBase: http://vllm-qwen.inference.svc.cluster.local:8000/v1
  #   apiKey: ${{VLLM_API_KEY}}
  #   vllm:
  #     model: Qwen/Qwen3-Coder-30B-A3B-Instruct
  #     dtype: bfloat16
  #     tensorParallelSize: 2
  #     gpus: {{count: 2, memoryGiB: 80}}
  #     toolCallParser: qwen3_coder
  #     enableAutoToolChoice: true
  #     enablePrefixCaching: true
  #     enableChunkedPrefill: true

## Unleash flags pointed at models by litellmModelName. A list flag left out is derived from
## metadataType and tool support.
# featureFlags:
#   DEFAULT_WORKFLOW_STEP_MODEL: claude-sonnet-4-20250514
#   TOOL_CALLING_MODELS: [claude-sonnet-4-20250514, gpt-4o, azure-gpt-4o, claude-sonnet-4-bedrock, qwen3-coder-30b]
#   EMBEDDING_MODELS: [text-embedding-3-small]

## Environments: the models above are the base; each environment installs a subset (only: or
## except:), changes fields of a model by litellmModelName (maps merge, lists replace), and
## sets its own platform:, featureFlags: and non-secret ${{VAR}} values (variables:).
## `install-contract render --env prod` or `--all-envs`; `--target gitops` for Argo CD / Flux.
# environments:
#   dev:
#     only: [claude-sonnet-4-20250514, text-embedding-3-small]
#     featureFlags:
#       TOOL_CALLING_MODELS: [claude-sonnet-4-20250514]
#     platform:
#       kubernetes: {{context: dev, namespace: ai-dev}}
#   prod:
#     variables:
#       VLLM_HOST: vllm-qwen.inference-prod.svc.cluster.local
#     overrides:
#       claude-sonnet-4-20250514: {{maxTokens: 8192}}
#       qwen3-coder-30b:
#         apiBase: http://${{VLLM_HOST}}:8000/v1
#     platform:
#       kubernetes: {{context: prod, namespace: ai-prod}}
"""
