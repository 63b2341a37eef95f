"""The OpenAPI document as a test: schemathesis generates requests for every operation of a real server and
checks each answer: no 5xx, every status and content type documented, every body valid against its schema,
every header documented, schema-invalid requests refused, calls without a key refused.

`positive_data_acceptance` is off: a body the JSON Schema accepts may still be refused with a 422 naming the
field (an opaque cursor the server never gave, a routing problem whose vehicle types are empty: rules a JSON
Schema cannot state). The default run takes a few examples per operation; `-m slow` many more."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("uvicorn", reason="the service needs fastapi, uvicorn and httpx")
schemathesis = pytest.importorskip(
    "schemathesis", reason="the contract test needs schemathesis (pip install -e '.[dev]')"
)

from schemathesis.config import SchemathesisConfig  # noqa: E402

from logistics.testing.service import KEYS, Server  # noqa: E402

SERVER: dict[str, Server] = {}


def _config(examples: int) -> SchemathesisConfig:
    return SchemathesisConfig.from_str(
        f"""
seed = 20261207
[phases.examples]
enabled = false
[phases.coverage]
enabled = false
[phases.stateful]
enabled = false
[checks.positive_data_acceptance]
enabled = false
[generation]
max-examples = {examples}
"""
    )


def _schema(folder: Path, examples: int) -> Iterator[object]:
    server = Server(folder, max_queued_per_key=10_000, max_time_limit_s=2, max_replications=2).start()
    SERVER["now"] = server
    try:
        yield schemathesis.openapi.from_url(server.url + "/openapi.json", config=_config(examples))
    finally:
        server.stop()


@pytest.fixture(scope="module")
def few(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    yield from _schema(tmp_path_factory.mktemp("contract"), 6)


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    yield from _schema(tmp_path_factory.mktemp("contract_many"), 150)


def _call(case: object) -> None:
    case.call_and_validate(  # type: ignore[attr-defined]
        base_url=SERVER["now"].url, headers={"Authorization": f"Bearer {KEYS['alice']}"}
    )


@schemathesis.pytest.from_fixture("few").parametrize()
def test_every_operation_keeps_its_contract(case: object) -> None:
    _call(case)


@pytest.mark.slow
@schemathesis.pytest.from_fixture("many").parametrize()
def test_every_operation_keeps_its_contract_on_many_requests(case: object) -> None:
    _call(case)
