"""render never drops an entry, never writes outside --out, deletes only its own output."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from ruamel.yaml import YAML

from cli.main import main
from contract.pipeline.render import render
from contract.pipeline.validate import validate_bytes
from tests.support.corpus import FIXTURES

FIXTURE = FIXTURES / "install-contract.yaml"

CLOUD = """\
models:
  - litellmModelName: claude-sonnet-4
    litellmModel: anthropic/claude-sonnet-4-20250514
    displayName: Claude Sonnet 4
    provider: Anthropic
    type: CHAT
    metadataType: Text Generation
    contextWindow: 200000
    maxTokens: 16384
    apiKey: ${ANTHROPIC_API_KEY}
  - litellmModelName: gpt-4o
    litellmModel: openai/gpt-4o
    displayName: GPT-4o
    provider: OpenAI
    type: CHAT
    metadataType: Text Generation
    contextWindow: 128000
    maxTokens: 16384
    apiKey: ${OPENAI_API_KEY}
"""


def _names(config: bytes) -> list[str]:
    data = YAML(typ="safe", pure=True).load(config.decode())
    return [m["model_name"] for m in data["model_list"]]


def test_an_entry_with_only_warnings_is_rendered(tmp_path: Path) -> None:
    text = CLOUD.replace(
        "    maxTokens: 16384\n    apiKey: ${OPENAI",
        "    maxTokens: 16384\n    colour: blue\n    apiKey: ${OPENAI",
    )
    result = validate_bytes(text.encode(), file="c.yaml")
    assert [d.code for d in result.diagnostics] == ["IC005"]
    assert result.contract is not None
    files = render(result.contract, source_name="c.yaml", source_bytes=text.encode()).files
    assert _names(files["litellm/config.yaml"]) == ["claude-sonnet-4", "gpt-4o"]
    # through the CLI too: exit 0, both entries
    contract = tmp_path / "c.yaml"
    contract.write_text(text)
    run = CliRunner().invoke(main, ["render", str(contract), "--out", str(tmp_path / "out")])
    assert run.exit_code == 0, run.output
    assert _names((tmp_path / "out" / "litellm" / "config.yaml").read_bytes()) == [
        "claude-sonnet-4",
        "gpt-4o",
    ]


def test_unknown_field_in_a_vllm_block_keeps_the_entry_and_its_rules() -> None:
    text = """\
models:
  - litellmModelName: qwen3-coder-30b
    litellmModel: openai/qwen3-coder
    displayName: Qwen3 Coder
    provider: Self-Hosted
    type: CHAT
    metadataType: Text Generation
    contextWindow: 32768
    apiBase: http://qwen.inference.svc.cluster.local:8000/v1
    vllm: {model: Qwen/Qwen3-Coder-30B-A3B-Instruct, toolCallParser: qwen3_coder, enableAutoToolChoice: true, colour: blue}
"""
    result = validate_bytes(text.encode(), file="c.yaml")
    codes = sorted(d.code for d in result.diagnostics)
    # the rules still judge the entry (IC104 on the served name) beside the unknown field
    assert {"IC005", "IC104"} <= set(codes)


def test_a_contract_with_an_untyped_entry_is_refused_by_the_library() -> None:
    from contract.errors import UsageError

    text = CLOUD.replace("    contextWindow: 128000\n", "    contextWindow: many\n")
    result = validate_bytes(text.encode(), file="c.yaml")
    assert result.errors and result.contract is not None
    assert result.contract.left_out == (1,)
    with pytest.raises(UsageError, match=r"models\[1\]"):
        render(result.contract, source_name="c.yaml", source_bytes=text.encode())


# -- names that become files ---------------------------------------------------------------------

SERVED = """\
  - litellmModelName: {name}
    litellmModel: {model}
    displayName: Served
    provider: Self-Hosted
    type: CHAT
    metadataType: Text Generation
    contextWindow: 32768
    apiBase: http://served.inference.svc.cluster.local:8000/v1
    vllm: {{model: meta-llama/Llama-3.1-8B-Instruct, gpus: {{count: 1, memoryGiB: 80}}, toolCallParser: llama3_json, enableAutoToolChoice: true}}
"""


def _served(*names: str) -> str:
    return "models:\n" + "".join(
        SERVED.format(name=json_quote(n), model=json_quote(f"openai/{n}")) for n in names
    )


def json_quote(name: str) -> str:
    import json

    return json.dumps(name)


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("../escape", "starts with a dot"),
        (".hidden", "starts with a dot"),
        ("..", "starts with a dot"),
        ("a/b", "holds /"),
        ("a\\b", "holds \\"),
        ("tab\there", "control character"),
        ("CON", "device name"),
        ("nul.model", "device name"),
        ("trailing.", "ends in a space or a dot"),
        ("x" * 201, "longer than 200 bytes"),
        ("___", "no letter or digit"),
    ],
)
def test_a_served_name_that_cannot_name_a_file_is_ic109(name: str, reason: str) -> None:
    text = _served(name)
    result = validate_bytes(text.encode(), file="c.yaml")
    found = [d for d in result.diagnostics if d.code == "IC109"]
    assert len(found) == 1, result.diagnostics
    assert reason in found[0].message
    assert (found[0].path, found[0].line, found[0].column) == ("/models/0/litellmModelName", 2, 23)
    assert found[0].hint is not None


def test_names_equal_but_for_case_or_punctuation_are_ic109() -> None:
    for pair in (("Llama-8b", "llama-8B"), ("llama.8b", "llama-8b")):
        result = validate_bytes(_served(*pair).encode(), file="c.yaml")
        found = [d for d in result.diagnostics if d.code == "IC109"]
        assert [d.path for d in found] == ["/models/1/litellmModelName"], pair
        assert repr(pair[0]) in found[0].message


def test_a_cloud_entry_may_have_a_slash_in_its_name() -> None:
    text = CLOUD.replace("litellmModelName: gpt-4o", "litellmModelName: openai/gpt-4o")
    assert not [d for d in validate_bytes(text.encode(), file="c.yaml").diagnostics if d.code == "IC109"]


def test_safe_distinct_names_are_silent() -> None:
    result = validate_bytes(_served("llama-8b", "llama-8b-fp8").encode(), file="c.yaml")
    assert not [d for d in result.diagnostics if d.code == "IC109"]


@pytest.mark.parametrize("relative", ["../x", "/etc/x", "a/../../x", "vllm/.x", "a\\b", "a//b", "", "a\x00"])
def test_write_tree_refuses_a_path_outside_out(tmp_path: Path, relative: str) -> None:
    from contract.errors import UsageError
    from contract.pipeline.render import write_tree

    with pytest.raises(UsageError, match="not a plain path"):
        write_tree(tmp_path / "out", {relative: b"x", "manifest.json": b"{}"})
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_write_tree_refuses_paths_equal_but_for_case(tmp_path: Path) -> None:
    from contract.errors import UsageError
    from contract.pipeline.render import write_tree

    with pytest.raises(UsageError, match="differ only in case"):
        write_tree(tmp_path / "out", {"vllm/A.sh": b"x", "vllm/a.sh": b"y"})


# -- what may be replaced --------------------------------------------------------------------------


def _render_to(out: Path, *extra: str) -> Result:
    return CliRunner().invoke(main, ["render", str(FIXTURE), "--out", str(out), *extra])


def test_a_folder_with_someone_elses_manifest_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "manifest.json").write_text('{"name": "my-app", "files": {}}')
    (out / "index.js").write_text("keep me")
    run = _render_to(out)
    assert run.exit_code == 2
    assert "did not write" in run.stderr
    assert (out / "index.js").read_text() == "keep me"


@pytest.mark.parametrize("stranger", ["notes.txt", "vllm/notes.txt", "extra/deep/file", ".git/config"])
def test_a_previous_render_with_something_added_is_refused(tmp_path: Path, stranger: str) -> None:
    out = tmp_path / "out"
    assert _render_to(out).exit_code == 0
    (out / stranger).parent.mkdir(parents=True, exist_ok=True)
    (out / stranger).write_text("keep me")
    run = _render_to(out)
    assert run.exit_code == 2, run.output
    assert "did not write" in run.stderr and stranger.split("/")[0] in run.stderr
    assert (out / stranger).read_text() == "keep me"


def test_a_symlink_inside_a_previous_render_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert _render_to(out).exit_code == 0
    (tmp_path / "elsewhere").mkdir()
    (out / "link").symlink_to(tmp_path / "elsewhere")
    assert _render_to(out).exit_code == 2
    assert (tmp_path / "elsewhere").is_dir()


def test_a_previous_render_is_replaced_whole(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert _render_to(out).exit_code == 0
    (out / "litellm" / "config.yaml").write_text("edited by hand\n")
    again = _render_to(out, "--target", "litellm")
    assert again.exit_code == 0, again.output
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == [
        "litellm",
        "litellm/config.yaml",
        "manifest.json",
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # nothing left beside it


def test_a_manifest_that_is_not_json_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "manifest.json").write_bytes(b"\\xff not json")
    assert _render_to(out).exit_code == 2
    assert (out / "manifest.json").exists()


@pytest.mark.parametrize("where", [".", "contract-folder", "contract-parent", "cwd-parent"])
def test_out_that_holds_the_contract_or_the_cwd_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    project = tmp_path / "project"
    work = project / "work"
    work.mkdir(parents=True)
    contract = project / "install-contract.yaml"
    contract.write_text(FIXTURE.read_text())
    monkeypatch.chdir(work)
    out = {".": ".", "contract-folder": str(project), "contract-parent": str(tmp_path), "cwd-parent": ".."}[
        where
    ]
    run = CliRunner().invoke(main, ["render", str(contract), "--out", out])
    assert run.exit_code == 2, run.output
    assert "render replaces --out whole" in run.stderr
    assert contract.exists() and work.is_dir()


def test_out_as_a_symlink_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    run = _render_to(tmp_path / "link")
    assert run.exit_code == 2 and "symbolic link" in run.stderr


def test_out_as_a_file_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    run = _render_to(tmp_path / "file")
    assert run.exit_code == 2 and "not a directory" in run.stderr
    assert (tmp_path / "file").read_text() == "x"


def test_the_swap_is_one_step_on_linux(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import contract.pipeline.render as render_module

    out = tmp_path / "out"
    assert _render_to(out).exit_code == 0
    renames: list[str] = []
    real = Path.rename

    def spy(self: Path, target: str | Path) -> Path:
        renames.append(self.name)
        return real(self, target)

    monkeypatch.setattr(Path, "rename", spy)
    swapped = []
    real_exchange = render_module._exchange
    monkeypatch.setattr(render_module, "_exchange", lambda a, b: swapped.append(1) or real_exchange(a, b))
    assert _render_to(out).exit_code == 0
    if sys.platform == "linux" and swapped:
        assert renames == []  # renameat2 swapped the trees; no moment without DIR
    assert (out / "manifest.json").is_file()


def test_without_the_exchange_two_renames_still_replace_the_tree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import contract.pipeline.render as render_module

    out = tmp_path / "out"
    assert _render_to(out).exit_code == 0
    monkeypatch.setattr(render_module, "_exchange", lambda a, b: False)
    again = _render_to(out, "--target", "litellm")
    assert again.exit_code == 0
    assert not (out / "vllm").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


# -- validate and render agree ---------------------------------------------------------------------


def _agree(text: str, code: str | None) -> None:
    """What validate accepts, render renders; what render refuses, validate rejects (with `code`)."""
    from contract.errors import UsageError

    result = validate_bytes(text.encode(), file="c.yaml")
    assert result.contract is not None
    if code is None:
        assert not result.errors, result.diagnostics
    else:
        assert code in {d.code for d in result.diagnostics if d.severity.value == "error"}, result.diagnostics
    try:
        render(result.contract, source_name="c.yaml", source_bytes=text.encode())
    except UsageError as refused:
        assert code is not None, f"render refused what validate accepted: {refused}"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (CLOUD, None),
        (
            CLOUD.replace("${OPENAI_API_KEY}", "sk-literal-one").replace(
                "${ANTHROPIC_API_KEY}", "sk-literal-two"
            ),
            None,
        ),
        # two literals whose entries' names derive one variable
        (
            "models:\n"
            + CLOUD.split("  - litellmModelName: gpt-4o\n")[1].join(["  - litellmModelName: gpt-4o\n", ""])
            + CLOUD.split("  - litellmModelName: gpt-4o\n")[1]
            .join(["  - litellmModelName: gpt_4o\n", ""])
            .replace("openai/gpt-4o", "openai/gpt-4o-2024-08-06"),
            None,
        ),
        # a literal that moves onto a variable another entry references
        (
            CLOUD.replace("${ANTHROPIC_API_KEY}", "${GPT_4O_API_KEY}").replace(
                "${OPENAI_API_KEY}", "sk-literal-one"
            ),
            "IC307",
        ),
        (_served("llama-8b").replace("http://served", "http://${HOST}"), "IC306"),
        (_served("llama-8b").replace("http://served", "http://user:p4ssw0rd@served"), "IC303"),
        (
            _served("llama-8b").replace("http://served.inference.svc.cluster.local:8000/v1", "${LLAMA_URL}"),
            None,
        ),
        (_served("llama-8b", "Llama-8B"), "IC109"),
        (
            _served("llama-8b").replace(
                "gpus: {", "image: 'vllm/vllm-openai@sha256:" + "0" * 64 + "', gpus: {"
            ),
            "IC210",
        ),
    ],
    ids=[
        "references",
        "literals",
        "references-shared",
        "literal-onto-reference",
        "partial-ref",
        "url-password",
        "whole-ref",
        "case",
        "digest-only-image",
    ],
)
def test_validate_and_render_agree(text: str, code: str | None) -> None:
    _agree(text, code)


def test_two_literals_for_one_variable_are_ic307() -> None:
    one = CLOUD.split("  - litellmModelName: gpt-4o\n")[1]
    text = (
        "models:\n  - litellmModelName: gpt-4o\n"
        + one.replace("${OPENAI_API_KEY}", "sk-literal-one")
        + "  - litellmModelName: gpt_4o\n"
        + one.replace("${OPENAI_API_KEY}", "sk-literal-two")
    )
    _agree(text, "IC307")
    found = [d for d in validate_bytes(text.encode(), file="c.yaml").diagnostics if d.code == "IC307"]
    assert [d.path for d in found] == ["/models/1/apiKey"]


def test_shared_variable_is_ic307_at_the_second_entry() -> None:
    text = CLOUD.replace("${ANTHROPIC_API_KEY}", "${GPT_4O_API_KEY}").replace(
        "${OPENAI_API_KEY}", "sk-literal-one"
    )
    found = [d for d in validate_bytes(text.encode(), file="c.yaml").diagnostics if d.code == "IC307"]
    assert [(d.path, d.line) for d in found] == [("/models/1/apiKey", 19)]
    assert "GPT_4O_API_KEY" in found[0].message


def test_render_itself_refuses_two_secrets_for_one_variable() -> None:
    from contract.errors import UsageError

    one = CLOUD.split("  - litellmModelName: gpt-4o\n")[1]
    for second in ("sk-literal-two", "${GPT_4O_API_KEY}"):
        text = (
            "models:\n  - litellmModelName: gpt-4o\n"
            + one.replace("${OPENAI_API_KEY}", "sk-literal-one")
            + "  - litellmModelName: gpt_4o\n"
            + one.replace("${OPENAI_API_KEY}", second)
        )
        result = validate_bytes(text.encode(), file="c.yaml")
        assert result.contract is not None
        with pytest.raises(UsageError, match="share the variable GPT_4O_API_KEY"):
            render(result.contract, source_name="c.yaml", source_bytes=text.encode())


# -- template overrides ----------------------------------------------------------------------------


def _override(tmp_path: Path, name: str, text: str) -> Path:
    root = tmp_path / "templates"
    (root / name).parent.mkdir(parents=True, exist_ok=True)
    (root / name).write_text(text)
    return root


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "model_list:\n{% for m in models %}\n  - {{ m.model_name \n{% endfor %}\n",
            r"config\.yaml\.j2:4: template syntax error",
        ),
        (
            "model_list:\n{% for m in models %}\n{% endfor %}\n{{ nothing_here }}\n",
            r"config\.yaml\.j2:4: UndefinedError: 'nothing_here' is undefined",
        ),
        ("{{ models | no_such_filter }}\n", r"config\.yaml\.j2:1: template syntax error: .*no_such_filter"),
        ("{{ models[0].missing.deeper }}\n", r"config\.yaml\.j2:1: UndefinedError"),
    ],
)
def test_a_broken_override_is_the_users_error_with_file_and_line(
    tmp_path: Path, text: str, expected: str
) -> None:
    import re

    root = _override(tmp_path, "litellm/config.yaml.j2", text)
    out = tmp_path / "out"
    run = CliRunner().invoke(main, ["render", str(FIXTURE), "--out", str(out), "--templates", str(root)])
    assert run.exit_code == 1, run.output
    assert re.search(expected, run.stderr), run.stderr
    assert "internal error" not in run.stderr and "Traceback" not in run.stderr
    assert not out.exists()


def test_a_missing_templates_directory_is_a_usage_error(tmp_path: Path) -> None:
    run = CliRunner().invoke(
        main, ["render", str(FIXTURE), "--out", str(tmp_path / "out"), "--templates", str(tmp_path / "nope")]
    )
    assert run.exit_code == 2 and "no such directory" in run.stderr


def test_a_templates_directory_that_overrides_nothing_is_a_usage_error(tmp_path: Path) -> None:
    root = _override(tmp_path, "litellm/config.yml.j2", "typo in the name\n")
    run = CliRunner().invoke(
        main, ["render", str(FIXTURE), "--out", str(tmp_path / "out"), "--templates", str(root)]
    )
    assert run.exit_code == 2
    assert "overrides no template" in run.stderr and "litellm/config.yaml.j2" in run.stderr
