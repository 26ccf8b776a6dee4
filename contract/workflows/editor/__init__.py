"""What an editor asks of a contract, answered without any editor protocol.

The language server (`cli/lsp_server.py`, `install-contract lsp`) is a thin edge over these pure
functions: it turns their answers into LSP messages and back. Everything here works on the
text the editor holds (never the file on disk) and on 0-based lines and code-point columns;
the server converts to and from LSP's UTF-16 columns (pygls's position codec).

- `analysis`: the diagnostics of `validate` for a text, as `validate -f json` reports them
  (secrets masked), kept with the loaded document for the other questions.
- `fixes`: quick fixes read from hints that say exactly what to write.
- `completion`: field names, prefixes, catalog ids, enum values, flag and model names.
- `hover`: a field's documentation, a rule's `explain` text, a catalog row.
- under them: `context` (where the cursor is), `text` (line-by-line reading of text being
  typed), `schema` (the JSON Schema by path), `rules_doc` (docs/rules.md and a rule's address).
"""
