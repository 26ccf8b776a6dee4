"""What the tool knows about the domain, as data and small pure functions.

Providers and models (`catalog`), model families and their vLLM parsers (`families`), GPU sizing
(`sizing`), vLLM's own flags (`vllm_flags`), container images (`images`), what is secret and how a
`${VAR}` reference is written and resolved (`secrets`, `envref`), the names derived from a model
(`naming`), what an entry's own fields say about it: prefix, self-hosted, protocol (`entries`),
what the LiteLLM proxy reads (`litellm`).
Nothing here reads the contract file or reaches the network.
"""
