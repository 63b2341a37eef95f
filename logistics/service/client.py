"""A small typed Python client of the job service, with the library's call shapes:

    client = Client("http://127.0.0.1:8000", api_key="...")
    result = client.solve_routing(problem, SolveParams(time_limit_s=5))       # blocks, a RoutingResult
    job = client.solve_routing(problem, SolveParams(time_limit_s=60), wait=False)  # a Job handle
    job.status()["progress"]; job.cancel(); job.result()

An error answer raises `ServiceError` with the status and the server's detail (for a 422: the field and what
is wrong, in the CLI's words)."""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from typing import Any

import httpx

from logistics.core.errors import LogisticsError
from logistics.optimize.common import json_ready

__all__ = ["Client", "Job", "ServiceError"]

FINAL = frozenset({"done", "failed", "cancelled", "interrupted"})


class ServiceError(LogisticsError):
    """The service answered with an error: `status` (HTTP) and `detail` (its JSON detail)."""

    def __init__(self, status: int, detail: Any) -> None:
        self.status, self.detail = status, detail
        if isinstance(detail, list):
            text = "; ".join(str(d.get("msg", d)) if isinstance(d, dict) else str(d) for d in detail)
        else:
            text = str(detail)
        super().__init__(f"HTTP {status}: {text}")


class Job:
    """A submitted job: follow it, wait for it, cancel it, fetch its result or its files."""

    def __init__(self, client: Client, job_id: str, kind: str) -> None:
        self.client, self.id, self.kind = client, job_id, kind

    def __repr__(self) -> str:
        return f"Job({self.kind}, {self.id})"

    def status(self) -> dict[str, Any]:
        """State, progress, best objective so far, timings, error and notes."""
        return self.client._call("GET", f"/v1/jobs/{self.id}")

    def wait(self, timeout_s: float | None = None, poll_s: float = 0.2) -> dict[str, Any]:
        """Block until the job ends (or `timeout_s` passes: TimeoutError); its final status."""
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        while True:
            status = self.status()
            if status["state"] in FINAL:
                return status
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"job {self.id} is still {status['state']} after {timeout_s:g} s")
            time.sleep(poll_s)

    def result(self, timeout_s: float | None = None) -> dict[str, Any]:
        """The job's result JSON, once it has ended (a cancelled solver's best plan included); a job that
        failed raises `ServiceError` with its error."""
        self.wait(timeout_s)
        return self.client._call("GET", f"/v1/jobs/{self.id}/result")["result"]

    def cancel(self) -> dict[str, Any]:
        """Cancel the job (a running solver stops within a second and keeps its best plan)."""
        return self.client._call("DELETE", f"/v1/jobs/{self.id}")

    def file(self, name: str) -> bytes:
        """One of a simulation job's run files (`status()["files"]` lists them)."""
        response = self.client._http.get(f"/v1/jobs/{self.id}/files/{name}")
        if response.status_code >= 400:
            raise ServiceError(response.status_code, _detail(response))
        return response.content


class Client:
    """The service at `base_url`, called with `api_key`."""

    def __init__(self, base_url: str, api_key: str | None = None, timeout_s: float = 60.0) -> None:
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._http = httpx.Client(base_url=base_url, headers=headers, timeout=timeout_s)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _call(self, method: str, path: str, body: Any = None, params: dict | None = None) -> Any:
        for _ in range(5):  # over the key's request rate (429 with Retry-After): wait as told, a few times
            response = self._http.request(method, path, json=body, params=params)
            retry = response.headers.get("retry-after", "")
            if response.status_code != 429 or not retry.isdigit() or "requests a minute" not in response.text:
                break
            time.sleep(min(30, int(retry)))
        if response.status_code >= 400:
            raise ServiceError(response.status_code, _detail(response))
        return response.json()

    # jobs of any kind ------------------------------------------------------------------------------------

    def submit(self, kind: str, body: dict[str, Any], webhook: str | None = None) -> Job:
        """Queue a job of `kind` (routing, slotting, docks, linehaul, simulation) with its JSON body."""
        params = {"webhook": webhook} if webhook else None
        answer = self._call("POST", f"/v1/{kind}/jobs", body, params)
        return Job(self, answer["id"], kind)

    def jobs(self, state: str | None = None, kind: str | None = None, limit: int | None = 100) -> list[dict[str, Any]]:
        """Your jobs, newest first: at most `limit` (None: every one, page by page)."""
        found: list[dict[str, Any]] = []
        cursor = None
        while limit is None or len(found) < limit:
            page = 1000 if limit is None else min(1000, limit - len(found))
            params = {k: v for k, v in (("state", state), ("kind", kind), ("limit", page), ("cursor", cursor)) if v}
            answer = self._call("GET", "/v1/jobs", params=params)
            found += answer["jobs"]
            cursor = answer.get("next_cursor")
            if not cursor:
                break
        return found

    # the library's call shapes ---------------------------------------------------------------------------

    def solve_routing(self, problem: Any, params: Any = None, *, wait: bool = True) -> Any:
        """`logistics.optimize.solve_routing` on the server: a `RoutingResult` (or, `wait=False`, a `Job`)."""
        from logistics.optimize.routing.jsonio import problem_to_json, result_from_json

        body = {"problem": json.loads(problem_to_json(problem)), "params": _params(params)}
        job = self.submit("routing", body)
        if not wait:
            return job
        return result_from_json(json.dumps(job.result()["solution"]))

    def check_routing(self, problem: Any, plan: Any) -> dict[str, Any]:
        """The independent checker on the server: ok, feasible, every violation, distance and cost. `plan` is
        a `RoutingResult` or a plan's JSON object (routes with vehicle_type and stops)."""
        from logistics.optimize.routing.jsonio import problem_to_json, result_to_json

        plan_json = plan if isinstance(plan, dict) else json.loads(result_to_json(plan))
        body = {"problem": json.loads(problem_to_json(problem)), "plan": plan_json}
        return self._call("POST", "/v1/routing/check", body)

    def solve_docks(self, problem: Any, params: Any = None, *, wait: bool = True) -> Any:
        """`solve_docks` on the server: the plan's JSON with the checker's verdict (or a `Job`)."""
        job = self.submit("docks", {"problem": json_ready(asdict(problem)), "params": _params(params)})
        return job.result() if wait else job

    def solve_space(self, problem: Any, params: Any = None, *, wait: bool = True) -> Any:
        """`solve_space` (line-haul allocation) on the server: the plan's JSON and the check (or a `Job`)."""
        job = self.submit("linehaul", {"problem": json_ready(asdict(problem)), "params": _params(params)})
        return job.result() if wait else job

    def simulate(
        self,
        scenario: str | dict[str, Any],
        overrides: list[str] | None = None,
        replications: int | None = None,
        seed: int | None = None,
        *,
        wait: bool = True,
    ) -> Any:
        """Run a scenario (a built-in name or a scenario object) on the server: its KPI summary, with
        `Job.file` for the run files (or, `wait=False`, the `Job`)."""
        body: dict[str, Any] = {"scenario": scenario, "overrides": overrides or []}
        if replications is not None:
            body["replications"] = replications
        if seed is not None:
            body["seed"] = seed
        job = self.submit("simulation", body)
        return job.result() if wait else job


def _params(params: Any) -> dict[str, Any]:
    if params is None:
        return {}
    data = {k: v for k, v in asdict(params).items() if k != "log"}
    return json_ready(data)


def _detail(response: httpx.Response) -> Any:
    try:
        return response.json().get("detail", response.text)
    except (ValueError, AttributeError):
        return response.text
