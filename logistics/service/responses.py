"""What the service answers, as pydantic models: their JSON schemas are the OpenAPI document's response schemas
(a job's status, a job with its result by kind, a job list, the routing check, an error). The bodies themselves
are written by the library's JSON writers and the job kinds; the tests check every kind's real answers against
these schemas, so a writer and its schema cannot drift apart unnoticed. Numbers that can be infinite or
undefined (a bound, a gap, a cost with no plan) are null in JSON."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from logistics.optimize.docks import Appointment  # (a dataclass of whole numbers and names: its own schema)

__all__ = [
    "RESULTS",
    "AnyJobAnswer",
    "CancelAnswer",
    "ErrorItem",
    "JobAnswer",
    "JobList",
    "JobStatus",
    "Problem",
    "Readiness",
    "RoutingCheck",
    "State",
    "WebhookLog",
    "answer_model",
]

State = Literal["queued", "running", "done", "failed", "cancelled", "interrupted"]
Number = float | None  # null: infinite or undefined
SolveStatus = Literal["optimal", "feasible", "infeasible", "time_limit", "invalid"]


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class JobStatus(_Out):
    """A job's state, progress and timings (`GET /v1/jobs/{id}`)."""

    id: str
    kind: Literal["routing", "slotting", "docks", "linehaul", "design", "simulation"]
    state: State
    progress: float = Field(description="0..1, as the solver or simulation reports it")
    best_objective: Number = Field(description="The best objective so far (solvers that report one)")
    created_at: float = Field(description="Unix time")
    started_at: float | None
    finished_at: float | None
    queued_s: Number
    run_s: Number
    attempts: int
    error: str | None
    notes: list[str] = Field(description="What the service changed (a time limit cut to the server's maximum)")
    has_result: bool
    files: list[str] = Field(description="A simulation's run files, at /v1/jobs/{id}/files/NAME")


class Links(_Out):
    self_: str = Field(alias="self")
    result: str
    files: dict[str, str]


class Check(_Out):
    """The library's independent checker on the plan."""

    ok: bool
    violations: list[str]
    feasible: bool | None = None
    distance_m: Number = None
    cost: Number = None


# routing ----------------------------------------------------------------------------------------------------


class Visit(_Out):
    stop: str
    arrival_s: Number
    start_s: Number
    departure_s: Number
    load: list[Number]
    on_board: list[Number]
    reload: bool


class Route(_Out):
    vehicle_type: str
    vehicle: int
    visits: list[Visit]
    start_s: Number
    end_s: Number
    distance_m: Number
    duration_s: Number
    load: list[Number]
    cost: Number
    breaks: list[list[Number]] = Field(description="(start_s, end_s) of each driver's break")


class Unassigned(_Out):
    stop: str
    reason: str


class RoutingPlan(_Out):
    status: SolveStatus
    routes: list[Route]
    unassigned: list[Unassigned]
    objective: Number
    distance_m: Number
    cost: Number
    vehicles_used: int
    runtime_s: Number
    backend: str
    stats: dict[str, Any]
    message: str


class RoutingResult(_Out):
    solution: RoutingPlan
    check: Check


# docks ------------------------------------------------------------------------------------------------------


class Unscheduled(_Out):
    truck: str
    reason: str


class DockPlan(_Out):
    status: SolveStatus
    appointments: list[Appointment]
    unscheduled: list[Unscheduled]
    objective: Number
    best_bound: Number
    gap: Number
    mean_waiting_min: Number
    door_utilisation: Number
    runtime_s: Number
    stats: dict[str, Any]


class DocksResult(_Out):
    plan: DockPlan
    check: Check


# line-haul --------------------------------------------------------------------------------------------------


class SpacePlan(_Out):
    status: SolveStatus
    counts: list[list[int]] = Field(description="Shipments of each class on each departure: counts[class][departure]")
    later: list[int] = Field(description="Shipments of each class left for after the horizon")
    objective: Number = Field(description="CNY")
    runtime_s: Number
    capped: bool


class LinehaulResult(_Out):
    plan: SpacePlan
    check: Check


# network design ---------------------------------------------------------------------------------------------


class DesignAssignment(_Out):
    market: str
    sku_class: str
    mode: str
    site: str
    lane: str


class DesignStock(_Out):
    site: str
    sku_class: str
    lane: str
    orders_per_day: Number
    cycle_units: Number
    safety_units: Number
    holding_cny: Number


class DesignPlan(_Out):
    status: SolveStatus
    method: str
    open_sites: list[str]
    assignments: list[DesignAssignment]
    stock: list[DesignStock]
    cost_cny: Number = Field(description="Exact yearly cost (null: no plan)")
    fixed_cny: Number
    flow_cny: Number
    holding_cny: Number
    service_share: Number
    load_orders_per_day: dict[str, Number]
    model_cost_cny: Number
    bound_cny: Number
    gap: Number
    ineligible: list[list[str | Number]] = Field(description="[market, SKU class, orders per day] over the limit")
    unservable: list[list[str | Number]] = Field(description="[market, SKU class, orders per day] no site serves")
    runtime_s: Number
    stats: dict[str, Any]


class DesignResult(_Out):
    plan: DesignPlan
    check: Check


# slotting ---------------------------------------------------------------------------------------------------


class SlotAssignment(_Out):
    slot_id: str
    sku_id: str


class SlottingPlan(_Out):
    method: str
    status: str
    objective_m: Number
    message: str
    unplaced: list[str]
    assignments: list[SlotAssignment]


class SlottingResult(_Out):
    plan: SlottingPlan
    check: Check


# simulation -------------------------------------------------------------------------------------------------


class KpiSummary(_Out):
    kpi: str
    unit: str
    mean: Number
    min: Number
    max: Number


class SimulationResult(_Out):
    scenario: str
    seed: int
    replications: int
    replications_finished: int
    kpis: list[KpiSummary] = Field(description="Each KPI's mean, min and max over the finished replications")


RESULTS: dict[str, type[_Out]] = {
    "routing": RoutingResult,
    "slotting": SlottingResult,
    "docks": DocksResult,
    "design": DesignResult,
    "linehaul": LinehaulResult,
    "simulation": SimulationResult,
}


class JobAnswer(JobStatus):
    """A job as a submission, a wait or `GET /v1/jobs/{id}/result` answers it: its status, links, and (in the
    models below) its result when it has one."""

    links: Links


def answer_model(kind: str) -> type[JobAnswer]:
    """`JobAnswer` with `kind`'s result."""
    name = f"{kind.capitalize()}JobAnswer"
    result: Any = RESULTS[kind] | None  # (a type made at run time)
    return create_model(name, __base__=JobAnswer, __module__=__name__, result=(result, None))


class AnyJobAnswer(JobAnswer):
    """A job of any kind with its result (`GET /v1/jobs/{id}/result`)."""

    result: RoutingResult | SlottingResult | DocksResult | LinehaulResult | DesignResult | SimulationResult | None = (
        None
    )


class CancelAnswer(JobStatus):
    """A cancelled job (200: it was queued), one asked to stop (202: `cancel` is "requested"), or an ended job
    deleted (200: `deleted` is true)."""

    cancel: Literal["requested"] | None = None
    deleted: bool | None = None


class JobList(_Out):
    """A page of jobs, newest first; `next_cursor` fetches the next page (`?cursor=`), null on the last."""

    jobs: list[JobStatus]
    next_cursor: str | None = None


class RoutingCheck(_Out):
    """The independent checker's report on a plan made elsewhere (`POST /v1/routing/check`)."""

    ok: bool
    feasible: bool
    violations: list[str]
    distance_m: Number
    cost: Number
    unassigned: list[str]


class ErrorItem(_Out):
    loc: list[str | int] = Field(description="Where: the field's path in the body (or the query parameter)")
    msg: str = Field(description="What is wrong, naming the field")
    type: str | None = None


class Problem(_Out):
    """An error: a message, or (422) one item per field with what is wrong."""

    detail: str | list[ErrorItem]


class Readiness(_Out):
    """Whether this server takes work: its database answers, its workers live and it is not shutting down."""

    ready: bool
    database: bool
    workers: bool
    stopping: bool


class Delivery(_Out):
    """One try of a job's completion webhook."""

    attempt: int
    at: float
    status: int | None = Field(None, description="The receiver's HTTP status (none: no answer; see error).")
    error: str | None = None


class WebhookLog(_Out):
    """A job's webhook and every try to deliver it (retried with backoff on no answer, 5xx and 429)."""

    url: str | None
    signed: bool
    delivered: bool
    deliveries: list[Delivery]
