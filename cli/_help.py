"""How `--help` reads: every command's whole summary, and the exit codes of each command.

click cuts a command's summary in a group's listing at about 45 characters or at the first
period ("Explain rule CODE (e.g."); `Group` shows the whole first paragraph instead, wrapped.
`exit_codes` makes the epilog that lists what each code means for one command.
"""

from __future__ import annotations

import click


def summary(command: click.Command) -> str:
    """The command's one-line summary: `short_help`, else the first paragraph of its help."""
    if command.short_help:
        return command.short_help
    import inspect  # only when help is shown

    text = inspect.cleandoc(command.help or "")
    first = text.split("\n\n", 1)[0]
    return " ".join(line.strip() for line in first.splitlines() if line.strip() != "\b")


class Group(click.Group):
    """A group whose command listing shows each summary whole."""

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, summary(command)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def exit_codes(codes: dict[int, str]) -> str:
    """An epilog listing `codes` (code -> meaning), kept as written by click (`\\b`)."""
    width = max(len(str(code)) for code in codes)
    lines = [f"  {str(code).ljust(width)}  {meaning}" for code, meaning in sorted(codes.items())]
    return "\b\nExit codes:\n" + "\n".join(lines)


# Meanings shared by most commands.
USAGE_MEANING = "usage error, or a file that cannot be read"
INTERRUPTED_MEANING = "interrupted (Ctrl-C)"
