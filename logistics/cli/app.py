"""The `logistics` command's Typer applications and consoles (the command groups add themselves to them)."""

from __future__ import annotations

import typer
from rich.console import Console

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Simulate and optimise cross-border e-commerce logistics and warehousing.",
)
scenarios_app = typer.Typer(no_args_is_help=True, help="The built-in example scenarios.")
app.add_typer(scenarios_app, name="scenarios")
optimize_app = typer.Typer(
    no_args_is_help=True, help="Solvers usable on their own (vehicle routing, dock appointments, slotting)."
)
app.add_typer(optimize_app, name="optimize")
console = Console()
err = Console(stderr=True)


@app.callback()
def _main() -> None:
    """Show scenario notices (e.g. a file converted from an older schema version) as one plain line each."""
    import warnings

    from logistics.scenario.upgrade import ScenarioNotice

    default = warnings.showwarning

    def show(message, category, filename, lineno, file=None, line=None):
        if issubclass(category, ScenarioNotice):
            err.print(f"[cyan]notice:[/cyan] {message}", highlight=False, soft_wrap=True)
        else:
            default(message, category, filename, lineno, file, line)

    warnings.showwarning = show
