"""Tests that need a real peer (LiteLLM proxy, vLLM parser, Unleash, vllm-sr), marked `integration`."""
