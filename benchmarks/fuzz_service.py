"""Fuzz the job service: mutated bodies of every job kind (a field dropped, or replaced by null, a wrong type,
NaN, 1e308, 10**30, an empty string ...) posted to a real server. No answer may be a 5xx, every 422 must say
what is wrong, and every accepted job must end `done` (a `failed` job is a bad input the parser let through).

    python benchmarks/fuzz_service.py [--seed 0] [--per-kind 60]
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from logistics.optimize.common import json_ready
from logistics.testing import problems as examples
from logistics.testing.service import Server

OUT = Path(__file__).resolve().parent / "out"
VALUES: list[Any] = [None, -1, 0, 1e308, float("nan"), "x", [], {}, True, [1, "a"], {"a": 1}, 10**30, -1e-9, ""]
BODIES = {
    "routing": examples.routing_body(),
    "docks": {"problem": json_ready(asdict(examples.DOCKS)), "params": {"time_limit_s": 1}},
    "linehaul": {"problem": json_ready(asdict(examples.LINEHAUL))},
    "slotting": {"layout": examples.LAYOUT, "skus_csv": examples.SKUS_CSV},
    "simulation": {"scenario": "bonded_import_small", "replications": 1},
}


def _paths(value: Any, prefix: tuple = ()) -> Iterator[tuple]:
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for i, item in enumerate(value[:3]):
            yield from _paths(item, (*prefix, i))


def mutate(body: dict, rng: random.Random) -> dict:
    """One field of `body` dropped (30%) or replaced by an odd value."""
    mutated = copy.deepcopy(body)
    path = rng.choice([p for p in _paths(mutated) if p])
    parent = mutated
    for key in path[:-1]:
        parent = parent[key]
    if rng.random() < 0.3 and isinstance(parent, dict):
        del parent[path[-1]]
    else:
        parent[path[-1]] = rng.choice(VALUES)
    return mutated


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--per-kind", type=int, default=60)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    server = Server(Path(tempfile.mkdtemp()), workers=2, max_queued_per_key=100_000, max_time_limit_s=2).start()
    problems: list[str] = []
    answers: dict[str, Counter] = {}
    try:
        with server.client() as http:
            for kind, body in BODIES.items():
                answers[kind] = Counter()
                for _ in range(args.per_kind):
                    text = json.dumps(mutate(body, rng))
                    answer = http.post(f"/v1/{kind}/jobs", content=text, headers={"content-type": "application/json"})
                    answers[kind][answer.status_code] += 1
                    if answer.status_code >= 500:
                        problems.append(f"{kind}: HTTP {answer.status_code} for {text[:300]}")
                    elif answer.status_code == 422 and not all(d.get("msg") for d in answer.json()["detail"]):
                        problems.append(f"{kind}: a 422 without a message: {answer.text[:300]}")
            deadline = time.monotonic() + 600
            while time.monotonic() < deadline:
                jobs = http.get("/v1/jobs", params={"limit": 1000}).json()["jobs"]
                if all(j["state"] not in ("queued", "running") for j in jobs):
                    break
                time.sleep(0.5)
            ends = Counter(j["state"] for j in jobs)
            problems += [f"{j['kind']} job failed: {j['error'][:300]}" for j in jobs if j["state"] == "failed"]
    finally:
        server.stop()
    for kind, counts in answers.items():
        print(f"{kind:<11}", ", ".join(f"HTTP {code}: {n}" for code, n in sorted(counts.items())))
    print("accepted jobs ended:", dict(ends))
    for problem in problems:
        print("PROBLEM", problem)
    OUT.mkdir(exist_ok=True)
    record = {"seed": args.seed, "answers": {k: dict(v) for k, v in answers.items()}, "ends": dict(ends)}
    (OUT / f"fuzz_service_{args.seed}.json").write_text(json.dumps({**record, "problems": problems}, indent=2))
    print(f"{len(problems)} problem(s)")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
