"""The `logistics` command: one module per command group (run, scenarios, optimize, bench, serve)."""

# The commands register themselves on import, and `--help` lists them in this order.
from logistics.cli.app import app  # noqa: I001
from logistics.cli import run, compare, scenarios, optimize, design, bench, plan, risk, serve  # noqa: F401

__all__ = ["app", "main"]


def main() -> None:
    """Entry point of the console script."""
    app()
