"""Simulation throughput: the example scenario scaled to about 1,000,000 orders, against bare SimPy.

Prints a table and writes benchmarks/out/sim_throughput.json. Each measurement runs in its own process so
that its peak memory (max RSS) is its own. Targets (issue 2): >= 20,000 orders/s, < 2 GB peak memory.

    python benchmarks/sim_throughput.py                 # 1,000,000 orders
    python benchmarks/sim_throughput.py --orders 200000 # quicker
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import platform
import resource
import sys
import time
from pathlib import Path

import numpy as np
import simpy

OUT = Path(__file__).resolve().parent / "out"


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _model(orders: int, seed: int, queue: mp.Queue) -> None:
    from logistics.scenario import load_builtin, scaled
    from logistics.sim import simulate

    base = load_builtin("bonded_import_peak", [f"run.seed={seed}"])
    expected_per_factor = 120_000  # orders of the example at factor 1 (measured: 120,276 with its seed)
    scenario = scaled(base, orders / expected_per_factor)
    rss_before = _peak_rss_mb()
    t0 = time.perf_counter()
    result = simulate(scenario)
    wall = time.perf_counter() - t0
    c = result.counts
    queue.put(
        {
            "name": "bonded_import_peak scaled",
            "orders": c["created"],
            "delivered": c["delivered"],
            "events_note": "about 5 SimPy events per order",
            "wall_s": wall,
            "orders_per_s": c["created"] / wall,
            "peak_rss_mb": _peak_rss_mb(),
            "rss_before_run_mb": rss_before,
        }
    )


def _mixed(orders: int, seed: int, queue: mp.Queue) -> None:
    """The pilot zone with all four customs modes (1210, 9610 import and export, 9710, 9810) scaled."""
    from logistics.scenario import load_builtin, scaled
    from logistics.sim import simulate

    base = load_builtin("pilot_zone_mixed", [f"run.seed={seed}"])
    expected_per_factor = 167_000  # orders of the mixed scenario at factor 1 (measured: 167,042 with seed 2026)
    scenario = scaled(base, orders / expected_per_factor)
    t0 = time.perf_counter()
    result = simulate(scenario)
    wall = time.perf_counter() - t0
    c = result.counts
    created = c["created"] + c["flows.created"]
    by_mode = result.flow_orders["mode"].value_counts().to_dict()
    queue.put(
        {
            "name": "pilot_zone_mixed scaled (1210+9610+9710+9810)",
            "orders": created,
            "delivered": c["delivered"] + c["flows.delivered"],
            "orders_by_mode": {"1210": c["created"], **{str(k): int(v) for k, v in by_mode.items()}},
            "wall_s": wall,
            "orders_per_s": created / wall,
            "peak_rss_mb": _peak_rss_mb(),
        }
    )


def _tandem_generator(customers: int, seed: int, queue: mp.Queue) -> None:
    """Baseline: a bare SimPy 5-station tandem queue with one generator process per customer."""
    rng = np.random.default_rng(seed)
    env = simpy.Environment()
    stations = [simpy.Resource(env, capacity=2) for _ in range(5)]
    inter = rng.exponential(1.0, customers).tolist()
    service = rng.exponential(1.6, (customers, 5)).tolist()

    def customer(i: int):  # type: ignore[no-untyped-def]
        for k, st in enumerate(stations):
            with st.request() as req:
                yield req
                yield env.timeout(service[i][k])

    def source():  # type: ignore[no-untyped-def]
        for i in range(customers):
            yield env.timeout(inter[i])
            env.process(customer(i))

    env.process(source())
    t0 = time.perf_counter()
    env.run()
    wall = time.perf_counter() - t0
    queue.put(
        {
            "name": "bare SimPy 5-station tandem (generator per customer)",
            "orders": customers,
            "wall_s": wall,
            "orders_per_s": customers / wall,
            "peak_rss_mb": _peak_rss_mb(),
        }
    )


def _tandem_callbacks(customers: int, seed: int, queue: mp.Queue) -> None:
    """Same tandem driven by logistics' callback-style Station (what the model's hot path uses)."""
    from logistics.sim.station import Station

    rng = np.random.default_rng(seed)
    env = simpy.Environment()
    service = rng.exponential(1.6, (5, customers))
    stations: list[Station] = []
    for k in range(5):
        times = service[k].tolist()
        nxt = (lambda j, k=k: stations[k + 1].arrive(j)) if k < 4 else (lambda j: None)
        stations.append(Station(env, f"s{k}", [(0.0, 2)], lambda j, t=times: t[j], nxt))
    arrivals = np.cumsum(rng.exponential(1.0, customers)).tolist()
    state = {"i": 0}

    def arrive(event: simpy.Event) -> None:
        i = state["i"]
        state["i"] = i + 1
        if i + 1 < customers:
            env.timeout(arrivals[i + 1] - env.now).callbacks.append(arrive)
        stations[0].arrive(i)

    env.timeout(arrivals[0]).callbacks.append(arrive)
    t0 = time.perf_counter()
    env.run()
    wall = time.perf_counter() - t0
    queue.put(
        {
            "name": "5-station tandem on logistics Station (callbacks)",
            "orders": customers,
            "wall_s": wall,
            "orders_per_s": customers / wall,
            "peak_rss_mb": _peak_rss_mb(),
        }
    )


def _in_process(target, *args):  # type: ignore[no-untyped-def]
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=target, args=(*args, queue))
    proc.start()
    result = queue.get()
    proc.join()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--baseline-customers", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=20261111)
    args = parser.parse_args()

    rows = [
        _in_process(_model, args.orders, args.seed),
        _in_process(_mixed, args.orders, args.seed),
        _in_process(_tandem_generator, args.baseline_customers, args.seed),
        _in_process(_tandem_callbacks, args.baseline_customers, args.seed),
    ]
    print(f"{'run':<58} {'orders':>10} {'wall s':>8} {'orders/s':>10} {'peak MB':>8}")
    for r in rows:
        print(
            f"{r['name']:<58} {r['orders']:>10,} {r['wall_s']:>8.1f} {r['orders_per_s']:>10,.0f} "
            f"{r['peak_rss_mb']:>8,.0f}"
        )
    for model in rows[:2]:
        print(
            f"\n{model['name']}: target >= 20,000 orders/s: {model['orders_per_s']:,.0f} "
            f"({'met' if model['orders_per_s'] >= 20_000 else 'NOT met'}); "
            f"target < 2,048 MB: {model['peak_rss_mb']:,.0f} MB "
            f"({'met' if model['peak_rss_mb'] < 2048 else 'NOT met'})"
        )
    OUT.mkdir(exist_ok=True)
    record = {
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "processor": platform.processor(),
            "cpus": mp.cpu_count(),
        },
        "when": time.strftime("%Y-%m-%d %H:%M:%S"),
        "rows": rows,
    }
    (OUT / "sim_throughput.json").write_text(json.dumps(record, indent=2))


if __name__ == "__main__":
    main()
