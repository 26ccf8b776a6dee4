"""`install-contract`: each command parses options, calls the library, reports, exits."""

from __future__ import annotations

import os
import sys

import click

from cli._exit import USAGE, handled, validation_code
from contract import __version__

DEFAULT_FILE = "install-contract.yaml"
FORMATS = ("text", "json", "github", "sarif")


def _codes(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(v.strip().upper() for value in values for v in value.split(",") if v.strip())


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="install-contract")
def main() -> None:
    """Compile and validate install-contract.yaml: the LLMs a self-managed AI platform may use."""


@main.command()
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
    options = Options(check_env=check_env, env=dict(os.environ), catalog_path=catalog_path)
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
    if results:
        if colour is None:
            colour = sys.stdout.isatty() and "NO_COLOR" not in os.environ
        click.echo(REPORTERS[fmt](results, colour), nl=False, color=colour)
    sys.exit(USAGE if unreadable else validation_code(results, strict))


@main.command()
@click.argument("code", required=False)
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


@main.command()
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


if __name__ == "__main__":  # pragma: no cover
    main()
