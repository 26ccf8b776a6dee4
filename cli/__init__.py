"""The `install-contract` command line: options in, library calls, reporters out, exit code."""
