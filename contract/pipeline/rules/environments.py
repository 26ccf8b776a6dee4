"""IC7xx: `environments:`. These read the environments as written; every environment's
resolved contract then runs through all the other rules (see contract/pipeline/envrun.py)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from contract.diagnostics import Severity
from contract.knowledge import catalog, secrets
from contract.pipeline.rules.registry import Finding, rule


@dataclass(frozen=True)
class EnvironmentsView:
    """The whole document, for rules that compare environments with the base models."""

    data: dict[str, Any]

    @property
    def model_names(self) -> list[str]:
        models = self.data.get("models")
        if not isinstance(models, list):
            return []
        return [
            m["litellmModelName"]
            for m in models
            if isinstance(m, dict) and isinstance(m.get("litellmModelName"), str)
        ]

    def environments(self) -> Iterator[tuple[str, dict[str, Any]]]:
        envs = self.data.get("environments")
        if isinstance(envs, dict):
            for name, body in envs.items():
                if isinstance(name, str) and isinstance(body, dict):
                    yield name, body


@rule("IC701", "environment-unknown-model", Severity.ERROR, scope="environment")
def unknown_model(view: EnvironmentsView) -> Iterator[Finding]:
    """An environment's `only:`, `except:` or `overrides:` names a model `models:` does not have.

    Environments select and change the base models by litellmModelName; a name that matches
    none (a typo, a model renamed or removed) silently selects or changes nothing, so the
    environment gets models it should not, or misses the change.

    Fails:

        environments:
          dev:
            only: [gpt-4o, gpt-4o-mini]
        environments:
          prod:
            overrides:
              gpt4o: {maxTokens: 4096}

    Passes:

        environments:
          dev:
            only: [gpt-4o]
            overrides:
              gpt-4o: {maxTokens: 4096}
    """
    known = view.model_names
    names = set(known)
    for env, body in view.environments():
        for key in ("only", "except"):
            listed = body.get(key)
            if isinstance(listed, list):
                for i, name in enumerate(listed):
                    if isinstance(name, str) and name not in names:
                        yield _unknown(env, name, ("environments", env, key, i), known, at_key=False)
        overrides = body.get("overrides")
        if isinstance(overrides, dict):
            for name in overrides:
                if isinstance(name, str) and name not in names:
                    yield _unknown(env, name, ("environments", env, "overrides", name), known, at_key=True)


def _unknown(env: str, name: str, path: tuple[str | int, ...], known: list[str], *, at_key: bool) -> Finding:
    near = catalog.nearest(name, known)
    hint = f"did you mean {near}?" if near else f"models are: {', '.join(known) or 'none'}"
    return Finding(
        f"environment {env}: {name!r} is not the litellmModelName of any model",
        path,
        hint=hint,
        at_key=at_key,
    )


@rule("IC702", "environment-secret-variable", Severity.ERROR, scope="environment")
def secret_variable(view: EnvironmentsView) -> Iterator[Finding]:
    """An environment's `variables:` holds a secret: a name like one, or one a secret field reads.

    `variables:` are written into the contract file, and so into Git and the rendered tree.
    A key, token or password belongs in the environment (or a Kubernetes Secret) that
    `${VAR}` reads at run time, never in the file.

    Fails:

        models:
          - litellmModelName: gpt-4o
            apiKey: ${OPENAI_KEY_DEV}
        environments:
          dev:
            variables: {OPENAI_KEY_DEV: sk-not-a-real-key}
        environments:
          dev:
            variables: {OPENAI_API_KEY: sk-not-a-real-key}

    Passes:

        environments:
          dev:
            variables: {INFERENCE_HOST: vllm.dev.svc.cluster.local}
    """
    for env, name, _value, why in secret_variables(view):
        yield Finding(
            f"environment {env}: variable {name} {why}; variables are not for secrets",
            ("environments", env, "variables", name),
            hint=f"remove it from variables: and export {name} where the platform runs "
            "(or keep it in the LiteLLM Secret)",
            at_key=True,
        )


def secret_variables(view: EnvironmentsView) -> Iterator[tuple[str, str, Any, str]]:
    """(environment, variable, value, why) for each variable of `variables:` that is a secret.

    The validation engine also masks these values in every report (contract/pipeline/envrun.py)."""
    from contract.pipeline.environments import secret_references

    read_by_secrets = set(secret_references(view.data))
    for env, body in view.environments():
        variables = body.get("variables")
        if not isinstance(variables, dict):
            continue
        for name, value in variables.items():
            if not isinstance(name, str):
                continue
            if secrets.is_secret_key(name):
                why = "is named like a secret"
            elif name in read_by_secrets:
                why = "is read by a secret field (apiKey, awsAccessKeyId, hfToken, ...)"
            else:
                continue
            yield env, name, value, why


@rule("IC703", "environment-no-models", Severity.ERROR, scope="environment")
def no_models(view: EnvironmentsView) -> Iterator[Finding]:
    """An environment's `only:` and `except:` leave it no model at all.

    An environment without models renders an empty LiteLLM config: every request to the
    platform there fails. Keep at least one model, or remove the environment.

    Fails:

        environments:
          dev:
            except: [gpt-4o, text-embedding-3-large]

    Passes:

        environments:
          dev:
            except: [text-embedding-3-large]
    """
    names = view.model_names
    if not names:
        return
    for env, body in view.environments():
        only, drop = body.get("only"), body.get("except")
        kept = [n for n in names if not isinstance(only, list) or n in only]
        kept = [n for n in kept if not isinstance(drop, list) or n not in drop]
        if not kept:
            key = "only" if isinstance(only, list) else "except"
            yield Finding(
                f"environment {env}: {key}: leaves no model",
                ("environments", env, key),
                hint="keep at least one model of models: in this environment",
            )
