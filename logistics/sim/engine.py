"""Build a model from a scenario and run it: the orders of its bonded-import (1210) flow, if any (its bonded
warehouse), and every flow's jobs on the shared lanes and checkpoints (the other flows' orders and every
warehouse's stock containers, the bonded one's included), on one SimPy environment, one seed and one table of
traders' credit tiers. `simulate` is the entry point.
"""

from __future__ import annotations

import time
from dataclasses import replace

import pandas as pd
import simpy

from logistics.core.emissions import LANE_EMISSION_MODE, upstream_missing
from logistics.core.random import RandomStreams, replication_seed
from logistics.core.units import MINUTES_PER_HOUR
from logistics.policies.staffing import STAFFING
from logistics.scenario.disruptions import Disruption
from logistics.scenario.modes import CUSTOMS_MODES
from logistics.scenario.scenario import Scenario
from logistics.sim.flow_results import flow_results
from logistics.sim.flows import Flows
from logistics.sim.monitor import TimeSeries
from logistics.sim.policy_choices import check_policies, make_policy
from logistics.sim.result import COST_COMPONENTS, ProgressCallback, RunResult
from logistics.sim.rota import Roster
from logistics.sim.station import measure_window, resource_rows, watch_station
from logistics.sim.tiers import TraderTiers
from logistics.sim.warehouse import WarehouseOrders
from logistics.sim.warehouse_results import merge_warehouses, warehouse_result

__all__ = ["COST_COMPONENTS", "CrossBorderModel", "RunResult", "WarehouseOrders", "simulate"]


class CrossBorderModel:
    """One replication of a scenario: the orders of its bonded-import (1210) flow, if any, and every flow's jobs
    on the shared network (`Flows`), on one SimPy environment and one seed."""

    def __init__(self, scenario: Scenario, replication: int = 0) -> None:
        check_policies(scenario)  # every bad policy name or parameter at once, before anything is built
        self.scenario = s = scenario
        self.replication = replication
        streams = RandomStreams(replication_seed(s.run.seed, replication))
        self.env = simpy.Environment()
        self.end_h = s.run.end_h
        # one credit tier per trader for the whole run: a failure at any checkpoint demotes it everywhere
        tiers = TraderTiers([t.tier for t in s.customs.traders]) if s.customs.traders else None
        # one part per warehouse (the orders of a 1210 or 9810 flow); the first one's time series is the run's
        # who staffs the shifts as they start: the plan (no roster) or the scenario's staffing policy
        staffing = make_policy(("staffing",), STAFFING, s.staffing)
        self.roster = None if s.staffing.name == "plan" else Roster(staffing.choose, until_h=staffing.until_h)
        self.warehouses: list[WarehouseOrders] = []
        for k, f in enumerate(s.flows):
            if CUSTOMS_MODES[f.mode].stocked_over_route:
                series = self.warehouses[0].series if self.warehouses else None
                self.warehouses.append(
                    WarehouseOrders(s, replication, self.env, streams, tiers, k, series, roster=self.roster)
                )
        self.bonded = next((p for p in self.warehouses if p.index == s.bonded_index), None)
        self.flows = Flows(self.env, s, streams, self.end_h, tiers, self.warehouses, roster=self.roster)
        if self.warehouses:
            self.series = self.warehouses[0].series
        else:
            self.series = TimeSeries(self.env, s.run.sample_interval_min / MINUTES_PER_HOUR, self.end_h)
        for st in self.flows.resources:
            watch_station(self.series, st)
        for lane_id, step in self.flows.lanes.items():
            self.series.gauge(f"lane.{lane_id}.waiting", step.waiting)
        for group_id, group in self.flows.groups.items():
            self.series.gauge(f"lane.{group_id}.waiting", group.waiting)
        if not self.warehouses:
            self.series.start()
        stations = [st for part in self.warehouses for st in part.stations]
        stations += self.flows.resources
        measure_window(self.env, stations, s.run.warmup_h, s.run.horizon_h)
        if self.roster is not None:  # a policy staffs the shifts: the first ones now, the model being whole
            self.roster.begin(self)

    def run(self, progress: ProgressCallback | None = None, steps: int = 200) -> RunResult:
        """Simulate to the end; `progress(now_h, end_h)` is called `steps` times along the way."""
        result = self._run(progress, steps)
        windows = tuple((_label(d), d.start_h, d.end_h) for d in self.scenario.disruptions)
        return replace(
            result, start=self.scenario.run.start, disruptions=windows, emissions_ttw_only=_ttw_only(self.scenario)
        )

    def _run(self, progress: ProgressCallback | None, steps: int) -> RunResult:
        started = time.perf_counter()
        run_to_end(self.env, self.end_h, progress, steps)
        self.series.finish()
        wall_s = time.perf_counter() - started
        s = self.scenario
        if self.warehouses:
            for part in self.warehouses:
                for st in part.stations:
                    st.close()
                part.inventory.close()
            result = merge_warehouses([warehouse_result(part, wall_s) for part in self.warehouses])
        else:
            result = RunResult(
                scenario=s.name,
                replication=self.replication,
                horizon_h=s.run.horizon_h,
                end_h=self.end_h,
                warmup_h=s.run.warmup_h,
                dispatch_promise_h=s.service_level.dispatch_within_h,
                orders=pd.DataFrame(),
                resources=pd.DataFrame(),
                series=pd.DataFrame({"time_h": self.series.time_h, **self.series.values}),
                consignments=pd.DataFrame(),
                costs_cny=dict.fromkeys(COST_COMPONENTS, 0.0),
                counts={"labour_h": 0},
                stock={},
                wall_s=wall_s,
            )
        for st in self.flows.resources:
            st.close()
        flows = flow_results(self.flows)
        costs = {k: result.costs_cny[k] + flows.costs_cny[k] for k in COST_COMPONENTS}
        counts = dict(result.counts)
        counts.update({f"flows.{k}": v for k, v in flows.counts.items()})
        counts["labour_h"] = round(counts["labour_h"] + flows.labour_h)
        resources = pd.concat(
            [result.resources, pd.DataFrame(resource_rows(flows.resources, self.end_h))], ignore_index=True
        )
        series = pd.DataFrame({"time_h": self.series.time_h, **self.series.values})
        return replace(
            result,
            modes=tuple(s.modes),
            costs_cny=costs,
            counts=counts,
            resources=resources,
            series=series,
            flow_orders=flows.orders,
            consignments=flows.consignments,
            departures=flows.departures,
            clearances=_stack(result.clearances, flows.clearances),
            waves=_stack(result.waves, flows.waves),
            routes=_stack(result.routes, flows.routes),
            route_stops=_stack(result.route_stops, flows.route_stops),
            optimizer_s=result.optimizer_s + flows.optimizer_s,
        )


def run_to_end(env: simpy.Environment, end_h: float, progress: ProgressCallback | None, steps: int) -> None:
    """Run `env` to `end_h`, calling `progress(now_h, end_h)` `steps` times on the way if given."""
    if progress is None:
        env.run(until=end_h)
        return
    for k in range(1, steps + 1):
        env.run(until=end_h * k / steps)
        progress(env.now, end_h)


def _stack(*frames: pd.DataFrame) -> pd.DataFrame:
    """The rows of the bonded import's table and the flows' in one table (empty frames left out)."""
    kept = [f for f in frames if len(f)]
    return pd.concat(kept, ignore_index=True) if kept else pd.DataFrame()


def _label(d: Disruption) -> str:
    """A disruption as a plot label: its kind and what it hits."""
    target = getattr(d, "lane", None) or getattr(d, "checkpoint", None)
    return d.kind.replace("_", " ") + (f": {target}" if target else "")


def simulate(scenario: Scenario, replication: int = 0, progress: ProgressCallback | None = None) -> RunResult:
    """Run replication `replication` of `scenario` (seeded from `scenario.run.seed`); its results."""
    return CrossBorderModel(scenario, replication).run(progress)


def _ttw_only(s: Scenario) -> tuple[str, ...]:
    """The modes a scenario measures emissions for (lanes with a distance; the last mile if any zone has a
    distance or vans are routed) whose factor has no well-to-tank part."""
    used = {LANE_EMISSION_MODE[lane.mode] for lane in s.network.lanes if lane.distance_km}
    if any(z.distance_km for f in s.flows for z in f.last_mile.zones) or any(f.last_mile.dispatch for f in s.flows):
        used.add("last_mile")
    return tuple(upstream_missing(s.emissions.table(), used))
