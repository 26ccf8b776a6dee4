"""The `install-contract` command line: options in, library calls, reporters out, exit code."""

# The contract a command reads when no FILE is given.
DEFAULT_FILE = "install-contract.yaml"
