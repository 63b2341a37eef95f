"""`logistics compare`: several runs side by side."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from logistics.cli.app import app, console
from logistics.cli.common import _fail
from logistics.core.errors import LogisticsError


@app.command()
def compare(
    runs: Annotated[
        list[Path], typer.Argument(help="Two or more `logistics run` output folders; the first is the base.")
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="The comparison page (HTML; compare.csv beside it).")] = Path(
        "out/compare.html"
    ),
) -> None:
    """Write one HTML page with the runs' KPIs side by side, each run's difference from the first with a 95%
    interval (paired when the runs share seed and replications) and their time series overlaid."""
    from logistics.analysis.compare import compare_runs

    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        page = compare_runs(runs, out)
    except LogisticsError as exc:
        _fail(exc)
    console.print(f"wrote {page} and {page.with_suffix('.csv')}")
