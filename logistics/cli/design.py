"""`logistics design`: the network design (sites, customs mode per market and class, stock), solved and checked."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from logistics.cli.app import app, console
from logistics.cli.common import _fail, _print_summary, _write_text_atomic
from logistics.core.errors import LogisticsError

if TYPE_CHECKING:
    from logistics.optimize.design import DesignPlan, DesignProblem


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


def _targets(text: str | None) -> list[float]:
    from logistics.optimize.common import InvalidProblemError

    if not text:
        return []
    out = []
    for part in text.split(","):
        try:
            value = float(part)
        except ValueError:
            raise InvalidProblemError("--front", f"{part.strip()!r} is not a number") from None
        if not 0 <= value <= 1:
            raise InvalidProblemError("--front", f"a service target is a share from 0 to 1, got {value:g}")
        out.append(value)
    return out


def _front(
    spec: DesignProblem, plan: DesignPlan, targets: list[float], method: str, time_limit: float, out: Path
) -> None:
    """Solve at each service target (each with the same time limit), write front.csv and front.png."""
    from dataclasses import replace

    import pandas as pd

    from logistics.analysis.design_plots import plot_design_front
    from logistics.optimize.design import DesignParams, check_design, solve_front

    others = [t for t in targets if t != spec.service_target]
    points = {
        spec.service_target: plan,
        **solve_front(spec, others, DesignParams(method=method, time_limit_s=time_limit)),
    }
    order = sorted(points)
    rows = []
    for t in order:
        p = points[t]
        rows.append(
            {
                "service_target": t,
                "status": p.status.value,
                "cost_cny": p.cost_cny,
                "model_cost_cny": p.model_cost_cny,
                "service_share": p.service_share,
                "open_sites": " ".join(p.open_sites),
                "proven_gap": p.gap,
                "checked": check_design(replace(spec, service_target=t), p).ok,
            }
        )
    pd.DataFrame(rows).to_csv(out / "front.csv", index=False)
    plot_design_front(order, [points[t] for t in order], out / "front.png")
    for r in rows:
        console.print(
            f"  target {r['service_target']:.0%}: {r['status']}, {r['cost_cny']:,.0f} CNY/year, "
            f"{r['service_share']:.1%} within the promise, gap {r['proven_gap']:.2%}",
            highlight=False,
        )


def _simulated(
    spec: DesignProblem,
    plan: DesignPlan,
    replications: int,
    workers: int | None,
    out: Path,
    feedback: bool,
    time_limit: float,
) -> None:
    """Write the design as a scenario; with replications, simulate it and set the model's estimates beside;
    with `feedback`, solve again with the simulated days and say what changed."""
    import pandas as pd
    import yaml

    from logistics.experiments.design_scenario import design_scenario, fed_back, simulate_plan

    scenario = design_scenario(spec, plan)
    path = out / "scenario.yaml"
    _write_text_atomic(path, yaml.safe_dump(scenario, sort_keys=False, width=150))
    if replications <= 0:
        return
    simulated = simulate_plan(spec, plan, str(path), replications, workers)
    if simulated.lost:
        console.print(f"{simulated.lost} replication(s) lost their worker process", highlight=False)
    rows = simulated.rows
    pd.DataFrame(rows).to_csv(out / "estimate_vs_simulation.csv", index=False)
    console.print(
        f"the design simulated ({rows[0]['replications']} replications of scenario.yaml): model against simulation"
    )
    for row in rows:
        verdict = {True: "within", False: "outside", None: "no interval:"}[row["model_within_interval"]]
        console.print(
            f"  {row['quantity']:<26} model {row['model']:>9.3f}   simulation {row['simulation_mean']:>9.3f} "
            f"[{row['ci_low']:.3f}, {row['ci_high']:.3f}]  ({verdict} the interval)",
            highlight=False,
        )
    console.print(
        f"  intervals: t, simultaneous over the {len(rows)} quantities ({rows[0]['confidence']:.0%} each, Bonferroni); "
        "the share within the promise counts orders resolved by the end of the run",
        highlight=False,
    )
    if not feedback:
        return
    from logistics.optimize.design import DesignParams, check_design, design_plan_to_json, solve_design

    again = fed_back(spec, plan, simulated.flow_days)
    second = solve_design(again, DesignParams(method=plan.method, time_limit_s=time_limit))
    _write_text_atomic(out / "design_fed_back.json", design_plan_to_json(second))
    before = {s.id: s.handling_days + s.parcel_days for s in spec.sites}  # days before the last mile
    changed = [
        f"{s.id} {before[s.id]:.2f} -> {s.handling_days + s.parcel_days:.2f} days"
        for s in again.sites
        if s.handling_days + s.parcel_days != before[s.id]
    ]
    console.print("fed back: days before the last mile at the open sites, as simulated: " + "; ".join(changed))
    same = set(second.open_sites) == set(plan.open_sites) and {
        (a.market, a.sku_class, a.site) for a in second.assignments
    } == {(a.market, a.sku_class, a.site) for a in plan.assignments}
    checked = "ok" if check_design(again, second).ok else "FAILED"
    console.print(
        f"re-optimised with them ({second.status.value}, check {checked}): "
        f"{'the same sites and assignments' if same else 'open ' + ', '.join(second.open_sites)}; "
        f"{second.cost_cny:,.0f} CNY/year, {second.service_share:.1%} within the promise (was {plan.service_share:.1%} "
        "by the model's first days) -> design_fed_back.json",
        highlight=False,
    )


def _co2e_front(spec: DesignProblem, points: int, method: str, time_limit: float, out: Path) -> None:
    """Solve the cost-against-CO2e front (each point with the same time limit) and write co2e_front.csv."""
    from dataclasses import replace

    import pandas as pd

    from logistics.optimize.design import DesignParams, check_design, solve_emission_front

    rows = []
    for cap, p in solve_emission_front(spec, points, DesignParams(method=method, time_limit_s=time_limit)):
        bounded = replace(spec, max_co2e_t_per_year=None if cap == float("inf") else cap)
        rows.append(
            {
                "co2e_cap_t_per_year": cap,
                "status": p.status.value,
                "co2e_t_per_year": p.co2e_t_per_year,
                "cost_cny": p.cost_cny,
                "service_share": p.service_share,
                "open_sites": " ".join(p.open_sites),
                "orders_by_9610": sum(1 for a in p.assignments if a.mode == "9610"),
                "proven_gap": p.gap,
                "checked": check_design(bounded, p).ok if p.assignments else False,
            }
        )
        r = rows[-1]
        console.print(
            f"  cap {cap:,.1f} t: {r['status']}, {r['co2e_t_per_year']:,.1f} t CO2e, {r['cost_cny']:,.0f} CNY/year, "
            f"gap {r['proven_gap']:.2%}",
            highlight=False,
        )
    pd.DataFrame(rows).to_csv(out / "co2e_front.csv", index=False)


def _write_tables(spec: DesignProblem, plan: DesignPlan, out: Path) -> None:
    """design.json and a table per decision: sites, assignments, stock, demand left out (and why)."""
    import pandas as pd

    from logistics.optimize.design import design_plan_to_json

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


def _summary_rows(spec: DesignProblem, plan: DesignPlan, checked: bool) -> list[tuple[str, str]]:
    """The lines the command prints: status, sites, cost by kind, the model's bound and gap, modes, service,
    emissions, what was left out, time, and the independent check."""
    import pandas as pd

    modes = pd.Series([a.mode for a in plan.assignments]).value_counts().to_dict()
    return [
        ("status", plan.status.value),
        ("method", plan.method),
        ("open sites", ", ".join(plan.open_sites) or "none"),
        ("cost per year (CNY, exact)", f"{plan.cost_cny:,.0f}"),
        ("  fixed / flows / stock", f"{plan.fixed_cny:,.0f} / {plan.flow_cny:,.0f} / {plan.holding_cny:,.0f}"),
        ("model cost / bound (CNY)", f"{_amount(plan.model_cost_cny)} / {_amount(plan.bound_cny)}"),
        (
            "proven gap (exact cost)" if plan.method == "lagrangian" else "proven gap (model)",
            f"{plan.gap:.3%}" if plan.gap != float("inf") else _no_gap(plan),
        ),
        ("markets x classes by mode", ", ".join(f"{k}: {v}" for k, v in sorted(modes.items())) or "none"),
        ("within the promise", f"{plan.service_share:.1%} (target {spec.service_target:.1%})"),
        ("emissions (t CO2e/year)", f"{plan.co2e_t_per_year:,.1f}"),
        ("left out (ineligible / unservable)", f"{len(plan.ineligible)} / {len(plan.unservable)}"),
        ("run time (s)", f"{plan.runtime_s:.1f}"),
        ("independent check", "ok" if checked else "FAILED"),
    ]


@app.command("design")
def design(
    problem: Annotated[
        str, typer.Argument(help="Design file (YAML/JSON or Excel .xlsx) or a built-in name (pilot_zone_small).")
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for design.json and the tables.")] = Path(
        "out/design"
    ),
    method: Annotated[
        str,
        typer.Option(
            "--method",
            help="auto (default: the MIP up to 20,000 options, the Lagrangian relaxation beyond), mip, lagrangian, "
            "or a baseline: single_hub, greedy_add, greedy_drop.",
        ),
    ] = "auto",
    time_limit: Annotated[float, typer.Option("--time-limit", help="Seconds of search.")] = 60.0,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="Override a top-level number, e.g. --set per_order_limit_cny=2000."),
    ] = None,
    front: Annotated[
        str | None,
        typer.Option(
            "--front",
            help="Service targets to solve at besides the file's (e.g. 0.5,0.7,0.95): the cost-service front.",
        ),
    ] = None,
    co2e_front: Annotated[
        int,
        typer.Option(
            "--co2e-front",
            help="Points of the cost-against-CO2e front (epsilon constraint on emissions; 0: none): co2e_front.csv.",
        ),
    ] = 0,
    simulate: Annotated[
        int,
        typer.Option(
            "--simulate",
            help="Replications of the design's scenario (scenario.yaml) to set beside the model's estimates (0: none).",
        ),
    ] = 0,
    workers: Annotated[int | None, typer.Option(help="Processes for --simulate (default: all cores).")] = None,
    feedback: Annotated[
        bool,
        typer.Option(
            "--feedback",
            help="With --simulate: solve again with the simulated days at the open sites (design_fed_back.json).",
        ),
    ] = False,
    workbook: Annotated[
        Path | None,
        typer.Option("--to-workbook", help="Write the design problem as an Excel workbook (a template) and stop."),
    ] = None,
) -> None:
    """Choose the sites to open, the customs mode and site per market and SKU class, and the stock, at the least
    yearly cost meeting capacities, the retail limit and the service target; check the plan independently and
    write design.json, sites.csv, assignments.csv, stock.csv and left_out.csv."""

    from logistics.optimize.design import DesignParams, check_design, load_design, solve_design

    try:
        targets = _targets(front)
        spec = load_design(problem, _overrides(set_))
        if workbook is not None:
            from logistics.optimize.design.workbook import write_design_workbook

            write_design_workbook(spec, workbook)
            console.print(f"design problem {spec.name} written to {workbook}")
            return
        plan = solve_design(spec, DesignParams(method=method, time_limit_s=time_limit))
    except LogisticsError as exc:
        _fail(exc)
    check = check_design(spec, plan)
    out.mkdir(parents=True, exist_ok=True)
    _write_tables(spec, plan, out)
    rows = _summary_rows(spec, plan, check.ok)
    _print_summary(f"{spec.name}: {len(spec.sites)} candidate sites, {len(spec.markets)} markets", rows)
    for v in check.violations[:10]:
        console.print(f"violation: {v}", highlight=False)
    from logistics.analysis.design_plots import plot_design_map

    plot_design_map(spec, plan, out / "map.png")
    written = "design.json, sites.csv, assignments.csv, stock.csv, left_out.csv, map.png"
    if plan.assignments:
        _simulated(spec, plan, simulate, workers, out, feedback, time_limit)
        written += ", scenario.yaml" + (", estimate_vs_simulation.csv" if simulate else "")
        written += ", design_fed_back.json" if simulate and feedback else ""
    if targets:
        _front(spec, plan, targets, method, time_limit, out)
        written += ", front.csv, front.png"
    if co2e_front > 1:
        _co2e_front(spec, co2e_front, method, time_limit, out)
        written += ", co2e_front.csv"
    console.print(f"written to {out}/ ({written})")
    if not check.ok:
        raise typer.Exit(code=1)


def _amount(value: float) -> str:
    """A yearly amount, or what stands for one the model did not give."""
    return f"{value:,.0f}" if math.isfinite(value) else "none"


def _no_gap(plan: DesignPlan) -> str:
    """Why a plan has no proven gap: a baseline, or the solver's starting plan when it found none in time."""
    if "plan" in plan.stats:
        return "none (the starting plan: no solver plan within the time limit)"
    if plan.method in ("mip", "lagrangian"):
        return f"none ({plan.stats.get('infeasible', 'no plan')})"
    return "none (baseline)"
