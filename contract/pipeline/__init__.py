"""The compiler: load → type → rules → render.

`load` turns bytes into plain values with every position kept; `model` (with `_fast` and
`_pydantic`) types the entries; `rules/` produce diagnostics and `validate` runs them all;
`environments` and `envrun` resolve and validate each environment; `render/` writes the artifacts.
`routers` types the `routers:` block (pydantic, only when a contract has one) and
`router_config` says how a router reaches the models; `schema` is the JSON Schema of the model.
"""
