"""`install-contract lsp` end to end: pytest-lsp starts the real server on stdio and talks LSP."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from click.testing import CliRunner
from lsprotocol import types as lsp
from pygls.protocol import default_converter
from pytest_lsp import ClientServerConfig, LanguageClient

from cli.main import main

REPO = Path(__file__).resolve().parent.parent
CONTRACTS = sorted((REPO / "tests" / "contracts").rglob("*.yaml"))
SERVER = [sys.executable, "-m", "cli.main", "lsp", "--debounce", "0"]
CANARY = "sk-canary-LSP-0123456789abcdef"
WAIT = 60  # seconds; generous for a loaded machine, never reached when the server answers


PUBLISHED: dict[int, list[lsp.PublishDiagnosticsParams]] = {}


def _client() -> LanguageClient:
    """pytest-lsp's test client that also keeps every publishDiagnostics it receives, with its
    version: a notification that lands while no one waits is still seen (no race)."""
    from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

    client = LanguageClient(converter_factory=default_converter)
    received = PUBLISHED.setdefault(id(client), [])

    def publish(client: LanguageClient, params: lsp.PublishDiagnosticsParams) -> None:
        client.diagnostics[params.uri] = params.diagnostics
        received.append(params)

    register_lsp_features(client, {**DEFAULT_CLIENT_FEATURES, lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS: publish})
    return client


@pytest_lsp.fixture(
    config=ClientServerConfig(
        client_factory=_client, server_command=SERVER, server_env={**os.environ, "PYTHONPATH": str(REPO)}
    )
)
async def client(lsp_client: LanguageClient, tmp_path: Path) -> AsyncIterator[LanguageClient]:
    await lsp_client.initialize_session(
        lsp.InitializeParams(
            capabilities=lsp.ClientCapabilities(
                general=lsp.GeneralClientCapabilities(position_encodings=[lsp.PositionEncodingKind.Utf16]),
                text_document=lsp.TextDocumentClientCapabilities(
                    hover=lsp.HoverClientCapabilities(content_format=[lsp.MarkupKind.Markdown]),
                    completion=lsp.CompletionClientCapabilities(
                        completion_item=lsp.ClientCompletionItemOptions(
                            documentation_format=[lsp.MarkupKind.Markdown]
                        )
                    ),
                    code_action=lsp.CodeActionClientCapabilities(
                        code_action_literal_support=lsp.ClientCodeActionLiteralOptions(
                            code_action_kind=lsp.ClientCodeActionKindOptions(
                                value_set=[lsp.CodeActionKind.QuickFix]
                            )
                        )
                    ),
                ),
            ),
            root_uri=tmp_path.as_uri(),
        )
    )
    yield lsp_client
    await lsp_client.shutdown_session()


class Editor:
    """What an editor does: open, change, and wait for the diagnostics of a version."""

    def __init__(self, client: LanguageClient, folder: Path) -> None:
        self.client, self.folder, self.versions = client, folder, {}  # type: dict[str, int]

    def uri(self, name: str) -> str:
        return (self.folder / name).as_uri()

    async def open(self, name: str, text: str) -> list[lsp.Diagnostic]:
        uri = self.uri(name)
        self.versions[uri] = 1
        self.client.text_document_did_open(
            lsp.DidOpenTextDocumentParams(
                text_document=lsp.TextDocumentItem(uri=uri, language_id="yaml", version=1, text=text)
            )
        )
        return await self.published(uri)

    async def change(self, name: str, text: str) -> list[lsp.Diagnostic]:
        uri = self.uri(name)
        self.versions[uri] += 1
        self.client.text_document_did_change(
            lsp.DidChangeTextDocumentParams(
                text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=self.versions[uri]),
                content_changes=[lsp.TextDocumentContentChangeWholeDocument(text=text)],
            )
        )
        return await self.published(uri)

    async def published(self, uri: str) -> list[lsp.Diagnostic]:
        """The diagnostics published for the document's current version (earlier ones skipped)."""
        wanted = self.versions[uri]
        received = PUBLISHED[id(self.client)]

        async def arrived() -> list[lsp.Diagnostic]:
            while True:
                for params in received:
                    if params.uri == uri and params.version == wanted:
                        return list(params.diagnostics)
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(
                        self.client.wait_for_notification(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS), 0.5
                    )

        return await asyncio.wait_for(arrived(), WAIT)


def validate_json(text: str) -> list[dict[str, Any]]:
    result = CliRunner().invoke(main, ["validate", "-f", "json", "-"], input=text, env={"NO_COLOR": "1"})
    diagnostics: list[dict[str, Any]] = json.loads(result.stdout)["diagnostics"]
    return diagnostics


def utf16(line: str, column: int) -> int:
    return len(line[:column].encode("utf-16-le")) // 2


def as_validate(diagnostic: lsp.Diagnostic, lines: list[str]) -> dict[str, Any]:
    """An LSP diagnostic read back into validate -f json's record."""
    message, _, hint = diagnostic.message.partition("\nhint: ")
    line = lines[diagnostic.range.start.line] if diagnostic.range.start.line < len(lines) else ""
    codepoints = len(line.encode("utf-16-le")[: diagnostic.range.start.character * 2].decode("utf-16-le"))
    severity = {1: "error", 2: "warning", 3: "info"}[diagnostic.severity or 1]
    assert (diagnostic.data or {}).get("hint") == (hint or None)
    return {
        "code": diagnostic.code,
        "name": diagnostic.data["name"],
        "severity": severity,
        "message": message,
        "path": diagnostic.data["path"],
        "line": diagnostic.range.start.line + 1,
        "column": codepoints + 1,
        "hint": hint or None,
    }


@pytest.mark.asyncio
async def test_diagnostics_equal_validate_json_for_every_test_contract(
    client: LanguageClient, tmp_path: Path
) -> None:
    editor = Editor(client, tmp_path)
    for path in CONTRACTS:
        text = path.read_text(encoding="utf-8")
        published = await editor.open(f"install-contract-{path.parent.name}-{path.stem}.yaml", text)
        lines = text.splitlines()
        got = [as_validate(d, lines) for d in published]
        assert got == validate_json(text), path.name
        for d in published:
            assert d.source == "install-contract"
            assert d.code_description is not None and d.code_description.href.endswith(
                f"#{str(d.code).lower()}"
            )


@pytest.mark.asyncio
async def test_a_change_updates_the_diagnostics(client: LanguageClient, tmp_path: Path) -> None:
    editor = Editor(client, tmp_path)
    good = (REPO / "tests/contracts/valid/cloud-minimal.yaml").read_text()
    assert await editor.open("install-contract.yaml", good) == []
    broken = good.replace("anthropic/", "anthrpic/", 1)
    [diagnostic] = await editor.change("install-contract.yaml", broken)
    assert diagnostic.code == "IC102"
    assert await editor.change("install-contract.yaml", good) == []


@pytest.mark.asyncio
async def test_rapid_changes_end_with_the_last_texts_diagnostics(
    client: LanguageClient, tmp_path: Path
) -> None:
    editor = Editor(client, tmp_path)
    good = (REPO / "tests/contracts/valid/cloud-minimal.yaml").read_text()
    await editor.open("install-contract.yaml", good)
    uri = editor.uri("install-contract.yaml")
    for version in range(2, 22):
        text = good if version % 2 else good.replace("anthropic/", "anthrpic/", 1)
        client.text_document_did_change(
            lsp.DidChangeTextDocumentParams(
                lsp.VersionedTextDocumentIdentifier(uri=uri, version=version),
                [lsp.TextDocumentContentChangeWholeDocument(text=text)],
            )
        )
    editor.versions[uri] = 21
    # the last text (version 21) is valid; an earlier result must not be the last word
    final = await editor.change("install-contract.yaml", good.replace("anthropic/", "anthrpic/", 1))
    assert [d.code for d in final] == ["IC102"]


def apply(text: str, edits: list[lsp.TextEdit]) -> str:
    """Apply LSP text edits (UTF-16 columns) the way an editor does."""
    lines = text.splitlines(keepends=True)

    def offset(position: lsp.Position) -> int:
        if position.line >= len(lines):
            return len(text)
        line = lines[position.line]
        column = len(line.encode("utf-16-le")[: position.character * 2].decode("utf-16-le"))
        return sum(len(x) for x in lines[: position.line]) + column

    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        text = text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end) :]
    return text


FIXES = {
    "IC005-unknown-field": ("IC005", "Rename maxToken to maxTokens"),
    "IC102-unknown-prefix": ("IC102", "Write anthropic/claude-sonnet-4-20250514"),
    "IC104-served-name-mismatch": ("IC104", "Write litellmModel: openai/deephat-v2"),
    "IC105-base-url-path": ("IC105", "Write apiBase: http://deephat-v2.inference.svc.cluster.local:8000/v1"),
    "IC202-context-window-high": ("IC202", "Write contextWindow: 128000"),
    "IC203-output-limit": ("IC203", "Write maxTokens: 16384"),
    "IC403-tool-parser-missing": ("IC403", "Add toolCallParser: qwen3_coder and enableAutoToolChoice: true"),
    "IC404-tool-parser-family": ("IC404", "Write toolCallParser: qwen3_coder"),
}


@pytest.mark.asyncio
async def test_a_quick_fix_applied_removes_its_diagnostic(client: LanguageClient, tmp_path: Path) -> None:
    editor = Editor(client, tmp_path)
    for stem, (code, title) in FIXES.items():
        name = f"install-contract-{stem}.yaml"
        text = (REPO / "tests/contracts/invalid" / f"{stem}.yaml").read_text()
        published = await editor.open(name, text)
        [diagnostic] = [d for d in published if d.code == code]
        actions = await client.text_document_code_action_async(
            lsp.CodeActionParams(
                text_document=lsp.TextDocumentIdentifier(uri=editor.uri(name)),
                range=diagnostic.range,
                context=lsp.CodeActionContext(diagnostics=[diagnostic]),
            )
        )
        [action] = [a for a in actions or [] if isinstance(a, lsp.CodeAction) and a.title == title]
        assert action.kind == lsp.CodeActionKind.QuickFix
        assert action.edit is not None and action.edit.changes is not None
        fixed = apply(text, list(action.edit.changes[editor.uri(name)]))
        after = await editor.change(name, fixed)
        assert code not in {d.code for d in after}, stem


async def _complete(
    client: LanguageClient, editor: Editor, name: str, line: int, character: int
) -> list[str]:
    found = await client.text_document_completion_async(
        lsp.CompletionParams(
            text_document=lsp.TextDocumentIdentifier(uri=editor.uri(name)),
            position=lsp.Position(line=line, character=character),
        )
    )
    assert isinstance(found, lsp.CompletionList)
    return [item.label for item in found.items]


TYPING = """# yaml-language-server: $schema=./schemas/install-contract.schema.json
models:
  - litellmModelName: claude
    litellmModel: anthropic/claude-sonnet-4-2
    type: CH
    metadataType: Te
    costTier: ME
    con
  - litellmModelName: embed
    litellmModel: op
featureFlags:
  TOOL_CALLING_MODELS:
    - cl
  AUDIO
"""


@pytest.mark.asyncio
async def test_completion_from_schema_catalog_and_file(client: LanguageClient, tmp_path: Path) -> None:
    editor = Editor(client, tmp_path)
    name = "models.yaml"  # served by its modeline, not its name
    await editor.open(name, TYPING)
    lines = TYPING.splitlines()

    async def at(line: int) -> list[str]:
        return await _complete(client, editor, name, line, len(lines[line]))

    assert "anthropic/claude-sonnet-4-20250514" in await at(3)
    assert await at(4) == ["CHAT"]
    assert await at(5) == ["Text Generation"]
    assert await at(6) == ["MEDIUM"]
    assert await at(7) == ["contextWindow"]
    assert {"openai/", "openrouter/"} <= set(await at(9))
    assert await at(12) == ["claude"]
    assert await at(13) == ["AUDIO_TRANSCRIPTION"]


@pytest.mark.asyncio
async def test_hover_field_model_and_diagnostic(client: LanguageClient, tmp_path: Path) -> None:
    editor = Editor(client, tmp_path)
    text = (REPO / "tests/contracts/invalid/IC105-base-url-path.yaml").read_text()
    [diagnostic] = await editor.open("install-contract.yaml", text)
    uri = editor.uri("install-contract.yaml")

    async def said(line: int, character: int) -> str:
        found = await client.text_document_hover_async(
            lsp.HoverParams(
                text_document=lsp.TextDocumentIdentifier(uri=uri),
                position=lsp.Position(line=line, character=character),
            )
        )
        assert found is not None and isinstance(found.contents, lsp.MarkupContent)
        return found.contents.value

    lines = text.splitlines()
    model_line = next(i for i, line in enumerate(lines) if "litellmModel:" in line)
    assert "Provider-prefixed LiteLLM model id" in await said(model_line, 6)
    assert "**IC105 base-url-path**" in await said(
        diagnostic.range.start.line, diagnostic.range.start.character + 2
    )
    cloud = (REPO / "tests/contracts/valid/cloud-minimal.yaml").read_text()
    await editor.open("install-contract-cloud.yaml", cloud)
    uri = editor.uri("install-contract-cloud.yaml")
    row = next(i for i, line in enumerate(cloud.splitlines()) if "litellmModel: anthropic/" in line)
    assert "| window | max output | mode | tool calling |" in await said(
        row, len(cloud.splitlines()[row]) - 2
    )


@pytest.mark.asyncio
async def test_columns_are_utf16_after_a_character_outside_the_bmp(
    client: LanguageClient, tmp_path: Path
) -> None:
    editor = Editor(client, tmp_path)
    text = (REPO / "tests/contracts/valid/cloud-minimal.yaml").read_text()
    lines = text.splitlines()
    index = next(i for i, line in enumerate(lines) if "litellmModel: anthropic/" in line)
    lines[index] = lines[index].replace("litellmModel: anthropic/", 'litellmModel: "\U0001f600anthropic/')
    lines[index] += '"'
    broken = "\n".join(lines) + "\n"
    published = await editor.open("install-contract.yaml", broken)
    [record] = [r for r in validate_json(broken) if r["code"] == "IC102"]
    [diagnostic] = [d for d in published if d.code == "IC102"]
    assert diagnostic.range.start.character == utf16(lines[index], record["column"] - 1)
    assert as_validate(diagnostic, lines) == record


@pytest.mark.asyncio
async def test_other_yaml_files_are_left_alone(client: LanguageClient, tmp_path: Path) -> None:
    editor = Editor(client, tmp_path)
    uri = editor.uri("values.yaml")
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(
            text_document=lsp.TextDocumentItem(uri=uri, language_id="yaml", version=1, text="models: 3\n")
        )
    )
    found = await client.text_document_hover_async(
        lsp.HoverParams(
            text_document=lsp.TextDocumentIdentifier(uri=uri), position=lsp.Position(line=0, character=1)
        )
    )
    assert found is None
    # a contract opened after it is answered; the other file never was
    await editor.open("install-contract.yaml", "models: 3\n")
    assert uri not in client.diagnostics


@pytest.mark.asyncio
async def test_no_secret_reaches_the_editor(client: LanguageClient, tmp_path: Path) -> None:
    editor = Editor(client, tmp_path)
    text = (REPO / "tests/contracts/invalid/IC303-inline-secret.yaml").read_text()
    literal = next(line.split(":", 1)[1].strip() for line in text.splitlines() if "apiKey:" in line)
    text = text.replace(literal, CANARY)
    published = await editor.open("install-contract.yaml", text)
    uri = editor.uri("install-contract.yaml")
    actions = await client.text_document_code_action_async(
        lsp.CodeActionParams(
            text_document=lsp.TextDocumentIdentifier(uri=uri),
            range=lsp.Range(
                start=lsp.Position(line=0, character=0),
                end=lsp.Position(line=len(text.splitlines()), character=0),
            ),
            context=lsp.CodeActionContext(diagnostics=published),
        )
    )
    hovers = [
        await client.text_document_hover_async(
            lsp.HoverParams(text_document=lsp.TextDocumentIdentifier(uri=uri), position=d.range.start)
        )
        for d in published
    ]
    seen = repr(published) + repr(actions) + repr(hovers)
    assert published and CANARY not in seen
    assert not any(CANARY in a.title for a in actions or [] if isinstance(a, lsp.CodeAction))


def test_validate_never_imports_the_language_server() -> None:
    probe = (
        "import sys\n"
        "from cli.main import main\n"
        "try:\n    main(['validate', 'fixtures/install-contract.yaml'])\nexcept SystemExit:\n    pass\n"
        "assert not any(m.split('.')[0] in ('pygls', 'lsprotocol') for m in sys.modules), 'pygls on validate path'\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr


def test_without_pygls_the_command_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "cli.lsp_server", None)
    result = CliRunner().invoke(main, ["lsp"])
    assert result.exit_code == 2
    assert "pip install 'install-contract[lsp]'" in result.stderr


NEOVIM_SCRIPT = """
local out = assert(os.getenv('LSP_RESULT'))
local server = vim.fn.json_decode(assert(os.getenv('LSP_SERVER')))
local buf = vim.api.nvim_get_current_buf()
local id = vim.lsp.start_client({name = 'install-contract', cmd = server, root_dir = vim.fn.getcwd()})
vim.lsp.buf_attach_client(buf, id)
vim.wait(60000, function() return #vim.diagnostic.get(buf) > 0 end, 50)
local found = {}
for _, d in ipairs(vim.diagnostic.get(buf)) do
  table.insert(found, {code = d.code, lnum = d.lnum, col = d.col, severity = d.severity, message = d.message})
end
local file = assert(io.open(out, 'w'))
file:write(vim.fn.json_encode(found))
file:close()
vim.lsp.stop_client(id)
vim.cmd('qa!')
"""


def test_neovim_shows_the_diagnostics(tmp_path: Path) -> None:
    """A real editor, headless: Neovim's own LSP client starts the server and receives diagnostics."""
    import shutil

    nvim = shutil.which("nvim")
    if nvim is None:
        if os.environ.get("CI") == "true":
            pytest.fail("nvim is missing: scripts/test installs Debian's neovim in CI")
        pytest.skip("nvim is not installed (apt-get install neovim)")
    contract = tmp_path / "install-contract.yaml"
    text = (REPO / "tests/contracts/invalid/IC105-base-url-path.yaml").read_text()
    contract.write_text(text)
    script = tmp_path / "lsp.lua"
    script.write_text(NEOVIM_SCRIPT)
    result = tmp_path / "result.json"
    env = {
        **os.environ,
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "PYTHONPATH": str(REPO),
        "LSP_RESULT": str(result),
        "LSP_SERVER": json.dumps(SERVER),
    }
    done = subprocess.run(
        [nvim, "--headless", "--clean", str(contract), "-c", f"luafile {script}"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    [record] = validate_json(text)
    [shown] = json.loads(result.read_text())
    assert (shown["code"], shown["lnum"], shown["col"], shown["severity"]) == (
        record["code"],
        record["line"] - 1,
        record["column"] - 1,
        1,
    )
    assert shown["message"].startswith(record["message"])


@pytest.mark.asyncio
async def test_quick_fixes_in_a_crlf_file_without_a_last_line_break(
    client: LanguageClient, tmp_path: Path
) -> None:
    editor = Editor(client, tmp_path)
    for stem, (code, title) in FIXES.items():
        name = f"install-contract-crlf-{stem}.yaml"
        text = (
            (REPO / "tests/contracts/invalid" / f"{stem}.yaml").read_text().rstrip("\n").replace("\n", "\r\n")
        )
        published = await editor.open(name, text)
        [diagnostic] = [d for d in published if d.code == code]
        actions = await client.text_document_code_action_async(
            lsp.CodeActionParams(
                text_document=lsp.TextDocumentIdentifier(uri=editor.uri(name)),
                range=diagnostic.range,
                context=lsp.CodeActionContext(diagnostics=[diagnostic]),
            )
        )
        [action] = [a for a in actions or [] if isinstance(a, lsp.CodeAction) and a.title == title]
        assert action.edit is not None and action.edit.changes is not None
        fixed = apply(text, list(action.edit.changes[editor.uri(name)]))
        assert "\n" not in fixed.replace("\r\n", ""), stem  # no bare line break
        after = await editor.change(name, fixed)
        assert code not in {d.code for d in after} and "IC001" not in {d.code for d in after}, stem


@pytest.mark.asyncio
async def test_completion_in_a_flow_mapping_after_a_character_outside_the_bmp(
    client: LanguageClient, tmp_path: Path
) -> None:
    editor = Editor(client, tmp_path)
    name = "install-contract.yaml"
    line = '  - {litellmModelName: a, displayName: "Model 😀", type: CH'
    text = f"models:\r\n{line}"
    await editor.open(name, text)
    found = await client.text_document_completion_async(
        lsp.CompletionParams(
            text_document=lsp.TextDocumentIdentifier(uri=editor.uri(name)),
            position=lsp.Position(line=1, character=utf16(line, len(line))),
        )
    )
    assert isinstance(found, lsp.CompletionList)
    [item] = found.items
    assert item.label == "CHAT" and isinstance(item.text_edit, lsp.TextEdit)
    assert item.text_edit.range.start == lsp.Position(line=1, character=utf16(line, len(line) - 2))
    assert apply(text, [item.text_edit]) == text[:-2] + "CHAT"
