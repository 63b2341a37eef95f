"""The service's configuration: where jobs are kept, who may call, and the limits (a YAML or JSON file, the
environment, or both). API keys are stored as SHA-256 hashes only: `logistics key-hash SECRET` prints one."""

from __future__ import annotations

import hashlib
import ipaddress
import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from logistics.core.errors import ScenarioError, ScenarioIssue
from logistics.service.job import Caps
from logistics.service.webhooks import Network

__all__ = ["ApiKey", "ServiceConfig", "hash_key", "load_config"]

KEYS_ENV = "LOGISTICS_SERVICE_KEYS"  # "name=sha256hex,name2=sha256hex": keys added to the file's


def hash_key(secret: str) -> str:
    """The SHA-256 hex digest under which an API key is configured."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class ApiKey(BaseModel):
    """A caller: its name (jobs belong to it) and the SHA-256 hex digest of its secret key."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    name: str = Field(min_length=1, max_length=64)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class ServiceConfig(BaseModel):
    """Everything `logistics serve` needs. Paths are the operator's; no request names a path."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    database: Path = Field(Path("logistics-service.db"), description="SQLite file of jobs, inputs and results.")
    database_url: str | None = Field(
        None,
        pattern=r"^postgres(ql)?://",
        description="A PostgreSQL database instead of the SQLite file (postgresql://user@host:port/name): several "
        "API servers and `logistics worker` processes on other machines share it; run files are kept in it. "
        "Also from LOGISTICS_DATABASE_URL.",
    )
    files_dir: Path | None = Field(None, description="Simulation jobs' run files (default: beside the database).")
    api_keys: tuple[ApiKey, ...] = ()
    auth: bool = Field(True, description="Require an API key (false only for a local, trusted setup).")
    metrics_key_sha256: str | None = Field(
        None,
        pattern=r"^[0-9a-f]{64}$",
        description="SHA-256 of a key /metrics requires (Authorization: Bearer KEY); none: /metrics is open (it "
        "shows totals only, never a key's name or a job id).",
    )
    workers: int = Field(
        max(1, os.cpu_count() or 1),
        ge=0,
        le=256,
        description="Worker processes (jobs at once); 0: this server only answers calls and jobs run in "
        "`logistics worker` processes sharing its database.",
    )
    executor: Literal["process", "dask"] = "process"
    dask_address: str | None = Field(None, description="Dask scheduler address (executor dask; none: local).")
    max_running_per_key: int | None = Field(
        None,
        ge=1,
        description="Jobs one key runs at once (default: one fewer than the workers, at least 1, so one key never "
        "holds every worker).",
    )
    max_queued_per_key: int = Field(100, ge=1)
    max_requests_per_minute: int | None = Field(
        1200,
        ge=1,
        description="Requests one API key may make a minute (a token bucket refilled at this rate, holding a tenth "
        "of it, at least 10): over it, 429 with Retry-After; none: no limit.",
    )
    retention_h: float | None = Field(
        None, gt=0, description="Ended jobs are deleted (input, result, files) this many hours after they end."
    )
    max_body_bytes: int = Field(10_000_000, ge=1_000)
    max_time_limit_s: float = Field(300.0, gt=0, description="Solver time limits above this are cut to it.")
    max_simulation_s: float = Field(
        1800.0,
        gt=0,
        description="A simulation job's wall time: at this limit it ends with the replications finished so far (its "
        "notes say so), so no job holds a worker for hours.",
    )
    max_replications: int = Field(20, ge=1)
    max_locations: int = Field(
        6_000, ge=2, description="Routing: most locations (the matrices grow with its square; 5,000 stops fit)."
    )
    max_items: int = Field(200_000, ge=1, description="Slots, SKUs, trucks x doors, departures x classes.")
    max_simulation_memory_gb: float = Field(4.0, gt=0, description="A scenario's estimated memory, at most.")
    max_wait_s: float = Field(60.0, ge=0, description="Longest synchronous wait (?wait=SECONDS).")
    max_attempts: int = Field(
        2, ge=1, description="Runs of a job a lost server or worker may cost; then it is 'interrupted'."
    )
    lease_s: float = Field(
        30.0,
        ge=1,
        le=3600,
        description="A running job's lease: renewed every third of it by its server; a job whose lease expired "
        "(its server died or hung) is re-queued by any server on the same database.",
    )
    shutdown_grace_s: float = Field(
        20.0,
        ge=0,
        le=3600,
        description="On SIGTERM: new jobs are no longer started and running ones get this long to finish; the rest "
        "go back to the queue without spending an attempt.",
    )
    webhooks: bool = Field(True, description="Allow completion webhooks (POST of the job's status to a URL).")
    webhook_secret: str | None = Field(
        None,
        min_length=16,
        description="Signs every webhook: header X-Logistics-Signature 't=UNIX_TIME,v1=HEX', HEX the HMAC-SHA256 of "
        "'UNIX_TIME.' + body under this secret (none: unsigned). Also from LOGISTICS_WEBHOOK_SECRET.",
    )
    webhook_attempts: int = Field(
        5, ge=1, le=20, description="Tries of a webhook that fails (no answer, 5xx, 429): 1, 2, 4, 8 ... s apart."
    )
    webhook_private_allow: tuple[Network, ...] = Field(
        (),
        description="Networks (CIDR, e.g. 10.0.0.0/8 or 127.0.0.1/32) webhooks may reach although they are not "
        "public (loopback, private, link-local); default none: public addresses only.",
    )

    @field_validator("webhook_private_allow", mode="before")
    @classmethod
    def _networks(cls, value: object) -> object:
        """Each item a network in CIDR notation (one clear message, not one per IP version)."""
        if isinstance(value, str) or not isinstance(value, list | tuple):
            raise ValueError("must be a list of networks in CIDR notation, e.g. ['10.0.0.0/8']")
        networks = []
        for item in value:
            try:
                networks.append(ipaddress.ip_network(str(item), strict=False))
            except ValueError as exc:
                raise ValueError(f"{item!r} is not a network in CIDR notation (e.g. 10.0.0.0/8): {exc}") from None
        return tuple(networks)

    @field_validator("api_keys")
    @classmethod
    def _unique(cls, keys: tuple[ApiKey, ...]) -> tuple[ApiKey, ...]:
        names = [k.name for k in keys]
        if len(set(names)) != len(names):
            raise ValueError("two keys have the same name")
        return keys

    @property
    def running_limit(self) -> int:
        """Jobs one API key may run at once: `max_running_per_key`, or one fewer than the workers (at least 1)."""
        if self.max_running_per_key is not None:
            return self.max_running_per_key
        return max(1, self.workers - 1)

    @property
    def caps(self) -> Caps:
        """The limits the job kinds check and run under."""
        return Caps(
            self.max_time_limit_s,
            self.max_replications,
            self.max_locations,
            self.max_items,
            self.max_simulation_memory_gb * 1e9,
            self.max_simulation_s,
        )

    @property
    def store_target(self) -> Path | str:
        """The job store: the PostgreSQL URL if given, else the SQLite file."""
        return self.database_url if self.database_url is not None else self.database

    @property
    def files_folder(self) -> Path:
        """Where simulation jobs' files are written."""
        return self.files_dir if self.files_dir is not None else self.database.with_suffix(".files")


def load_config(path: Path | None = None, **overrides: object) -> ServiceConfig:
    """The configuration from a YAML/JSON file (none: defaults), keys from `LOGISTICS_SERVICE_KEYS` added, and
    `overrides` (command-line options) on top; errors name the field."""
    import yaml

    data: dict = {}
    source = str(path) if path is not None else "service configuration"
    if path is not None:
        try:
            loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise ScenarioError([ScenarioIssue((), f"cannot read the file: {exc}", source=source)]) from None
        except yaml.YAMLError as exc:
            raise ScenarioError([ScenarioIssue((), f"not valid YAML: {exc}", source=source)]) from None
        if loaded is not None and not isinstance(loaded, dict):
            raise ScenarioError([ScenarioIssue((), "must be a mapping of settings", source=source)])
        data = dict(loaded or {})
    url = os.environ.get("LOGISTICS_DATABASE_URL", "").strip()
    if url:
        data.setdefault("database_url", url)
    secret = os.environ.get("LOGISTICS_WEBHOOK_SECRET", "").strip()
    if secret:
        data.setdefault("webhook_secret", secret)
    env = os.environ.get(KEYS_ENV, "").strip()
    if env:
        keys = list(data.get("api_keys") or [])
        for i, item in enumerate(part.strip() for part in env.split(",") if part.strip()):
            name, _, digest = item.partition("=")
            if not digest:
                raise ScenarioError([ScenarioIssue((KEYS_ENV, i), "must be name=sha256hex", source="environment")])
            keys.append({"name": name, "sha256": digest})
        data["api_keys"] = keys
    data.update({k: v for k, v in overrides.items() if v is not None})
    try:
        return ServiceConfig.model_validate(data)
    except ValidationError as exc:
        issues = [
            ScenarioIssue(tuple(e["loc"]), e["msg"].removeprefix("Value error, "), source=source) for e in exc.errors()
        ]
        raise ScenarioError(issues) from None
