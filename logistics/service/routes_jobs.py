"""The job routes of the service: submit a job of every kind, list, follow, fetch, cancel or delete jobs, and
check a routing plan made elsewhere. Every route names its caller through the `caller` dependency (the API key)."""

from __future__ import annotations

import asyncio
import hashlib
import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, JSONResponse, Response

from logistics.core.errors import LogisticsError
from logistics.optimize.common import InvalidProblemError
from logistics.service.kinds import KINDS, error_items
from logistics.service.requests import (
    ERRORS,
    Caller,
    Context,
    HttpProblem,
    await_job,
    body_of,
    context,
    cursor_of,
    job_response,
    ok_responses,
    own,
    retry_after,
)
from logistics.service.requests import cursor as cursor_after
from logistics.service.responses import (
    AnyJobAnswer,
    CancelAnswer,
    JobList,
    JobStatus,
    Problem,
    RoutingCheck,
    State,
    WebhookLog,
    answer_model,
)
from logistics.service.store import FINAL_STATES, STATES, IdempotencyConflict, JobStore
from logistics.service.webhooks import webhook_problem

__all__ = ["jobs_router"]


def jobs_router() -> APIRouter:
    """The job routes: a submit route per job kind first (as the API has always listed them), then the rest."""
    router = _submit_router()
    router.include_router(routes)
    return router


def _submit_router() -> APIRouter:
    """A submit route per job kind."""
    router = APIRouter()
    for kind, spec in KINDS.items():
        router.post(
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
        )(_submit(kind))
    return router


routes = APIRouter()
"""Listing, following, fetching, cancelling jobs and checking a routing plan."""


@routes.get("/v1/jobs", tags=["jobs"], summary="List your jobs (newest first)", responses=ok_responses(JobList))
async def list_jobs(
    who: Caller,
    ctx: Context,
    state_: Annotated[State | None, Query(alias="state")] = None,
    kind: Literal["routing", "slotting", "docks", "linehaul", "design", "simulation"] | None = None,
    limit: int = Query(100, ge=1, le=1000, description="Jobs per page, 1 to 1,000."),
    cursor: Annotated[
        str | None,
        Query(pattern=r"^[A-Za-z0-9_-]{1,200}$", description="The `next_cursor` of the previous page."),
    ] = None,
) -> dict:
    if state_ is not None and state_ not in STATES:
        raise HttpProblem(422, [{"loc": ["query", "state"], "msg": f"must be one of {', '.join(STATES)}"}])
    if kind is not None and kind not in KINDS:
        raise HttpProblem(422, [{"loc": ["query", "kind"], "msg": f"must be one of {', '.join(KINDS)}"}])
    before = cursor_of(cursor) if cursor is not None else None
    page = max(1, min(limit, 1000))
    jobs = ctx.jobs.find(who if ctx.config.auth else None, state_, kind, page + 1, before)
    more = len(jobs) > page
    jobs = jobs[:page]
    next_cursor = cursor_after(jobs[-1]) if more else None
    return {"jobs": [j.summary() for j in jobs], "next_cursor": next_cursor}


@routes.get(
    "/v1/jobs/{job_id}",
    tags=["jobs"],
    summary="A job's state, progress, best objective and timings",
    responses=ok_responses(JobStatus),
)
async def get_job(job_id: str, who: Caller, ctx: Context) -> dict:
    return own(ctx, job_id, who).summary()


@routes.get(
    "/v1/jobs/{job_id}/webhook",
    tags=["jobs"],
    summary="A job's completion webhook and every try to deliver it",
    responses=ok_responses(WebhookLog),
)
async def get_webhook(job_id: str, who: Caller, ctx: Context) -> dict:
    job = own(ctx, job_id, who)
    deliveries = ctx.jobs.deliveries(job_id)
    delivered = any(d["status"] is not None and 200 <= d["status"] < 300 for d in deliveries)
    return {
        "url": job.webhook,
        "signed": ctx.config.webhook_secret is not None,
        "delivered": delivered,
        "deliveries": deliveries,
    }


@routes.get(
    "/v1/jobs/{job_id}/result",
    tags=["jobs"],
    summary="A finished job's result",
    responses={**ok_responses(AnyJobAnswer), 409: {"model": Problem, "description": "The job has no result"}},
)
async def get_result(job_id: str, who: Caller, ctx: Context) -> JSONResponse:
    job = own(ctx, job_id, who)
    if job.result is None:
        status = 409
        detail = f"job is {job.state}" + (f": {job.error}" if job.error else "") + "; no result"
        raise HttpProblem(status, detail)
    return job_response(job, 200)


@routes.get(
    "/v1/jobs/{job_id}/files/{name}",
    tags=["jobs"],
    summary="A simulation job's run file",
    responses={
        200: {"description": "The file", "content": {"application/octet-stream": {}}},
        **ERRORS,
        404: {"model": Problem, "description": "No such job, or the job has no such file"},
    },
)
async def get_file(job_id: str, name: str, who: Caller, ctx: Context) -> Response:
    job = own(ctx, job_id, who)
    found = ctx.jobs.file(job_id, name) if name in job.files else None  # only names the job wrote
    if found is None:
        raise HttpProblem(404, f"job {job_id} has no file {name!r} (it has: {', '.join(job.files) or 'none'})")
    if isinstance(found, bytes):
        disposition = {"Content-Disposition": f'attachment; filename="{name}"'}
        return Response(found, media_type="application/octet-stream", headers=disposition)
    return FileResponse(found, filename=name)


@routes.delete(
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
async def cancel_job(job_id: str, who: Caller, ctx: Context) -> JSONResponse:
    job = own(ctx, job_id, who)
    store: JobStore = ctx.jobs
    if job.state in FINAL_STATES:
        if not store.delete(job_id):
            raise HttpProblem(409, "the job changed while it was being deleted; try again")
        store.remove_files(job_id)
        return JSONResponse({**job.summary(), "deleted": True}, status_code=200)
    if store.cancel_queued(job_id):
        return JSONResponse(store.get(job_id).summary(), status_code=200)  # type: ignore[union-attr]
    store.request_cancel(job_id)  # whichever server runs it stops it
    ctx.scheduler.cancel(job_id)
    return JSONResponse({**job.summary(), "cancel": "requested"}, status_code=202)


@routes.post(
    "/v1/routing/check",
    tags=["routing"],
    summary="Check a routing plan made elsewhere",
    responses=ok_responses(RoutingCheck),
)
async def routing_check(request: Request, who: Caller, ctx: Context) -> dict:
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
        raise HttpProblem(422, error_items(exc)) from None
    report = check_routing(problem, plan)
    return {
        "ok": report.ok,
        "feasible": report.feasible,
        "violations": list(report.violations),
        "distance_m": report.distance_m,
        "cost": report.cost,
        "unassigned": [u.stop for u in plan.unassigned],
    }


def _submit(kind: str) -> Any:
    """The submit route of one job kind: check the body, the webhook, the caller's queue and the
    Idempotency-Key, queue the job, and answer it (at once, or within `wait` with its result)."""

    async def endpoint(request: Request, who: Caller, wait: float = 0.0, webhook: str | None = None) -> JSONResponse:
        ctx = context(request)
        config = ctx.config
        body = await body_of(request)
        try:
            notes = await asyncio.to_thread(KINDS[kind].check, body, config.caps)
        except LogisticsError as exc:
            raise HttpProblem(422, error_items(exc)) from None
        if webhook is not None:
            if not config.webhooks:
                raise HttpProblem(422, [{"loc": ["query", "webhook"], "msg": "webhooks are off on this server"}])
            problem = await asyncio.to_thread(webhook_problem, webhook, config.webhook_private_allow)
            if problem is not None:
                raise HttpProblem(422, [{"loc": ["query", "webhook"], "msg": problem}])
        store: JobStore = ctx.jobs
        counts = store.count(who)
        if counts["queued"] >= config.max_queued_per_key:
            raise HttpProblem(
                429,
                f"{counts['queued']} jobs of this key are queued (limit {config.max_queued_per_key}); retry later",
                {"Retry-After": str(retry_after(store, config))},
            )
        key = request.headers.get("idempotency-key")
        idempotency = None
        if key is not None:
            if not 1 <= len(key) <= 200 or not key.isprintable():
                raise HttpProblem(422, [{"loc": ["header", "Idempotency-Key"], "msg": "1 to 200 printable characters"}])
            digest = hashlib.sha256(json.dumps([kind, body, webhook], sort_keys=True).encode()).hexdigest()
            idempotency = (key, digest)
        try:
            job, created = store.add(kind, who, body, webhook, notes, idempotency, request.state.request_id)
        except IdempotencyConflict:
            raise HttpProblem(409, "this Idempotency-Key was used for another request of this API key") from None
        if wait > 0:
            job = await await_job(store, job.id, min(wait, config.max_wait_s), ctx.stopping)
        answer = job_response(job, 200 if job.state in FINAL_STATES else 202)
        if not created:
            answer.headers["Idempotent-Replayed"] = "true"
        return answer

    endpoint.__name__ = f"submit_{kind}"
    return endpoint
