"""`logistics optimize`: the solvers on their own (routes, route checks, dock appointments, slotting)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from logistics.cli.app import console, err, optimize_app
from logistics.cli.common import _check_out_file, _emit_schema, _fail, _print_summary, _read_text, _write_text_atomic
from logistics.core.errors import LogisticsError


@optimize_app.command("routes")
def optimize_routes(
    problem_file: Annotated[
        Path, typer.Argument(help="Problem: this package's JSON, a Solomon .txt or a VRPLIB .vrp file.")
    ],
    time_limit: Annotated[float, typer.Option("--time-limit", help="Seconds of search.")] = 10.0,
    backend: Annotated[
        str, typer.Option(help="auto (OR-Tools and PyVRP at once, the better wins), ortools or pyvrp.")
    ] = "auto",
    seed: Annotated[int, typer.Option(help="Random seed of the search.")] = 0,
    solution_limit: Annotated[
        int | None, typer.Option(help="Work limit of a reproducible run (OR-Tools: solutions; PyVRP: x100 iterations).")
    ] = None,
    workers: Annotated[int, typer.Option(help="OR-Tools: parallel searches from different starts.")] = 1,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write the solution JSON here.")] = None,
    distances: Annotated[
        Path | None, typer.Option(help="Distance matrix (m) from a .csv, .json or .parquet file, by location id.")
    ] = None,
    durations: Annotated[
        Path | None, typer.Option(help="Travel-time matrix (s), the same formats (default: distance / speed).")
    ] = None,
    osrm: Annotated[
        str | None,
        typer.Option(help="OSRM server URL: road distances and times from its table service (lat/lon locations)."),
    ] = None,
) -> None:
    """Solve a vehicle routing problem, check the solution independently and print a summary."""
    from dataclasses import replace

    from logistics.optimize import SolveParams, check_routing, read_instance, read_matrix, solve_routing
    from logistics.optimize.routing.jsonio import result_to_json

    try:
        if out is not None:
            _check_out_file(out)
        problem = read_instance(problem_file)
        if distances is not None or durations is not None:  # the user's matrices replace the computed ones
            ids = [loc.id for loc in problem.locations]
            dist = read_matrix(distances, ids) if distances is not None else problem.distances
            dur = read_matrix(durations, ids) if durations is not None else None
            if dur is None and problem.duration_s is None:
                dur = dist / problem.speed_m_per_s
            problem = replace(problem, distance_m=dist, duration_s=dur if dur is not None else problem.durations)
        if osrm is not None:
            from logistics.optimize.routing.travel import OsrmTable, with_travel

            problem = with_travel(problem, OsrmTable(osrm))
        params = SolveParams(
            time_limit_s=time_limit, backend=backend, seed=seed, solution_limit=solution_limit, workers=workers
        )
        result = solve_routing(problem, params)
    except LogisticsError as exc:
        _fail(exc)
    report = check_routing(problem, result)
    rows = [
        ("status", result.status.value),
        ("backend", result.backend),
        ("vehicles used", f"{result.vehicles_used}"),
        ("distance (m)", f"{result.distance_m:,.2f}"),
        ("cost", f"{result.cost:,.2f}"),
        ("objective", f"{result.objective:,.2f}"),
        ("unassigned stops", f"{len(result.unassigned)}"),
        ("run time (s)", f"{result.runtime_s:.2f}"),
        (
            "independent check",
            "ok" if report.ok else ("feasible, incomplete" if report.feasible else "FAILED"),
        ),
    ]
    _print_summary(f"{problem.name or problem_file.name}: {len(problem.stops)} stops", rows)
    for violation in report.violations[:10]:
        err.print(f"[red]check[/red] {violation}", highlight=False)
    for u in result.unassigned[:10]:
        console.print(f"unassigned {u.stop}: {u.reason}", highlight=False)
    if out is not None:
        _write_text_atomic(out, result_to_json(result))
        console.print(f"solution written to {out}")
    if not report.feasible or (result.status.value not in ("optimal", "feasible") and problem.stops):
        raise typer.Exit(code=1)  # a failed check, no solution, or required stops left out


@optimize_app.command("check-routes")
def optimize_check_routes(
    problem_file: Annotated[
        Path, typer.Argument(help="Problem: this package's JSON, a Solomon, Li & Lim or VRPLIB file.")
    ],
    plan_file: Annotated[
        Path,
        typer.Argument(help="Routes to check (JSON: routes with vehicle_type and stops; a solution JSON works)."),
    ],
) -> None:
    """Check a plan someone else made against a problem: every violation, with the stop and the amount."""
    from logistics.optimize import check_routing, read_instance
    from logistics.optimize.routing.plans import plan_from_json

    try:
        problem = read_instance(problem_file)
        result = plan_from_json(problem, _read_text(plan_file))
    except LogisticsError as exc:
        _fail(exc)
    report = check_routing(problem, result)
    rows = [
        ("routes", f"{len(result.routes)}"),
        ("distance (m)", f"{report.distance_m:,.2f}"),
        ("cost", f"{report.cost:,.2f}"),
        ("unassigned stops", f"{len(result.unassigned)}"),
        ("violations", f"{len(report.violations)}"),
        ("verdict", "ok" if report.ok else ("feasible, incomplete" if report.feasible else "VIOLATED")),
    ]
    _print_summary(f"{plan_file.name} against {problem.name or problem_file.name}", rows)
    for violation in report.violations:
        console.print(f"violation: {violation}", highlight=False)
    if not report.ok:
        raise typer.Exit(code=1)


@optimize_app.command("docks")
def optimize_docks(
    problem_file: Annotated[Path, typer.Argument(help="Dock problem JSON (trucks, doors, grid settings).")],
    time_limit: Annotated[float, typer.Option("--time-limit", help="Seconds of search.")] = 30.0,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write the plan JSON here.")] = None,
) -> None:
    """Schedule trucks to dock doors and time slots (CP-SAT), check the plan and print a summary."""
    from logistics.optimize.docks import DockParams, check_docks, dock_plan_to_json, dock_problem_from_json, solve_docks

    try:
        if out is not None:
            _check_out_file(out)
        problem = dock_problem_from_json(_read_text(problem_file))
        plan = solve_docks(problem, DockParams(time_limit_s=time_limit))
    except LogisticsError as exc:
        _fail(exc)
    violations = check_docks(problem, plan).violations
    rows = [
        ("status", plan.status.value),
        ("scheduled", f"{len(plan.appointments)}"),
        ("unscheduled", f"{len(plan.unscheduled)}"),
        ("objective (weighted slots)", f"{plan.objective:,.2f}"),
        ("proven gap", f"{100 * plan.gap:.2f}%"),
        ("mean waiting (min)", f"{plan.mean_waiting_min:.1f}"),
        ("door utilisation", f"{plan.door_utilisation:.1%}"),
        ("run time (s)", f"{plan.runtime_s:.2f}"),
        ("independent check", "ok" if not violations else "FAILED"),
    ]
    _print_summary(f"{problem_file.name}: {len(problem.trucks)} trucks, {len(problem.doors)} doors", rows)
    for truck, reason in plan.unscheduled[:10]:
        console.print(f"unscheduled {truck}: {reason}", highlight=False)
    if out is not None:
        _write_text_atomic(out, dock_plan_to_json(plan))
        console.print(f"plan written to {out}")
    if violations or (plan.status.value not in ("optimal", "feasible") and problem.trucks):
        raise typer.Exit(code=1)  # a failed check, an invalid model, no plan, or trucks left out


@optimize_app.command("slots")
def optimize_slots(
    layout_file: Annotated[
        Path, typer.Argument(help="Layout JSON (zones, geometry, slots_csv; or a 'generate' section).")
    ],
    skus_file: Annotated[
        Path, typer.Argument(help="SKU CSV: sku_id, picks, volume_l, weight_kg [, slots, bonded, ...].")
    ],
    method: Annotated[str, typer.Option(help="optimal, random, abc or coi_greedy.")] = "optimal",
    orders: Annotated[
        Path | None, typer.Option(help="Order lines CSV (order_id, sku_id): travel evaluation and --affinity.")
    ] = None,
    affinity: Annotated[bool, typer.Option(help="Co-locate SKUs ordered together (needs --orders).")] = False,
    max_loss: Annotated[float, typer.Option(help="Affinity: largest objective loss allowed (share).")] = 0.01,
    current: Annotated[
        Path | None, typer.Option(help="Current plan CSV (slot_id, sku_id): re-slot from it with --max-moves.")
    ] = None,
    max_moves: Annotated[int | None, typer.Option(help="Re-slotting: most slot loads to move.")] = None,
    slots_csv: Annotated[
        Path | None, typer.Option("--slots-csv", help="Slot table CSV (instead of the layout file's slots_csv).")
    ] = None,
    policy: Annotated[str, typer.Option(help="Pick routing for the travel evaluation.")] = "optimal",
    seed: Annotated[int, typer.Option(help="Seed of the random baselines.")] = 0,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Folder for plan.csv and summary.json.")] = None,
) -> None:
    """Assign SKUs to storage slots (exact min-cost flow or a baseline), check the plan and print a summary."""
    import json

    from logistics.optimize.routing.problem import InvalidProblemError
    from logistics.optimize.slotting import (
        SlottingParams,
        SlottingProblem,
        check_slotting,
        history_travel_m,
        improve_affinity,
        read_skus_csv,
        reslot,
        solve_slotting,
    )
    from logistics.optimize.slotting.files import read_current_plan, read_layout, read_orders_csv, write_plan

    try:
        if out is not None:
            _check_out_file(out / "plan.csv")
        for f in (layout_file, skus_file, orders, current):
            if f is not None and not f.exists():
                raise InvalidProblemError(str(f), "file not found")
        if affinity and orders is None:
            raise InvalidProblemError("--affinity", "needs --orders (the order history to learn pairs from)")
        if (current is None) != (max_moves is None):
            raise InvalidProblemError("--max-moves", "re-slotting needs both --current and --max-moves")
        problem = SlottingProblem(read_layout(layout_file, slots_csv), read_skus_csv(skus_file))
        history = read_orders_csv(orders, problem.skus) if orders is not None else None
        if current is not None and max_moves is not None:
            plan = reslot(problem, read_current_plan(current, problem), max_moves)
        else:
            plan = solve_slotting(problem, SlottingParams(method, seed))
        if affinity and history is not None:
            plan = improve_affinity(problem, plan, history, max_loss=max_loss, policy=policy)
        travel = history_travel_m(problem, plan, history, policy) if history is not None else None
    except LogisticsError as exc:
        _fail(exc)
    report = check_slotting(problem, plan)
    rows = [
        ("method", plan.method),
        ("status", plan.status),
        ("slot loads placed", f"{int((plan.sku_of_slot >= 0).sum()):,} of {int(problem.skus.slots.sum()):,}"),
        ("expected travel (m a period)", f"{plan.objective_m:,.1f}"),
        ("run time (s)", f"{plan.stats.get('wall_s', 0.0):.2f}"),
        ("independent check", "ok" if report.ok else "FAILED"),
    ]
    if "moves" in plan.stats:
        rows.insert(4, ("moves", f"{plan.stats['moves']:,}"))
    if travel is not None:
        rows.insert(4, (f"history travel, {policy} (m/order)", f"{travel.mean():,.1f}"))
    title = f"{layout_file.name}: {len(problem.skus):,} SKUs, {len(problem.layout.slots):,} slots"
    _print_summary(title, rows)
    if plan.message:
        console.print(plan.message, highlight=False, markup=False)
    for v in report.violations[:10]:
        console.print(f"violation: {v}", highlight=False, markup=False)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        write_plan(problem, plan, out / "plan.csv")
        summary = {
            "method": plan.method,
            "status": plan.status,
            "objective_m": plan.objective_m,
            "message": plan.message,
            "unplaced": plan.unplaced,
            "check_ok": report.ok,
            "violations": list(report.violations),
            "history_travel_m_per_order": float(travel.mean()) if travel is not None else None,
            "stats": {k: v for k, v in plan.stats.items() if isinstance(v, int | float | str | dict)},
        }
        _write_text_atomic(out / "summary.json", json.dumps(summary, indent=2))
        console.print(f"plan written to {out / 'plan.csv'}")
    if not report.ok:
        raise typer.Exit(code=1)
    if plan.status == "infeasible":
        raise typer.Exit(code=1)  # some SKUs could not be placed (listed above)


@optimize_app.command("slots-example")
def optimize_slots_example(
    folder: Annotated[Path, typer.Argument(help="Folder to write layout.json, slots.csv, skus.csv, orders.csv.")],
    aisles: Annotated[int, typer.Option(help="Aisles of the generated bonded warehouse.")] = 10,
    bays: Annotated[int, typer.Option(help="Bays per aisle side.")] = 30,
    levels: Annotated[int, typer.Option(help="Levels per bay.")] = 4,
    fill: Annotated[float, typer.Option(help="Share of slots the SKUs need.")] = 0.8,
    orders: Annotated[int, typer.Option(help="Orders in the generated history.")] = 5000,
    seed: Annotated[int, typer.Option(help="Seed.")] = 0,
) -> None:
    """Write a generated slotting example (bonded, fast-pick, cold, hazardous and general-trade zones)."""
    import numpy as np

    from logistics.optimize.slotting.examples import bonded_layout, generate_orders, generate_skus
    from logistics.optimize.slotting.files import write_layout, write_orders_csv, write_skus_csv

    try:
        layout = bonded_layout(aisles, bays, levels)
        rng = np.random.default_rng(seed)
        skus = generate_skus(layout, max(1, int(len(layout.slots) * fill / 1.08)), rng)
        history = generate_orders(skus, orders, rng, mean_lines=1.7)
    except LogisticsError as exc:
        _fail(exc)
    path = write_layout(layout, folder)
    write_skus_csv(skus, folder / "skus.csv")
    write_orders_csv(history, skus, folder / "orders.csv")
    console.print(f"wrote {path}, slots.csv, skus.csv ({len(skus):,} SKUs) and orders.csv ({orders:,} orders)")


@optimize_app.command("routes-schema")
def optimize_routes_schema(
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write to this file (default: stdout).")] = None,
) -> None:
    """Print or write the JSON Schema of the routing problem format."""
    from logistics.optimize.routing.jsonio import routing_problem_schema

    _emit_schema(routing_problem_schema(), out)
