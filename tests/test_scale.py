"""Large contracts (issue 20): the work and memory per model stay small, and the pure-Python
parser (a platform without ruamel.yaml's C extension) reads every contract as the C one does.

The time figures themselves are `./scripts/bench --scale`'s (a shared machine makes timing
assertions flaky); what is asserted here is deterministic: Python calls and bytes per model.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import ruamel.yaml.main

import contract.pipeline.render as render_module
from contract.diagnostics import Path as JsonPath
from contract.pipeline.load import Document, load
from contract.pipeline.render import render, write_tree
from contract.pipeline.rules import Options
from contract.pipeline.validate import validate_text
from tests.support.corpus import CONTRACTS

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "fixtures" / "install-contract.yaml"
EVERY_CONTRACT = sorted([FIXTURE, *CONTRACTS.rglob("*.yaml")])


def generated(models: int) -> str:
    """`models` entries cycled from the fixture's under new names (as scripts/bench makes them)."""
    entries = load(FIXTURE.read_text(encoding="utf-8")).data["models"]
    lines = ["models:"]
    for i in range(models):
        entry = dict(entries[i % len(entries)])
        name = f"{entry['litellmModelName']}-{i}"
        entry["litellmModelName"] = name
        if entry.get("vllm"):
            entry["litellmModel"] = f"{entry['litellmModel'].split('/', 1)[0]}/{name}"
            entry["vllm"] = {k: v for k, v in entry["vllm"].items() if k != "servedModelName"}
        for n, (key, value) in enumerate(entry.items()):
            lines.append(f"{'  - ' if n == 0 else '    '}{key}: {json.dumps(value)}")
    return "\n".join(lines) + "\n"


def python_calls(work: Any) -> int:
    """How many Python functions `work()` calls (C functions not counted)."""
    count = 0

    def profile(_frame: Any, event: str, _arg: Any) -> None:
        nonlocal count
        if event == "call":
            count += 1

    sys.setprofile(profile)
    try:
        work()
    finally:
        sys.setprofile(None)
    return count


def test_validate_makes_few_python_calls_per_model() -> None:
    # The YAML parser's own events make ~105 Python calls per model; composing, typing and the
    # rules the rest. Before issue 20: ~545 per model (a Mark per node, model.snake uncached).
    text = generated(1000)
    validate_text(text, file="warm.yaml")  # catalog and typing plans built once
    calls = python_calls(lambda: validate_text(text, file="c.yaml"))
    assert calls / 1000 < 400, f"{calls / 1000:.0f} Python calls per model"


def test_composing_typing_and_rendering_make_fewer_calls_per_model() -> None:
    # Issue 20's second pass: ~154 calls per model to load (105 of them the parser's event
    # constructors), ~308 to validate and ~263 to render became ~132, ~268 and ~224.
    from contract.pipeline.render import render

    text = generated(1000)
    result = validate_text(text, file="warm.yaml", options=Options())
    assert result.contract is not None
    contract = result.contract
    render(contract, source_name="c.yaml", source_bytes=b"")  # templates loaded outside the count
    per_model = {
        "load": python_calls(lambda: load(text)) / 1000,
        "validate": python_calls(lambda: validate_text(text, file="c.yaml")) / 1000,
        "render": python_calls(lambda: render(contract, source_name="c.yaml", source_bytes=b"")) / 1000,
    }
    assert per_model["load"] < 140 and per_model["validate"] < 285 and per_model["render"] < 240, per_model


def test_the_work_per_model_is_flat() -> None:
    small, large = generated(200), generated(2000)
    validate_text(small, file="warm.yaml")
    per_small = python_calls(lambda: validate_text(small, file="c.yaml")) / 200
    per_large = python_calls(lambda: validate_text(large, file="c.yaml")) / 2000
    assert per_large <= per_small * 1.05


def test_positions_cost_a_few_bytes_per_node() -> None:
    text = generated(1000)
    load(text)  # imports and caches outside the measurement
    tracemalloc.start()
    try:
        doc = load(text)
        held, _peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert doc.ok and len(doc.data["models"]) == 1000
    # ~2,300 bytes per model, data and positions; before issue 20 a Mark and a path tuple per
    # node made it ~7,600.
    assert held / 1000 < 3500, f"{held / 1000:.0f} bytes per model"


def test_every_node_is_counted_once_however_deep_it_stands() -> None:
    # The alias-bomb bound counts what a walk of the data visits: each node once, an alias as
    # the nodes it repeats. Counted again at every container around it, 25,000 numbers 90 levels
    # deep made 2.25 million, and a 20,000-model contract was refused as an alias bomb.
    depth = 90
    text = "models: []\nnumbers: " + "[" * depth + ", ".join(["1"] * 25_000) + "]" * depth + "\n"
    doc = load(text)
    assert doc.ok, doc.problems
    numbers = doc.data["numbers"]
    for _ in range(depth - 1):
        (numbers,) = numbers
    assert len(numbers) == 25_000


# -- the pure-Python parser -------------------------------------------------------------------


@pytest.fixture
def pure_parser(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """ruamel.yaml as on a platform without its C extension."""
    monkeypatch.setattr(ruamel.yaml.main, "CParser", None)
    yield


def _paths(value: Any, path: JsonPath = ()) -> Iterator[JsonPath]:
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*path, key if isinstance(key, str) else str(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*path, index))


def _read(text: str) -> tuple[Document, dict[JsonPath, tuple[int, int, int, int]]]:
    doc = load(text)
    marks = {}
    for path in _paths(doc.data) if doc.ok else ():
        key, value = doc.source_map.key(path), doc.source_map.value(path)
        marks[path] = (key.line, key.column, value.line, value.column)
    return doc, marks


@pytest.mark.parametrize("path", EVERY_CONTRACT, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_pure_parser_reads_every_contract_as_the_c_parser_does(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = path.read_text(encoding="utf-8")
    c_doc, c_marks = _read(text)
    with monkeypatch.context() as patch:
        patch.setattr(ruamel.yaml.main, "CParser", None)
        pure_doc, pure_marks = _read(text)
    assert pure_doc.ok == c_doc.ok
    assert repr(pure_doc.data) == repr(c_doc.data)
    assert pure_marks == c_marks
    assert (pure_doc.secrets, pure_doc.secret_lines) == (c_doc.secrets, c_doc.secret_lines)
    assert [(p.code, p.mark, p.path) for p in pure_doc.problems] == [
        (p.code, p.mark, p.path) for p in c_doc.problems
    ]


def test_validate_with_the_pure_parser(pure_parser: None) -> None:
    from ruamel.yaml import YAML

    assert YAML(typ="safe").Parser is ruamel.yaml.parser.Parser  # the fallback is what runs
    text = FIXTURE.read_text(encoding="utf-8")
    assert validate_text(text, file="c.yaml").diagnostics == ()
    broken = text.replace("contextWindow: 128000", "contextWindow: 128000\n    contextWindow: 1", 1)
    (duplicate,) = validate_text(broken, file="c.yaml").diagnostics
    line = broken.splitlines().index("    contextWindow: 1") + 1
    assert (duplicate.code, duplicate.line, duplicate.column) == ("IC002", line, 5)


# -- render ----------------------------------------------------------------------------------


def test_a_large_render_is_made_durable_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # An fsync per file costs a disk flush each: seconds for 10,000 files. One syncfs(2) after
    # the tree is written makes it as durable.
    if render_module._syncfs() is None:
        pytest.skip("syncfs(2) is Linux's")  # pragma: no cover
    result = validate_text(generated(30), file="c.yaml", options=Options())
    assert result.contract is not None
    files = render(result.contract, source_name="c.yaml", source_bytes=b"").files
    synced: list[int] = []
    real_fsync = render_module.os.fsync
    monkeypatch.setattr(render_module.os, "fsync", lambda fd: synced.append(fd) or real_fsync(fd))
    write_tree(tmp_path / "out", files)
    assert len(files) > 30
    assert len(synced) == 1  # the parent folder, after the swap
    assert {
        p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*") if p.is_file()
    } == set(files)


def test_without_syncfs_every_file_and_folder_is_synced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = validate_text(generated(12), file="c.yaml", options=Options())
    assert result.contract is not None
    files = render(result.contract, source_name="c.yaml", source_bytes=b"").files
    monkeypatch.setattr(render_module, "_syncfs", lambda: None)
    synced: list[int] = []
    real_fsync = render_module.os.fsync
    monkeypatch.setattr(render_module.os, "fsync", lambda fd: synced.append(fd) or real_fsync(fd))
    write_tree(tmp_path / "out", files)
    folders = {str(Path(p).parent) for p in files} - {"."}
    # every file, every folder of the staging tree and the staging tree itself, then the parent
    assert len(synced) == len(files) + len(folders) + 1 + 1


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_rendered_files_get_their_modes_whatever_the_umask(tmp_path: Path, umask: int) -> None:
    # The mode is given when the file is created, and set again only when the umask took bits.
    import os
    import stat

    previous = os.umask(umask)
    try:
        write_tree(tmp_path / "out", {"vllm/a.sh": b"exec a\n", "vllm/a.argv.json": b"[]\n"})
    finally:
        os.umask(previous)
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in (tmp_path / "out" / "vllm").iterdir()}
    assert modes == {"a.sh": 0o755, "a.argv.json": 0o644}


def test_rendering_again_carries_unchanged_files_over(tmp_path: Path) -> None:
    # Deleting the previous render's ten thousand synced files took seconds (each frees its
    # blocks); an unchanged file is now the previous one, hard-linked, and removing the old
    # tree frees nothing. What changed, was edited by hand or lost its mode is written anew.
    import stat

    result = validate_text(generated(6), file="c.yaml", options=Options())
    assert result.contract is not None
    files = render(result.contract, source_name="c.yaml", source_bytes=b"").files
    out = tmp_path / "out"
    write_tree(out, files)
    edited, chmodded, changed = sorted(p for p in files if p != "manifest.json")[:3]
    data = (out / edited).read_bytes()
    (out / edited).write_bytes(data[:-2] + b"#\n")  # same size, other bytes
    (out / chmodded).chmod(0o600)
    before = {p: (out / p).stat().st_ino for p in files}
    again = {**files, changed: files[changed] + b"# changed\n"}
    write_tree(out, again)
    after = {p: (out / p).stat() for p in files}
    fresh = sorted(p for p in files if after[p].st_ino != before[p])
    assert fresh == sorted([edited, chmodded, changed])
    assert all(after[p].st_nlink == 1 for p in files)
    assert {p: (out / p).read_bytes() for p in files} == again
    modes = {p: stat.S_IMODE(after[p].st_mode) for p in files}
    assert modes == {p: 0o755 if p.endswith(".sh") else 0o644 for p in files}
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_a_key_repeated_in_another_spelling_is_reported_where_it_was_first_set() -> None:
    # 1 and true are one key to a YAML reader in Python; the first is found by equality (the
    # positions no longer map `str(key)` paths, which once raised KeyError here).
    result = validate_text("models: []\n1: a\ntrue: b\n", file="c.yaml")
    (repeat,) = [d for d in result.diagnostics if d.code == "IC002"]
    assert (repeat.line, repeat.column) == (3, 1)
    assert "already set at line 2" in repeat.message


# -- start-up -------------------------------------------------------------------------------


def _console_script(*args: str) -> str:
    """What the console script's run saw: the collector's state when the command's library
    call ran (validate) or at the end, and whether the error-only pattern was compiled."""
    probe = (
        "import gc, sys\n"
        "import contract.pipeline.load as loader, contract.pipeline.validate as v\n"
        "seen = []\n"
        "real = v.validate_file\n"
        "v.validate_file = lambda *a, **k: seen.append(gc.isenabled()) or real(*a, **k)\n"
        f"sys.argv = ['install-contract', *{list(args)!r}]\n"
        "import cli._entry as entry\n"
        "entry._leave = lambda code: None  # (this probe reports after the command)\n"
        "try:\n"
        "    entry.run()\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(seen, gc.isenabled(), loader._non_printable.cache_info().currsize)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    return done.stdout.strip().splitlines()[-1]


def test_validate_leaves_without_tearing_the_interpreter_down(tmp_path: Path) -> None:
    # Tearing down the interpreter (modules, objects, a last collection) took as long as a
    # fifth of validate's run: a short command flushes its output and ends the process.
    probe = (
        "import os, sys\n"
        "real = os._exit\n"
        "os._exit = lambda code: (print(f'left with {code}', file=sys.stderr, flush=True), real(code))\n"
        "sys.argv = ['install-contract', *sys.argv[1:]]\n"
        "from cli._entry import run\n"
        "run()\n"
    )
    broken = tmp_path / "broken.yaml"
    broken.write_text("models: {}\n", encoding="utf-8")
    runs = {
        argv: subprocess.run([sys.executable, "-c", probe, *argv], cwd=ROOT, capture_output=True, text=True)
        for argv in [
            ("validate", "fixtures/install-contract.yaml"),
            ("validate", str(broken)),
            ("explain", "IC006"),
        ]
    }
    valid, invalid, other = runs.values()
    assert (valid.returncode, valid.stdout, valid.stderr) == (
        0,
        "1 file valid: no errors, no warnings\n",
        "left with 0\n",
    )
    assert invalid.returncode == 1 and "IC006" in invalid.stdout and invalid.stderr == "left with 1\n"
    # a command that collects garbage ends as Python ends
    assert other.returncode == 0 and "IC006" in other.stdout and other.stderr == ""
    # without a standard output at all: no traceback from leaving early
    import os

    closed = subprocess.run(
        [sys.executable, "-c", probe, "validate", "fixtures/install-contract.yaml"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        preexec_fn=lambda: os.close(1),
    )
    assert "Traceback" not in closed.stderr, closed.stderr
    assert closed.stderr.splitlines()[-1] == f"left with {closed.returncode}"


def test_validate_starts_without_the_collector_and_the_costly_pattern() -> None:
    # The collector walking start-up's objects was a tenth of validate's time; compiling the
    # non-printable pattern (ranges up to U+10FFFF) as long as the loader's whole import.
    assert _console_script("validate", "fixtures/install-contract.yaml") == "[False] False 0"
    # every other command collects garbage as usual
    assert _console_script("explain", "IC001") == "[] True 0"
    from importlib.metadata import entry_points

    (script,) = entry_points(group="console_scripts", name="install-contract")
    assert script.value == "cli._entry:run"
