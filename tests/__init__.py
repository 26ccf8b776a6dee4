"""The test suite: test modules (test_*.py), their fixtures (conftest.py) and helpers (support/)."""
