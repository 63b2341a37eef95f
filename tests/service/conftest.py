"""A service started once for the module's tests (2 workers, small limits so that the limits can be hit)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

pytest.importorskip("fastapi", reason="the service needs fastapi, uvicorn and httpx (pip install -e '.[dev]')")
pytest.importorskip("uvicorn", reason="the service needs fastapi, uvicorn and httpx (pip install -e '.[dev]')")

from logistics.testing.service import Server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = Server(
        tmp_path_factory.mktemp("service"),
        max_queued_per_key=3,
        max_running_per_key=2,  # (the limit tests fill both workers with one key)
        max_body_bytes=2_000_000,
        max_time_limit_s=30,
        max_replications=3,
        webhook_private_allow=["127.0.0.1/32"],  # the tests' webhook receiver
    ).start()
    yield running
    running.stop()
