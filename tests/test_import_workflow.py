"""`import litellm` driven as a library call, without click: ImportRequest -> import_command()
-> ImportOutcome, its status as the exit-code table maps it, and its report from the registry."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from cli._exit import status_code
from contract.errors import InputError, UsageError
from contract.outcome import Status
from contract.reporting import Part, report
from contract.workflows.importer.command import ImportOutcome, ImportRequest, Summary, import_command
from tests.support.check_servers import closed_port
from tests.support.litellm_configs import KEY_CANARY, MASTER_CANARY, TODO_NAME, docs_config_text

CONTRACT = (
    "models:\n"
    "  - litellmModelName: gpt-4o\n"
    "    litellmModel: openai/gpt-4o-2024-08-06\n"
    "    displayName: GPT-4o\n"
    "    provider: OpenAI\n"
    "    type: CHAT\n"
    "    metadataType: Text Generation\n"
    "    contextWindow: 128000\n"
    "    apiKey: ${OPENAI_API_KEY}\n"
)


@pytest.fixture
def config(tmp_path: Path) -> str:
    path = tmp_path / "config.yaml"
    path.write_text(docs_config_text(), encoding="utf-8")
    return str(path)


def files(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


def text_of(parts: tuple[Part, ...], err: bool) -> str:
    return "".join(p.text for p in parts if p.err == err)


def no_canary(*texts: str) -> None:
    for text in texts:
        assert KEY_CANARY not in text and MASTER_CANARY not in text


def test_without_out_or_add_the_contract_stays_in_the_outcome_and_nothing_is_written(
    config: str, tmp_path: Path
) -> None:
    before = files(tmp_path)
    outcome = import_command(ImportRequest(config=config))
    assert isinstance(outcome, ImportOutcome) and outcome.status is Status.OK
    assert status_code(outcome.status) == 0
    assert outcome.written == () and files(tmp_path) == before
    assert outcome.text is not None and outcome.text.startswith("# yaml-language-server")
    assert outcome.summary == Summary(errors=1, at_todo=1, warnings=1)
    assert outcome.imported is not None and len(outcome.imported.entries) == 9
    parts = report(outcome)
    assert parts[0] == Part(outcome.text)  # the contract first, alone on stdout
    assert text_of(parts, err=False) == outcome.text
    assert parts[-1] == Part("validate: 1 error(s) (1 at a TODO), 1 warning(s)\n", err=True)
    no_canary(outcome.text, text_of(parts, err=True))


def test_out_and_keep_extra_are_written_in_that_order_and_reported_on_stdout(
    config: str, tmp_path: Path
) -> None:
    out, extra = tmp_path / "install-contract.yaml", tmp_path / "extra.yaml"
    request = ImportRequest(
        config=config, out_path=str(out), extra_path=str(extra), windows=(f"{TODO_NAME}=4096",)
    )
    outcome = import_command(request)
    assert outcome.status is Status.OK and outcome.written == (str(out), str(extra))
    assert outcome.text is not None and out.read_text(encoding="utf-8") == outcome.text
    assert outcome.summary == Summary(errors=0, at_todo=0, warnings=1)
    assert "router_settings:" in extra.read_text(encoding="utf-8")
    parts = report(outcome)
    assert text_of(parts, err=True) == ""
    assert parts[-2].text.startswith(f"wrote {out}; validate: 0 error(s) (0 at a TODO), 1 warning(s)")
    assert parts[-1] == Part(
        f"wrote {extra}: `install-contract render --litellm-extra {extra}` merges it back\n"
    )
    no_canary(out.read_text(encoding="utf-8"), extra.read_text(encoding="utf-8"))


def test_an_existing_out_without_force_is_rejected_before_the_windows_and_the_config(tmp_path: Path) -> None:
    out = tmp_path / "install-contract.yaml"
    out.write_text("kept\n", encoding="utf-8")
    # Neither the bad --context-window nor the missing config is looked at: nothing is read.
    request = ImportRequest(config=str(tmp_path / "missing.yaml"), out_path=str(out), windows=("bad",))
    outcome = import_command(request)
    assert outcome.status is Status.REJECTED and outcome.exists and status_code(outcome.status) == 1
    assert outcome.written == () and out.read_text(encoding="utf-8") == "kept\n"
    assert report(outcome) == (
        Part(f"install-contract: {out} already exists; --force overwrites it, --add appends\n", err=True),
    )
    forced = import_command(
        ImportRequest(config=str(tmp_path / "missing.yaml"), out_path=str(out), force=True, windows=("bad",))
    )
    assert forced.status is Status.REFUSED and forced.usage is not None and "'bad'" in forced.usage


@pytest.mark.parametrize(
    ("request_fields", "usage"),
    [
        ({"config": None}, "give a CONFIG file or --url URL (one of them)"),
        ({"url": "http://127.0.0.1:1"}, "give a CONFIG file or --url URL (one of them)"),
        ({"out_path": "a.yaml", "add_path": "b.yaml"}, "--out and --add exclude each other"),
        ({"force": True}, "--force goes with --out FILE"),
        (
            {"windows": ("my-finetune",)},
            "--context-window 'my-finetune': write NAME=TOKENS (model_name=131072)",
        ),
        ({"windows": ("x=0",)}, "--context-window 'x=0': write NAME=TOKENS (model_name=131072)"),
        (
            {"windows": ("nope=1", "zed=2")},
            "--context-window names nope, zed, not a model_name of the config",
        ),
    ],
)
def test_options_that_do_not_go_together_are_refused_as_usage(
    config: str, tmp_path: Path, request_fields: dict[str, object], usage: str
) -> None:
    before = files(tmp_path)
    outcome = import_command(dataclasses.replace(ImportRequest(config=config), **request_fields))
    assert outcome.status is Status.REFUSED and status_code(outcome.status) == 2
    assert outcome.usage == usage
    assert outcome.written == () and files(tmp_path) == before


def test_add_appends_skips_names_already_there_and_leaves_out_the_todo(config: str, tmp_path: Path) -> None:
    contract = tmp_path / "install-contract.yaml"
    contract.write_text(CONTRACT, encoding="utf-8")
    outcome = import_command(ImportRequest(config=config, add_path=str(contract)))
    assert outcome.status is Status.OK and outcome.written == (str(contract),)
    assert outcome.add is not None and outcome.text is None
    assert outcome.add.skipped == ("gpt-4o",) and outcome.add.unfinished == (TODO_NAME,)
    assert "azure-gpt-4o" in outcome.add.added
    text = contract.read_text(encoding="utf-8")
    assert text.startswith(CONTRACT) and "litellmModelName: azure-gpt-4o" in text
    parts = report(outcome)
    assert Part(f"not added: {TODO_NAME}: it has a TODO (see above)\n", err=True) in parts
    assert Part(f"skipped: gpt-4o already in {contract}\n") in parts
    assert parts[-1].text.startswith("added ") and parts[-1].text.endswith(f" to {contract}\n")
    again = import_command(ImportRequest(config=config, add_path=str(contract)))
    assert again.status is Status.OK and again.written == () and contract.read_text(encoding="utf-8") == text
    assert not any(p.text.startswith("added ") for p in report(again))


def test_a_refused_add_writes_nothing_not_even_the_side_file(config: str, tmp_path: Path) -> None:
    contract = tmp_path / "install-contract.yaml"
    contract.write_text("models:\n  - litellmModelName: x\n", encoding="utf-8")
    extra = tmp_path / "extra.yaml"
    outcome = import_command(ImportRequest(config=config, add_path=str(contract), extra_path=str(extra)))
    assert outcome.status is Status.REJECTED and status_code(outcome.status) == 1
    assert outcome.add is not None and outcome.add.error and outcome.diagnostics == outcome.add.diagnostics
    assert outcome.written == () and not extra.exists()
    assert contract.read_text(encoding="utf-8") == "models:\n  - litellmModelName: x\n"
    parts = report(outcome)
    assert parts[-1].err and "IC003" in parts[-1].text
    assert not any("wrote" in p.text for p in parts)


def test_a_proxy_that_is_down_is_unreachable_and_the_key_never_shows(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    request = ImportRequest(url=url, timeout=0.5, master_key=MASTER_CANARY)
    assert MASTER_CANARY not in repr(request)
    outcome = import_command(request)
    assert outcome.status is Status.UNREACHABLE and status_code(outcome.status) == 3
    assert outcome.error is not None and "the LiteLLM proxy did not answer" in outcome.error
    assert report(outcome) == (Part(f"install-contract: {outcome.error}\n", err=True),)
    no_canary(outcome.error, repr(outcome))
    assert files(tmp_path) == {}


def test_input_that_cannot_be_read_stays_an_exception(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        import_command(ImportRequest(config=str(tmp_path / "missing.yaml")))
    with pytest.raises(UsageError, match="is not an http"):
        import_command(ImportRequest(url="ftp://proxy"))
    nothing = tmp_path / "config.yaml"
    nothing.write_text("general_settings: {}\n", encoding="utf-8")
    with pytest.raises(UsageError, match="no model_list"):
        import_command(ImportRequest(config=str(nothing)))
