"""Outcomes as text: pure functions from a result to the string a person or a CI job reads."""
