"""Options more than one command takes: one definition each, so that a name, a default or a help
text cannot drift between commands (`apply` runs `check` with the same values)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import click

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


def all_of(decorators: Sequence[Decorator]) -> Decorator:
    """One decorator that applies `decorators` as if written above the function in this order."""

    def apply(fn: Callable[..., Any]) -> Callable[..., Any]:
        for decorator in reversed(decorators):
            fn = decorator(fn)
        return fn

    return apply


def format_option(*choices: str, help: str | None = None) -> Decorator:
    """`-f/--format`: the first choice is the default."""
    return click.option(
        "-f",
        "--format",
        "fmt",
        type=click.Choice(choices),
        default=choices[0],
        show_default=True,
        help=help,
    )


def file_option(*names: str, help: str) -> Decorator:
    """An option naming a FILE to write (`--add`, `--out`, `--keep-extra`): not a directory."""
    return click.option(*names, metavar="FILE", type=click.Path(dir_okay=False), help=help)


def env_option(verb: str = "Use") -> Decorator:
    """`--env NAME` (plan, apply, check): one environment's resolved contract."""
    return click.option(
        "--env",
        "env_name",
        metavar="NAME",
        help=f"{verb} environment NAME's resolved contract (environments: in the contract).",
    )


def catalog_option(help: str = "A newer LiteLLM model map.") -> Decorator:
    """`--catalog FILE` (validate, render, plan, apply, bundle): LiteLLM's model map to use
    instead of the packaged one; $INSTALL_CONTRACT_CATALOG when not given."""
    return click.option(
        "--catalog", "catalog_path", metavar="FILE", envvar="INSTALL_CONTRACT_CATALOG", help=help
    )


def contract_file_option(help: str) -> Decorator:
    """`--file FILE` (add, remove): the contract to edit, install-contract.yaml by default."""
    from cli import DEFAULT_FILE

    return click.option(
        "--file", "path", default=DEFAULT_FILE, show_default=True, type=click.Path(dir_okay=False), help=help
    )


def envs_option(help: str) -> Decorator:
    """`--env NAME`, repeatable (validate, render): the environments to take besides the base."""
    return click.option("--env", "env_names", multiple=True, metavar="NAME", help=help)


# The options of `check` that `plan` and `apply` share.
TIMEOUT = click.option(
    "--timeout",
    type=click.FloatRange(min=0.1, max=600),
    default=10.0,
    show_default=True,
    help="Seconds for each request and lookup (and each answer of the admin API, Unleash, Kubernetes).",
)
CA_BUNDLE = click.option(
    "--ca-bundle",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="PEM file of a private CA to trust (default: $SSL_CERT_FILE, else the system's).",
)
kube_options = all_of(
    [
        click.option(
            "--context",
            default=None,
            help="kubeconfig context (default: platform.kubernetes.context, else current).",
        ),
        click.option(
            "--namespace",
            default=None,
            help="Namespace of the check pods and of LiteLLM "
            "(default: platform.kubernetes.namespace, the context's, else default).",
        ),
        click.option(
            "--kubeconfig",
            default=None,
            type=click.Path(dir_okay=False),
            help="kubeconfig file (default: $KUBECONFIG).",
        ),
    ]
)
check_options = all_of(
    [
        TIMEOUT,
        click.option(
            "--concurrency",
            type=click.IntRange(min=1, max=512),
            default=None,
            help="Entries checked at once. Default: 64 from here (threads), 16 in the cluster (pods). "
            "apply also bounds its admin-API writes in flight by it (default 16, at most 64).",
        ),
        CA_BUNDLE,
        kube_options,
        click.option(
            "--image-registry",
            default=None,
            metavar="PREFIX",
            help="Mirror prefix for the check images (air-gapped sites).",
        ),
        click.option(
            "--dns-image", default=None, metavar="IMAGE", help="Image with nslookup [busybox:1.36]."
        ),
        click.option(
            "--curl-image", default=None, metavar="IMAGE", help="Image with curl [curlimages/curl:8.10.1]."
        ),
        click.option(
            "--image-pull-secret",
            "pull_secrets",
            multiple=True,
            metavar="NAME",
            help="Pull secret (repeatable).",
        ),
    ]
)
