"""`install-contract`: each command parses options, calls the library, reports, exits."""

from __future__ import annotations

import gc
import os
import sys
from typing import ClassVar

import click

from cli import DEFAULT_FILE
from cli._complete import SHELLS, complete_model_names, complete_rule_codes, complete_targets
from cli._exit import handled
from cli._help import INTERRUPTED_MEANING, USAGE_MEANING, Group, exit_codes
from cli._options import catalog_option, contract_file_option, envs_option, format_option
from cli._report import emit, finish, wants_colour
from contract import __version__
from contract.knowledge.targets import TARGETS

FORMATS = ("text", "json", "github", "sarif")


def _codes(values: tuple[str, ...], upper: bool = True) -> tuple[str, ...]:
    """Comma-separated or repeated option values, flattened."""
    items = (v.strip() for value in values for v in value.split(",") if v.strip())
    return tuple(v.upper() if upper else v for v in items)


class _Commands(Group):
    """The commands of this module, plus those of `LAZY`, imported only when they are run.

    `validate` is run on every commit, so its start-up must not pay for the HTTP, Kubernetes
    and archive code that `check`, `plan`/`apply`, `bundle` and `discover` import.
    """

    # name -> "module:attribute"; one line per command, e.g. "check": "cli.check:check"
    LAZY: ClassVar[dict[str, str]] = {
        "bundle": "cli.bundle:bundle",
        "check": "cli.check:check",
        "discover": "cli.discover:discover",
        "import": "cli.importer:import_group",
        "plan": "cli.apply:plan",
        "apply": "cli.apply:apply",
        "lsp": "cli.lsp:lsp_command",
        "resolve": "cli.envs:resolve",
        "diff": "cli.envs:diff",
    }

    # Commands that keep the collector the console script paused (cli/_entry.py): short runs
    # that make no cyclic garbage worth collecting. Every other command turns it back on.
    COLLECTOR_PAUSED: ClassVar[frozenset[str]] = frozenset({"validate"})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.LAZY})

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name, command, rest = super().resolve_command(ctx, args)
        if name not in self.COLLECTOR_PAUSED:
            gc.enable()
        return name, command, rest

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.LAZY:
            import importlib

            module, _, attr = self.LAZY[name].partition(":")
            command: click.Command = getattr(importlib.import_module(module), attr)
            return command
        return super().get_command(ctx, name)


@click.group(
    cls=_Commands,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog=exit_codes(
        {
            0: "success (warnings allowed)",
            1: "the contract has errors (or warnings with --strict); a refused change",
            2: USAGE_MEANING,
            3: "a system outside the tool failed (check, admin API, Unleash, Kubernetes, pip)",
            4: "plan --exit-code: changes are pending",
            70: "a bug in the tool (INSTALL_CONTRACT_DEBUG=1 shows the traceback)",
            130: INTERRUPTED_MEANING,
        }
    ),
)
@click.version_option(__version__, prog_name="install-contract")
def main() -> None:
    """Compile and validate install-contract.yaml: the LLMs a self-managed AI platform may use."""


@main.command(
    epilog=exit_codes(
        {0: "no errors (warnings allowed)", 1: "errors, or warnings with --strict", 2: USAGE_MEANING}
    )
)
@click.argument("files", nargs=-1)
@format_option(*FORMATS, help="Report format: text for people, json/github/sarif for CI.")
@click.option("--strict", is_flag=True, help="Warnings fail the run too (exit 1).")
@click.option("--check-env", is_flag=True, help="Report ${VAR} references whose variable is unset (IC304).")
@click.option(
    "--select",
    multiple=True,
    metavar="CODES",
    help="Only these rule codes or prefixes (IC3, IC301); comma-separated or repeated.",
)
@click.option("--ignore", multiple=True, metavar="CODES", help="Skip these rule codes or prefixes.")
@catalog_option("A newer LiteLLM model map (model_prices_and_context_window.json) to check models against.")
@click.option(
    "--color/--no-color",
    "colour",
    default=None,
    help="Colour the text report (default: when stdout is a terminal and NO_COLOR is unset).",
)
@envs_option("Validate the base and only environment NAME's resolved contract (repeatable).")
@click.option("--all-envs", is_flag=True, help="Validate the base and every environment (the default).")
@handled
def validate(
    files: tuple[str, ...],
    fmt: str,
    strict: bool,
    check_env: bool,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    catalog_path: str | None,
    colour: bool | None,
    env_names: tuple[str, ...],
    all_envs: bool,
) -> None:
    """Validate contract FILES (default: ./install-contract.yaml; - reads stdin).

    Exit 0 when there are no errors, 1 when there are (or warnings with --strict), 2 when a
    file cannot be read or the options are wrong.
    """
    from contract.pipeline.validate import check_codes
    from contract.workflows.validation import ValidateRequest, validate_files

    unknown = check_codes(_codes(select) + _codes(ignore))
    if unknown:
        raise click.UsageError(f"no rule code matches {', '.join(unknown)} (see `install-contract explain`)")
    request = ValidateRequest(
        files=files or (DEFAULT_FILE,),
        strict=strict,
        check_env=check_env,
        select=_codes(select),
        ignore=_codes(ignore),
        catalog_path=catalog_path,
        env=dict(os.environ),
        environments=env_names,
        all_envs=all_envs,
        stdin=lambda: sys.stdin.buffer.read(),
    )
    finish(validate_files(request), fmt, wants_colour(colour))


@main.command(epilog=exit_codes({0: "shown", 2: "no rule has that code"}))
@click.argument("code", required=False, shell_complete=complete_rule_codes)
@handled
def explain(code: str | None) -> None:
    """Explain rule CODE (e.g. IC301), with failing and passing examples; without CODE, list all rules."""
    from contract.workflows.reference import explain as explain_rules

    outcome = explain_rules(code)
    if outcome.problem is not None:
        raise click.UsageError(outcome.problem)
    finish(outcome)


@main.command(epilog=exit_codes({0: "printed or written", 2: USAGE_MEANING}))
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE instead of stdout.")
@handled
def schema(output: str | None) -> None:
    """Print the JSON Schema of install-contract.yaml (generated from the contract model)."""
    from contract.workflows.reference import write_schema

    finish(write_schema(output))


# --------------------------------------------------------------------------- catalog


@main.command(
    epilog=exit_codes({0: "listed (no match is an answer too)", 2: f"{USAGE_MEANING} (--catalog FILE)"})
)
@click.argument("query", required=False)
@click.option(
    "-p", "--provider", help="Only this provider: a display name (Anthropic) or a prefix (anthropic)."
)
@format_option("table", "json", help="table for people, json for tools.")
@click.option(
    "--catalog",
    "catalog_file",
    metavar="FILE",
    help="A LiteLLM model_prices_and_context_window.json to use instead of the packaged one "
    "(default: $INSTALL_CONTRACT_CATALOG).",
)
@handled
def catalog(query: str | None, provider: str | None, fmt: str, catalog_file: str | None) -> None:
    """List known models whose id contains QUERY (ignoring case): context window, max output,
    mode, tool support and where the facts come from."""
    from contract.workflows.listing import CatalogRequest, list_catalog

    finish(list_catalog(CatalogRequest(query, provider, catalog_file)), fmt)


# --------------------------------------------------------------------------- add


@main.command(epilog=exit_codes({0: "added", 1: "refused: nothing was written", 2: USAGE_MEANING}))
@click.argument("provider")
@click.argument("model")
@contract_file_option("The contract to add to (created when missing).")
@click.option("--name", help="litellmModelName (default: the model id; self-hosted: the HF id's last part).")
@click.option("--api-base", metavar="URL", help="apiBase (required for Azure and self-hosted).")
@click.option(
    "--api-key-env", metavar="VAR", help="Read apiKey from ${VAR} (default: the provider's variable)."
)
@click.option("--context-window", type=click.IntRange(min=1), help="contextWindow (default: the catalog's).")
@click.option(
    "--max-tokens",
    type=click.IntRange(min=1),
    help="maxTokens (default: the catalog's output limit, capped).",
)
@click.option("--aws-region", metavar="REGION", help="Bedrock: awsRegion (default: us-west-2).")
@click.option("--deployment", metavar="NAME", help="Azure: the deployment name (default: the model id).")
@click.option(
    "--tool-call-parser",
    metavar="PARSER",
    help="Self-hosted: vLLM's --tool-call-parser (default: by family).",
)
@click.option("--api-version", metavar="DATE", help="Azure: apiVersion (default: 2024-10-21).")
@click.option(
    "--aws-auth",
    type=click.Choice(("keys", "role")),
    help="Bedrock: keys writes the ${AWS_…} key pair (default); role writes none (the pod's IAM role).",
)
@click.option(
    "--flag",
    "flags",
    multiple=True,
    metavar="NAME",
    help="Add the entry to this featureFlags flag (repeatable).",
)
@click.option(
    "--gpus",
    type=click.IntRange(min=0),
    help="Self-hosted: GPUs the server gets (default: sized from the weights, as IC205 does; 0 serves on CPUs).",
)
@click.option(
    "--gpu-memory",
    "gpu_memory",
    type=click.FloatRange(min=0, min_open=True),
    metavar="GIB",
    help="Self-hosted: memory of one GPU in GiB (default: 80).",
)
@handled
def add(
    provider: str,
    model: str,
    path: str,
    name: str | None,
    api_base: str | None,
    api_key_env: str | None,
    context_window: int | None,
    max_tokens: int | None,
    aws_region: str | None,
    deployment: str | None,
    tool_call_parser: str | None,
    api_version: str | None,
    aws_auth: str | None,
    flags: tuple[str, ...],
    gpus: int | None,
    gpu_memory: float | None,
) -> None:
    """Add MODEL of PROVIDER to the contract, filled from the model catalog.

    PROVIDER is a display name or prefix (Anthropic, openai, azure, bedrock, gemini,
    self-hosted); for self-hosted, MODEL is the Hugging Face id. The entry is appended to
    models:, the rest of the file is kept byte for byte, and nothing is written unless the
    result validates without errors. Exit 1 when the add is refused.
    """
    from contract.workflows.edit import AddRequest
    from contract.workflows.editing import add_model

    request = AddRequest(
        provider=provider,
        model=model,
        name=name,
        api_base=api_base,
        api_key_env=api_key_env,
        context_window=context_window,
        max_tokens=max_tokens,
        aws_region=aws_region,
        deployment=deployment,
        tool_call_parser=tool_call_parser,
        api_version=api_version,
        aws_auth=aws_auth,
        flags=_codes(flags),
        gpus=gpus,
        gpu_memory_gib=gpu_memory,
    )
    finish(add_model(path, request))


# --------------------------------------------------------------------------- remove


@main.command(epilog=exit_codes({0: "removed", 1: "refused: nothing was written", 2: USAGE_MEANING}))
@click.argument("name", shell_complete=complete_model_names)
@contract_file_option("The contract to remove from.")
@click.option("--from-flags", is_flag=True, help="Also take NAME out of the featureFlags that name it.")
@handled
def remove(name: str, path: str, from_flags: bool) -> None:
    """Remove the entry NAME (its litellmModelName) from the contract.

    Every other byte of the file is kept, comments included. Refused while a featureFlags
    flag names the entry, unless --from-flags removes it there too; nothing is written unless
    the result validates without errors. Exit 1 when the removal is refused.
    """
    from contract.workflows.editing import remove_model

    finish(remove_model(path, name, from_flags=from_flags))


# --------------------------------------------------------------------------- init


@main.command(epilog=exit_codes({0: "written", 1: "FILE exists (--force overwrites it)", 2: USAGE_MEANING}))
@click.argument("file", default=DEFAULT_FILE, required=False, type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Overwrite FILE if it exists.")
@handled
def init(file: str, force: bool) -> None:
    """Write a starter contract to FILE (default: ./install-contract.yaml).

    One live Anthropic entry, and commented-out examples for a cloud API, Azure OpenAI, AWS
    Bedrock, embeddings, a self-hosted vLLM model, featureFlags and environments. Exit 1 when FILE exists
    (unless --force).
    """
    from contract.workflows.editing import write_starter

    finish(write_starter(file, force=force))


@main.command(
    epilog=exit_codes(
        {
            0: "rendered; with --check: DIR is up to date",
            1: "the contract has errors, a template override is broken; with --check: DIR is stale",
            2: f"{USAGE_MEANING}; an unknown target; a DIR render may not replace",
        }
    )
)
@click.argument("file", default=DEFAULT_FILE)
@click.option(
    "-o", "--out", "out_dir", required=True, metavar="DIR", help="Output directory (replaced whole)."
)
@click.option(
    "-t",
    "--target",
    "targets",
    multiple=True,
    metavar="T,…",
    shell_complete=complete_targets,
    help=f"{', '.join(TARGETS)}; comma-separated or repeated (default: all that apply); "
    "gitops: the Kustomize/Argo CD/Flux tree of every environment.",
)
@click.option(
    "--templates", metavar="DIR", help="A directory of template overrides (same names as templates/)."
)
@click.option(
    "--check",
    is_flag=True,
    help="Write nothing; exit 1 when DIR is stale, with a unified diff of each changed file and the "
    "files that would be added or removed.",
)
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors (the exit code says the rest).")
@catalog_option()
@click.option(
    "--registry",
    metavar="HOST[/PREFIX]",
    help="A mirror registry: every image in the Helm values points there (written explicitly).",
)
@click.option(
    "--litellm-extra",
    "extra_path",
    metavar="FILE",
    help="LiteLLM settings the contract does not model (import litellm --keep-extra), merged into the config.",
)
@envs_option("Render environment NAME's resolved contract under DIR/NAME/ (repeatable).")
@click.option("--all-envs", is_flag=True, help="Render every environment, each under DIR/<env>/.")
@handled
def render(
    file: str,
    out_dir: str,
    targets: tuple[str, ...],
    templates: str | None,
    check: bool,
    quiet: bool,
    catalog_path: str | None,
    registry: str | None,
    extra_path: str | None,
    env_names: tuple[str, ...],
    all_envs: bool,
) -> None:
    """Compile FILE into the LiteLLM config, `vllm serve` arguments and Helm values under DIR.

    An invalid contract renders nothing (exit 1, with the diagnostics). With --check, exit 0
    when DIR is current and 1 when it is stale, for CI drift checks. With --env NAME or
    --all-envs, each environment's artifacts go under DIR/<env>/; --target gitops writes the
    Kustomize base and overlays, Argo CD ApplicationSet and Flux Kustomizations instead.
    """
    from contract.reporting.rendering import diagnostics_before
    from contract.workflows.rendering import RenderRequest, render_contract

    request = RenderRequest(
        file=file,
        out_dir=out_dir,
        targets=_codes(targets, upper=False),
        templates=templates,
        check=check,
        quiet=quiet,
        catalog_path=catalog_path,
        registry=registry,
        extra_path=extra_path,
        environments=env_names,
        all_envs=all_envs,
        env=dict(os.environ),
        stdin=lambda: sys.stdin.buffer.read(),
    )
    outcome = render_contract(request, on_validated=lambda result: emit(diagnostics_before(result, quiet)))
    if outcome.usage is not None:
        raise click.UsageError(outcome.usage)
    finish(outcome)


# --------------------------------------------------------------------------- completion


@main.command(epilog=exit_codes({0: "printed", 2: "a shell other than bash, zsh or fish"}))
@click.argument("shell", type=click.Choice(SHELLS))
@handled
def completion(shell: str) -> None:
    """Print the shell completion script for SHELL (bash, zsh or fish).

    It completes commands and options, rule codes for `explain`, model names of the contract
    for `check --model`, and targets for `render --target`. Load it in the current shell, or
    put the line in your shell's start-up file:

    \b
      bash:  eval "$(install-contract completion bash)"       (~/.bashrc)
      zsh:   eval "$(install-contract completion zsh)"        (~/.zshrc)
      fish:  install-contract completion fish | source        (~/.config/fish/config.fish)
    """
    from cli._complete import script

    click.echo(script(shell, main), nl=False)


if __name__ == "__main__":  # pragma: no cover
    main()
