"""A real service for the tests and benchmarks: `logistics serve` in a subprocess on a free localhost port, its
workers, and the processes it started (read from /proc)."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import jsonschema
import yaml

from logistics.service.config import hash_key

KEYS = {"alice": "alice-secret", "bob": "bob-secret", "carol": "carol-secret"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """`logistics serve --config FOLDER/service.yaml` started, waited for and stopped."""

    def __init__(self, folder: Path, **settings: object) -> None:
        self.folder = folder
        self.port = free_port()
        config = {
            "database": str(folder / "jobs.db"),
            "workers": 2,
            "api_keys": [{"name": n, "sha256": hash_key(k)} for n, k in KEYS.items()],
            "max_requests_per_minute": 60_000,  # the tests poll fast; the rate limit has its own test
            **settings,
        }
        (folder / "service.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self._openapi: dict | None = None

    def start(self, timeout_s: float = 60.0) -> Server:
        self.log = open(self.folder / "server.log", "ab")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "logistics.cli", "serve", "--config", str(self.folder / "service.yaml"),
             "--port", str(self.port)],
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited: {(self.folder / 'server.log').read_text()[-3000:]}")
            try:
                if httpx.get(self.url + "/readyz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError("the server did not become ready")

    def client(self, who: str = "alice") -> httpx.Client:
        """A client whose every answer is checked against the server's OpenAPI document (`conforms`)."""
        return httpx.Client(
            base_url=self.url,
            headers={"Authorization": f"Bearer {KEYS[who]}"},
            timeout=60,
            event_hooks={"response": [self.conforms]},
        )

    def conforms(self, response: httpx.Response) -> None:
        """An answer under /v1 has a status the OpenAPI document lists for its path and method, and a JSON body
        valid against the schema listed for that status (raises AssertionError otherwise)."""
        path = response.request.url.path
        if not path.startswith("/v1/"):
            return
        if self._openapi is None:
            self._openapi = httpx.get(self.url + "/openapi.json", timeout=10).json()
        doc = self._openapi
        method = response.request.method.lower()
        template = next((t for t in doc["paths"] if re.fullmatch(re.sub(r"\{[^/]+\}", "[^/]+", t), path)), None)
        assert template is not None, f"{path}: not in the OpenAPI document"
        documented = doc["paths"][template][method]["responses"]
        status = str(response.status_code)
        assert status in documented, f"{method.upper()} {template} answered {status}, documented: {list(documented)}"
        schema = documented[status].get("content", {}).get("application/json", {}).get("schema")
        if schema is None or "json" not in response.headers.get("content-type", ""):
            return
        response.read()
        validator = jsonschema.Draft202012Validator({**schema, "components": doc["components"]})
        errors = sorted(validator.iter_errors(response.json()), key=lambda e: list(e.path))
        assert not errors, f"{method.upper()} {path} {status}: " + "; ".join(
            f"{'/'.join(map(str, e.path))}: {e.message[:200]}" for e in errors[:5]
        )

    def kill9(self) -> None:
        """kill -9 of the server process (its workers die with it)."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(10)
        self.log.close()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)
            self.log.close()


class Worker:
    """`logistics worker --config CONFIG --workers N` in a subprocess (its log in FOLDER/worker.log)."""

    def __init__(self, folder: Path, config: Path, workers: int = 1) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.log = open(folder / "worker.log", "ab")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "logistics.cli", "worker", "--config", str(config), "--workers", str(workers)],
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip

    def started_jobs(self) -> list[str]:
        """The jobs this worker's log says it started (one line per start)."""
        return started_jobs(self.folder / "worker.log")

    def kill9(self) -> None:
        """kill -9 of the worker and its worker processes."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)
        self.log.close()


def started_jobs(log: Path) -> list[str]:
    """The jobs a server's or worker's JSON log says it started (one line per start)."""
    import json

    lines = log.read_text(errors="replace").splitlines() if log.exists() else []
    return [json.loads(x)["job"] for x in lines if '"event": "job_started"' in x]


FINAL = ("done", "failed", "cancelled", "interrupted")
"""The states a job ends in."""


def child_pids(pid: int) -> list[int]:
    """The process ids whose parent is `pid` (Linux: read from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found
