"""The HTTP API (FastAPI): submit jobs of every kind, follow, fetch, cancel and list them, check a routing
plan, health, readiness and metrics. OpenAPI at `/openapi.json`, browsable docs at `/docs`.

Every `/v1` call needs an API key (`Authorization: Bearer KEY` or `X-API-Key: KEY`): 401 without a valid one,
403 for another caller's job. A body over the size limit is a 413, a bad body a 422 naming the field in the
CLI's words, a caller over its queue limit a 429 with Retry-After."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import math
import re
import threading
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response

from logistics.core.errors import LogisticsError
from logistics.optimize.common import InvalidProblemError
from logistics.service.config import ServiceConfig, hash_key
from logistics.service.kinds import KINDS, error_items
from logistics.service.metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from logistics.service.metrics import ServiceMetrics
from logistics.service.responses import (
    AnyJobAnswer,
    CancelAnswer,
    JobList,
    JobStatus,
    Problem,
    Readiness,
    RoutingCheck,
    State,
    WebhookLog,
    answer_model,
)
from logistics.service.scheduler import Scheduler
from logistics.service.store import FINAL_STATES, STATES, IdempotencyConflict, Job, JobStore
from logistics.service.webhooks import webhook_problem
from logistics.service.worker import WorkerPool

__all__ = ["create_app"]

access_log = logging.getLogger("logistics.service.access")


class RateLimiter:
    """Per-key token buckets: `per_minute` requests a minute, bursts of a tenth of that (at least 10)."""

    def __init__(self, per_minute: int) -> None:
        self.rate_per_s = per_minute / 60.0
        self.capacity = max(10.0, per_minute / 10.0)
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, at)
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """Take a token for `key`: 0 when granted, else the seconds until one is available."""
        now = time.monotonic()
        with self._lock:
            tokens, at = self._buckets.get(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - at) * self.rate_per_s)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / self.rate_per_s


REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
"""A caller's own X-Request-Id is kept when it looks like an id (else the server makes one)."""


class _Problem(Exception):
    """An HTTP error with a JSON body (and headers)."""

    def __init__(self, status: int, detail: Any, headers: dict[str, str] | None = None) -> None:
        self.status, self.detail, self.headers = status, detail, headers or {}


MAX_DEPTH = 64
"""The deepest nesting of arrays and objects a request body may have (the formats need fewer than 10)."""


def parse_body(raw: bytes) -> tuple[dict, dict | None]:
    """A request body as a JSON object, or the 422 item saying why it is not one: not JSON, nested deeper than
    MAX_DEPTH, a number too long to read, a lone surrogate in a string or a key (it could not be stored or sent
    back), or not an object."""
    try:
        body = json.loads(raw)
    except RecursionError:
        return {}, {"loc": ["body"], "msg": f"nested deeper than {MAX_DEPTH} levels", "type": "json_invalid"}
    except (ValueError, UnicodeDecodeError) as exc:  # JSONDecodeError, and integers over Python's digit limit
        return {}, {"loc": ["body"], "msg": f"not valid JSON: {str(exc)[:200]}", "type": "json_invalid"}
    stack: list[tuple[Any, list, int]] = [(body, ["body"], 0)]
    while stack:
        value, loc, depth = stack.pop()
        if depth > MAX_DEPTH:
            return {}, {"loc": loc[:4], "msg": f"nested deeper than {MAX_DEPTH} levels", "type": "json_invalid"}
        if isinstance(value, str) and _surrogate(value):
            return {}, {"loc": loc, "msg": "contains a lone UTF-16 surrogate", "type": "string_unicode"}
        if isinstance(value, dict):
            for key, item in value.items():
                if _surrogate(key):
                    return {}, {"loc": loc, "msg": "a key contains a lone UTF-16 surrogate", "type": "string_unicode"}
                stack.append((item, [*loc, key], depth + 1))
        elif isinstance(value, list):
            stack.extend((item, [*loc, k], depth + 1) for k, item in enumerate(value))
    if not isinstance(body, dict):
        return {}, {"loc": ["body"], "msg": "must be a JSON object", "type": "type_error"}
    return body, None


def _surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def create_app(config: ServiceConfig) -> FastAPI:
    """The service's application for `config` (its store, workers and scheduler start with it)."""
    caps = config.caps
    state: dict[str, Any] = {}
    metrics = ServiceMetrics(lambda: state["store"].count())

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
        scheduler = Scheduler(store, config, pool, metrics)
        scheduler.start()
        state.update(store=store, scheduler=scheduler, started=time.time())
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
    app.state.stopping = threading.Event()  # set on SIGTERM (`logistics serve`): waiting requests answer at once

    @app.exception_handler(_Problem)
    async def _problem(request: Request, exc: _Problem) -> JSONResponse:
        return JSONResponse({"detail": exc.detail}, status_code=exc.status, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        """A bad query or path parameter: the documented Problem shape (field, message), never the input back."""
        items = [
            {"loc": [str(x) if not isinstance(x, int) else x for x in e.get("loc", ())], "msg": str(e.get("msg", ""))}
            for e in exc.errors()
        ]
        return JSONResponse({"detail": items}, status_code=422)

    limiter = RateLimiter(config.max_requests_per_minute) if config.max_requests_per_minute else None

    @app.middleware("http")
    async def access_and_size(request: Request, call_next: Any) -> Response:
        started = time.perf_counter()
        given = request.headers.get("x-request-id", "")
        request_id = given if REQUEST_ID.match(given) else uuid.uuid4().hex
        request.state.request_id = request_id
        length = request.headers.get("content-length")
        repeated = sorted(
            {k for k, _ in request.query_params.multi_items() if len(request.query_params.getlist(k)) > 1}
        )
        if length is not None and length.isdigit() and int(length) > config.max_body_bytes:
            response: Response = JSONResponse(
                {"detail": f"request body of {int(length):,} bytes is over the limit of {config.max_body_bytes:,}"},
                status_code=413,
            )
        elif repeated:  # every query parameter is one value: a repeated one is not silently cut to its last
            items = [{"loc": ["query", k], "msg": "given more than once (give it once)"} for k in repeated]
            response = JSONResponse({"detail": items}, status_code=422)
        else:
            response = await call_next(request)
        route = request.scope.get("route")
        template = getattr(route, "path", None) or "unmatched"  # the template, never the job id: few series
        metrics.requests.labels(request.method, template, str(response.status_code)).observe(
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

    def caller(request: Request) -> str:
        """The calling key's name (401 without a valid key)."""
        if not config.auth:
            request.state.caller = "anonymous"
            return "anonymous"
        header = request.headers.get("authorization", "")
        secret = header[7:].strip() if header.lower().startswith("bearer ") else request.headers.get("x-api-key")
        if secret:
            digest = hash_key(secret)
            for key in config.api_keys:
                if hmac.compare_digest(key.sha256, digest):
                    request.state.caller = key.name
                    wait_s = limiter.take(key.name) if limiter is not None else 0.0
                    if wait_s > 0:
                        raise _Problem(
                            429,
                            f"over this key's limit of {config.max_requests_per_minute} requests a minute",
                            {"Retry-After": str(max(1, math.ceil(wait_s)))},
                        )
                    return key.name
        raise _Problem(401, "a valid API key is required (Authorization: Bearer KEY)", {"WWW-Authenticate": "Bearer"})

    async def body_of(request: Request) -> dict:
        # read while counting: a body sent in chunks (no Content-Length) is refused as soon as it passes the limit,
        # never held whole
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > config.max_body_bytes:
                raise _Problem(413, f"request body is over the limit of {config.max_body_bytes:,} bytes")
            chunks.append(chunk)
        body, problem = await asyncio.to_thread(parse_body, b"".join(chunks))  # big bodies off the event loop
        if problem is not None:
            raise _Problem(422, [problem])
        return body

    def own(job_id: str, who: str) -> Job:
        job = state["store"].get(job_id)
        if job is None:
            raise _Problem(404, f"no job {job_id}")
        if job.owner != who and config.auth:
            raise _Problem(403, "this job belongs to another API key")
        return job

    def submit(kind: str) -> Any:
        async def endpoint(
            request: Request, wait: float = 0.0, webhook: str | None = None, who: str = Depends(caller)
        ) -> JSONResponse:
            body = await body_of(request)
            try:
                notes = await asyncio.to_thread(KINDS[kind].check, body, caps)
            except LogisticsError as exc:
                raise _Problem(422, error_items(exc)) from None
            if webhook is not None:
                if not config.webhooks:
                    raise _Problem(422, [{"loc": ["query", "webhook"], "msg": "webhooks are off on this server"}])
                problem = await asyncio.to_thread(webhook_problem, webhook, config.webhook_private_allow)
                if problem is not None:
                    raise _Problem(422, [{"loc": ["query", "webhook"], "msg": problem}])
            store: JobStore = state["store"]
            counts = store.count(who)
            if counts["queued"] >= config.max_queued_per_key:
                raise _Problem(
                    429,
                    f"{counts['queued']} jobs of this key are queued (limit {config.max_queued_per_key}); retry later",
                    {"Retry-After": str(_retry_after(store, config))},
                )
            key = request.headers.get("idempotency-key")
            idempotency = None
            if key is not None:
                if not 1 <= len(key) <= 200 or not key.isprintable():
                    raise _Problem(
                        422, [{"loc": ["header", "Idempotency-Key"], "msg": "1 to 200 printable characters"}]
                    )
                digest = hashlib.sha256(json.dumps([kind, body, webhook], sort_keys=True).encode()).hexdigest()
                idempotency = (key, digest)
            try:
                job, created = store.add(kind, who, body, webhook, notes, idempotency, request.state.request_id)
            except IdempotencyConflict:
                raise _Problem(409, "this Idempotency-Key was used for another request of this API key") from None
            if wait > 0:
                job = await _await_job(store, job.id, min(wait, config.max_wait_s), app.state.stopping)
            answer = _job_response(job, 200 if job.state in FINAL_STATES else 202)
            if not created:
                answer.headers["Idempotent-Replayed"] = "true"
            return answer

        endpoint.__name__ = f"submit_{kind}"
        return endpoint

    for kind, spec in KINDS.items():
        app.post(
            f"/v1/{kind}/jobs",
            status_code=202,
            summary=f"Submit a {kind} job",
            description=(
                f"Queues a {kind} job and answers 202 with its id; `?wait=SECONDS` answers 200 with the result "
                "if it ends within that time; `?webhook=URL` gets a POST of the job's status when it ends. With an "
                "`Idempotency-Key` header, a repeated submit (same key, same body) answers the first job "
                "(`Idempotent-Replayed: true`) instead of queueing another; the same key with another body is a 409."
            ),
            openapi_extra={
                "requestBody": {"required": True, "content": {"application/json": {"schema": spec.schema()}}}
            },
            responses={
                200: {"model": answer_model(kind), "description": "Ended within `wait`: the job and its result"},
                202: {"model": answer_model(kind), "description": "Queued: the job (its result comes later)"},
                **ERRORS,
                409: {"model": Problem, "description": "The Idempotency-Key was used for another request"},
                413: {"model": Problem, "description": "The body is larger than the server takes"},
                429: {
                    "model": Problem,
                    "description": "Too many queued jobs or requests of this key (see Retry-After)",
                },
            },
            tags=["jobs"],
        )(submit(kind))

    @app.get("/v1/jobs", tags=["jobs"], summary="List your jobs (newest first)", responses=_ok(JobList))
    async def list_jobs(
        state_: Annotated[State | None, Query(alias="state")] = None,
        kind: Literal["routing", "slotting", "docks", "linehaul", "design", "simulation"] | None = None,
        limit: int = Query(100, ge=1, le=1000, description="Jobs per page, 1 to 1,000."),
        cursor: Annotated[
            str | None,
            Query(pattern=r"^[A-Za-z0-9_-]{1,200}$", description="The `next_cursor` of the previous page."),
        ] = None,
        who: str = Depends(caller),
    ) -> dict:
        if state_ is not None and state_ not in STATES:
            raise _Problem(422, [{"loc": ["query", "state"], "msg": f"must be one of {', '.join(STATES)}"}])
        if kind is not None and kind not in KINDS:
            raise _Problem(422, [{"loc": ["query", "kind"], "msg": f"must be one of {', '.join(KINDS)}"}])
        before = _cursor_of(cursor) if cursor is not None else None
        page = max(1, min(limit, 1000))
        jobs = state["store"].find(who if config.auth else None, state_, kind, page + 1, before)
        more = len(jobs) > page
        jobs = jobs[:page]
        next_cursor = _cursor(jobs[-1]) if more else None
        return {"jobs": [j.summary() for j in jobs], "next_cursor": next_cursor}

    @app.get(
        "/v1/jobs/{job_id}",
        tags=["jobs"],
        summary="A job's state, progress, best objective and timings",
        responses=_ok(JobStatus),
    )
    async def get_job(job_id: str, who: str = Depends(caller)) -> dict:
        return own(job_id, who).summary()

    @app.get(
        "/v1/jobs/{job_id}/webhook",
        tags=["jobs"],
        summary="A job's completion webhook and every try to deliver it",
        responses=_ok(WebhookLog),
    )
    async def get_webhook(job_id: str, who: str = Depends(caller)) -> dict:
        job = own(job_id, who)
        deliveries = state["store"].deliveries(job_id)
        delivered = any(d["status"] is not None and 200 <= d["status"] < 300 for d in deliveries)
        return {
            "url": job.webhook,
            "signed": config.webhook_secret is not None,
            "delivered": delivered,
            "deliveries": deliveries,
        }

    @app.get(
        "/v1/jobs/{job_id}/result",
        tags=["jobs"],
        summary="A finished job's result",
        responses={**_ok(AnyJobAnswer), 409: {"model": Problem, "description": "The job has no result"}},
    )
    async def get_result(job_id: str, who: str = Depends(caller)) -> JSONResponse:
        job = own(job_id, who)
        if job.result is None:
            status = 409
            detail = f"job is {job.state}" + (f": {job.error}" if job.error else "") + "; no result"
            raise _Problem(status, detail)
        return _job_response(job, 200)

    @app.get(
        "/v1/jobs/{job_id}/files/{name}",
        tags=["jobs"],
        summary="A simulation job's run file",
        responses={
            200: {"description": "The file", "content": {"application/octet-stream": {}}},
            **ERRORS,
            404: {"model": Problem, "description": "No such job, or the job has no such file"},
        },
    )
    async def get_file(job_id: str, name: str, who: str = Depends(caller)) -> Response:
        job = own(job_id, who)
        found = state["store"].file(job_id, name) if name in job.files else None  # only names the job wrote
        if found is None:
            raise _Problem(404, f"job {job_id} has no file {name!r} (it has: {', '.join(job.files) or 'none'})")
        if isinstance(found, bytes):
            disposition = {"Content-Disposition": f'attachment; filename="{name}"'}
            return Response(found, media_type="application/octet-stream", headers=disposition)
        return FileResponse(found, filename=name)

    @app.delete(
        "/v1/jobs/{job_id}",
        tags=["jobs"],
        summary="Cancel a job, or delete an ended one",
        description="A queued job is cancelled (200), a running one asked to stop (202); an ended job is deleted "
        "with its input, result and files (200, `deleted`).",
        responses={
            200: {"model": CancelAnswer, "description": "The job was queued: cancelled; or it had ended: deleted"},
            202: {"model": CancelAnswer, "description": "The job is running: asked to stop (its best plan stands)"},
            409: {"model": Problem, "description": "The job ended while it was being deleted (try again)"},
            **ERRORS,
        },
    )
    async def cancel_job(job_id: str, who: str = Depends(caller)) -> JSONResponse:
        job = own(job_id, who)
        store: JobStore = state["store"]
        if job.state in FINAL_STATES:
            if not store.delete(job_id):
                raise _Problem(409, "the job changed while it was being deleted; try again")
            store.remove_files(job_id)
            return JSONResponse({**job.summary(), "deleted": True}, status_code=200)
        if store.cancel_queued(job_id):
            return JSONResponse(store.get(job_id).summary(), status_code=200)  # type: ignore[union-attr]
        store.request_cancel(job_id)  # whichever server runs it stops it
        state["scheduler"].cancel(job_id)
        return JSONResponse({**job.summary(), "cancel": "requested"}, status_code=202)

    @app.post(
        "/v1/routing/check",
        tags=["routing"],
        summary="Check a routing plan made elsewhere",
        responses=_ok(RoutingCheck),
    )
    async def routing_check(request: Request, who: str = Depends(caller)) -> dict:
        from logistics.optimize import check_routing
        from logistics.optimize.routing.jsonio import problem_from_json
        from logistics.optimize.routing.plans import plan_from_json

        body = await body_of(request)
        try:
            for key in body:
                if key not in ("problem", "plan"):
                    raise InvalidProblemError(key, "unknown field (known: plan, problem)")
            for key in ("problem", "plan"):
                if not isinstance(body.get(key), dict):
                    raise InvalidProblemError(key, "must be a JSON object")
            problem = problem_from_json(json.dumps(body["problem"]))
            plan = plan_from_json(problem, json.dumps(body["plan"]))
        except LogisticsError as exc:
            raise _Problem(422, error_items(exc)) from None
        report = check_routing(problem, plan)
        return {
            "ok": report.ok,
            "feasible": report.feasible,
            "violations": list(report.violations),
            "distance_m": report.distance_m,
            "cost": report.cost,
            "unassigned": [u.stop for u in plan.unassigned],
        }

    @app.get("/healthz", tags=["operations"], summary="The server process answers")
    async def healthz() -> dict:
        return {"status": "ok"}

    @app.get(
        "/readyz",
        tags=["operations"],
        summary="The database answers, the workers are alive and the server is not shutting down",
        responses={
            200: {"model": Readiness, "description": "Ready"},
            503: {"model": Readiness, "description": "Not ready (database, workers, or shutting down)"},
        },
    )
    async def readyz() -> JSONResponse:
        try:
            db = state["store"].ping()
        except Exception:
            db = False
        workers = state["scheduler"].alive()
        stopping = app.state.stopping.is_set()  # shutting down: a load balancer sends new calls elsewhere
        ok = db and workers and not stopping
        body = {"ready": ok, "database": db, "workers": workers, "stopping": stopping}
        return JSONResponse(body, status_code=200 if ok else 503)

    @app.get(
        "/metrics",
        tags=["operations"],
        summary="Prometheus metrics: request latency, job run and queue times, jobs by state (no tenant names)",
        responses={
            200: {"content": {"text/plain": {}}, "description": "The exposition text"},
            401: {"model": Problem, "description": "metrics_key_sha256 is set and the key is missing or wrong"},
        },
    )
    async def metrics_text(request: Request) -> Response:
        if config.metrics_key_sha256 is not None:
            header = request.headers.get("authorization", "")
            secret = header[7:].strip() if header.lower().startswith("bearer ") else ""
            if not secret or not hmac.compare_digest(hash_key(secret), config.metrics_key_sha256):
                raise _Problem(
                    401, "/metrics needs its key (Authorization: Bearer KEY)", {"WWW-Authenticate": "Bearer"}
                )
        return Response(await asyncio.to_thread(metrics.text), media_type=METRICS_CONTENT_TYPE)

    plain_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = with_security(hoist_defs(plain_openapi()), config)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


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


ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "No valid API key"},
    403: {"model": Problem, "description": "The job belongs to another API key"},
    404: {"model": Problem, "description": "No such job"},
    422: {"model": Problem, "description": "A bad body or query: one item per field, with what is wrong"},
    429: {"model": Problem, "description": "Too many requests (this key's rate or queue limit; see Retry-After)"},
}


def _ok(model: type) -> dict[int | str, dict[str, Any]]:
    """The documented answers of an endpoint answering `model` (and the usual errors)."""
    return {200: {"model": model, "description": "Successful Response"}, **ERRORS}


def _job_response(job: Job, status: int) -> JSONResponse:
    body = job.summary()
    if job.result is not None:
        body["result"] = json.loads(job.result)
    body["links"] = {
        "self": f"/v1/jobs/{job.id}",
        "result": f"/v1/jobs/{job.id}/result",
        "files": {name: f"/v1/jobs/{job.id}/files/{name}" for name in job.files},
    }
    headers = {"Location": f"/v1/jobs/{job.id}"}
    return JSONResponse(body, status_code=status, headers=headers)


async def _await_job(store: JobStore, job_id: str, wait_s: float, stopping: threading.Event) -> Job:
    """The job once it ends, or as it is after `wait_s` or when the server starts shutting down (a waiting
    request must not hold the shutdown: it gets the job's id and state, 202)."""
    deadline = time.monotonic() + wait_s
    while True:
        job = store.get(job_id)
        assert job is not None
        if job.state in FINAL_STATES or time.monotonic() >= deadline or stopping.is_set():
            return job
        await asyncio.sleep(0.05)


def _cursor(job: Job) -> str:
    """An opaque cursor after `job` in the listing's order (newest first, ties by id)."""
    import base64

    return base64.urlsafe_b64encode(json.dumps([job.created_at, job.id]).encode()).decode().rstrip("=")


def _cursor_of(text: str) -> tuple[float, str]:
    """The (created_at, id) a cursor stands for; 422 naming the query parameter when it is not one of ours."""
    import base64
    import binascii

    try:
        created_at, job_id = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        if not isinstance(created_at, int | float) or not isinstance(job_id, str) or not job_id.isalnum():
            raise ValueError
        return float(created_at), job_id
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise _Problem(
            422, [{"loc": ["query", "cursor"], "msg": "not a cursor this server gave (use next_cursor)"}]
        ) from None


def _retry_after(store: JobStore, config: ServiceConfig) -> int:
    """Seconds after which a queue slot is likely free: the queue's length over the workers, at least 1."""
    return max(1, min(300, store.count()["queued"] // max(1, config.workers)))


def _version() -> str:
    from logistics import __version__

    return __version__
