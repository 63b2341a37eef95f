"""The job service end to end: a real server (uvicorn in a subprocess) and a real HTTP client. Every job kind
runs and its result passes the library's own checker here; cancel, auth, limits and bad bodies."""

from __future__ import annotations

import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import httpx
import numpy as np
import pytest

from logistics.optimize import SolveParams, check_routing
from logistics.optimize.common import Status
from logistics.optimize.docks import Appointment, DockPlan, check_docks
from logistics.optimize.linehaul import SpacePlan, check_space
from logistics.optimize.routing.jsonio import problem_to_json, result_from_json
from logistics.optimize.slotting import SlottingPlan, check_slotting
from logistics.service.client import Client, ServiceError
from logistics.testing.problems import DOCKS, LAYOUT, LINEHAUL, ROUTING, SKUS_CSV, grid_problem, plain, routing_body
from logistics.testing.service import KEYS, Server


def _wait(client, job_id: str, timeout_s: float = 60.0) -> dict:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        status = client.get(f"/v1/jobs/{job_id}").json()
        if status["state"] in ("done", "failed", "cancelled", "interrupted"):
            return status
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not end")


def test_routing_job_end_to_end_passes_the_checker(server: Server) -> None:
    with server.client() as http:
        answer = http.post("/v1/routing/jobs", json=routing_body())
        assert answer.status_code == 202 and answer.headers["location"] == f"/v1/jobs/{answer.json()['id']}"
        status = _wait(http, answer.json()["id"])
        assert status["state"] == "done" and status["progress"] == 1.0 and status["run_s"] > 0
        result = http.get(f"/v1/jobs/{status['id']}/result").json()["result"]
    solution = result_from_json(json.dumps(result["solution"]))
    assert solution.status in (Status.OPTIMAL, Status.FEASIBLE) and not solution.unassigned
    assert check_routing(ROUTING, solution).ok and result["check"]["ok"]


def test_synchronous_form_and_the_python_client(server: Server) -> None:
    with server.client() as http:
        answer = http.post("/v1/routing/jobs?wait=30", json=routing_body(backend="ortools"))
    assert answer.status_code == 200 and answer.json()["state"] == "done" and "result" in answer.json()
    with Client(server.url, KEYS["alice"]) as client:
        result = client.solve_routing(ROUTING, SolveParams(time_limit_s=1))
        assert check_routing(ROUTING, result).ok
        remote = client.check_routing(ROUTING, result)
        assert remote["ok"] and remote["distance_m"] == pytest.approx(result.distance_m)


def test_docks_linehaul_and_slotting_jobs_pass_the_checkers(server: Server) -> None:
    with Client(server.url, KEYS["alice"]) as client:
        docks = client.solve_docks(DOCKS)
        linehaul = client.solve_space(LINEHAUL)
        slotting = client.submit("slotting", {"layout": LAYOUT, "skus_csv": SKUS_CSV}).result(60)
    plan = docks["plan"]
    dock_plan = DockPlan(
        Status(plan["status"]),
        tuple(Appointment(**a) for a in plan["appointments"]),
        tuple((u["truck"], u["reason"]) for u in plan["unscheduled"]),
        *(plan[k] if plan[k] is not None else float("nan") for k in ("objective", "best_bound", "gap")),
        plan["mean_waiting_min"], plan["door_utilisation"], plan["runtime_s"],
    )  # fmt: skip
    assert dock_plan.appointments and check_docks(DOCKS, dock_plan).ok and docks["check"]["ok"]
    space = linehaul["plan"]
    space_plan = SpacePlan(
        Status(space["status"]), np.array(space["counts"]), np.array(space["later"]), space["objective"], 0.0
    )
    assert check_space(LINEHAUL, space_plan).ok and linehaul["check"]["ok"]
    assert space_plan.counts.sum() + space_plan.later.sum() == 500
    # the slotting plan rebuilt here from the answer's assignments and checked with the library
    from logistics.optimize.slotting import SlottingProblem, read_skus_csv
    from logistics.optimize.slotting.files import layout_from_data
    from logistics.optimize.textio import CsvText

    problem = SlottingProblem(layout_from_data(LAYOUT, "layout", None), read_skus_csv(CsvText("skus", SKUS_CSV)))
    slot_at = {s: j for j, s in enumerate(problem.layout.slots.slot_id)}
    sku_at = {s: k for k, s in enumerate(problem.skus.sku_id)}
    sku_of_slot = np.full(len(slot_at), -1)
    for a in slotting["plan"]["assignments"]:
        sku_of_slot[slot_at[a["slot_id"]]] = sku_at[a["sku_id"]]
    local = SlottingPlan("optimal", slotting["plan"]["status"], sku_of_slot, slotting["plan"]["objective_m"], {})
    assert check_slotting(problem, local).ok and slotting["check"]["ok"]
    assert len(slotting["plan"]["assignments"]) == int(problem.skus.slots.sum())


def test_simulation_job_gives_kpis_and_files(server: Server) -> None:
    with Client(server.url, KEYS["alice"]) as client:
        job = client.simulate(
            "bonded_import_small", ["run.horizon_h=24", "run.cooldown_h=24"], replications=1, seed=3, wait=False
        )
        result = job.result(120)
        status = job.status()
        assert status["state"] == "done" and "kpis.csv" in status["files"]
        kpis = {row["kpi"]: row["mean"] for row in result["kpis"]}
        assert result["replications_finished"] == 1 and kpis["orders.created"] > 0
        assert job.file("kpis.csv").startswith(b"replication,kpi,value,unit")
        with pytest.raises(ServiceError) as missing:
            job.file("../jobs.db")
        assert missing.value.status == 404


def test_cancel_stops_a_running_solver_within_a_second_and_keeps_its_best_plan(server: Server) -> None:
    big = grid_problem(120, vehicles=12, capacity=15.0, windows=True)
    with server.client() as http:
        job = http.post("/v1/routing/jobs", json=routing_body(big, limit_s=25, backend="ortools")).json()["id"]
        deadline = time.monotonic() + 20
        while http.get(f"/v1/jobs/{job}").json()["best_objective"] is None:  # running, with a plan found
            assert time.monotonic() < deadline
            time.sleep(0.1)
        asked = time.monotonic()
        assert http.delete(f"/v1/jobs/{job}").status_code == 202
        status = _wait(http, job)
        stopped_s = time.monotonic() - asked
        assert status["state"] == "cancelled" and stopped_s < 1.5, (status, stopped_s)
        result = http.get(f"/v1/jobs/{job}/result").json()["result"]
        deleted = http.delete(f"/v1/jobs/{job}")  # an ended job: deleted, with its result
        assert deleted.status_code == 200 and deleted.json()["deleted"] is True
        assert http.get(f"/v1/jobs/{job}").status_code == 404
    assert check_routing(big, result_from_json(json.dumps(result["solution"]))).feasible


def test_auth_401_without_or_with_a_wrong_key_and_403_for_another_keys_job(server: Server) -> None:
    import httpx

    anonymous = httpx.post(server.url + "/v1/routing/jobs", json=routing_body())
    wrong = httpx.get(server.url + "/v1/jobs", headers={"Authorization": "Bearer nope"})
    assert anonymous.status_code == 401
    assert wrong.status_code == 401 and wrong.headers["www-authenticate"] == "Bearer"
    server.conforms(anonymous)
    server.conforms(wrong)
    with server.client("alice") as alice, server.client("bob") as bob:
        job = alice.post("/v1/linehaul/jobs", json={"problem": plain(LINEHAUL)}).json()["id"]
        assert bob.get(f"/v1/jobs/{job}").status_code == 403
        assert bob.delete(f"/v1/jobs/{job}").status_code == 403
        assert bob.get(f"/v1/jobs/{job}/result").status_code == 403
        assert all(j["id"] != job for j in bob.get("/v1/jobs").json()["jobs"])
        assert any(j["id"] == job for j in alice.get("/v1/jobs", params={"kind": "linehaul"}).json()["jobs"])
    assert httpx.get(server.url + "/healthz").status_code == 200


def test_limits_429_with_retry_after_and_413(server: Server) -> None:
    slow = routing_body(grid_problem(60, vehicles=6, windows=True), limit_s=20, backend="ortools")
    with server.client("bob") as bob:
        ids = [bob.post("/v1/routing/jobs", json=slow).json()["id"] for _ in range(2)]
        deadline = time.monotonic() + 20
        while any(bob.get(f"/v1/jobs/{j}").json()["state"] != "running" for j in ids):  # both workers busy
            assert time.monotonic() < deadline
            time.sleep(0.1)
        ids += [bob.post("/v1/routing/jobs", json=slow).json()["id"] for _ in range(3)]  # the queue limit
        refused = bob.post("/v1/routing/jobs", json=slow)
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
        for job in ids:
            assert bob.delete(f"/v1/jobs/{job}").status_code in (200, 202)
        for job in ids:
            assert _wait(bob, job)["state"] == "cancelled"
        huge = bob.post(
            "/v1/routing/jobs", content=b"{" + b" " * 2_100_000 + b"}", headers={"content-type": "application/json"}
        )
        assert huge.status_code == 413


def _design_body() -> dict:
    import yaml

    from logistics.optimize.design import builtin_design_path

    return {"problem": yaml.safe_load(builtin_design_path("pilot_zone_small").read_text()), "params": {}}


@pytest.mark.parametrize("method", [None, "lagrangian"])
def test_a_design_job_answers_a_checked_plan(server: Server, method: str | None) -> None:
    from logistics.optimize.design import Assignment, evaluate_design, load_design

    body = _design_body()
    if method:
        body["params"] = {"method": method, "time_limit_s": 10}
    with Client(server.url, KEYS["alice"]) as client:
        answer = client.submit("design", body).result(60)
    plan = answer["plan"]
    assert plan["status"] in (("optimal",) if method is None else ("optimal", "feasible")) and answer["check"]["ok"]
    assert plan["method"] == (method or "mip")
    # rebuilt here from the answer and checked with the library: the same rules and the stated cost
    problem = load_design("pilot_zone_small")
    assignments = tuple(Assignment(**a) for a in plan["assignments"])
    exact = evaluate_design(problem, set(plan["open_sites"]), assignments)
    assert not exact.violations and exact.total_cny == pytest.approx(plan["cost_cny"], rel=1e-9)


@pytest.mark.parametrize(
    ("kind", "body", "field"),
    [
        ("routing", {"problem": {**json.loads(problem_to_json(ROUTING)), "depots": ["nowhere"]}}, "depots"),
        ("routing", {**routing_body(), "params": {"time_limit_s": -1}}, "params.time_limit_s"),
        ("routing", {**routing_body(), "params": {"backend": "nope"}}, "params.backend"),  # not in the worker
        ("routing", {**routing_body(), "params": {"first_solution": "nope"}}, "params.first_solution"),
        (
            "docks",
            {"problem": {"trucks": [{"id": "a", "arrival_slot": "soon", "duration_slots": 2}], "doors": [{"id": "D"}]}},
            "trucks",
        ),
        (
            "linehaul",
            {"problem": {"now_h": 0, "departures": [], "classes": [], "late_penalty_cny_per_h": 1, "horizon_h": 9}},
            "departures",
        ),
        ("slotting", {"layout": LAYOUT, "skus_csv": "sku_id,picks,volume_l,weight_kg\nA,many,1,1\n"}, "picks"),
        ("simulation", {"scenario": "bonded_import_small", "overrides": ["run.horizon_h=-5"]}, "horizon_h"),
        ("simulation", {"scenario": "/etc/passwd"}, "scenario"),
        ("design", {"problem": {**_design_body()["problem"], "promise_days": -1}}, "promise_days"),
        ("design", {**_design_body(), "params": {"method": "guess"}}, "params.method"),
        (
            "design",
            {"problem": {**_design_body()["problem"], "lanes": _design_body()["problem"]["lanes"] * 1000}},
            "problem.markets[].demand",
        ),
        (
            "routing",
            {
                "problem": {
                    **json.loads(problem_to_json(ROUTING)),
                    "locations": [{"id": f"L{i}", "x": i, "y": 0} for i in range(6001)],
                }
            },
            "problem.locations",
        ),
        ("slotting", {"layout": {"generate": {**LAYOUT["generate"], "levels": 10**30}}, "skus_csv": SKUS_CSV}, "slots"),
        (
            "linehaul",
            {"problem": {**plain(LINEHAUL), "classes": [{**plain(LINEHAUL)["classes"][0], "count": 10**30}]}},
            "count",
        ),
    ],
)
def test_a_bad_body_is_a_422_naming_the_field(server: Server, kind: str, body: dict, field: str) -> None:
    with server.client() as http:
        answer = http.post(f"/v1/{kind}/jobs", json=body)
    assert answer.status_code == 422, answer.text
    detail = answer.json()["detail"]
    assert any(field in d["msg"] or field in ".".join(map(str, d["loc"])) for d in detail), detail


def test_the_routing_check_endpoint_lists_every_violation(server: Server) -> None:
    stops = [s.id for s in ROUTING.stops]
    plan = {"routes": [{"vehicle_type": ROUTING.vehicle_types[0].id, "stops": stops}]}  # one van, over capacity
    with server.client() as http:
        answer = http.post("/v1/routing/check", json={"problem": json.loads(problem_to_json(ROUTING)), "plan": plan})
        bad = http.post(
            "/v1/routing/check",
            json={
                "problem": json.loads(problem_to_json(ROUTING)),
                "plan": {"routes": [{"vehicle_type": "ufo", "stops": []}]},
            },
        )
    assert answer.status_code == 200 and not answer.json()["ok"]
    assert any("capacity" in v or "load" in v for v in answer.json()["violations"])
    assert bad.status_code == 422 and "ufo" in bad.text


def test_openapi_metrics_and_webhook(server: Server) -> None:
    import httpx

    schema = httpx.get(server.url + "/openapi.json").json()
    body = schema["paths"]["/v1/routing/jobs"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert "vehicle_types" in body["properties"]["problem"]["properties"]
    assert {"/v1/simulation/jobs", "/v1/docks/jobs", "/v1/linehaul/jobs", "/v1/slotting/jobs"} <= set(schema["paths"])
    answers = schema["paths"]["/v1/docks/jobs"]["post"]["responses"]
    assert answers["202"]["content"]["application/json"]["schema"]["$ref"].endswith("/DocksJobAnswer")
    assert {"200", "202", "401", "413", "422", "429"} <= set(answers)
    # (every answer under /v1 in these tests is checked against these schemas: `Server.conforms`)
    calls: list[dict] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            calls.append(json.loads(self.rfile.read(int(self.headers["content-length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    hook = HTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=hook.serve_forever, daemon=True).start()
    try:
        with server.client() as http:
            url = f"http://127.0.0.1:{hook.server_address[1]}/done"
            job = http.post("/v1/linehaul/jobs", params={"webhook": url}, json={"problem": plain(LINEHAUL)}).json()
            _wait(http, job["id"])
            deadline = time.monotonic() + 10
            while not calls and time.monotonic() < deadline:
                time.sleep(0.1)
    finally:
        hook.shutdown()
    assert calls and calls[0]["id"] == job["id"] and calls[0]["state"] == "done"
    # anywhere else that is not public is refused (the server's own network: metadata, private, loopback)
    with server.client() as http:
        for url in ("http://169.254.169.254/latest/meta-data/", "http://10.1.2.3/", "http://[::1]:8080/x",
                    "http://0.0.0.0:9/", "http://127.0.0.2/", "ftp://example.com/", "http:///nohost"):  # fmt: skip
            refused = http.post("/v1/linehaul/jobs", params={"webhook": url}, json={"problem": plain(LINEHAUL)})
            assert refused.status_code == 422, url
            assert refused.json()["detail"][0]["loc"] == ["query", "webhook"], url
        assert "not a public address" in refused.text or "no host" in refused.text
    metrics = httpx.get(server.url + "/metrics").text
    assert 'logistics_jobs{state="done"}' in metrics and "logistics_queue_length" in metrics
    assert 'logistics_job_run_seconds_count{kind="linehaul"}' in metrics


@pytest.mark.slow
def test_a_cancelled_simulation_keeps_its_finished_replications(server: Server) -> None:
    body = {"scenario": "bonded_import_small", "replications": 3, "overrides": ["run.horizon_h=240"]}
    with server.client() as http:
        job = http.post("/v1/simulation/jobs", json=body).json()["id"]
        deadline = time.monotonic() + 60
        while http.get(f"/v1/jobs/{job}").json()["progress"] < 0.4:  # into the second replication
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert http.delete(f"/v1/jobs/{job}").status_code == 202
        status = _wait(http, job)
        result = http.get(f"/v1/jobs/{job}/result").json()["result"]
    assert status["state"] == "cancelled" and not status["notes"], status
    assert 1 <= result["replications_finished"] < 3 and "kpis.csv" in status["files"]
    replications = {row["kpi"]: row for row in result["kpis"]}["orders.created"]
    assert replications["mean"] > 0


def test_a_builtin_reference_cannot_reach_a_file_outside_the_shipped_data(server: Server, tmp_path: Path) -> None:
    """`builtin:NAME` is looked up by name in a fixed list: a path (`builtin:../../x`) names nothing, so one key
    cannot make the server read another key's run files (or any file) as an order history."""
    import pandas as pd

    from logistics.scenario.datafile import builtin_path

    secret = tmp_path / "secret.parquet"
    pd.read_parquet(builtin_path("builtin:bonded_import_peak_orders")).head(50).assign(
        private_note="tenant-a"
    ).to_parquet(secret)
    shipped = builtin_path("builtin:bonded_import_peak_orders").parent
    relative = Path(os.path.relpath(secret, shipped)).with_suffix("")
    with server.client() as http:
        answer = http.post(
            "/v1/simulation/jobs",
            json={
                "scenario": "bonded_import_replay",
                "overrides": [f"flows.0.demand.history.file=builtin:{relative.as_posix()}", "run.horizon_h=2"],
                "replications": 1,
            },
        )
    assert answer.status_code == 422, answer.text
    assert "no built-in data file" in answer.text and "private_note" not in answer.text
    assert str(shipped) not in answer.text  # no server path in the answer (only what the caller wrote)


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def test_a_chunked_body_over_the_limit_is_refused_while_streaming(server: Server) -> None:
    """No Content-Length: the server counts the chunks as they come and stops at the limit (2 MB here) instead
    of reading 200 MB whole; its memory stays put."""
    assert server.process is not None
    before = _rss_mb(server.process.pid)

    def chunks():  # type: ignore[no-untyped-def]
        yield b'{"problem": "'
        for _ in range(200 * 16):  # 200 MB in 64 KB chunks
            yield b"x" * 65_536

    headers = {"Authorization": f"Bearer {KEYS['alice']}", "content-type": "application/json"}
    try:
        answer = httpx.post(f"{server.url}/v1/routing/jobs", content=chunks(), headers=headers, timeout=60)
        assert answer.status_code == 413, answer.text
    except (httpx.WriteError, httpx.RemoteProtocolError, httpx.ReadError):
        pass  # the server closed the connection on an over-long body: refused too
    after = _rss_mb(server.process.pid)
    assert after - before < 100, (before, after)
    with server.client() as http:
        assert http.get("/v1/jobs").status_code == 200  # still serving


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b'{"problem": ' + b"[" * 5000 + b"]" * 5000 + b"}", "nested deeper"),
        (b'{"problem": ' + b"[" * 100 + b"]" * 100 + b"}", "nested deeper"),
        (b'{"problem": ' + b"7" * 5000 + b"}", "not valid JSON"),
        (b'{"\\ud800": 1}', "surrogate"),
        (b'{"problem": {"id": "\\udfff"}}', "surrogate"),
    ],
    ids=["5000-deep", "100-deep", "5000-digit-integer", "surrogate-key", "surrogate-value"],
)
def test_malformed_bodies_are_a_422_never_a_500(server: Server, raw: bytes, message: str) -> None:
    with server.client() as http:
        answer = http.post("/v1/routing/jobs", content=raw, headers={"content-type": "application/json"})
    assert answer.status_code == 422, answer.text
    assert message in answer.text


def test_every_ref_of_the_openapi_document_resolves(server: Server) -> None:
    import re

    doc = httpx.get(server.url + "/openapi.json").json()
    text = json.dumps(doc)
    refs = set(re.findall(r'"\$ref": "([^"]+)"', text))
    schemas = doc["components"]["schemas"]
    unresolved = [r for r in refs if not (r.startswith("#/components/schemas/") and r.split("/")[-1] in schemas)]
    assert refs and not unresolved, unresolved[:10]
    assert '"$defs"' not in text  # every embedded schema's definitions are components
    body = doc["paths"]["/v1/simulation/jobs"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert "scenario" in body["properties"]


def test_an_idempotency_key_gives_the_same_job_for_the_same_body_and_409_for_another(server: Server) -> None:
    body = routing_body()
    with server.client("bob") as bob:
        first = bob.post("/v1/routing/jobs", json=body, headers={"Idempotency-Key": "order-batch-17"})
        again = bob.post("/v1/routing/jobs", json=body, headers={"Idempotency-Key": "order-batch-17"})
        assert first.status_code in (200, 202) and again.status_code in (200, 202)
        assert again.json()["id"] == first.json()["id"] and again.headers.get("idempotent-replayed") == "true"
        other = bob.post(
            "/v1/routing/jobs",
            json={**body, "params": {"time_limit_s": 3}},
            headers={"Idempotency-Key": "order-batch-17"},
        )
        assert other.status_code == 409
        fresh = bob.post("/v1/routing/jobs", json=body, headers={"Idempotency-Key": "order-batch-18"})
        assert fresh.json()["id"] != first.json()["id"]
        listed = [j["id"] for j in bob.get("/v1/jobs").json()["jobs"]]
        assert listed.count(first.json()["id"]) == 1
    with server.client("alice") as alice:  # keys are per API key: alice's same key is her own job
        mine = alice.post("/v1/routing/jobs", json=body, headers={"Idempotency-Key": "order-batch-17"})
        assert mine.status_code in (200, 202) and mine.json()["id"] != first.json()["id"]


def test_an_ended_job_can_be_deleted_with_its_files(server: Server) -> None:
    with Client(server.url, KEYS["alice"]) as client:
        job = client.simulate(
            "bonded_import_small", ["run.horizon_h=6", "run.cooldown_h=6"], replications=1, wait=False
        )
        job.result(120)
        assert "kpis.csv" in job.status()["files"]
    folder = server.folder / "jobs.files" / job.id
    assert folder.exists()
    with server.client("bob") as bob:
        assert bob.delete(f"/v1/jobs/{job.id}").status_code == 403  # not bob's
    with server.client() as http:
        gone = http.delete(f"/v1/jobs/{job.id}")
        assert gone.status_code == 200 and gone.json()["deleted"] is True
        assert http.get(f"/v1/jobs/{job.id}").status_code == 404
        assert http.get(f"/v1/jobs/{job.id}/files/kpis.csv").status_code == 404
    assert not folder.exists()
