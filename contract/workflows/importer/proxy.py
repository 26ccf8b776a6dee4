"""A running LiteLLM proxy's models: `GET /model/info`, read as a config's `model_list`.

The proxy answers `{"data": [{"model_name", "litellm_params", "model_info"}, …]}` with every
key removed or masked (`api_key`, `aws_*`, `vertex_credentials`), and with LiteLLM's own model
map merged into each `model_info`. The master key (`LITELLM_MASTER_KEY`) is sent as a bearer
token and never appears in a message.
"""

from __future__ import annotations

from typing import Any

from contract.errors import ExternalError, UsageError

MODEL_INFO_PATH = "/model/info"


def _base(url: str) -> str:
    from urllib.parse import urlsplit

    base = url.strip().rstrip("/")
    for suffix in (MODEL_INFO_PATH, "/v1"):
        if base.endswith(suffix):
            base = base[: -len(suffix)]
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"--url {url!r} is not an http(s) URL of a LiteLLM proxy")
    if parts.password or parts.username:
        raise UsageError(
            "--url must not carry a user or password; the master key comes from LITELLM_MASTER_KEY"
        )
    return base


def fetch_model_info(
    url: str, master_key: str | None, *, timeout: float = 10.0, ca_bundle: str | None = None
) -> dict[str, Any]:
    """The proxy's deployments as a LiteLLM config document: `{"model_list": [...]}`.

    Raises UsageError for a URL that is not one, ExternalError when the proxy is down,
    refuses the key (401/403) or answers something that is not `/model/info`'s shape.
    """
    from contract.clients.http import RetryPolicy, Unavailable, new_client, request

    base = _base(url)
    headers = {"Authorization": f"Bearer {master_key}"} if master_key else {}
    retry = RetryPolicy(attempts=2, timeout=timeout * 2, wait_initial=0.1, wait_max=0.5, wait_jitter=0.1)
    with new_client(base, timeout=timeout, ca_bundle=ca_bundle, headers=headers) as client:
        try:
            response = request(client, "GET", MODEL_INFO_PATH, retry=retry)
        except Unavailable as exc:
            raise ExternalError(f"{base}: the LiteLLM proxy did not answer ({exc})") from None
    if response.status_code != 200:
        # LiteLLM 1.106.2 without a database answers a missing key with 500 and a wrong one
        # with 400 ("No connected db."); the answer's text is not shown (it may quote the key).
        if not master_key:
            why = ": set LITELLM_MASTER_KEY to the proxy's master key"
        elif response.status_code in (400, 401, 403):
            why = ": the proxy refused LITELLM_MASTER_KEY"
        else:
            why = ""
        raise ExternalError(f"{base}{MODEL_INFO_PATH}: HTTP {response.status_code}{why}")
    try:
        answer = response.json()
    except ValueError:
        raise ExternalError(f"{base}{MODEL_INFO_PATH}: the answer is not JSON") from None
    data = answer.get("data") if isinstance(answer, dict) else None
    if not isinstance(data, list):
        raise ExternalError(
            f"{base}{MODEL_INFO_PATH}: the answer has no data list (is this a LiteLLM proxy?)"
        )
    return {"model_list": data}
