"""install-contract: compile and validate the `models:` of install-contract.yaml.

The package import is kept free of heavy modules so that `install-contract --help` and
`validate` start fast; submodules import what they need.
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
