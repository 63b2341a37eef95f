"""The operations routes of the service: liveness, readiness (database, workers, shutting down) and the
Prometheus metrics (behind their own key when one is set)."""

from __future__ import annotations

import asyncio
import hmac

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from logistics.service.config import hash_key
from logistics.service.metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from logistics.service.requests import Context, HttpProblem
from logistics.service.responses import Problem, Readiness

__all__ = ["operations_router"]


def operations_router() -> APIRouter:
    """The routes a load balancer and a monitoring system call (no API key)."""
    router = APIRouter()

    @router.get("/healthz", tags=["operations"], summary="The server process answers")
    async def healthz() -> dict:
        return {"status": "ok"}

    @router.get(
        "/readyz",
        tags=["operations"],
        summary="The database answers, the workers are alive and the server is not shutting down",
        responses={
            200: {"model": Readiness, "description": "Ready"},
            503: {"model": Readiness, "description": "Not ready (database, workers, or shutting down)"},
        },
    )
    async def readyz(ctx: Context) -> JSONResponse:
        try:
            db = ctx.jobs.ping()
        except Exception:
            db = False
        workers = ctx.scheduler.alive()
        stopping = ctx.stopping.is_set()  # shutting down: a load balancer sends new calls elsewhere
        ok = db and workers and not stopping
        body = {"ready": ok, "database": db, "workers": workers, "stopping": stopping}
        return JSONResponse(body, status_code=200 if ok else 503)

    @router.get(
        "/metrics",
        tags=["operations"],
        summary="Prometheus metrics: request latency, job run and queue times, jobs by state (no tenant names)",
        responses={
            200: {"content": {"text/plain": {}}, "description": "The exposition text"},
            401: {"model": Problem, "description": "metrics_key_sha256 is set and the key is missing or wrong"},
        },
    )
    async def metrics_text(request: Request, ctx: Context) -> Response:
        if ctx.config.metrics_key_sha256 is not None:
            header = request.headers.get("authorization", "")
            secret = header[7:].strip() if header.lower().startswith("bearer ") else ""
            if not secret or not hmac.compare_digest(hash_key(secret), ctx.config.metrics_key_sha256):
                raise HttpProblem(
                    401, "/metrics needs its key (Authorization: Bearer KEY)", {"WWW-Authenticate": "Bearer"}
                )
        return Response(await asyncio.to_thread(ctx.metrics.text), media_type=METRICS_CONTENT_TYPE)

    return router
