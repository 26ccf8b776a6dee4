"""Every rule's tests, one module per family of contract/pipeline/rules/ (test_registry.py: all rules at once)."""
