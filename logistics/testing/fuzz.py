"""The fuzzing harness: mutated scenario files and optimizer inputs, run through the `logistics` command.

The contract every input must meet: it is refused with the project's error (exit 2, each message naming the
file and the field or line), or it is accepted and then runs to the end (exit 0, every output written, every
KPI finite); never a traceback, a hang, or an accepted input that then fails. The optimizer commands may also
answer exit 1 (an infeasible problem), never exit 0 with a plan the independent check rejects.

Used by `tests/fuzz/test_fuzz.py` (CI mode: a fixed seed, a bounded count) and `benchmarks/fuzz.py` (the
long mode). Each mutant is a pure function of (seed, index), so any failure is reproduced from its id.
"""

from __future__ import annotations

import copy
import io
import json
import math
import signal
import tempfile
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml

__all__ = [
    "OPTIMIZER_FORMATS",
    "SCENARIO_TIMEOUT_S",
    "Outcome",
    "check_optimizer_input",
    "check_scenario_text",
    "optimizer_mutant",
    "paths",
    "scenario_mutant",
]

SCENARIO_TIMEOUT_S = 120.0
OPTIMIZER_TIMEOUT_S = 60.0
RAW = "__raw_token_{}__"  # a placeholder replaced by raw YAML text after dumping (impossible dates, tags)


@dataclass
class Outcome:
    """What one input did: `kind` is refused, ran, infeasible, or a failure (traceback, hang,
    accepted_then_failed, nonfinite_kpi, bad_message, exit0_invalid)."""

    input_id: str
    kind: str
    detail: str = ""
    seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        return self.kind not in ("refused", "ran", "infeasible")


class _Hang(Exception):
    pass


@contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    """Raise _Hang in the main thread after `seconds` (SIGALRM; POSIX only)."""

    def handler(signum: int, frame: Any) -> None:
        raise _Hang(f"no answer within {seconds:.0f} s (plus the optimizer time the scenario declares)")

    old = signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def _extend_deadline(seconds: float) -> None:
    """Give the running deadline `seconds` more."""
    remaining, _ = signal.getitimer(signal.ITIMER_REAL)
    if remaining > 0 and seconds > 0:
        signal.setitimer(signal.ITIMER_REAL, remaining + seconds)


def _invoke(args: list[str]) -> tuple[int, str, BaseException | None]:
    """Run the `logistics` command in-process; returns exit code, its output and any escaped exception."""
    from typer.testing import CliRunner

    from logistics.cli import app

    result = CliRunner().invoke(app, args, catch_exceptions=True)
    exc = result.exception if not isinstance(result.exception, SystemExit) else None
    output = result.output + (getattr(result, "stderr", "") if result.stderr_bytes is not None else "")
    return result.exit_code, output, exc


def _trace(exc: BaseException) -> str:
    return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))[-3000:]


# ---------------------------------------------------------------------------------------------- mutations


def paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += paths(v, (*prefix, i))
    return out


def _get(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


_NUMBERS: list[Any] = [0, -1, -0.5, 1e308, -1e308, 10**30, 2**63, 1e-300, float("nan"), float("inf"), -float("inf")]
_SWAPS: list[Any] = [None, True, "x", [], {}, [1, 2], {"kind": "exponential"}, "1.5", -3]
_RAW_VALUES = [
    "2026-11-31",
    "9999-12-31T23:00:00",
    "0001-01-01",
    "!!int 1.5",
    "!!float abc",
    "!!binary zzz",
    "!!timestamp 2026-13-01",
    "!!python/object:os.system ls",
    "[*undefined_alias]",
    "{? [a, b] : 1}",
]


def _gentle(data: Any, rng: np.random.Generator) -> tuple[Any, str]:
    """A mutation a planner might make: a number scaled (or zeroed), an optional entry dropped, a list entry
    doubled; most of these are accepted, so the run-time half of the contract is exercised."""
    numbers = [
        p for p in paths(data) if p and isinstance(_get(data, p), int | float) and not isinstance(_get(data, p), bool)
    ]
    if not numbers:
        return data, "nothing to mutate"
    path = numbers[int(rng.integers(len(numbers)))]
    parent = _get(data, path[:-1])
    factor = float(rng.choice([0.0, 0.01, 0.1, 0.5, 2.0, 10.0, 100.0, 1e4]))
    value = parent[path[-1]] * factor
    parent[path[-1]] = int(value) if isinstance(parent[path[-1]], int) and abs(value) < 2**62 else value
    return data, f"x{factor:g} {'.'.join(map(str, path))}"


def _mutate_data(data: Any, rng: np.random.Generator, raws: list[str]) -> tuple[Any, str]:
    """One structural mutation of parsed data; returns the new data and a description."""
    if rng.random() < 0.35:
        return _gentle(data, rng)
    candidates = [p for p in paths(data) if p]
    if not candidates:
        return data, "nothing to mutate"
    path = candidates[int(rng.integers(len(candidates)))]
    parent = _get(data, path[:-1])
    key = path[-1]
    value = parent[key]
    op = str(
        rng.choice(
            [
                "delete",
                "rename",
                "swap",
                "number",
                "number",
                "scale",
                "scale",
                "scale",
                "duplicate",
                "duplicate",
                "reference",
                "raw",
                "empty",
            ]
        )
    )
    where = ".".join(map(str, path))
    if op == "delete":
        del parent[key]
    elif op == "rename" and isinstance(parent, dict):
        parent[f"{key}_typo"] = parent.pop(key)
    elif op == "swap":
        parent[key] = copy.deepcopy(_SWAPS[int(rng.integers(len(_SWAPS)))])
    elif op == "number":
        parent[key] = _NUMBERS[int(rng.integers(len(_NUMBERS)))]
    elif op == "scale" and isinstance(value, int | float) and not isinstance(value, bool):
        factor = float(rng.choice([-1.0, 0.0, 1e-9, 0.1, 0.5, 2.0, 10.0, 1e3, 1e6, 1e12]))
        parent[key] = type(value)(value * factor) if math.isfinite(value * factor) else value * factor
    elif op == "duplicate" and isinstance(value, list) and value:
        value.append(copy.deepcopy(value[int(rng.integers(len(value)))]))
    elif op == "duplicate" and isinstance(parent, list):
        parent.append(copy.deepcopy(value))
    elif op == "reference" and isinstance(value, str):
        parent[key] = "nowhere_" + value
    elif op == "raw":
        raws.append(_RAW_VALUES[int(rng.integers(len(_RAW_VALUES)))])
        parent[key] = RAW.format(len(raws) - 1)
    elif op == "empty" and isinstance(value, list | dict):
        parent[key] = type(value)()
    else:
        parent[key] = _NUMBERS[int(rng.integers(len(_NUMBERS)))]
        op = "number"
    return data, f"{op} {where}"


def _dump(data: Any, raws: list[str]) -> str:
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    for i, raw in enumerate(raws):
        text = text.replace(f"'{RAW.format(i)}'", raw).replace(RAW.format(i), raw)
    return text


def _text_mutation(text: str, rng: np.random.Generator) -> tuple[bytes, str]:
    """One mutation of the raw text: truncation, bytes, tags, aliases, nesting, complex keys."""
    lines = text.splitlines(keepends=True)
    op = str(
        rng.choice(["truncate", "bytes", "laughs", "recursive", "deep", "complex_key", "duplicate_key", "tab", "bom"])
    )
    if op == "truncate":
        return text.encode()[: int(rng.integers(len(text.encode())))], op
    if op == "bytes":
        raw = bytearray(text.encode())
        for _ in range(int(rng.integers(1, 4))):
            raw.insert(int(rng.integers(len(raw))), int(rng.choice([0xFF, 0xC3, 0x80, 0x00, 0xFE])))
        return bytes(raw), op
    if op == "laughs":
        depth = int(rng.integers(8, 12))
        bomb = ["x0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"]
        bomb += [f"x{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, depth)]
        return ("".join(bomb) + text).encode(), op
    if op == "recursive":
        return (text + "description: &r [*r]\n").encode(), op
    if op == "deep":
        n = int(rng.choice([200, 2000, 20000]))
        return (text + "extra: " + "[" * n + "]" * n + "\n").encode(), f"{op} {n}"
    if op == "complex_key":
        return (text + "? [a, b]\n: 1\n").encode(), op
    if op == "duplicate_key":
        i = int(rng.integers(len(lines)))
        return "".join([*lines[: i + 1], lines[i], *lines[i + 1 :]]).encode(), op
    if op == "tab":
        i = int(rng.integers(len(lines)))
        lines[i] = "\t" + lines[i]
        return "".join(lines).encode(), op
    return b"\xef\xbb\xbf" + text.encode("utf-16"), op


V1_DIR = Path(__file__).resolve().parents[1] / "scenario" / "v1"
"""The version-1 built-ins (kept for the converter's tests); mutants of them go through the converter."""


def scenario_mutant(names: list[str], seed: int, index: int) -> tuple[str, bytes, str]:
    """Mutant `index` of the stream `seed`: (the built-in it came from, its bytes, what was done)."""
    from logistics.scenario import builtin_text

    rng = np.random.default_rng([seed, index])
    name = names[index % len(names)]
    text = builtin_text(name)
    old = V1_DIR / f"{name}.yaml"
    if index % 4 == 3 and old.exists():  # every fourth mutant starts from the version-1 file (the converter)
        name, text = f"v1/{name}", old.read_text(encoding="utf-8")
    if rng.random() < 0.2:
        raw, what = _text_mutation(text, rng)
        return name, raw, what
    data = yaml.safe_load(text)
    raws: list[str] = []
    done = []
    for _ in range(int(rng.choice([1, 1, 1, 2, 3]))):
        data, what = _mutate_data(data, rng, raws)
        done.append(what)
    return name, _dump(data, raws).encode(), "; ".join(done)


# -------------------------------------------------------------------------------------- scenario contract


def _messages_name_the_file(output: str, file_name: str) -> bool:
    errors = [line for line in output.splitlines() if line.startswith("error ")]
    return bool(errors) and all(file_name in line or "--set" in line for line in errors)


def _capped(path: Path, cap_h: float) -> Path:
    """The accepted mutant with its horizon and cool-down cut to `cap_h` (disruptions after the cut dropped),
    so that many mutants can run; the full file was validated as it is."""
    from logistics.scenario.loader import read_yaml

    data, _ = read_yaml(path.read_text(encoding="utf-8"), str(path))
    run = data["run"]

    def hours(value: object, default: float) -> float:  # the file was accepted: "12" is a number there too
        return default if value is None else float(value)  # type: ignore[arg-type]

    horizon_h, cooldown_h = hours(run["horizon_h"], 0.0), hours(run.get("cooldown_h"), 72.0)
    if horizon_h <= cap_h and cooldown_h <= cap_h:
        return path
    run["horizon_h"] = min(horizon_h, cap_h)
    run["cooldown_h"] = min(cooldown_h, cap_h)
    run["warmup_h"] = min(hours(run.get("warmup_h"), 0.0), run["horizon_h"] / 2)
    data["disruptions"] = [d for d in data.get("disruptions") or [] if hours(d.get("start_h"), 0.0) < run["horizon_h"]]
    capped = path.with_name("capped.yaml")
    capped.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return capped


def check_scenario_text(
    raw: bytes, input_id: str, horizon_cap_h: float = 24.0, timeout_s: float = SCENARIO_TIMEOUT_S
) -> Outcome:
    """Validate the file with `logistics validate`; when accepted, `logistics run` it (horizon capped at
    `horizon_cap_h`, one replication) and check the outputs: exit 0, KPIs all finite, nothing lost."""
    import time

    import pandas as pd

    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="fuzz-") as tmp:
        path = Path(tmp) / "mutant.yaml"
        path.write_bytes(raw)
        try:
            with _deadline(timeout_s):
                code, output, exc = _invoke(["validate", str(path)])
                if isinstance(exc, _Hang):
                    return Outcome(input_id, "hang", "validate: " + str(exc), time.perf_counter() - start)
                if exc is not None:
                    return Outcome(input_id, "traceback", "validate: " + _trace(exc), time.perf_counter() - start)
                if code != 0:
                    kind = "refused" if code == 2 and _messages_name_the_file(output, "mutant.yaml") else "bad_message"
                    return Outcome(input_id, kind, output[-2000:], time.perf_counter() - start)
                capped = _capped(path, horizon_cap_h)
                # A run may take as long as its in-simulation optimizers are allowed to (their wave caps, which
                # `validate` prints): that is asked-for work, not a hang.
                from logistics.scenario import load_scenario
                from logistics.sim.size import estimate_size

                _extend_deadline(estimate_size(load_scenario(capped)).optimizer_cap_s)
                out = Path(tmp) / "out"
                code, output, exc = _invoke(["run", str(capped), "--out", str(out), "--replications", "1", "-q"])
        except _Hang as hang:
            return Outcome(input_id, "hang", str(hang), time.perf_counter() - start)
        except Exception as exc:  # the harness's own load after validate said ok
            return Outcome(input_id, "traceback", "after validate: " + _trace(exc), time.perf_counter() - start)
        seconds = time.perf_counter() - start
        if isinstance(exc, _Hang):  # the deadline fired inside the command
            return Outcome(input_id, "hang", str(exc), seconds)
        if exc is not None:
            return Outcome(input_id, "traceback", "run: " + _trace(exc), seconds)
        if code == 2 and "--force" in output:
            return Outcome(input_id, "refused", output[-2000:], seconds)  # the size guard refuses it up front
        if code != 0:
            return Outcome(input_id, "accepted_then_failed", output[-2000:], seconds)
        kpis_path = out / "kpis.csv"
        if not kpis_path.exists():
            return Outcome(input_id, "accepted_then_failed", "no kpis.csv written", seconds)
        kpis = pd.read_csv(kpis_path)
        values = pd.to_numeric(kpis["value"], errors="coerce")
        bad = kpis.loc[~np.isfinite(values.to_numpy(dtype=float)), "kpi"].tolist()
        if bad:
            return Outcome(input_id, "nonfinite_kpi", ", ".join(map(str, bad[:10])), seconds)
        if not kpis["kpi"].is_unique:
            dup = kpis.loc[kpis["kpi"].duplicated(), "kpi"].tolist()
            return Outcome(input_id, "duplicate_kpi", ", ".join(map(str, dup[:10])), seconds)
        return Outcome(input_id, "ran", "", seconds)


# ------------------------------------------------------------------------------------- optimizer inputs


def _routing_json(rng: np.random.Generator) -> str:
    n = int(rng.integers(3, 12))
    locations = [{"id": "D", "x": 0.0, "y": 0.0}]
    stops = []
    for i in range(n):
        locations.append({"id": f"L{i}", "x": float(rng.uniform(-5000, 5000)), "y": float(rng.uniform(-5000, 5000))})
        stop: dict[str, Any] = {"id": f"s{i}", "location": f"L{i}", "demand": [float(rng.integers(1, 4))]}
        if rng.random() < 0.5:
            stop["window_s"] = [0.0, float(rng.uniform(3600, 20000))]
            stop["service_s"] = 60.0
        stops.append(stop)
    data: dict[str, Any] = {
        "locations": locations,
        "depots": ["D"],
        "dimensions": ["parcels"],
        "stops": stops,
        "vehicle_types": [{"id": "van", "count": 3, "capacity": [10.0], "start_depot": "D", "cost_per_km": 1.0}],
        "objective": "distance",
    }
    if rng.random() < 0.5:  # the dispatchers' constraints: a pair, a return, skills, limits, breaks or reloads
        van = data["vehicle_types"][0]
        stops[0].update({"pickup": stops[0].pop("demand")})
        stops[1]["demand"] = list(stops[0]["pickup"])
        data["pairs"] = [{"pickup": "s0", "delivery": "s1"}]
        stops[2]["pickup"] = [1.0]
        stops[-1]["skills"] = ["cold"]
        data["vehicle_types"].append(
            {
                "id": "reefer",
                "count": 1,
                "capacity": [6.0],
                "start_depot": "D",
                "skills": ["cold"],
                "speed_m_per_s": 6.0,
            }
        )
        van["max_distance_m"] = 40_000.0
        if rng.random() < 0.5:
            van["breaks"] = [{"window_s": [1800.0, 3600.0], "duration_s": 600.0}]
        else:
            van["reload_depots"], data["depot_load_s"] = ["D"], 120.0
        if rng.random() < 0.5:
            data["traffic_by_hour"] = [1.0] * 7 + [1.8] * 3 + [1.0] * 14
    if rng.random() < 0.3:  # a matrix instead of coordinates
        k = len(locations)
        pts = np.array([[loc["x"], loc["y"]] for loc in locations])
        dist = np.rint(np.hypot(*(pts[:, None, :] - pts[None, :, :]).transpose(2, 0, 1))).tolist()
        data["distance_m"] = dist
        data["duration_s"] = [[v / 10 for v in row] for row in dist]
        for loc in locations:
            loc.pop("x"), loc.pop("y")
        assert len(dist) == k
    return json.dumps(data, indent=1)


def _solomon_txt(rng: np.random.Generator) -> str:
    n = int(rng.integers(3, 10))
    rows = ["   0      40.00      50.00       0.00       0.00    1236.00       0.00"]
    for i in range(1, n + 1):
        x, y = rng.uniform(0, 100, 2)
        ready = float(rng.integers(0, 500))
        rows.append(f"{i:4d} {x:10.2f} {y:10.2f} {10:10.2f} {ready:10.2f} {ready + 300:10.2f} {10:10.2f}")
    head = "FUZZ\n\nVEHICLE\nNUMBER     CAPACITY\n  5         50\n\nCUSTOMER\n"
    head += "CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME\n\n"
    return head + "\n".join(rows) + "\n"


def _vrplib(rng: np.random.Generator) -> str:
    n = int(rng.integers(3, 10))
    lines = ["NAME : fuzz", "TYPE : CVRP", f"DIMENSION : {n + 1}", "EDGE_WEIGHT_TYPE : EUC_2D", "CAPACITY : 10"]
    lines.append("NODE_COORD_SECTION")
    lines += [f"{i + 1} {int(rng.integers(0, 100))} {int(rng.integers(0, 100))}" for i in range(n + 1)]
    lines.append("DEMAND_SECTION")
    lines += [f"{i + 1} {0 if i == 0 else int(rng.integers(1, 4))}" for i in range(n + 1)]
    lines += ["DEPOT_SECTION", "1", "-1", "EOF"]
    return "\n".join(lines) + "\n"


def _docks_json(rng: np.random.Generator) -> str:
    trucks = []
    for i in range(int(rng.integers(1, 8))):
        arrival = int(rng.integers(0, 20))
        trucks.append(
            {"id": f"t{i}", "arrival_slot": arrival, "duration_slots": int(rng.integers(1, 4)), "priority": 1.0}
        )
    doors = [{"id": f"d{i}"} for i in range(int(rng.integers(1, 3)))]
    return json.dumps({"trucks": trucks, "doors": doors, "horizon_slots": 48, "slot_min": 30}, indent=1)


def _slotting_files(rng: np.random.Generator) -> dict[str, str]:
    """A small generated bonded layout (layout.json + slots.csv), its SKU table and an order history."""
    from logistics.optimize.slotting.examples import bonded_layout, generate_orders, generate_skus
    from logistics.optimize.slotting.files import write_layout, write_orders_csv, write_skus_csv

    layout = bonded_layout(int(rng.integers(5, 8)), int(rng.integers(3, 6)), 2)
    skus = generate_skus(layout, max(1, int(len(layout.slots) * 0.6)), rng)
    history = generate_orders(skus, 30, rng, mean_lines=1.5)
    with tempfile.TemporaryDirectory() as tmp:
        write_layout(layout, tmp)
        write_skus_csv(skus, Path(tmp) / "skus.csv")
        write_orders_csv(history, skus, Path(tmp) / "orders.csv")
        return {p.name: p.read_text(encoding="utf-8") for p in Path(tmp).iterdir()}


OPTIMIZER_FORMATS: dict[str, Callable[[np.random.Generator], Any]] = {
    "routes_json": _routing_json,
    "routes_solomon": _solomon_txt,
    "routes_vrplib": _vrplib,
    "docks_json": _docks_json,
    "slots": _slotting_files,
}


def _mutate_csv(text: str, rng: np.random.Generator) -> tuple[str, str]:
    lines = text.splitlines()
    i = int(rng.integers(len(lines)))
    cells = lines[i].split(",")
    j = int(rng.integers(len(cells)))
    op = str(rng.choice(["cell", "ragged", "drop_line", "dup_line", "header"]))
    if op == "cell":
        cells[j] = str(rng.choice(["", "nan", "inf", "-1", "0", "1e308", "abc", "9" * 30, "1.5"]))
        lines[i] = ",".join(cells)
    elif op == "ragged":
        lines[i] = ",".join(cells[:j]) if rng.random() < 0.5 else lines[i] + ",extra"
    elif op == "drop_line":
        del lines[i]
    elif op == "dup_line":
        lines.insert(i, lines[i])
    else:
        lines[0] = lines[0].replace(cells[j] if i == 0 else "sku_id", "renamed")
    return "\n".join(lines) + "\n", f"{op} line {i}"


def _mutate_text_bytes(text: str, rng: np.random.Generator) -> tuple[bytes, str]:
    op = str(rng.choice(["truncate", "bytes", "empty"]))
    raw = text.encode()
    if op == "truncate":
        return raw[: int(rng.integers(len(raw)))], op
    if op == "bytes":
        b = bytearray(raw)
        b.insert(int(rng.integers(len(b))), int(rng.choice([0xFF, 0xC3, 0x00])))
        return bytes(b), op
    return b"", op


def _mutate_lines(text: str, rng: np.random.Generator) -> tuple[str, str]:
    """A line-format file (Solomon, VRPLIB): a token replaced, a line dropped or doubled."""
    lines = text.splitlines()
    i = int(rng.integers(len(lines)))
    tokens = lines[i].split()
    op = str(rng.choice(["token", "drop", "dup", "short"]))
    if op == "token" and tokens:
        tokens[int(rng.integers(len(tokens)))] = str(rng.choice(["-1", "0", "nan", "inf", "1e308", "x", "9" * 30]))
        lines[i] = " ".join(tokens)
    elif op == "drop":
        del lines[i]
    elif op == "dup":
        lines.insert(i, lines[i])
    else:
        lines[i] = " ".join(tokens[: max(0, len(tokens) - 2)])
    return "\n".join(lines) + "\n", f"{op} line {i}"


def optimizer_mutant(seed: int, index: int) -> tuple[str, dict[str, bytes], str]:
    """Mutant `index` of the stream `seed`: (its format, file name -> bytes, what was done)."""
    rng = np.random.default_rng([seed, 1_000_003, index])
    formats = list(OPTIMIZER_FORMATS)
    fmt = formats[index % len(formats)]
    made = OPTIMIZER_FORMATS[fmt](rng)
    files: dict[str, str] = made if isinstance(made, dict) else {_main_name(fmt): made}
    name = str(rng.choice(sorted(files)))
    text = files[name]
    what = f"{name}: "
    roll = rng.random()
    out = {k: v.encode() for k, v in files.items()}
    if roll < 0.2:
        out[name], op = _mutate_text_bytes(text, rng)
    elif name.endswith(".json"):
        data = json.loads(text)
        raws: list[str] = []
        for _ in range(int(rng.integers(1, 3))):
            data, op = _mutate_data(data, rng, raws)
            what += op + "; "
        body = json.dumps(data, indent=1)
        for i, raw in enumerate(raws):
            body = body.replace(f'"{RAW.format(i)}"', raw)
        out[name], op = body.encode(), ""
    elif name.endswith(".csv"):
        mutated, op = _mutate_csv(text, rng)
        out[name] = mutated.encode()
    else:
        mutated, op = _mutate_lines(text, rng)
        out[name] = mutated.encode()
    return fmt, out, what + op


def _main_name(fmt: str) -> str:
    return {"routes_json": "problem.json", "routes_solomon": "fuzz.txt", "routes_vrplib": "fuzz.vrp"}.get(
        fmt, "docks.json"
    )


def check_optimizer_input(fmt: str, files: dict[str, bytes], input_id: str) -> Outcome:
    """Run the optimizer command on the files; the contract: exit 2 with a message naming the field, exit 1
    for infeasible or failed checks, exit 0 only with a plan the independent check accepts."""
    import time

    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="fuzz-opt-") as tmp:
        for name, raw in files.items():
            (Path(tmp) / name).write_bytes(raw)
        out = Path(tmp) / "out"
        if fmt.startswith("routes"):
            main = Path(tmp) / _main_name(fmt)
            args = ["optimize", "routes", str(main), "--time-limit", "2", "--out", str(out / "sol.json")]
            args += ["--solution-limit", "50"]
        elif fmt == "docks_json":
            args = ["optimize", "docks", str(Path(tmp) / "docks.json"), "--time-limit", "2", "--out", str(out)]
        else:
            args = ["optimize", "slots", str(Path(tmp) / "layout.json"), str(Path(tmp) / "skus.csv")]
            args += ["--orders", str(Path(tmp) / "orders.csv"), "--out", str(out)]
        try:
            with _deadline(OPTIMIZER_TIMEOUT_S):
                code, output, exc = _invoke(args)
        except _Hang as hang:
            return Outcome(input_id, "hang", str(hang), time.perf_counter() - start)
        seconds = time.perf_counter() - start
        if isinstance(exc, _Hang):
            return Outcome(input_id, "hang", str(exc), seconds)
        if exc is not None:
            return Outcome(input_id, "traceback", _trace(exc), seconds)
        if code == 0:
            if "FAILED" in output:
                return Outcome(input_id, "exit0_invalid", output[-2000:], seconds)
            return Outcome(input_id, "ran", "", seconds)
        if code == 1:
            return Outcome(input_id, "infeasible", output[-500:], seconds)
        errors = [line for line in output.splitlines() if line.startswith("error ")]
        if code == 2 and errors:
            return Outcome(input_id, "refused", "\n".join(errors)[:500], seconds)
        return Outcome(input_id, "bad_message", f"exit {code}: {output[-2000:]}", seconds)


def summarize(outcomes: list[Outcome]) -> dict[str, int]:
    """Counts by outcome kind."""
    counts: dict[str, int] = {}
    for o in outcomes:
        counts[o.kind] = counts.get(o.kind, 0) + 1
    return dict(sorted(counts.items()))


def report_failures(outcomes: list[Outcome], limit: int = 10) -> str:
    """The first failures, readable."""
    buf = io.StringIO()
    for o in [o for o in outcomes if o.failed][:limit]:
        buf.write(f"--- {o.input_id}: {o.kind}\n{o.detail}\n")
    return buf.getvalue()
