"""`install-contract`: each command parses options, calls the library, reports, exits."""

from __future__ import annotations

import gc
import os
import sys
from typing import TYPE_CHECKING, ClassVar

import click

from cli._complete import SHELLS, complete_model_names, complete_rule_codes, complete_targets
from cli._exit import USAGE, handled, validation_code
from cli._help import INTERRUPTED_MEANING, USAGE_MEANING, Group, exit_codes
from contract import __version__
from contract.targets import TARGETS

if TYPE_CHECKING:
    from contract.validate import Result

DEFAULT_FILE = "install-contract.yaml"
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
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="Report format: text for people, json/github/sarif for CI.",
)
@click.option("--strict", is_flag=True, help="Warnings fail the run too (exit 1).")
@click.option("--check-env", is_flag=True, help="Report ${VAR} references whose variable is unset (IC304).")
@click.option(
    "--select",
    multiple=True,
    metavar="CODES",
    help="Only these rule codes or prefixes (IC3, IC301); comma-separated or repeated.",
)
@click.option("--ignore", multiple=True, metavar="CODES", help="Skip these rule codes or prefixes.")
@click.option(
    "--catalog",
    "catalog_path",
    metavar="FILE",
    envvar="INSTALL_CONTRACT_CATALOG",
    help="A newer LiteLLM model map (model_prices_and_context_window.json) to check models against.",
)
@click.option(
    "--color/--no-color",
    "colour",
    default=None,
    help="Colour the text report (default: when stdout is a terminal and NO_COLOR is unset).",
)
@click.option(
    "--env",
    "env_names",
    multiple=True,
    metavar="NAME",
    help="Validate the base and only environment NAME's resolved contract (repeatable).",
)
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
    from contract.errors import InputError
    from contract.reporters import REPORTERS
    from contract.rules import Options
    from contract.validate import Selection, check_codes, validate_bytes, validate_file

    selection = Selection(_codes(select), _codes(ignore))
    unknown = check_codes(selection.select + selection.ignore)
    if unknown:
        raise click.UsageError(f"no rule code matches {', '.join(unknown)} (see `install-contract explain`)")
    if catalog_path:
        from contract.catalog import load_catalog

        load_catalog(catalog_path)  # a bad file fails here, once, with exit 2
    options = Options(
        check_env=check_env,
        env=dict(os.environ),
        catalog_path=catalog_path,
        environments=env_names or None,
    )
    results = []
    unreadable = False
    for path in files or (DEFAULT_FILE,):
        try:
            if path == "-":
                results.append(
                    validate_bytes(
                        sys.stdin.buffer.read(), file="<stdin>", options=options, selection=selection
                    )
                )
            else:
                results.append(validate_file(path, options, selection))
        except InputError as exc:
            click.echo(f"install-contract: {exc}", err=True)
            unreadable = True
    if env_names or all_envs:
        from cli.envs import check_choice

        check_choice(results, env_names, all_envs)
    if results:
        if colour is None:
            colour = sys.stdout.isatty() and "NO_COLOR" not in os.environ
        click.echo(REPORTERS[fmt](results, colour), nl=False, color=colour)
    sys.exit(USAGE if unreadable else validation_code(results, strict))


@main.command(epilog=exit_codes({0: "shown", 2: "no rule has that code"}))
@click.argument("code", required=False, shell_complete=complete_rule_codes)
@handled
def explain(code: str | None) -> None:
    """Explain rule CODE (e.g. IC301), with failing and passing examples; without CODE, list all rules."""
    from contract.catalog import nearest
    from contract.rules import RULES

    if code is None:
        for rule in sorted(RULES.values(), key=lambda r: r.code):
            click.echo(f"{rule.code}  {rule.name:<28} {rule.severity.value:<8} {rule.summary}")
        return
    found = RULES.get(code.upper())
    if found is None:
        guess = nearest(code.upper(), RULES) or nearest(code.lower(), {r.name: c for c, r in RULES.items()})
        hint = f"; did you mean {guess}?" if guess else ""
        raise click.UsageError(f"no rule {code!r}{hint} (`install-contract explain` lists them)")
    click.echo(f"{found.code} {found.name} (default severity: {found.severity.value})\n")
    click.echo(found.doc)


@main.command(epilog=exit_codes({0: "printed or written", 2: USAGE_MEANING}))
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE instead of stdout.")
@handled
def schema(output: str | None) -> None:
    """Print the JSON Schema of install-contract.yaml (generated from the contract model)."""
    from contract.schema import schema_text
    from contract.writing import write_atomic

    text = schema_text()
    if output:
        write_atomic(output, text.encode("utf-8"))
    else:
        click.echo(text, nl=False)


# --------------------------------------------------------------------------- catalog


@main.command(
    epilog=exit_codes({0: "listed (no match is an answer too)", 2: f"{USAGE_MEANING} (--catalog FILE)"})
)
@click.argument("query", required=False)
@click.option(
    "-p", "--provider", help="Only this provider: a display name (Anthropic) or a prefix (anthropic)."
)
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(("table", "json")),
    default="table",
    show_default=True,
    help="table for people, json for tools.",
)
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
    from contract.catalog import load_catalog
    from contract.listing import catalog_label, catalog_rows, no_match_message, render_json, render_table

    known = load_catalog(catalog_file)
    rows = catalog_rows(known, query, provider)
    if fmt == "json":
        click.echo(render_json(rows))
    elif rows:
        click.echo(render_table(rows, catalog_label(catalog_file), known.source))
    else:
        click.echo(no_match_message(query, provider))


# --------------------------------------------------------------------------- add


@main.command(epilog=exit_codes({0: "added", 1: "refused: nothing was written", 2: USAGE_MEANING}))
@click.argument("provider")
@click.argument("model")
@click.option(
    "--file",
    "path",
    default=DEFAULT_FILE,
    show_default=True,
    type=click.Path(dir_okay=False),
    help="The contract to add to (created when missing).",
)
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
    import dataclasses

    from cli._exit import FAILED
    from contract.edit import AddRequest, apply_add, plan_add
    from contract.reporters import render_text

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
    outcome = plan_add(path, request)
    if outcome.data is None:
        _refused(outcome.error, outcome.hint, outcome.result)
        sys.exit(FAILED)
    apply_add(outcome, path)
    click.echo(outcome.entry_yaml, nl=False)
    for note in outcome.notes:
        click.echo(f"note: {note}", err=True)
    if outcome.warnings and outcome.result is not None:
        own = dataclasses.replace(outcome.result, diagnostics=outcome.warnings)
        click.echo(render_text([own]), err=True, nl=False)
    action = "created" if outcome.created else "updated"
    click.echo(f"added {outcome.name} ({outcome.litellm_model}) to {path} ({action})")


def _refused(error: str | None, hint: str | None, result: Result | None) -> None:
    """Why an edit was refused. The errors of the would-be file are named by where they are in
    the contract (`models[3].vllm`), never by a line of a file that was not written."""
    from contract.secrets import mask

    click.echo(f"install-contract: {error}", err=True)
    if hint:
        click.echo(f"  hint: {hint}", err=True)
    if result is None:
        return
    for d in result.diagnostics:
        if d.severity.value != "error":
            continue
        where = _pointer_words(d.path)
        click.echo(f"  error {d.code} {where}: {mask(d.message, result.secrets)}", err=True)
        if d.hint:
            click.echo(f"    hint: {mask(d.hint, result.secrets)}", err=True)


def _pointer_words(pointer: str) -> str:
    """`/models/3/vllm` -> models[3].vllm."""
    out = ""
    for part in pointer.strip("/").split("/") if pointer.strip("/") else []:
        part = part.replace("~1", "/").replace("~0", "~")
        out += f"[{part}]" if part.isdigit() else (f".{part}" if out else part)
    return out or "the contract"


# --------------------------------------------------------------------------- remove


@main.command(epilog=exit_codes({0: "removed", 1: "refused: nothing was written", 2: USAGE_MEANING}))
@click.argument("name", shell_complete=complete_model_names)
@click.option(
    "--file",
    "path",
    default=DEFAULT_FILE,
    show_default=True,
    type=click.Path(dir_okay=False),
    help="The contract to remove from.",
)
@click.option("--from-flags", is_flag=True, help="Also take NAME out of the featureFlags that name it.")
@handled
def remove(name: str, path: str, from_flags: bool) -> None:
    """Remove the entry NAME (its litellmModelName) from the contract.

    Every other byte of the file is kept, comments included. Refused while a featureFlags
    flag names the entry, unless --from-flags removes it there too; nothing is written unless
    the result validates without errors. Exit 1 when the removal is refused.
    """
    from cli._exit import FAILED
    from contract.edit import apply_remove, plan_remove

    outcome = plan_remove(path, name, from_flags=from_flags)
    if outcome.data is None:
        _refused(outcome.error, outcome.hint, outcome.result)
        sys.exit(FAILED)
    apply_remove(outcome, path)
    for flag in outcome.flags:
        click.echo(f"removed {name} from featureFlags.{flag}")
    click.echo(f"removed {name} from {path}")


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
    from cli._exit import FAILED
    from contract.starter import STARTER
    from contract.writing import write_atomic

    if os.path.exists(file) and not force:
        click.echo(f"install-contract: {file} already exists; --force overwrites it", err=True)
        sys.exit(FAILED)
    write_atomic(file, STARTER.encode("utf-8"))
    click.echo(f"wrote {file}: edit it, then run `install-contract validate {file}`")


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
@click.option(
    "--catalog",
    "catalog_path",
    metavar="FILE",
    envvar="INSTALL_CONTRACT_CATALOG",
    help="A newer LiteLLM model map.",
)
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
@click.option(
    "--env",
    "env_names",
    multiple=True,
    metavar="NAME",
    help="Render environment NAME's resolved contract under DIR/NAME/ (repeatable).",
)
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

    from cli._report import echo_diagnostics
    from contract.render import check_out_dir, differences, write_tree
    from contract.render import render as compile_contract
    from contract.rules import Options
    from contract.validate import read_contract, validate_bytes

    if not check:
        check_out_dir(out_dir, file)
    litellm_extra = None
    if extra_path:
        from contract.importer.extra import read_extra

        litellm_extra = read_extra(extra_path)
    if env_names or all_envs or "gitops" in _codes(targets, upper=False):
        from cli.envs import render_environments

        render_environments(
            file,
            out_dir,
            env_names,
            all_envs,
            _codes(targets, upper=False),
            check,
            catalog_path,
            templates=templates,
            registry=registry,
            litellm_extra=litellm_extra,
            quiet=quiet,
        )
        return
    raw = sys.stdin.buffer.read() if file == "-" else read_contract(file)
    result = validate_bytes(raw, file=file, options=Options(env=dict(os.environ), catalog_path=catalog_path))
    echo_diagnostics(result, quiet)
    if result.errors or result.contract is None:
        click.echo("install-contract: the contract has errors; nothing was rendered", err=True)
        sys.exit(1)
    rendering = compile_contract(
        result.contract,
        source_name=os.path.basename(file) if file != "-" else "<stdin>",
        source_bytes=raw,
        targets=_codes(targets, upper=False),
        templates=templates,
        catalog_path=catalog_path,
        registry=registry,
        litellm_extra=litellm_extra,
    )
    if check:
        # The contract's literal secrets, should a file on disk have been edited to hold one.
        stale = differences(out_dir, rendering.files, masked=sorted(result.secrets))
        if not quiet:
            for found in stale:
                click.echo(str(found))
                click.echo(found.diff, nl=False)
            click.echo(f"{out_dir}: {'stale, render again' if stale else 'up to date'}")
        sys.exit(1 if stale else 0)
    write_tree(out_dir, rendering.files)
    if quiet:
        return
    for warning in rendering.warnings:
        click.echo(f"warning: {warning}", err=True)
    # one write, not one per file (ten thousand at scale)
    click.echo("\n".join(f"wrote {os.path.join(out_dir, path)}" for path in rendering.files))
    click.echo("LiteLLM reads these environment variables: " + ", ".join(rendering.env.all()))
    for var, where in sorted(rendering.env.from_literals.items()):
        click.echo(
            f"  {var}: the literal {where.split(' ', 1)[1]} of {where.split(' ', 1)[0]}; put it in the "
            "environment and write ${" + var + "} in the contract"
        )


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
