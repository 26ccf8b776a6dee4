"""The compiler: load → type → rules → render.

`load` turns bytes into plain values with every position kept; `model` (with `_fast` and
`_pydantic`) types the entries; `rules/` produce diagnostics and `validate` runs them all;
`environments` and `envrun` resolve and validate each environment; `render/` writes the artifacts.
"""
