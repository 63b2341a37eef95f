"""The scheduler: a thread of the server that starts queued jobs on free workers (oldest first, at most
`max_running_per_key` at once for each caller), records their progress and ends in the store, writes the
simulation jobs' files, calls completion webhooks and keeps the numbers the metrics endpoint shows."""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from logistics.service.config import ServiceConfig
from logistics.service.kinds import KINDS
from logistics.service.store import Job, JobStore, delete_files
from logistics.service.webhooks import Network, webhook_problem
from logistics.service.worker import Finished, Progress, WorkerPool

__all__ = ["Scheduler"]

log = logging.getLogger("logistics.service")


class Scheduler:
    """Runs the jobs of `store` on `pool` until `close()`."""

    def __init__(self, store: JobStore, config: ServiceConfig, pool: WorkerPool) -> None:
        self.store, self.config, self.pool = store, config, pool
        self.caps = config.caps
        self._cancels: queue.SimpleQueue[str] = queue.SimpleQueue()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="scheduler", daemon=True)
        self.run_s: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])  # kind -> [count, total seconds]
        self.finished: dict[tuple[str, str], int] = defaultdict(int)  # (kind, state) -> count
        self._lock = threading.Lock()

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        self._stopping.set()
        self._thread.join(10)
        self.pool.close()

    def alive(self) -> bool:
        return self._thread.is_alive() and self.pool.alive()

    def cancel(self, job_id: str) -> None:
        """Stop a running job (its solver stops, its best plan stands)."""
        self._cancels.put(job_id)

    def _retain(self) -> None:
        """Delete the jobs that ended more than `retention_h` ago (their input, result and files); looked at once a
        minute (or every half retention, if shorter)."""
        hours = self.config.retention_h
        now = time.time()
        if hours is None or now - getattr(self, "_retained_at", 0.0) < min(60.0, hours * 1800.0):
            return
        self._retained_at = now
        for job_id in self.store.expired(now - hours * 3600.0):
            if self.store.delete(job_id):
                delete_files(self.config.files_folder, job_id)

    def _loop(self) -> None:
        while not self._stopping.is_set():
            try:
                self._step()
            except Exception:  # the scheduler must not die: log and go on
                log.exception("scheduler step failed")
                time.sleep(0.5)

    def _step(self) -> None:
        self._retain()
        for slot in self.pool.free():
            job = self.store.claim(self.config.running_limit)
            if job is None:
                break
            self._start(slot, job)
        while True:
            try:
                job_id = self._cancels.get_nowait()
            except queue.Empty:
                break
            target = self.pool.slot_of(job_id)
            if target is not None:
                target.stop()
        for event in self.pool.poll(0.05):
            if isinstance(event, Progress):
                fraction = event.facts.get("fraction")
                runs_on = self.pool.slot_of(event.job_id)
                if fraction is None and runs_on is not None and runs_on.limit_s > 0:  # a solver: share of its limit
                    fraction = min(0.99, (time.monotonic() - runs_on.started) / runs_on.limit_s)
                self.store.progress(event.job_id, fraction, event.facts.get("best_objective"))
            else:
                self._finish(event)

    def _start(self, slot: Any, job: Job) -> None:
        body = json.loads(job.request)
        limit_s = KINDS[job.kind].time_limit_s(body, self.caps)
        if limit_s == float("inf"):
            limit_s = 7 * 86400.0
        slot.start(job.id, job.kind, body, self.caps, limit_s)
        log.info(json.dumps({"event": "job_started", "job": job.id, "kind": job.kind, "attempt": job.attempts}))

    def _finish(self, event: Finished) -> None:
        files: list[str] = []
        outcome = event.outcome
        if outcome is not None and outcome.files:
            folder = self.config.files_folder / event.job_id
            folder.mkdir(parents=True, exist_ok=True)
            for name, data in outcome.files.items():
                (folder / name).write_bytes(data)
                files.append(name)
        job = self.store.finish(
            event.job_id,
            event.state,
            result=outcome.result if outcome is not None else None,
            error=event.error,
            files=files,
            note=event.note,
        )
        if job is None:
            return
        with self._lock:
            self.finished[(job.kind, job.state)] += 1
            if job.started_at is not None and job.finished_at is not None:
                record = self.run_s[job.kind]
                record[0] += 1
                record[1] += job.finished_at - job.started_at
        log.info(json.dumps({"event": "job_finished", "job": job.id, "kind": job.kind, "state": job.state}))
        if job.webhook:
            allowed = self.config.webhook_private_allow
            threading.Thread(target=_call_webhook, args=(job, allowed), daemon=True).start()


def _call_webhook(job: Job, allowed: Sequence[Network]) -> None:
    """POST the job's status to its webhook (one try, 10 s; a failure is logged, the job is unaffected), unless
    its host no longer resolves to an address it may reach."""
    import httpx

    assert job.webhook is not None
    problem = webhook_problem(job.webhook, allowed)
    if problem is not None:
        log.warning(json.dumps({"event": "webhook_refused", "job": job.id, "error": problem}))
        return
    try:
        httpx.post(job.webhook, json=job.summary(), timeout=10.0)
    except httpx.HTTPError as exc:
        log.warning(json.dumps({"event": "webhook_failed", "job": job.id, "error": str(exc)}))
