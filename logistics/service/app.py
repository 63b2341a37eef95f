"""The HTTP API (FastAPI): submit jobs of every kind, follow, fetch, cancel and list them, check a routing
plan, health, readiness and metrics. OpenAPI at `/openapi.json`, browsable docs at `/docs`.

Every `/v1` call needs an API key (`Authorization: Bearer KEY` or `X-API-Key: KEY`): 401 without a valid one,
403 for another caller's job. A body over the size limit is a 413, a bad body a 422 naming the field in the
CLI's words, a caller over its queue limit a 429 with Retry-After."""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response

from logistics.service.config import ServiceConfig
from logistics.service.metrics import ServiceMetrics
from logistics.service.requests import REQUEST_ID, HttpProblem, RateLimiter, ServiceContext
from logistics.service.routes_jobs import jobs_router
from logistics.service.routes_operations import operations_router
from logistics.service.scheduler import Scheduler
from logistics.service.store import JobStore
from logistics.service.worker import WorkerPool

__all__ = ["create_app"]

access_log = logging.getLogger("logistics.service.access")


def create_app(config: ServiceConfig) -> FastAPI:
    """The service's application for `config` (its store, workers and scheduler start with it): the context
    every route reads (`requests.ServiceContext`), error handlers, the access and size middleware, the job
    and operations routers, and the OpenAPI document with its security scheme."""
    limiter = RateLimiter(config.max_requests_per_minute) if config.max_requests_per_minute else None
    ctx: ServiceContext = ServiceContext(config, ServiceMetrics(lambda: ctx.jobs.count()), limiter, threading.Event())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = JobStore(config.store_target, config.files_folder)
        # jobs whose server died go back to the queue once their lease expires (this and every other server
        # sharing the database look), never a job another live server runs
        requeued, interrupted = store.reap(config.max_attempts)
        access_log.info(json.dumps({"event": "recovered", "requeued": requeued, "interrupted": interrupted}))
        if config.executor == "dask":
            from logistics.service.dask_pool import DaskPool

            pool: Any = DaskPool(config.workers, config.dask_address)
        else:
            pool = WorkerPool(config.workers)
        scheduler = Scheduler(store, config, pool, ctx.metrics)
        scheduler.start()
        ctx.store, ctx.scheduler, ctx.started = store, scheduler, time.time()
        try:
            yield
        finally:
            scheduler.drain(config.shutdown_grace_s)
            store.close()

    app = FastAPI(
        title="logistics service",
        description=__doc__,
        version=_version(),
        lifespan=lifespan,
    )
    app.state.ctx = ctx
    app.state.stopping = ctx.stopping  # set on SIGTERM (`logistics serve`): waiting requests answer at once

    @app.exception_handler(HttpProblem)
    async def _problem(request: Request, exc: HttpProblem) -> JSONResponse:
        return JSONResponse({"detail": exc.detail}, status_code=exc.status, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        """A bad query or path parameter: the documented Problem shape (field, message), never the input back."""
        items = [
            {"loc": [str(x) if not isinstance(x, int) else x for x in e.get("loc", ())], "msg": str(e.get("msg", ""))}
            for e in exc.errors()
        ]
        return JSONResponse({"detail": items}, status_code=422)

    app.middleware("http")(_access_and_size)
    app.include_router(jobs_router())
    app.include_router(operations_router())
    plain_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = with_security(hoist_defs(plain_openapi()), config)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


async def _access_and_size(request: Request, call_next: Any) -> Response:
    """Every request: its id (the caller's when it looks like one), the body size and repeated query
    parameters refused before any work, its latency in the metrics and a line in the access log."""
    ctx: ServiceContext = request.app.state.ctx
    started = time.perf_counter()
    given = request.headers.get("x-request-id", "")
    request_id = given if REQUEST_ID.match(given) else uuid.uuid4().hex
    request.state.request_id = request_id
    length = request.headers.get("content-length")
    repeated = sorted({k for k, _ in request.query_params.multi_items() if len(request.query_params.getlist(k)) > 1})
    if length is not None and length.isdigit() and int(length) > ctx.config.max_body_bytes:
        response: Response = JSONResponse(
            {"detail": f"request body of {int(length):,} bytes is over the limit of {ctx.config.max_body_bytes:,}"},
            status_code=413,
        )
    elif repeated:  # every query parameter is one value: a repeated one is not silently cut to its last
        items = [{"loc": ["query", k], "msg": "given more than once (give it once)"} for k in repeated]
        response = JSONResponse({"detail": items}, status_code=422)
    else:
        response = await call_next(request)
    route = request.scope.get("route")
    template = getattr(route, "path", None) or "unmatched"  # the template, never the job id: few series
    ctx.metrics.requests.labels(request.method, template, str(response.status_code)).observe(
        time.perf_counter() - started
    )
    access_log.info(
        json.dumps(
            {
                "event": "request",
                "method": request.method,
                "path": request.url.path,
                "status": response.status_code,
                "ms": round(1000 * (time.perf_counter() - started), 1),
                "client": request.client.host if request.client else None,
                "caller": getattr(request.state, "caller", None),
                "request_id": request_id,
            }
        )
    )
    response.headers["X-Request-Id"] = request_id
    return response


def with_security(doc: dict[str, Any], config: ServiceConfig) -> dict[str, Any]:
    """The document with its security schemes (an API key as a bearer token or in X-API-Key) required by every
    /v1 operation when the server requires keys, and by /metrics when it has its own key."""
    schemes = doc.setdefault("components", {}).setdefault("securitySchemes", {})
    schemes["bearer"] = {"type": "http", "scheme": "bearer", "description": "An API key: Authorization: Bearer KEY"}
    schemes["apiKey"] = {"type": "apiKey", "in": "header", "name": "X-API-Key", "description": "An API key"}
    for path, operations in doc.get("paths", {}).items():
        guarded = (path.startswith("/v1/") and config.auth) or (
            path == "/metrics" and config.metrics_key_sha256 is not None
        )
        if guarded:
            for operation in operations.values():
                operation["security"] = [{"bearer": []}] if path == "/metrics" else [{"bearer": []}, {"apiKey": []}]
    return doc


def hoist_defs(doc: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI document with every JSON Schema embedded in a request body (the scenario and problem schemas,
    each with its own `$defs` and `#/$defs/...` references, which resolve only at their own root) made whole: the
    definitions moved to `components/schemas` under `<operation>.<name>` and the references rewritten, so every
    `$ref` of the document resolves."""
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    for path_item in doc.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict):
                continue
            content = operation.get("requestBody", {}).get("content", {})
            prefix = str(operation.get("operationId", "body"))
            for media in content.values():
                if "schema" not in media:
                    continue
                found: dict[str, Any] = {}
                media["schema"] = _take_defs(media["schema"], found)
                while found:  # definitions may hold $defs of their own
                    name, schema = found.popitem()
                    schemas[f"{prefix}.{name}"] = _refs(_take_defs(schema, found), prefix)
                media["schema"] = _refs(media["schema"], prefix)
    return doc


def _take_defs(schema: Any, found: dict[str, Any]) -> Any:
    """`schema` without its `$defs` (collected into `found`), at any depth."""
    if isinstance(schema, dict):
        found.update(schema.get("$defs", {}))
        return {k: _take_defs(v, found) for k, v in schema.items() if k != "$defs"}
    if isinstance(schema, list):
        return [_take_defs(v, found) for v in schema]
    return schema


def _refs(schema: Any, prefix: str) -> Any:
    """`#/$defs/NAME` references rewritten to `#/components/schemas/<prefix>.NAME`."""
    if isinstance(schema, dict):
        out = {k: _refs(v, prefix) for k, v in schema.items()}
        ref = out.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            out["$ref"] = f"#/components/schemas/{prefix}.{ref.removeprefix('#/$defs/')}"
        return out
    if isinstance(schema, list):
        return [_refs(v, prefix) for v in schema]
    return schema


def _version() -> str:
    from logistics import __version__

    return __version__
