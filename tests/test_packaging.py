"""The wheel: what it holds, and that an installed copy works without the checkout.

Builds the project once per module with pip, offline (no build isolation: hatchling comes
from the test extra; a test never reaches a package index), installs it with
`pip install --target`, and runs it from another directory with the checkout taken off
sys.path: the editable install's .pth still points at the checkout, so the tests assert where
every module was really imported from.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent
FIXTURE = REPO / "fixtures" / "install-contract.yaml"
TIMEOUT = 300


def _env() -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("PYTHON") and k != "INSTALL_CONTRACT_DEBUG"
    }
    env["PYTHONNOUSERSITE"] = "1"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["NO_COLOR"] = "1"
    return env


def _pip(*args: str, cwd: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "pip", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        env=_env(),
        check=False,
    )
    assert proc.returncode == 0, f"pip {' '.join(args)}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # The build backend comes from the test extra: a test never downloads from a package index.
    assert importlib.util.find_spec("hatchling") is not None, "pip install -e '.[test]' (hatchling)"
    _pip("wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q", "-w", str(out), str(REPO), cwd=out)
    wheels = sorted(out.glob("install_contract-*.whl"))
    assert len(wheels) == 1, sorted(p.name for p in out.iterdir())
    return wheels[0]


@pytest.fixture(scope="module")
def site(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("install") / "site"
    _pip("install", "--no-deps", "--no-index", "-q", "--target", str(target), str(wheel), cwd=target.parent)
    assert (target / "contract" / "__init__.py").is_file()
    return target


def _names(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


def test_wheel_holds_the_package_data(wheel: Path) -> None:
    names = _names(wheel)
    assert "contract/py.typed" in names
    assert "contract/data/vllm_flags.json" in names
    assert "contract/_bundled/schemas/install-contract.schema.json" in names
    # every catalog file of the checkout, and each one is JSON
    data = {f"contract/data/{p.name}" for p in (REPO / "contract" / "data").glob("*.json")}
    assert {"contract/data/providers.json", "contract/data/seed_models.json"} <= data
    assert data <= names
    with zipfile.ZipFile(wheel) as archive:
        for name in sorted(data):
            json.loads(archive.read(name))
        schema = json.loads(archive.read("contract/_bundled/schemas/install-contract.schema.json"))
    assert isinstance(schema, dict) and schema


def test_wheel_bundles_schemas_and_templates(wheel: Path) -> None:
    # schemas/, templates/ and docs/ (the rules page diagnostics link to) travel as contract/_bundled/…
    names = _names(wheel)
    for folder in ("schemas", "templates", "docs"):
        files = {
            f"contract/_bundled/{p.relative_to(REPO).as_posix()}"
            for p in (REPO / folder).rglob("*")
            if p.is_file() and "__pycache__" not in p.parts
        }
        assert files <= names, sorted(files - names)


def test_wheel_holds_every_module_and_nothing_else(wheel: Path) -> None:
    names = _names(wheel)
    modules = {
        p.relative_to(REPO).as_posix()
        for package in ("contract", "cli")
        for p in (REPO / package).rglob("*.py")
        if "__pycache__" not in p.parts
    }
    assert modules <= names, sorted(modules - names)
    top = {n.split("/")[0] for n in names}
    assert top == {"contract", "cli", "install_contract-0.1.0.dist-info"}, top
    assert not [n for n in names if "__pycache__" in n or n.endswith((".pyc", ".pyo"))]


def test_wheel_declares_the_console_script(wheel: Path) -> None:
    names = _names(wheel)
    entry_points = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
    assert len(entry_points) == 1
    with zipfile.ZipFile(wheel) as archive:
        text = archive.read(entry_points[0]).decode("utf-8")
        metadata = archive.read(entry_points[0].replace("entry_points.txt", "METADATA")).decode("utf-8")
    section = text.split("[console_scripts]", 1)[1].split("[", 1)[0]
    scripts = {
        key.strip(): value.strip()
        for key, value in (line.split("=", 1) for line in section.splitlines() if "=" in line)
    }
    assert scripts == {"install-contract": "cli._entry:run"}
    assert "Name: install-contract" in metadata
    requires = {
        re.split(r"[\s<>=!~;\[(]", line.split(":", 1)[1].strip(), maxsplit=1)[0]
        .lower()
        .replace("_", "-")
        .replace(".", "-")
        for line in metadata.splitlines()
        if line.startswith("Requires-Dist:")
    }
    assert {"click", "pydantic", "ruamel-yaml"} <= requires, requires


# Runs with the installed copy first on sys.path and the checkout removed from it.
_PRELUDE = """
import os, sys
target, repo = sys.argv[1], sys.argv[2]
def _is_repo(entry):
    # an entry from which the checkout's own packages would be imported
    real = os.path.realpath(entry or os.getcwd())
    return real == repo or any(
        os.path.isdir(os.path.join(real, name))
        and os.path.realpath(os.path.join(real, name)) == os.path.join(repo, name)
        for name in ("contract", "cli")
    )
sys.path[:] = [target] + [p for p in sys.path if not _is_repo(p)]
"""


def _python(site: Path, work: Path, code: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _PRELUDE + code, str(site), os.path.realpath(REPO), *args],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=60,
        env=_env(),
        check=False,
    )


@pytest.fixture
def work(tmp_path: Path) -> Path:
    (tmp_path / "install-contract.yaml").write_bytes(FIXTURE.read_bytes())
    return tmp_path


def test_installed_copy_is_what_gets_imported(site: Path, work: Path) -> None:
    code = """
import json
import cli.main, contract, contract.resources, contract.knowledge.catalog, contract.pipeline.validate
from contract.resources import resource_dir
print(json.dumps({
    "contract": contract.__file__,
    "cli": cli.main.__file__,
    "validate": contract.pipeline.validate.__file__,
    "schemas": str(resource_dir("schemas")),
    "schema_file": str(resource_dir("schemas") / "install-contract.schema.json"),
    "templates": str(resource_dir("templates")),
    "repo_on_path": [p for p in sys.path if _is_repo(p)],
}))
"""
    proc = _python(site, work, code)
    assert proc.returncode == 0, proc.stderr[-3000:]
    found = json.loads(proc.stdout)
    root = os.path.realpath(site)
    for key in ("contract", "cli", "validate", "schemas", "schema_file", "templates"):
        path = os.path.realpath(found[key])
        assert path.startswith(root + os.sep), (key, path)
    assert found["schemas"].endswith(os.path.join("contract", "_bundled", "schemas"))
    assert Path(found["schema_file"]).is_file()
    if any(p.is_file() for p in (REPO / "templates").rglob("*")):
        assert Path(found["templates"]).is_dir()
    assert found["repo_on_path"] == []


def test_installed_copy_validates_the_fixture(site: Path, work: Path) -> None:
    code = """
sys.argv = ["install-contract", "validate", "install-contract.yaml"]
from cli.main import main
main()
"""
    proc = _python(site, work, code)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "1 file valid" in proc.stdout
    assert "Traceback" not in proc.stderr


def test_installed_copy_reports_errors_with_its_data(site: Path, work: Path) -> None:
    # a catalog-backed rule (unknown provider prefix) needs contract/data from the wheel
    (work / "bad.yaml").write_text(
        "models:\n"
        "  - litellmModelName: x\n"
        "    litellmModel: nosuchprovider/x\n"
        "    displayName: X\n"
        "    provider: OpenAI\n"
        "    type: CHAT\n"
        "    metadataType: Text Generation\n"
        "    contextWindow: 1000\n",
        encoding="utf-8",
    )
    code = """
sys.argv = ["install-contract", "validate", "--format", "json", "bad.yaml"]
from cli.main import main
main()
"""
    proc = _python(site, work, code)
    assert proc.returncode == 1, proc.stdout[-3000:] + proc.stderr[-3000:]
    report = json.loads(proc.stdout)
    assert report["valid"] is False
    assert "IC102" in {d["code"] for d in report["diagnostics"]}, report


def test_installed_console_script(site: Path, work: Path) -> None:
    script = site / "bin" / "install-contract"
    if not script.is_file():
        pytest.skip("pip --target wrote no bin/install-contract on this platform")
    env = _env()
    env["PYTHONPATH"] = str(site)
    proc = subprocess.run(
        [str(script), "validate", "install-contract.yaml"],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "1 file valid" in proc.stdout
    version = subprocess.run(
        [str(script), "--version"], cwd=work, capture_output=True, text=True, timeout=60, env=env, check=False
    )
    assert version.returncode == 0 and "install-contract, version 0.1.0" in version.stdout, version
