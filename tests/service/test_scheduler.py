"""The scheduler's record of a job's end, on a real store: a result that cannot be answered as JSON is refused
when the job ends (failed, saying why), never kept to fail every read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from logistics.service.config import ServiceConfig
from logistics.service.job import Outcome
from logistics.service.scheduler import Scheduler, unencodable
from logistics.service.store import JobStore
from logistics.service.worker import Finished


class _NoPool:
    def busy(self) -> list[str]:
        return []

    def close(self) -> None:
        pass


@pytest.mark.parametrize(
    ("result", "why"),
    [
        ({"objective": float("nan")}, "Out of range float"),
        ({"routes": [{"id": "SKU-\ud800"}]}, "surrogates not allowed"),
        ({"fine": [1, "ok", None]}, None),
    ],
)
def test_a_result_that_cannot_be_answered_as_json_fails_the_job_when_it_ends(
    tmp_path: Path, result: dict, why: str | None
) -> None:
    config = ServiceConfig(database=tmp_path / "jobs.db", auth=False, workers=1)
    store = JobStore(config.database)
    scheduler = Scheduler(store, config, _NoPool())  # type: ignore[arg-type]
    job, _ = store.add("slotting", "anonymous", {}, None, [])
    assert store.claim(1, scheduler.holder) is not None
    scheduler._finish(Finished(job.id, "done", Outcome(result), None))
    ended = store.get(job.id)
    assert ended is not None
    if why is None:
        assert ended.state == "done" and json.loads(ended.result or "null") == result
        assert unencodable(result) is None
    else:
        assert ended.state == "failed" and ended.result is None
        assert ended.error is not None and "cannot be sent as JSON" in ended.error and why in ended.error
    store.close()
