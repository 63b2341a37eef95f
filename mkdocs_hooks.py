"""MkDocs hooks: the CLI reference page is generated from the commands themselves (`logistics` is installed),
so it cannot drift from the code."""

from __future__ import annotations

from typing import Any

MARKER = "<!-- cli-reference -->"


def _command_markdown(name: str, command: Any) -> list[str]:
    import click

    lines = [f"## `logistics {name}`", ""]
    help_text = (command.help or "").strip()
    if help_text:
        lines += [" ".join(help_text.split()), ""]
    rows = []
    for param in command.params:
        if isinstance(param, click.Argument):
            what = f"`{param.human_readable_name}`"
        else:
            what = ", ".join(f"`{o}`" for o in [*param.opts, *param.secondary_opts])
        text = " ".join((getattr(param, "help", None) or "").split()).replace("|", "\\|")
        default = param.default
        shown = "" if default is None or callable(default) or isinstance(param, click.Argument) else f"`{default}`"
        rows.append(f"| {what} | {text} | {shown} |")
    if rows:
        lines += ["| argument or option | meaning | default |", "|---|---|---|", *rows, ""]
    if isinstance(command, click.Group):
        for sub_name, sub in sorted(command.commands.items()):
            lines += _command_markdown(f"{name} {sub_name}", sub)
    return lines


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    """Replace the marker on the CLI reference page with every command's arguments and options."""
    if MARKER not in markdown:
        return markdown
    import typer

    from logistics.cli import app

    group = typer.main.get_command(app)
    body: list[str] = []
    for name, command in sorted(group.commands.items()):  # type: ignore[attr-defined]
        body += _command_markdown(name, command)
    return markdown.replace(MARKER, "\n".join(body))
