"""Operations against a real server: request ids in every answer and in the log lines of the request and its
job; per-key request-rate limits that leave other keys alone."""

from __future__ import annotations

import itertools
import json
import time
from pathlib import Path

import httpx
import pytest

pytest.importorskip("uvicorn", reason="the service needs fastapi, uvicorn and httpx")

from logistics.optimize.routing.jsonio import problem_to_json
from logistics.testing.problems import grid_problem
from logistics.testing.service import KEYS, Server


@pytest.mark.slow
def test_request_ids_are_in_every_answer_and_in_the_request_and_job_log_lines(tmp_path: Path) -> None:
    server = Server(tmp_path, workers=1).start()
    try:
        with server.client() as http:
            body = {"problem": json.loads(problem_to_json(grid_problem(6, vehicles=1))), "params": {"time_limit_s": 1}}
            given = http.post("/v1/routing/jobs?wait=30", json=body, headers={"X-Request-Id": "trace-42.a"})
            assert given.headers["x-request-id"] == "trace-42.a" and given.json()["state"] == "done"
            made = http.get("/v1/jobs", headers={"X-Request-Id": "not an id; <script>"})
            assert len(made.headers["x-request-id"]) == 32 and made.headers["x-request-id"].isalnum()
            refused = httpx.get(server.url + "/v1/jobs")  # 401: still an id
            assert refused.status_code == 401 and len(refused.headers["x-request-id"]) == 32
        job = given.json()["id"]
        time.sleep(0.5)
        lines = [json.loads(x) for x in (tmp_path / "server.log").read_text().splitlines() if x.startswith("{")]
        requests = [x for x in lines if x.get("event") == "request"]
        assert all(len(x["request_id"]) > 0 for x in requests)
        assert any(x["request_id"] == "trace-42.a" and x["path"] == "/v1/routing/jobs" for x in requests)
        started = next(x for x in lines if x.get("event") == "job_started" and x["job"] == job)
        finished = next(x for x in lines if x.get("event") == "job_finished" and x["job"] == job)
        assert started["request_id"] == finished["request_id"] == "trace-42.a"
    finally:
        server.stop()


@pytest.mark.slow
def test_a_key_over_its_request_rate_gets_429_with_retry_after_and_another_key_is_served(tmp_path: Path) -> None:
    server = Server(tmp_path, workers=1, max_requests_per_minute=60).start()  # bursts of 10, one a second after
    try:
        alice = {"Authorization": f"Bearer {KEYS['alice']}"}
        codes = [httpx.get(server.url + "/v1/jobs", headers=alice).status_code for _ in range(15)]
        assert codes[:10] == [200] * 10 and 429 in codes[10:], codes
        limited = httpx.get(server.url + "/v1/jobs", headers=alice)
        assert limited.status_code == 429 and 1 <= int(limited.headers["retry-after"]) <= 2
        assert "60 requests a minute" in limited.json()["detail"]
        server.conforms(limited)  # 429 is in the contract
        bob = httpx.get(server.url + "/v1/jobs", headers={"Authorization": f"Bearer {KEYS['bob']}"})
        assert bob.status_code == 200
        time.sleep(int(limited.headers["retry-after"]) + 0.1)
        assert httpx.get(server.url + "/v1/jobs", headers=alice).status_code == 200  # refilled
    finally:
        server.stop()


@pytest.mark.slow
def test_the_job_list_pages_past_a_thousand_with_a_cursor_without_losing_or_repeating_a_job(tmp_path: Path) -> None:
    """2,500 ended jobs (written to the store before the server starts; 700 share one creation time): pages of
    1,000 by cursor give each exactly once, newest first; the client's `jobs(limit=None)` all of them; a made-up
    cursor is a 422 naming it."""
    import sqlite3

    from logistics.service.client import Client
    from logistics.service.store import JobStore

    store = JobStore(tmp_path / "jobs.db")
    ids = []
    for k in range(2500):
        job, _ = store.add("routing", "alice" if k % 5 else "bob", {"k": k}, None, [])
        store.finish(job.id, "done", result={"k": k})
        ids.append(job.id)
    store.close()
    with sqlite3.connect(tmp_path / "jobs.db") as db:
        db.execute("UPDATE jobs SET created_at = 1.0 WHERE rowid <= 700")  # ties: ordered by id
    server = Server(tmp_path, workers=1).start()
    try:
        with server.client() as http:
            seen: list[dict] = []
            cursor = None
            pages = 0
            while True:
                answer = http.get("/v1/jobs", params={"limit": 1000, **({"cursor": cursor} if cursor else {})}).json()
                seen += answer["jobs"]
                pages += 1
                cursor = answer["next_cursor"]
                if cursor is None:
                    break
            alice = [i for k, i in enumerate(ids) if k % 5]
            assert pages == 2 and len(seen) == len(alice) == 2000
            assert sorted(j["id"] for j in seen) == sorted(alice)  # each once, none of bob's
            order = [(j["created_at"], j["id"]) for j in seen]
            assert order == sorted(order, reverse=True)
            bad = http.get("/v1/jobs", params={"cursor": "bm90IG91cnM"})
            assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["query", "cursor"]
        with Client(server.url, api_key=KEYS["bob"]) as client:
            assert len(client.jobs(limit=None)) == 500 and len(client.jobs(limit=30)) == 30
    finally:
        server.stop()


@pytest.mark.slow
def test_webhooks_are_signed_retried_with_backoff_and_logged(tmp_path: Path) -> None:
    """A receiver that answers 500 twice then 204 gets three signed POSTs (1 s then 2 s apart), each signature
    verifiable with the shared secret; one that answers 400 gets one. The delivery log says so."""
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    from logistics.service.webhooks import verify

    secret = "a-webhook-secret-of-the-platform"
    received: list[tuple[str, float, bytes, str]] = []
    answers = {"/flaky": [500, 500, 204], "/refuses": [400]}

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["content-length"]))
            received.append((self.path, time.monotonic(), body, self.headers.get("X-Logistics-Signature", "")))
            codes = answers[self.path]
            self.send_response(codes.pop(0) if len(codes) > 1 else codes[0])
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    hook = HTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=hook.serve_forever, daemon=True).start()
    server = Server(
        tmp_path, workers=1, webhook_secret=secret, webhook_attempts=4, webhook_private_allow=["127.0.0.1/32"]
    ).start()
    try:
        with server.client() as http:
            body = {"problem": json.loads(problem_to_json(grid_problem(5, vehicles=1))), "params": {"time_limit_s": 1}}
            base = f"http://127.0.0.1:{hook.server_address[1]}"
            jobs = {}
            for path in ("/flaky", "/refuses"):
                jobs[path] = http.post("/v1/routing/jobs", params={"webhook": base + path}, json=body).json()["id"]
            deadline = time.monotonic() + 30
            while len([r for r in received if r[0] == "/flaky"]) < 3 or not any(r[0] == "/refuses" for r in received):
                assert time.monotonic() < deadline, received
                time.sleep(0.1)
            time.sleep(1.5)  # no further try comes
            flaky = [r for r in received if r[0] == "/flaky"]
            assert len(flaky) == 3 and len([r for r in received if r[0] == "/refuses"]) == 1
            gaps = [b[1] - a[1] for a, b in itertools.pairwise(flaky)]
            assert 0.9 < gaps[0] < 1.9 and 1.9 < gaps[1] < 3.0, gaps
            for _, _, payload, signature in flaky:
                assert verify(secret, payload, signature)
                assert not verify("another-secret-entirely", payload, signature)
                assert json.loads(payload)["id"] == jobs["/flaky"] and json.loads(payload)["state"] == "done"
            assert not verify(secret, flaky[0][2] + b" ", flaky[0][3])  # a changed body fails
            log = http.get(f"/v1/jobs/{jobs['/flaky']}/webhook").json()
            assert log["signed"] and log["delivered"] and [d["status"] for d in log["deliveries"]] == [500, 500, 204]
            log = http.get(f"/v1/jobs/{jobs['/refuses']}/webhook").json()
            assert not log["delivered"] and [d["status"] for d in log["deliveries"]] == [400]
    finally:
        hook.shutdown()
        server.stop()


def test_metrics_have_latency_histograms_by_route_no_tenant_names_and_can_require_a_key(tmp_path: Path) -> None:
    from prometheus_client.parser import text_string_to_metric_families

    from logistics.service.config import hash_key

    server = Server(tmp_path, workers=1, metrics_key_sha256=hash_key("metrics-reader")).start()
    try:
        with server.client() as http:
            body = {"problem": json.loads(problem_to_json(grid_problem(5, vehicles=1))), "params": {"time_limit_s": 1}}
            job = http.post("/v1/routing/jobs?wait=30", json=body).json()
            http.get(f"/v1/jobs/{job['id']}")
        assert httpx.get(server.url + "/metrics").status_code == 401
        assert httpx.get(server.url + "/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
        answer = httpx.get(server.url + "/metrics", headers={"Authorization": "Bearer metrics-reader"})
        assert answer.status_code == 200
        families = {f.name: f for f in text_string_to_metric_families(answer.text)}
        assert families["logistics_request_seconds"].type == "histogram"
        routes = {s.labels.get("route") for s in families["logistics_request_seconds"].samples}
        assert "/v1/jobs/{job_id}" in routes and "/v1/routing/jobs" in routes
        count = next(
            s.value
            for s in families["logistics_job_run_seconds"].samples
            if s.name.endswith("_count") and s.labels["kind"] == "routing"
        )
        assert count == 1
        done = next(s.value for s in families["logistics_jobs"].samples if s.labels["state"] == "done")
        assert done == 1
        for secret_word in ("alice", "bob", job["id"]):
            assert secret_word not in answer.text
    finally:
        server.stop()
