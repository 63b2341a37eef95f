"""Operations against a real server: request ids in every answer and in the log lines of the request and its
job; per-key request-rate limits that leave other keys alone."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
import pytest

pytest.importorskip("uvicorn", reason="the service needs fastapi, uvicorn and httpx")

from logistics.optimize.routing.jsonio import problem_to_json
from tests.optimize.helpers import grid_problem
from tests.service.server import KEYS, Server


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
