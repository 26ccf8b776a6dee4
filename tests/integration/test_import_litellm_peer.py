"""`import litellm`, proved by the real LiteLLM proxy 1.106.2.

The config written from LiteLLM's documentation (tests/data/litellm/docs-config.yaml, its
literal keys canaries) is imported, rendered back with `--litellm-extra`, and both the original
and the rendered config are served by the real proxy, their endpoints pointed (the same way) at
two fake OpenAI-compatible backends that record every request:

1. both list the same models at /model/info, with the same litellm_params and limits;
2. each name is routed to the same backend, path, model and key by both (the second
   deployment of gpt-4o-mini is the documented loss: the rendered config routes to the first);
3. `import litellm --url` reads the running proxy's /model/info into the same entries as the
   file (but for keys, which the proxy never shows), and no canary is ever printed or written.
"""

from __future__ import annotations

import secrets
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cli.main import main as cli
from tests.support.litellm_configs import KEY_CANARY, MASTER_CANARY, TODO_NAME, docs_config_text, import_args
from tests.support.peers import FakeOpenAIBackend, LiteLLMProxy, RecordedRequest, require_peer

pytestmark = pytest.mark.integration

GROUP = "gpt-4o-mini"
# Names whose endpoint can be a local fake (Bedrock signs for AWS, Vertex AI needs Google's
# credentials, and gpt-4o/embeddings use OpenAI's default endpoint): listed, not routed.
ROUTED = ("azure-gpt-4o", "llama3", TODO_NAME, "qwen2.5-7b-instruct", GROUP)
KEYS = (
    "OPENAI_API_KEY",
    "AZURE_API_KEY",
    "AZURE_EU_API_KEY",
    "VLLM_API_KEY",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
)


def run(*args: str, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(cli, list(args), env=env or {}, catch_exceptions=False)


def no_canary(*texts: str) -> None:
    for text in texts:
        assert KEY_CANARY not in text and MASTER_CANARY not in text


@dataclass(frozen=True)
class Served:
    original: LiteLLMProxy
    rendered: LiteLLMProxy
    backends: dict[str, FakeOpenAIBackend]  # "a" / "b"
    work: Path
    outputs: str  # everything import and render printed
    served_config: Path  # the original, pointed at the fakes

    def get(self, proxy: LiteLLMProxy, path: str) -> Any:
        response = httpx.get(
            proxy.base_url + path, headers={"Authorization": f"Bearer {MASTER_CANARY}"}, timeout=30
        )
        assert response.status_code == 200, response.text
        return response.json()

    def route(self, proxy: LiteLLMProxy, model: str) -> set[tuple[str, str, str, str]]:
        """(backend, path, model sent, key sent) of every request the call made."""
        nonce = secrets.token_hex(6)
        httpx.post(
            proxy.base_url + "/v1/chat/completions",
            headers={"Authorization": f"Bearer {MASTER_CANARY}"},
            json={"model": model, "messages": [{"role": "user", "content": f"hi {nonce}"}], "stream": False},
            timeout=60,
        )
        seen: set[tuple[str, str, str, str]] = set()
        for label, backend in self.backends.items():
            for request in backend.requests:
                if request.method == "POST" and nonce.encode() in request.raw_body:
                    seen.add((label, request.path, _model(request), _key(request)))
        return seen


def _model(request: RecordedRequest) -> str:
    return str(request.body.get("model")) if isinstance(request.body, dict) else ""


def _key(request: RecordedRequest) -> str:
    return request.header("api-key") or request.header("authorization") or ""


def _point(text: str, a: str, b: str) -> str:
    """The config's endpoints, pointed at the two fakes (the same way for both configs)."""
    for real, fake in (
        ("https://my-resource.openai.azure.com", a),
        ("https://api.openai.com/v1", f"{a}/v1"),
        ("http://localhost:11434", a),
        ("https://my-eu-resource.openai.azure.com", b),
        ("http://vllm-qwen.inference.svc.cluster.local:8000/v1", f"{b}/v1"),
    ):
        text = text.replace(real, fake)
    return text


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    require_peer("litellm")
    work = tmp_path_factory.mktemp("import-litellm")
    config = work / "config.yaml"
    config.write_text(docs_config_text())
    contract, extra, out = work / "install-contract.yaml", work / "litellm-extra.yaml", work / "rendered"
    imported = run(*import_args(config, contract, extra))
    assert imported.exit_code == 0, imported.output
    rendered = run("render", str(contract), "--out", str(out), "--litellm-extra", str(extra))
    assert rendered.exit_code == 0, rendered.output
    outputs = imported.output + rendered.output
    no_canary(outputs, contract.read_text(), extra.read_text(), (out / "litellm" / "config.yaml").read_text())

    keys = {var: f"{var.lower()}-{secrets.token_hex(6)}" for var in KEYS}
    with FakeOpenAIBackend(models=["qwen2.5-7b-instruct"]) as a, FakeOpenAIBackend() as b:
        served_config = work / "served-original.yaml"
        served_config.write_text(_point(config.read_text(), a.url, b.url))
        served_rendered = work / "served-rendered.yaml"
        served_rendered.write_text(_point((out / "litellm" / "config.yaml").read_text(), a.url, b.url))
        assert "my-eu-resource" not in served_rendered.read_text()  # the second deployment
        assert "127.0.0.1" in served_rendered.read_text()
        moved = {
            "LITELLM_MASTER_KEY": MASTER_CANARY,
            "EMBEDDINGS_API_KEY": KEY_CANARY,
            "ROUTER_SETTINGS_REDIS_PASSWORD": KEY_CANARY,
        }
        with (
            LiteLLMProxy(served_config, keys) as original,
            LiteLLMProxy(served_rendered, {**keys, **moved}) as again,
        ):
            yield Served(original, again, {"a": a, "b": b}, work, outputs, served_config)


def _first_by_name(data: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for item in data:
        out.setdefault(item["model_name"], item)
    return out


def test_both_proxies_list_the_same_models_at_model_info(served: Served) -> None:
    before = served.get(served.original, "/model/info")["data"]
    after = served.get(served.rendered, "/model/info")["data"]
    assert len(before) == 10 and len(after) == 9  # one deployment of gpt-4o-mini is not imported
    firsts, rendered = _first_by_name(before), _first_by_name(after)
    assert list(firsts) == list(rendered)
    for name, item in firsts.items():
        assert rendered[name]["litellm_params"] == item["litellm_params"], name
        for key in ("mode", "max_input_tokens", "base_model"):
            if item["model_info"].get(key) is not None:
                assert rendered[name]["model_info"][key] == item["model_info"][key], (name, key)
        assert rendered[name]["model_info"]["id"] == name


def test_the_same_names_route_to_the_same_backends(served: Served) -> None:
    for name in ROUTED:
        before = served.route(served.original, name)
        after = served.route(served.rendered, name)
        assert after, (name, served.rendered.log()[-2000:])
        if name == GROUP:
            # LiteLLM load-balances the original over both deployments; the rendered has the first.
            assert after == {
                (
                    "a",
                    "/v1/chat/completions",
                    "gpt-4o-mini-2024-07-18",
                    f"Bearer {_env(served, 'OPENAI_API_KEY')}",
                )
            }
            assert before <= after | {
                (
                    "b",
                    "/openai/deployments/gpt-4o-mini-eu/chat/completions",
                    "gpt-4o-mini-eu",
                    _env(served, "AZURE_EU_API_KEY"),
                ),
                (
                    "b",
                    "/openai/deployments/gpt-4o-mini-eu/chat/completions",
                    "",
                    _env(served, "AZURE_EU_API_KEY"),
                ),
            }, before
        else:
            assert before == after, name


def _env(served: Served, var: str) -> str:
    return served.original.env[var]


def test_import_url_reads_the_running_proxy(served: Served) -> None:
    from_file = run("import", "litellm", str(served.served_config), "--context-window", f"{TODO_NAME}=4096")
    assert from_file.exit_code == 0, from_file.output
    result = run(
        "import",
        "litellm",
        "--url",
        served.original.base_url,
        "--context-window",
        f"{TODO_NAME}=4096",
        env={"LITELLM_MASTER_KEY": MASTER_CANARY},
    )
    assert result.exit_code == 0, result.output
    no_canary(result.output, from_file.output)
    for secret in served.original.env.values():
        assert secret not in result.output
    by_url = {m["litellmModelName"]: m for m in yaml.safe_load(result.stdout)["models"]}
    by_file = {m["litellmModelName"]: m for m in yaml.safe_load(from_file.stdout)["models"]}
    assert list(by_url) == list(by_file)
    secret_fields = {"apiKey", "awsAccessKeyId", "awsSecretAccessKey"}
    # gpt-4o-mini, pointed at a local fake, is a self-hosted entry to the file import, which then
    # takes no cloud limits from its served name (a TODO); the proxy's model_info carries the
    # limits LiteLLM itself applies to that id.
    assert by_file[GROUP]["contextWindow"] == "TODO"
    assert (by_url[GROUP]["contextWindow"], by_url[GROUP]["maxTokens"]) == (128000, 16384)
    del by_file[GROUP], by_url[GROUP]
    for name, entry in by_file.items():
        assert {k: v for k, v in by_url[name].items() if k not in secret_fields} == {
            k: v for k, v in entry.items() if k not in secret_fields
        }, name
    # The proxy never shows keys: the entries read them from the variables render would name.
    assert by_url["gpt-4o"]["apiKey"] == "${GPT_4O_API_KEY}"
    assert f"warning: {GROUP} has 2 deployments" in result.stderr
    assert "model_list[gpt-4o].litellm_params: rpm, timeout" in result.stderr


def test_import_url_without_the_master_key_is_exit_3(served: Served) -> None:
    result = run("import", "litellm", "--url", served.original.base_url, env={"LITELLM_MASTER_KEY": ""})
    assert result.exit_code == 3
    # The real proxy without a database: 500 without a key, 400 for a wrong one.
    assert result.stderr.endswith("/model/info: HTTP 500: set LITELLM_MASTER_KEY to the proxy's master key\n")
    wrong = run(
        "import", "litellm", "--url", served.original.base_url, env={"LITELLM_MASTER_KEY": "sk-wrong-canary"}
    )
    assert wrong.exit_code == 3 and "sk-wrong-canary" not in wrong.output
    assert wrong.stderr.endswith("/model/info: HTTP 400: the proxy refused LITELLM_MASTER_KEY\n")
