"""The scheduler: a thread of the server that starts queued jobs on free workers (oldest first, at most
`max_running_per_key` at once for each caller), records their progress and ends in the store, writes the
simulation jobs' files, calls completion webhooks and keeps the numbers the metrics endpoint shows.

It holds a lease on every job it runs (see `store`): renewed every third of `lease_s`; a job whose lease this
server lost (reaped by another server after a hang) is stopped here and its end not recorded. Every scheduler
re-queues the jobs whose lease expired, so a dead server's jobs run again on a live one. `drain` (on SIGTERM)
starts nothing new, lets running jobs finish within `shutdown_grace_s` and hands the rest back."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import queue
import socket
import threading
import time
import uuid
from typing import Any

from logistics.service.config import ServiceConfig
from logistics.service.kinds import KINDS
from logistics.service.metrics import ServiceMetrics
from logistics.service.store import Job, JobStore
from logistics.service.webhooks import deliver
from logistics.service.worker import Finished, Progress, WorkerPool

__all__ = ["Scheduler", "unencodable"]

log = logging.getLogger("logistics.service")


class Scheduler:
    """Runs the jobs of `store` on `pool` until `close()`."""

    def __init__(
        self, store: JobStore, config: ServiceConfig, pool: WorkerPool, metrics: ServiceMetrics | None = None
    ) -> None:
        self.store, self.config, self.pool = store, config, pool
        self.caps = config.caps
        self._cancels: queue.SimpleQueue[str] = queue.SimpleQueue()
        self._stopping = threading.Event()
        self._draining = threading.Event()
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"  # this server's lease id
        self._beat_at = 0.0
        self._cancels_at = 0.0
        self._thread = threading.Thread(target=self._loop, name="scheduler", daemon=True)
        self.metrics = metrics

    def start(self) -> None:
        self._thread.start()

    def drain(self, grace_s: float) -> None:
        """Stop starting jobs, wait up to `grace_s` for the running ones to finish, then hand the rest back to
        the queue (their attempt not spent) and stop."""
        self._draining.set()
        deadline = time.monotonic() + grace_s
        while self.pool.busy() and time.monotonic() < deadline and self._thread.is_alive():
            time.sleep(0.1)
        self._stopping.set()
        self._thread.join(10)
        for job_id in self.pool.busy():
            state = self.store.requeue(
                job_id,
                self.holder,
                f"handed back when its server shut down after {grace_s:g} s of grace (the attempt does not count)",
                spend_attempt=False,
                max_attempts=self.config.max_attempts,
            )
            log.info(json.dumps({"event": "job_released", "job": job_id, "state": state}))
        self.pool.close()

    def close(self) -> None:
        """Stop now (running jobs are handed back as in `drain` with no grace)."""
        self.drain(0.0)

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
                self.store.remove_files(job_id)

    def _loop(self) -> None:
        while not self._stopping.is_set():
            try:
                self._step()
            except Exception:  # the scheduler must not die: log and go on
                log.exception("scheduler step failed")
                time.sleep(0.5)

    def _heartbeat(self) -> None:
        """Every third of the lease: renew this server's leases, stop the jobs whose lease it lost, and re-queue
        the jobs of any server whose lease expired."""
        now = time.monotonic()
        if now - self._beat_at < self.config.lease_s / 3:
            return
        self._beat_at = now
        held = self.store.renew(self.holder, self.config.lease_s)
        for job_id in self.pool.busy():
            if job_id not in held:
                log.warning(json.dumps({"event": "lease_lost", "job": job_id}))
                slot = self.pool.slot_of(job_id)
                if slot is not None:
                    slot.stop()
        requeued, interrupted = self.store.reap(self.config.max_attempts)
        if requeued or interrupted:
            log.info(json.dumps({"event": "reaped", "requeued": requeued, "interrupted": interrupted}))

    def _step(self) -> None:
        self._retain()
        self._heartbeat()
        for slot in [] if self._draining.is_set() else self.pool.free():
            job = self.store.claim(self.config.running_limit, self.holder, self.config.lease_s)
            if job is None:
                break
            self._start(slot, job)
        stop = set()
        while True:
            try:
                stop.add(self._cancels.get_nowait())
            except queue.Empty:
                break
        if self.pool.busy() and time.monotonic() - self._cancels_at > 0.5:  # asked through any server
            self._cancels_at = time.monotonic()
            stop |= self.store.cancels(self.holder)
        for job_id in stop:
            target = self.pool.slot_of(job_id)
            if target is not None:
                target.stop()
        for event in self.pool.poll(0.05):
            if isinstance(event, Progress):
                fraction = event.facts.get("fraction")
                runs_on = self.pool.slot_of(event.job_id)
                if fraction is None and runs_on is not None and runs_on.limit_s > 0:  # a solver: share of its limit
                    fraction = min(0.99, (time.monotonic() - runs_on.started) / runs_on.limit_s)
                self.store.progress(event.job_id, fraction, event.facts.get("best_objective"), self.holder)
            else:
                self._finish(event)

    def _start(self, slot: Any, job: Job) -> None:
        body = json.loads(job.request)
        limit_s = KINDS[job.kind].time_limit_s(body, self.caps)
        if limit_s == float("inf"):
            limit_s = 7 * 86400.0
        slot.start(job.id, job.kind, body, self.caps, limit_s)
        if self.metrics is not None and job.started_at is not None:
            self.metrics.job_wait.labels(job.kind).observe(max(0.0, job.started_at - job.created_at))
        log.info(
            json.dumps(
                {
                    "event": "job_started",
                    "job": job.id,
                    "kind": job.kind,
                    "attempt": job.attempts,
                    "request_id": job.request_id,
                }
            )
        )

    def _finish(self, event: Finished) -> None:
        if event.lost:  # its worker died: like a dead server, the job runs again (the attempt counts)
            state = self.store.requeue(
                event.job_id, self.holder, event.error or "its worker died", True, self.config.max_attempts
            )
            log.warning(json.dumps({"event": "worker_lost", "job": event.job_id, "state": state}))
            return
        if not self.store.holds(event.job_id, self.holder):  # cancelled while queued, or another server runs it now
            log.warning(json.dumps({"event": "end_not_recorded", "job": event.job_id}))
            return
        files: list[str] = []
        outcome = event.outcome
        state, error = event.state, event.error
        result = outcome.result if outcome is not None else None
        problem = unencodable(result) if result is not None else None
        if problem is not None:  # refused now, once: not a 500 on every read of the result
            state, error, result = "failed", f"the job's result cannot be sent as JSON: {problem}", None
            outcome = None
        if outcome is not None and outcome.files:
            files = self.store.put_files(event.job_id, outcome.files)
        job = self.store.finish(
            event.job_id,
            state,
            result=result,
            error=error,
            files=files,
            note=event.note or (outcome.note if outcome is not None else None),
            holder=self.holder,
        )
        if job is None:  # its lease was lost meanwhile (another server runs it): not recorded
            log.warning(json.dumps({"event": "end_not_recorded", "job": event.job_id}))
            return
        if self.metrics is not None:
            self.metrics.finished.labels(job.kind, job.state).inc()
            if job.started_at is not None and job.finished_at is not None:
                self.metrics.job_run.labels(job.kind).observe(job.finished_at - job.started_at)
        log.info(
            json.dumps(
                {
                    "event": "job_finished",
                    "job": job.id,
                    "kind": job.kind,
                    "state": job.state,
                    "request_id": job.request_id,
                }
            )
        )
        if job.webhook:
            threading.Thread(target=_call_webhook, args=(job, self.config, self.store), daemon=True).start()


def unencodable(result: dict) -> str | None:
    """Why a job's result cannot be answered as JSON (a number that is not finite, a lone surrogate in a
    string), or None when it can."""
    try:
        json.dumps(result, ensure_ascii=False, allow_nan=False).encode("utf-8")
    except (ValueError, TypeError, UnicodeEncodeError, RecursionError) as exc:
        return f"{type(exc).__name__}: {exc}"[:300]
    return None


def _call_webhook(job: Job, config: ServiceConfig, store: JobStore) -> None:
    """POST the job's status to its webhook: signed (`webhook_secret`), retried with backoff
    (`webhook_attempts`), every try in the store's delivery log (`GET /v1/jobs/{id}/webhook`); the job is
    unaffected by the outcome."""
    assert job.webhook is not None

    def record(attempt: int, status: int | None, error: str | None) -> None:
        with contextlib.suppress(Exception):  # the store closed at shutdown: the log line below still tells
            store.record_delivery(job.id, attempt, status, error)
        event = "webhook_delivered" if status is not None and 200 <= status < 300 else "webhook_failed"
        log.info(json.dumps({"event": event, "job": job.id, "attempt": attempt, "status": status, "error": error}))

    deliver(
        job.webhook,
        job.summary(),
        config.webhook_secret,
        config.webhook_attempts,
        config.webhook_private_allow,
        record,
    )
