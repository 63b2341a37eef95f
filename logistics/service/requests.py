"""What every route of the service needs: the service's context (its configuration, store, scheduler,
metrics, rate limiter, shutdown flag), the caller's key as a FastAPI dependency, a request body read within the
size limit and parsed safely, the job a caller may see, the HTTP problems the routes raise, and the job answer
with its links."""

from __future__ import annotations

import asyncio
import hmac
import json
import math
import re
import threading
import time
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import JSONResponse

from logistics.service.config import ServiceConfig, hash_key
from logistics.service.metrics import ServiceMetrics
from logistics.service.responses import Problem
from logistics.service.store import FINAL_STATES, Job, JobStore

__all__ = [
    "ERRORS",
    "Caller",
    "Context",
    "HttpProblem",
    "RateLimiter",
    "ServiceContext",
    "await_job",
    "body_of",
    "caller",
    "context",
    "cursor",
    "cursor_of",
    "job_response",
    "ok_responses",
    "own",
    "parse_body",
    "retry_after",
]


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


class HttpProblem(Exception):
    """An HTTP error with a JSON body (and headers)."""

    def __init__(self, status: int, detail: Any, headers: dict[str, str] | None = None) -> None:
        self.status, self.detail, self.headers = status, detail, headers or {}


@dataclass
class ServiceContext:
    """The running service: set up by `create_app`, its store and scheduler filled in when the app starts."""

    config: ServiceConfig
    metrics: ServiceMetrics
    limiter: RateLimiter | None
    stopping: threading.Event  # set on SIGTERM (`logistics serve`): waiting requests answer at once
    store: JobStore | None = None
    scheduler: Any = None
    started: float = 0.0

    @property
    def jobs(self) -> JobStore:
        """The job store (the app has started)."""
        assert self.store is not None
        return self.store


def context(request: Request) -> ServiceContext:
    """The service's context, from the request's app."""
    return request.app.state.ctx


def caller(request: Request) -> str:
    """The calling key's name (401 without a valid key; 429 over its rate): the routes' auth dependency."""
    ctx = context(request)
    config, limiter = ctx.config, ctx.limiter
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
                    raise HttpProblem(
                        429,
                        f"over this key's limit of {config.max_requests_per_minute} requests a minute",
                        {"Retry-After": str(max(1, math.ceil(wait_s)))},
                    )
                return key.name
    raise HttpProblem(401, "a valid API key is required (Authorization: Bearer KEY)", {"WWW-Authenticate": "Bearer"})


async def body_of(request: Request) -> dict:
    """The request's JSON body: read while counting, so a body sent in chunks (no Content-Length) is refused as
    soon as it passes the limit, never held whole; parsed off the event loop; a 422 naming what is wrong."""
    config = context(request).config
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > config.max_body_bytes:
            raise HttpProblem(413, f"request body is over the limit of {config.max_body_bytes:,} bytes")
        chunks.append(chunk)
    body, problem = await asyncio.to_thread(parse_body, b"".join(chunks))  # big bodies off the event loop
    if problem is not None:
        raise HttpProblem(422, [problem])
    return body


Caller = Annotated[str, Depends(caller)]
"""A route's caller: the API key's name (the auth dependency)."""
Context = Annotated[ServiceContext, Depends(context)]
"""A route's service context."""


def own(ctx: ServiceContext, job_id: str, who: str) -> Job:
    """The job `job_id` if the caller may see it: 404 when there is none, 403 when it is another key's."""
    job = ctx.jobs.get(job_id)
    if job is None:
        raise HttpProblem(404, f"no job {job_id}")
    if job.owner != who and ctx.config.auth:
        raise HttpProblem(403, "this job belongs to another API key")
    return job


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


ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "No valid API key"},
    403: {"model": Problem, "description": "The job belongs to another API key"},
    404: {"model": Problem, "description": "No such job"},
    422: {"model": Problem, "description": "A bad body or query: one item per field, with what is wrong"},
    429: {"model": Problem, "description": "Too many requests (this key's rate or queue limit; see Retry-After)"},
}


def ok_responses(model: type) -> dict[int | str, dict[str, Any]]:
    """The documented answers of an endpoint answering `model` (and the usual errors)."""
    return {200: {"model": model, "description": "Successful Response"}, **ERRORS}


def job_response(job: Job, status: int) -> JSONResponse:
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


async def await_job(store: JobStore, job_id: str, wait_s: float, stopping: threading.Event) -> Job:
    """The job once it ends, or as it is after `wait_s` or when the server starts shutting down (a waiting
    request must not hold the shutdown: it gets the job's id and state, 202)."""
    deadline = time.monotonic() + wait_s
    while True:
        job = store.get(job_id)
        assert job is not None
        if job.state in FINAL_STATES or time.monotonic() >= deadline or stopping.is_set():
            return job
        await asyncio.sleep(0.05)


def cursor(job: Job) -> str:
    """An opaque cursor after `job` in the listing's order (newest first, ties by id)."""
    import base64

    return base64.urlsafe_b64encode(json.dumps([job.created_at, job.id]).encode()).decode().rstrip("=")


def cursor_of(text: str) -> tuple[float, str]:
    """The (created_at, id) a cursor stands for; 422 naming the query parameter when it is not one of ours."""
    import base64
    import binascii

    try:
        created_at, job_id = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        if not isinstance(created_at, int | float) or not isinstance(job_id, str) or not job_id.isalnum():
            raise ValueError
        return float(created_at), job_id
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise HttpProblem(
            422, [{"loc": ["query", "cursor"], "msg": "not a cursor this server gave (use next_cursor)"}]
        ) from None


def retry_after(store: JobStore, config: ServiceConfig) -> int:
    """Seconds after which a queue slot is likely free: the queue's length over the workers, at least 1."""
    return max(1, min(300, store.count()["queued"] // max(1, config.workers)))
