"""Hostile input through the real console script: never a traceback, never a hang, the right exit.

Every case runs `install-contract validate` in a subprocess with a time limit, so a hang, a
crash of the interpreter or an internal error (exit 70) fails the test as it would fail a user.
Exit codes: 1 when the file was read but is not a valid contract, 2 when it cannot be read.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURE = REPO / "fixtures" / "install-contract.yaml"
SCRIPT = Path(sys.executable).parent / "install-contract"
# A bound on a hang, not a speed test (scripts/bench measures speed): generous, because a
# 20 MB input on a shared two-core machine under load takes tens of seconds.
TIMEOUT = 180  # seconds
MIB = 1024 * 1024


def _command() -> list[str]:
    if SCRIPT.is_file() and os.access(SCRIPT, os.X_OK):
        return [str(SCRIPT)]
    return [sys.executable, "-m", "cli.main"]


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "INSTALL_CONTRACT_DEBUG"}
    env["NO_COLOR"] = "1"
    return env


def run(
    args: Sequence[str], cwd: Path, stdin: bytes | None = None, timeout: float = TIMEOUT
) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [*_command(), "validate", *args],
        cwd=cwd,
        input=stdin if stdin is not None else b"",
        capture_output=True,
        timeout=timeout,
        env=_env(),
        check=False,
    )
    out = subprocess.CompletedProcess(
        proc.args,
        proc.returncode,
        proc.stdout.decode("utf-8", "replace"),
        proc.stderr.decode("utf-8", "replace"),
    )
    for stream in (out.stdout, out.stderr):
        assert "Traceback" not in stream, stream[-4000:]
        assert "internal error" not in stream, stream[-4000:]
    return out


def both(proc: subprocess.CompletedProcess[str]) -> str:
    return proc.stdout + proc.stderr


def report(proc: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    """The single JSON object `--format json` prints for one file."""
    lines = proc.stdout.splitlines()
    assert len(lines) == 1, proc.stdout[-2000:]
    obj: dict[str, Any] = json.loads(lines[0])
    assert set(obj) >= {"file", "valid", "errors", "warnings", "diagnostics"}
    return obj


def write(tmp_path: Path, name: str, content: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def check_invalid(
    tmp_path: Path,
    content: bytes | str,
    code: str,
    words: Sequence[str],
    at: tuple[int, int] | None = None,
    count: int = 1,
) -> dict[str, Any]:
    """A file that is read but is not a contract: exit 1 in text and json, naming the problem.

    `words` must all appear (case-insensitively) in the text report; `at` is the expected
    line:column of the first diagnostic; `count` the number of diagnostics.
    """
    path = write(tmp_path, "install-contract.yaml", content)
    text = run([path.name], tmp_path)
    assert text.returncode == 1, both(text)[-2000:]
    assert text.stderr == "", text.stderr[-2000:]
    lowered = text.stdout.lower()
    for word in words:
        assert word.lower() in lowered, (word, text.stdout[-2000:])
    assert f" {code} " in text.stdout
    if at is not None:
        assert f"install-contract.yaml:{at[0]}:{at[1]}: error {code}" in text.stdout

    js = run(["--format", "json", path.name], tmp_path)
    assert js.returncode == 1, both(js)[-2000:]
    obj = report(js)
    assert obj["valid"] is False
    assert obj["file"] == "install-contract.yaml"
    diags = obj["diagnostics"]
    assert len(diags) == count, diags
    assert diags[0]["code"] == code, diags
    assert obj["errors"] == count
    if at is not None:
        assert (diags[0]["line"], diags[0]["column"]) == at, diags[0]
    for d in diags:
        assert d["line"] >= 1 and d["column"] >= 1
    return obj


# --- read, but not a contract: exit 1 --------------------------------------------------------


def test_empty_file(tmp_path: Path) -> None:
    check_invalid(tmp_path, b"", "IC006", ["the contract is empty"], at=(1, 1))


def test_comments_only(tmp_path: Path) -> None:
    check_invalid(tmp_path, "# just a comment\n\n   # another one\n", "IC006", ["the contract is empty"])


def test_top_level_list(tmp_path: Path) -> None:
    check_invalid(
        tmp_path,
        "- litellmModelName: a\n- litellmModelName: b\n",
        "IC006",
        ["is a list", "mapping"],
        at=(1, 1),
    )


def test_top_level_scalar(tmp_path: Path) -> None:
    check_invalid(tmp_path, "just a sentence\n", "IC006", ["is a string"], at=(1, 1))


def test_models_as_a_mapping(tmp_path: Path) -> None:
    check_invalid(
        tmp_path,
        "models:\n  gpt-4o:\n    contextWindow: 1\n",
        "IC006",
        ["models: must be a list", "not a mapping"],
        at=(2, 3),
    )


def test_scalars_in_models(tmp_path: Path) -> None:
    obj = check_invalid(
        tmp_path,
        'models: [1, "x", null]\n',
        "IC004",
        ["models[0] must be a mapping", "not a number", "not a string", "not a null"],
        at=(1, 10),
        count=3,
    )
    assert [(d["path"], d["column"]) for d in obj["diagnostics"]] == [
        ("/models/0", 10),
        ("/models/1", 13),
        ("/models/2", 18),
    ]


def test_binary_bytes(tmp_path: Path) -> None:
    check_invalid(
        tmp_path,
        b"models:\n  \x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe",
        "IC001",
        ["binary file", "NUL byte"],
        at=(4, 1),
    )


def test_latin1_bytes(tmp_path: Path) -> None:
    content = b"models:\n  - litellmModelName: cafe\n    displayName: Caf\xe9\n"
    check_invalid(tmp_path, content, "IC001", ["not UTF-8", "0xE9"], at=(3, 21))


def test_billion_laughs(tmp_path: Path) -> None:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 10):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 9) + "]")
    lines.append("models: *a9")
    # bounded by the subprocess timeout (TIMEOUT), not by a clock assertion
    obj = check_invalid(tmp_path, "\n".join(lines) + "\n", "IC001", ["alias bomb"])
    assert obj["diagnostics"][0]["line"] <= 11


def test_deep_flow_nesting(tmp_path: Path) -> None:
    depth = 5000
    check_invalid(
        tmp_path,
        "models: " + "[" * depth + "]" * depth + "\n",
        "IC001",
        ["nests more than 100 levels"],
        at=(1, 9 + 99),
    )  # root is the 1st level


def test_deep_flow_mapping_nesting(tmp_path: Path) -> None:
    depth = 5000
    check_invalid(
        tmp_path,
        "models: " + "{a: " * depth + "1" + "}" * depth + "\n",
        "IC001",
        ["nests more than 100 levels"],
    )


def test_deep_block_nesting(tmp_path: Path) -> None:
    depth = 5000
    text = "".join("  " * level + f"k{level}:\n" for level in range(depth)) + "  " * depth + "leaf\n"
    # the root mapping is level 1, so the mapping that opens at line 101 is the 101st
    check_invalid(tmp_path, text, "IC001", ["nests more than 100 levels"], at=(101, 201))


def test_deep_block_sequence_nesting(tmp_path: Path) -> None:
    depth = 5000
    text = "models:\n" + "".join("  " * level + "-\n" for level in range(1, depth)) + "  " * depth + "- x\n"
    check_invalid(tmp_path, text, "IC001", ["nests more than 100 levels"])


def test_20_mb_single_line_value(tmp_path: Path) -> None:
    check_invalid(
        tmp_path,
        'models: "' + "a" * (20 * MIB) + '"\n',
        "IC006",
        ["models: must be a list", "not a string"],
        at=(1, 9),
    )


def test_20_mb_plain_key(tmp_path: Path) -> None:
    # YAML limits an implicit key to 1024 characters: the parser refuses the ':' after it
    size = 20 * MIB
    check_invalid(tmp_path, "a" * size + ": 1\n", "IC001", ["YAML syntax error"], at=(1, size + 1))


def test_file_over_the_size_limit(tmp_path: Path) -> None:
    check_invalid(
        tmp_path,
        b"# " + b"x" * (33 * MIB) + b"\nmodels: []\n",
        "IC001",
        ["the file is 33 MiB", "at most 32 MiB"],
        at=(1, 1),
    )


def test_tab_indentation(tmp_path: Path) -> None:
    check_invalid(
        tmp_path, "models:\n\t- litellmModelName: gpt-4o\n", "IC001", ["YAML syntax error", "tab"], at=(2, 1)
    )


def test_tab_indentation_inside_an_entry(tmp_path: Path) -> None:
    check_invalid(
        tmp_path,
        "models:\n  - litellmModelName: gpt-4o\n\tdisplayName: GPT-4o\n",
        "IC001",
        ["YAML syntax error", "tab"],
        at=(3, 1),
    )


def test_python_object_apply_tag_is_never_constructed(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    # a relative path as well, since the command runs in tmp_path
    content = f'models:\n  - !!python/object/apply:os.system ["touch {marker.as_posix()} pwned-relative"]\n'
    check_invalid(tmp_path, content, "IC001", ["!!python/object/apply:os.system", "not allowed"], at=(2, 5))
    assert not marker.exists()
    assert not (tmp_path / "pwned-relative").exists()


def test_python_name_tag(tmp_path: Path) -> None:
    check_invalid(
        tmp_path,
        "models: !!python/name:os.system\n",
        "IC001",
        ["!!python/name:os.system", "not allowed"],
        at=(1, 9),
    )


def test_custom_tag(tmp_path: Path) -> None:
    content = "models:\n  - litellmModelName: a\n    apiKey: !Ref MySecret\n"
    check_invalid(tmp_path, content, "IC001", ["!Ref", "not allowed"], at=(3, 13))


def test_custom_tag_on_a_mapping(tmp_path: Path) -> None:
    check_invalid(
        tmp_path, "models:\n  - !Entry {litellmModelName: a}\n", "IC001", ["!Entry", "not allowed"], at=(2, 5)
    )


def test_multiple_documents(tmp_path: Path) -> None:
    content = "---\nmodels: []\n---\nmodels: []\n"
    check_invalid(tmp_path, content, "IC001", ["more than one YAML document"], at=(3, 1))


def test_multiple_documents_without_a_leading_separator(tmp_path: Path) -> None:
    content = FIXTURE.read_text(encoding="utf-8") + "---\nmodels: []\n"
    line = content.count("\n") - 1
    check_invalid(tmp_path, content, "IC001", ["more than one YAML document"], at=(line, 1))


def test_undefined_alias(tmp_path: Path) -> None:
    check_invalid(tmp_path, "models:\n  - *nope\n", "IC001", ["*nope", "no anchor"], at=(2, 5))


def test_mapping_as_a_key(tmp_path: Path) -> None:
    check_invalid(tmp_path, "? {a: 1}\n: x\n", "IC001", ["cannot be used as a key"], at=(1, 3))


def test_list_as_a_key(tmp_path: Path) -> None:
    check_invalid(
        tmp_path, "models:\n  - ? [a, b]\n    : x\n", "IC001", ["cannot be used as a key"], at=(2, 7)
    )


def test_bom_with_an_error_keeps_columns(tmp_path: Path) -> None:
    check_invalid(tmp_path, b"\xef\xbb\xbfmodels: *nope\n", "IC001", ["*nope"], at=(1, 9))


# --- valid input ---------------------------------------------------------------------------


def test_utf8_bom_valid_contract(tmp_path: Path) -> None:
    path = write(tmp_path, "install-contract.yaml", b"\xef\xbb\xbf" + FIXTURE.read_bytes())
    text = run([path.name], tmp_path)
    assert text.returncode == 0, both(text)[-2000:]
    assert "1 file valid" in text.stdout
    js = run(["-f", "json", path.name], tmp_path)
    assert js.returncode == 0, both(js)[-2000:]
    obj = report(js)
    assert obj["valid"] is True and obj["errors"] == 0 and obj["diagnostics"] == []


def test_stdin_valid(tmp_path: Path) -> None:
    proc = run(["-f", "json", "-"], tmp_path, stdin=FIXTURE.read_bytes())
    assert proc.returncode == 0, both(proc)[-2000:]
    obj = report(proc)
    assert obj["file"] == "<stdin>" and obj["valid"] is True


def test_stdin_hostile(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    data = f'models: !!python/object/apply:os.system ["touch {marker.as_posix()}"]\n'.encode()
    proc = run(["-"], tmp_path, stdin=data)
    assert proc.returncode == 1, both(proc)[-2000:]
    assert "<stdin>:1:9: error IC001" in proc.stdout
    assert not marker.exists()
    js = run(["-f", "json", "-"], tmp_path, stdin=b"\x00\x01binary")
    assert js.returncode == 1
    obj = report(js)
    assert obj["file"] == "<stdin>" and obj["diagnostics"][0]["code"] == "IC001"


def test_stdin_empty(tmp_path: Path) -> None:
    proc = run(["-"], tmp_path, stdin=b"")
    assert proc.returncode == 1, both(proc)[-2000:]
    assert "<stdin>:1:1: error IC006" in proc.stdout


# --- cannot be read: exit 2 ----------------------------------------------------------------


def unreadable(proc: subprocess.CompletedProcess[str], words: Sequence[str]) -> None:
    assert proc.returncode == 2, both(proc)[-2000:]
    assert proc.stderr.startswith("install-contract: "), proc.stderr
    for word in words:
        assert word in proc.stderr, proc.stderr


def test_directory_as_path(tmp_path: Path) -> None:
    (tmp_path / "contracts").mkdir()
    unreadable(run(["contracts"], tmp_path), ["contracts: is a directory"])
    assert run(["-f", "json", "contracts"], tmp_path).stdout == ""


def test_missing_file(tmp_path: Path) -> None:
    unreadable(run(["nowhere.yaml"], tmp_path), ["nowhere.yaml: no such file"])


def test_default_file_missing(tmp_path: Path) -> None:
    unreadable(run([], tmp_path), ["install-contract.yaml: no such file"])


def test_unreadable_file_with_a_readable_one(tmp_path: Path) -> None:
    # one bad path makes the run exit 2, but the readable file is still reported
    write(tmp_path, "good.yaml", FIXTURE.read_bytes())
    proc = run(["-f", "json", "good.yaml", "nowhere.yaml"], tmp_path)
    unreadable(proc, ["nowhere.yaml: no such file"])
    assert report(proc)["file"] == "good.yaml"


def test_file_without_read_permission(tmp_path: Path) -> None:
    path = write(tmp_path, "secret.yaml", FIXTURE.read_bytes())
    path.chmod(0)
    try:
        proc = run([path.name], tmp_path)
        if os.geteuid() == 0 or os.access(path, os.R_OK):
            # root (or a capability) reads it anyway: it must simply be validated
            assert proc.returncode == 0, both(proc)[-2000:]
            assert "1 file valid" in proc.stdout
        else:
            unreadable(proc, ["secret.yaml: permission denied"])
    finally:
        path.chmod(0o600)


@pytest.mark.skipif(not Path("/dev/null").exists(), reason="needs /dev/null")
def test_device_as_path(tmp_path: Path) -> None:
    # not a regular file: reads as empty, so it is an empty contract
    proc = run(["/dev/null"], tmp_path)
    assert proc.returncode == 1, both(proc)[-2000:]
    assert "the contract is empty" in proc.stdout


# --- many problems on one long line: the text report must stay linear --------------------


def test_many_diagnostics_on_one_line(tmp_path: Path) -> None:
    # 60 KB: 20,000 entries on one line, each reported (IC004) with the line quoted
    count = 20_000
    path = write(tmp_path, "install-contract.yaml", "models: [" + ", ".join(["1"] * count) + "]\n")
    proc = run([path.name], tmp_path)
    assert proc.returncode == 1, both(proc)[-2000:]
    assert f"{count} errors, 0 warnings in 1 of 1 file" in proc.stdout


def test_long_flow_line_with_many_secret_keys(tmp_path: Path) -> None:
    # one diagnostic, on a 1.2 MB flow-mapping line holding 100,000 `…Key: value` pairs
    pairs = ", ".join(f"k{i}Key: v" for i in range(100_000))
    path = write(tmp_path, "install-contract.yaml", "{models: *nope, " + pairs + "}\n")
    proc = run([path.name], tmp_path)
    assert proc.returncode == 1, both(proc)[-2000:]
    assert "install-contract.yaml:1:10: error IC001" in proc.stdout
    assert "k0Key: ****" in proc.stdout  # the quoted window is still redacted
