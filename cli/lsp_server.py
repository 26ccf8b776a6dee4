"""The language server behind `install-contract lsp` (pygls; imported only by that command).

A language server on stdio (pygls). Diagnostics are exactly `validate -f json`'s for the text
the editor holds, published after a short quiet spell (`--debounce`) and computed off the
event loop, so typing never waits; a result for a text that has changed since is dropped.
Quick fixes, completion and hover come from `contract.workflows.editor`; this module only speaks LSP.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import unquote, urlsplit

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer

from contract import __version__
from contract.workflows.editor.analysis import Analysis, Problem, analyse
from contract.workflows.editor.completion import complete
from contract.workflows.editor.fixes import fixes_for
from contract.workflows.editor.hover import hover
from contract.workflows.editor.rules_doc import rule_url

# Files the server speaks for: by name, or by the schema modeline `init` and `add` write.
_CONTRACT_NAME = re.compile(r"(?:^|/)install-contract[^/]*\.ya?ml$")
_MODELINE = "install-contract.schema.json"
_SEVERITY = {
    "error": lsp.DiagnosticSeverity.Error,
    "warning": lsp.DiagnosticSeverity.Warning,
    "info": lsp.DiagnosticSeverity.Information,
}


class ContractServer(LanguageServer):
    def __init__(self, debounce: float) -> None:
        super().__init__(
            "install-contract", __version__, text_document_sync_kind=lsp.TextDocumentSyncKind.Incremental
        )
        self.debounce = debounce
        self.analyses: dict[str, Analysis] = {}
        self.pending: dict[str, asyncio.Task[None]] = {}
        self.rules_url: str | None = None

    def serves(self, uri: str) -> bool:
        document = self.workspace.get_text_document(uri)
        first = document.source.split("\n", 1)[0]
        return bool(_CONTRACT_NAME.search(unquote(urlsplit(uri).path))) or (
            first.startswith("#") and _MODELINE in first
        )

    def schedule(self, uri: str, delay: float) -> None:
        previous = self.pending.pop(uri, None)
        if previous is not None:
            previous.cancel()
        if self.serves(uri):
            self.pending[uri] = asyncio.get_running_loop().create_task(self._validate(uri, delay))

    async def _validate(self, uri: str, delay: float) -> None:
        if delay:
            await asyncio.sleep(delay)
        document = self.workspace.get_text_document(uri)
        text, version = document.source, document.version
        path = unquote(urlsplit(uri).path) or uri
        analysis = await asyncio.get_running_loop().run_in_executor(None, analyse, text, path)
        if self.workspace.get_text_document(uri).version != version:
            return  # typed on meanwhile: the next run publishes
        self.analyses[uri] = analysis
        self.text_document_publish_diagnostics(
            lsp.PublishDiagnosticsParams(
                uri=uri, diagnostics=[self.diagnostic(uri, p) for p in analysis.problems], version=version
            )
        )

    def diagnostic(self, uri: str, problem: Problem) -> lsp.Diagnostic:
        record = problem.record
        hint = problem.hint
        return lsp.Diagnostic(
            range=self.to_client(uri, problem.line, problem.column, problem.end_line, problem.end_column),
            message=str(record["message"]) + (f"\nhint: {hint}" if hint else ""),
            severity=_SEVERITY[str(record["severity"])],
            code=problem.code,
            code_description=lsp.CodeDescription(href=rule_url(problem.code, self.rules_url)),
            source="install-contract",
            data={"name": record["name"], "path": record["path"], "hint": hint},
        )

    def to_client(self, uri: str, line: int, column: int, end_line: int, end_column: int) -> lsp.Range:
        document = self.workspace.get_text_document(uri)
        codec = document.position_codec
        lines = document.lines
        return lsp.Range(
            start=codec.position_to_client_units(lines, lsp.Position(line=line, character=column)),
            end=codec.position_to_client_units(lines, lsp.Position(line=end_line, character=end_column)),
        )

    def markup(self, text: str, formats: Sequence[lsp.MarkupKind] | None) -> lsp.MarkupContent:
        """Markdown where the client reads it, else the same text as plain text."""
        kind = (
            lsp.MarkupKind.Markdown
            if lsp.MarkupKind.Markdown in (formats or ())
            else lsp.MarkupKind.PlainText
        )
        return lsp.MarkupContent(kind=kind, value=text)

    def from_client(self, uri: str, position: lsp.Position) -> tuple[int, int]:
        document = self.workspace.get_text_document(uri)
        at = document.position_codec.position_from_client_units(document.lines, position)
        return at.line, at.character

    def current(self, uri: str) -> Analysis:
        """The analysis of the text as it is now (computed here if the last one is stale)."""
        text = self.workspace.get_text_document(uri).source
        known = self.analyses.get(uri)
        if known is None or known.text != text:
            known = analyse(text, unquote(urlsplit(uri).path) or uri)
            self.analyses[uri] = known
        return known


def _initialize(ls: ContractServer, params: lsp.InitializeParams) -> None:
    options = params.initialization_options
    if isinstance(options, dict):
        if isinstance(options.get("rulesUrl"), str):
            ls.rules_url = options["rulesUrl"]
        if isinstance(options.get("debounce"), (int, float)) and 0 <= options["debounce"] <= 5:
            ls.debounce = float(options["debounce"])


async def _did_open(ls: ContractServer, params: lsp.DidOpenTextDocumentParams) -> None:
    ls.schedule(params.text_document.uri, 0)


async def _did_change(ls: ContractServer, params: lsp.DidChangeTextDocumentParams) -> None:
    ls.schedule(params.text_document.uri, ls.debounce)


async def _did_save(ls: ContractServer, params: lsp.DidSaveTextDocumentParams) -> None:
    ls.schedule(params.text_document.uri, 0)


def _did_close(ls: ContractServer, params: lsp.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    task = ls.pending.pop(uri, None)
    if task is not None:
        task.cancel()
    if ls.analyses.pop(uri, None) is not None:
        ls.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=uri, diagnostics=[]))


def _code_action(ls: ContractServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction] | None:
    uri = params.text_document.uri
    if not ls.serves(uri):
        return None
    analysis = ls.current(uri)
    start = ls.from_client(uri, params.range.start)
    end = ls.from_client(uri, params.range.end)
    actions = []
    for problem in analysis.problems:
        if (problem.end_line, problem.end_column) < start or (problem.line, problem.column) > end:
            continue
        for fix in fixes_for(analysis.text, problem):
            edits = [
                lsp.TextEdit(
                    range=ls.to_client(uri, e.line, e.column, e.end_line, e.end_column), new_text=e.text
                )
                for e in fix.edits
            ]
            actions.append(
                lsp.CodeAction(
                    title=fix.title,
                    kind=lsp.CodeActionKind.QuickFix,
                    diagnostics=[ls.diagnostic(uri, problem)],
                    is_preferred=True,
                    edit=lsp.WorkspaceEdit(changes={uri: edits}),
                )
            )
    return actions


_COMPLETION_KINDS = {
    "field": lsp.CompletionItemKind.Field,
    "flag": lsp.CompletionItemKind.Field,
    "value": lsp.CompletionItemKind.EnumMember,
    "prefix": lsp.CompletionItemKind.Module,
    "model": lsp.CompletionItemKind.Value,
}


def _completion(ls: ContractServer, params: lsp.CompletionParams) -> lsp.CompletionList | None:
    uri = params.text_document.uri
    if not ls.serves(uri):
        return None
    line, column = ls.from_client(uri, params.position)
    lines = ls.workspace.get_text_document(uri).source.splitlines()
    found = complete(lines, line, column)
    where = ls.to_client(
        uri, found.line, found.column, line, found.end_column if found.end_column is not None else column
    )
    text_document = ls.client_capabilities.text_document
    completing = text_document.completion if text_document else None
    item_caps = completing.completion_item if completing else None
    formats = item_caps.documentation_format if item_caps else None
    items = [
        lsp.CompletionItem(
            label=c.label,
            kind=_COMPLETION_KINDS[c.kind],
            detail=c.detail or None,
            documentation=ls.markup(c.documentation, formats) if c.documentation else None,
            text_edit=lsp.TextEdit(range=where, new_text=c.insert),
        )
        for c in found.candidates
    ]
    return lsp.CompletionList(is_incomplete=not found.complete, items=items)


def _hover(ls: ContractServer, params: lsp.HoverParams) -> lsp.Hover | None:
    uri = params.text_document.uri
    if not ls.serves(uri):
        return None
    line, column = ls.from_client(uri, params.position)
    analysis = ls.analyses.get(uri)
    lines = ls.workspace.get_text_document(uri).source.splitlines()
    said = hover(lines, line, column, analysis.problems if analysis else ())
    if said is None:
        return None
    text_document = ls.client_capabilities.text_document
    hovering = text_document.hover if text_document else None
    return lsp.Hover(contents=ls.markup(said, hovering.content_format if hovering else None))


# What the server answers: the LSP method, its options, and the handler (pygls passes the
# server as `ls`).
_FEATURES: tuple[tuple[str, Any, Callable[..., Any]], ...] = (
    (lsp.INITIALIZE, None, _initialize),
    (lsp.TEXT_DOCUMENT_DID_OPEN, None, _did_open),
    (lsp.TEXT_DOCUMENT_DID_CHANGE, None, _did_change),
    (lsp.TEXT_DOCUMENT_DID_SAVE, None, _did_save),
    (lsp.TEXT_DOCUMENT_DID_CLOSE, None, _did_close),
    (
        lsp.TEXT_DOCUMENT_CODE_ACTION,
        lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix]),
        _code_action,
    ),
    (lsp.TEXT_DOCUMENT_COMPLETION, lsp.CompletionOptions(trigger_characters=["/", " ", "-"]), _completion),
    (lsp.TEXT_DOCUMENT_HOVER, None, _hover),
)


def build_server(debounce: float) -> ContractServer:
    server = ContractServer(debounce)
    for method, options, handler in _FEATURES:
        server.feature(method, options)(handler)
    return server
