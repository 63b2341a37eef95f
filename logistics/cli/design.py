"""`logistics design`: the network design (sites, customs mode per market and class, stock), solved and checked."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from logistics.cli.app import app, console
from logistics.cli.common import _fail, _print_summary, _write_text_atomic
from logistics.core.errors import LogisticsError


def _overrides(pairs: list[str] | None) -> dict[str, float]:
    from logistics.optimize.common import InvalidProblemError

    out: dict[str, float] = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep:
            raise InvalidProblemError("--set", f"{pair!r}: expected NAME=NUMBER, e.g. per_order_limit_cny=2000")
        try:
            out[key.strip()] = float(value)
        except ValueError:
            raise InvalidProblemError(f"--set {key.strip()}", f"{value!r} is not a number") from None
    return out


@app.command("design")
def design(
    problem: Annotated[str, typer.Argument(help="Design file (YAML/JSON) or a built-in name (pilot_zone_small).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for design.json and the tables.")] = Path(
        "out/design"
    ),
    method: Annotated[
        str, typer.Option("--method", help="mip (default), or a baseline: single_hub, greedy_add, greedy_drop.")
    ] = "mip",
    time_limit: Annotated[float, typer.Option("--time-limit", help="Seconds of search.")] = 60.0,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="Override a top-level number, e.g. --set per_order_limit_cny=2000."),
    ] = None,
) -> None:
    """Choose the sites to open, the customs mode and site per market and SKU class, and the stock, at the least
    yearly cost meeting capacities, the retail limit and the service target; check the plan independently and
    write design.json, sites.csv, assignments.csv, stock.csv and left_out.csv."""
    import pandas as pd

    from logistics.optimize.design import DesignParams, check_design, design_plan_to_json, load_design, solve_design

    try:
        spec = load_design(problem, _overrides(set_))
        plan = solve_design(spec, DesignParams(method=method, time_limit_s=time_limit))
    except LogisticsError as exc:
        _fail(exc)
    check = check_design(spec, plan)
    out.mkdir(parents=True, exist_ok=True)
    _write_text_atomic(out / "design.json", design_plan_to_json(plan))
    sites = pd.DataFrame(
        [
            {
                "site": s.id,
                "kind": s.kind,
                "open": s.id in plan.open_sites,
                "orders_per_day": plan.load_orders_per_day.get(s.id, 0.0),
                "capacity_orders_per_day": s.capacity_orders_per_day,
                "fixed_cny": s.fixed_cny if s.id in plan.open_sites else 0.0,
            }
            for s in spec.sites
        ]
    )
    sites.to_csv(out / "sites.csv", index=False)
    pd.DataFrame([a.__dict__ for a in plan.assignments]).to_csv(out / "assignments.csv", index=False)
    pd.DataFrame([s.__dict__ for s in plan.stock]).to_csv(out / "stock.csv", index=False)
    left = [(m, k, d, "over the per-order retail limit") for m, k, d in plan.ineligible]
    left += [(m, k, d, "no site can serve it") for m, k, d in plan.unservable]
    pd.DataFrame(left, columns=["market", "sku_class", "orders_per_day", "why"]).to_csv(
        out / "left_out.csv", index=False
    )
    modes = pd.Series([a.mode for a in plan.assignments]).value_counts().to_dict()
    rows = [
        ("status", plan.status.value),
        ("method", plan.method),
        ("open sites", ", ".join(plan.open_sites) or "none"),
        ("cost per year (CNY, exact)", f"{plan.cost_cny:,.0f}"),
        ("  fixed / flows / stock", f"{plan.fixed_cny:,.0f} / {plan.flow_cny:,.0f} / {plan.holding_cny:,.0f}"),
        ("model cost / bound (CNY)", f"{plan.model_cost_cny:,.0f} / {plan.bound_cny:,.0f}"),
        ("proven gap (model)", f"{plan.gap:.3%}" if plan.gap != float("inf") else "none (baseline)"),
        ("markets x classes by mode", ", ".join(f"{k}: {v}" for k, v in sorted(modes.items())) or "none"),
        ("within the promise", f"{plan.service_share:.1%} (target {spec.service_target:.1%})"),
        ("left out (ineligible / unservable)", f"{len(plan.ineligible)} / {len(plan.unservable)}"),
        ("run time (s)", f"{plan.runtime_s:.1f}"),
        ("independent check", "ok" if check.ok else "FAILED"),
    ]
    _print_summary(f"{spec.name}: {len(spec.sites)} candidate sites, {len(spec.markets)} markets", rows)
    for v in check.violations[:10]:
        console.print(f"violation: {v}", highlight=False)
    console.print(f"written to {out}/ (design.json, sites.csv, assignments.csv, stock.csv, left_out.csv)")
    if not check.ok:
        raise typer.Exit(code=1)
