"""Helpers the tests share: servers, fakes, generated inputs and tooling (not tests themselves)."""
