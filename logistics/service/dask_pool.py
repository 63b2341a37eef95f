"""The Dask executor of the service (`executor: dask`): jobs go to a Dask cluster (the scheduler at
`dask_address`, or a local cluster of `workers` processes) instead of the server's own worker processes.

What differs from the process workers: a task on a Dask worker cannot be interrupted, so a cancelled running
job ends at once as cancelled without a plan (its task finishes on the cluster and is discarded), and no
progress is reported while a job runs. Crash safety is Dask's (a lost worker's task is re-run by Dask)."""

from __future__ import annotations

import time
from typing import Any

from logistics.service.kinds import Caps
from logistics.service.worker import Finished, Progress, run_job

__all__ = ["DaskPool"]


class _DaskSlot:
    """One job at a time on the cluster."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.job_id: str | None = None
        self.future: Any = None
        self.started = 0.0
        self.limit_s = 0.0
        self.cancelled = False

    def start(self, job_id: str, kind: str, body: dict, caps: Caps, limit_s: float) -> None:
        self.job_id, self.started, self.limit_s, self.cancelled = job_id, time.monotonic(), limit_s, False
        self.future = self.client.submit(run_job, kind, body, caps, pure=False, key=f"job-{job_id}")

    def stop(self) -> None:
        self.cancelled = True


class DaskPool:
    """`workers` job slots on a Dask cluster."""

    def __init__(self, workers: int, address: str | None) -> None:
        try:
            import dask
            from distributed import Client, LocalCluster
        except ImportError:
            raise ImportError("the dask executor needs dask: pip install 'logistics[dask]'") from None
        self._cluster = None
        if address is None:
            # not daemonic: a job may start processes of its own (the `auto` routing backend forks PyVRP)
            with dask.config.set({"distributed.worker.daemon": False}):
                self._cluster = LocalCluster(
                    n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
                )
        self._client = Client(address if address is not None else self._cluster)
        self.slots = [_DaskSlot(self._client) for _ in range(workers)]

    def free(self) -> list[_DaskSlot]:
        return [s for s in self.slots if s.job_id is None]

    def alive(self) -> bool:
        return self._client.status == "running"

    def slot_of(self, job_id: str) -> _DaskSlot | None:
        return next((s for s in self.slots if s.job_id == job_id), None)

    def busy(self) -> list[str]:
        """The ids of the jobs running now."""
        return [s.job_id for s in self.slots if s.job_id is not None]

    def poll(self, timeout_s: float) -> list[Progress | Finished]:
        events: list[Progress | Finished] = []
        for slot in self.slots:
            if slot.job_id is None:
                continue
            job_id = slot.job_id
            if slot.cancelled:
                slot.future.cancel()
                events.append(
                    Finished(job_id, "cancelled", None, None, "Dask cannot interrupt a running task: no plan kept")
                )
            elif slot.future.done():
                try:
                    state, outcome, error = slot.future.result()
                    events.append(Finished(job_id, state, outcome, error))
                except Exception as exc:  # the task failed on the cluster (e.g. its worker was lost for good)
                    events.append(Finished(job_id, "failed", None, f"on the Dask cluster: {type(exc).__name__}: {exc}"))
            else:
                continue
            slot.job_id, slot.future = None, None
        if not events:
            time.sleep(timeout_s)
        return events

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()
