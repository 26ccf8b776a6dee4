"""The commands' workflows driven without click: a request in, an outcome with its status out."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cli._exit import status_code
from contract.outcome import Status

ROOT = Path(__file__).resolve().parent.parent
VALID = ROOT / "tests" / "contracts" / "valid" / "cloud-minimal.yaml"
ENVIRONMENTS = ROOT / "tests" / "contracts" / "valid" / "three-environments.yaml"


def test_validate_ok_invalid_and_unreadable(tmp_path: Path) -> None:
    from contract.workflows.validation import ValidateRequest, validate_files

    assert validate_files(ValidateRequest(files=(str(VALID),))).status is Status.OK
    broken = tmp_path / "broken.yaml"
    broken.write_text("models:\n  - litellmModelName: x\n", encoding="utf-8")
    assert validate_files(ValidateRequest(files=(str(broken),))).status is Status.INVALID
    missing = validate_files(ValidateRequest(files=(str(VALID), str(tmp_path / "none.yaml"))))
    assert missing.status is Status.REFUSED and status_code(missing.status) == 2
    assert len(missing.results) == 1 and "none.yaml" in missing.unreadable[0]
    stdin = validate_files(ValidateRequest(files=("-",), stdin=VALID.read_bytes))
    assert stdin.status is Status.OK and stdin.results[0].file == "<stdin>"


def test_validate_an_environment_the_file_does_not_declare_is_refused() -> None:
    from contract.workflows.validation import ValidateRequest, validate_files

    outcome = validate_files(ValidateRequest(files=(str(VALID),), environments=("nowhere",)))
    assert outcome.status is Status.REFUSED and outcome.problem


def test_init_refuses_an_existing_file_and_add_refuses_a_duplicate(tmp_path: Path) -> None:
    from contract.workflows.edit import AddRequest
    from contract.workflows.editing import add_model, remove_model, write_starter

    path = str(tmp_path / "install-contract.yaml")
    assert write_starter(path).status is Status.OK
    assert write_starter(path).status is Status.REJECTED
    assert write_starter(path, force=True).status is Status.OK
    first = add_model(path, AddRequest(provider="openai", model="gpt-4o"))
    assert first.status is Status.OK
    again = add_model(path, AddRequest(provider="openai", model="gpt-4o"))
    assert again.status is Status.REJECTED and status_code(again.status) == 1
    assert remove_model(path, "gpt-4o").status is Status.OK
    assert remove_model(path, "gpt-4o").status is Status.REJECTED


def test_render_then_check_is_ok_and_a_changed_tree_differs(tmp_path: Path) -> None:
    from contract.workflows.rendering import RenderRequest, render_contract

    contract = tmp_path / "install-contract.yaml"
    shutil.copy(VALID, contract)
    out = tmp_path / "out"
    seen = []
    written = render_contract(RenderRequest(str(contract), str(out)), on_validated=seen.append)
    assert written.status is Status.OK and written.files and len(seen) == 1
    assert render_contract(RenderRequest(str(contract), str(out), check=True)).status is Status.OK
    first = out / written.files[0]
    first.write_bytes(first.read_bytes() + b"# edited\n")
    stale = render_contract(RenderRequest(str(contract), str(out), check=True))
    assert stale.status is Status.DIFFERS and status_code(stale.status) == 1


def test_render_gitops_with_another_target_is_a_usage_problem(tmp_path: Path) -> None:
    from contract.workflows.rendering import RenderRequest, render_contract

    request = RenderRequest(str(ENVIRONMENTS), str(tmp_path / "out"), targets=("gitops", "litellm"))
    outcome = render_contract(request)
    assert outcome.status is Status.REFUSED
    assert outcome.usage == "--target gitops is rendered on its own, not with litellm"


@pytest.mark.parametrize("code", [None, "ic301", "IC999"])
def test_explain(code: str | None) -> None:
    from contract.workflows.reference import explain

    outcome = explain(code)
    if code == "IC999":
        assert outcome.status is Status.REFUSED and outcome.problem
    else:
        assert outcome.status is Status.OK and outcome.rules


def test_diff_of_two_environments_differs_and_of_one_with_itself_is_ok() -> None:
    from contract.workflows.environments import diff_files, resolve_environment

    assert diff_files(str(ENVIRONMENTS), "dev", "prod").status is Status.DIFFERS
    assert diff_files(str(ENVIRONMENTS), "dev", "dev").status is Status.OK
    assert "models:" in resolve_environment(str(ENVIRONMENTS), "dev").text
