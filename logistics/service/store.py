"""Jobs, their inputs and results in SQLite, so that nothing is lost when the server stops: a job is written
before it is acknowledged, and every change of state is a committed transaction.

Each job runs once at a time, whatever number of servers share the store: a server claims a queued job with a
**lease** (its holder id and an expiry), renews the leases of the jobs it runs (`renew`, a heartbeat) and records
progress and ends only while it holds the lease. A job whose lease expired (its server died, hung or lost the
store) goes back to the queue (`reap`, run by every server; the attempt counts) or is marked interrupted after
`max_attempts` runs; a live lease is never taken. A server shutting down hands its unfinished jobs back
(`release`) without spending an attempt."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from logistics.service.database import connect

__all__ = ["FINAL_STATES", "STATES", "IdempotencyConflict", "Job", "JobStore", "delete_files"]

STATES = ("queued", "running", "done", "failed", "cancelled", "interrupted")
FINAL_STATES = frozenset({"done", "failed", "cancelled", "interrupted"})

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    owner TEXT NOT NULL,
    state TEXT NOT NULL,
    created_at REAL NOT NULL,
    started_at REAL,
    finished_at REAL,
    request TEXT NOT NULL,
    result TEXT,
    error TEXT,
    progress REAL NOT NULL DEFAULT 0,
    best_objective REAL,
    attempts INTEGER NOT NULL DEFAULT 0,
    webhook TEXT,
    notes TEXT NOT NULL DEFAULT '[]',
    files TEXT NOT NULL DEFAULT '[]',
    lease_holder TEXT,
    lease_until REAL,
    cancel_requested INTEGER NOT NULL DEFAULT 0,
    request_id TEXT
);
CREATE INDEX IF NOT EXISTS jobs_state ON jobs (state, created_at);
CREATE INDEX IF NOT EXISTS jobs_owner ON jobs (owner, state);
CREATE TABLE IF NOT EXISTS webhook_deliveries (
    job_id TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    at REAL NOT NULL,
    status INTEGER,
    error TEXT
);
CREATE INDEX IF NOT EXISTS webhook_deliveries_job ON webhook_deliveries (job_id, attempt);
CREATE TABLE IF NOT EXISTS job_files (
    job_id TEXT NOT NULL,
    name TEXT NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (job_id, name)
);
CREATE TABLE IF NOT EXISTS idempotency (
    owner TEXT NOT NULL,
    key TEXT NOT NULL,
    digest TEXT NOT NULL,
    job_id TEXT NOT NULL,
    created_at REAL NOT NULL,
    PRIMARY KEY (owner, key)
);
"""


def delete_files(folder: Path, job_id: str) -> None:
    """Remove a job's run files (a simulation's), if any."""
    import shutil

    if job_id.isalnum():  # a job id is a uuid's hex: never a path
        shutil.rmtree(folder / job_id, ignore_errors=True)


class IdempotencyConflict(Exception):
    """An Idempotency-Key already used by this API key for another request."""


@dataclass(frozen=True)
class Job:
    """A job as stored (the request and result as JSON text)."""

    id: str
    kind: str
    owner: str
    state: str
    created_at: float
    started_at: float | None
    finished_at: float | None
    request: str
    result: str | None
    error: str | None
    progress: float
    best_objective: float | None
    attempts: int
    webhook: str | None
    notes: tuple[str, ...]
    files: tuple[str, ...]
    request_id: str | None = None  # the submitting request's id (X-Request-Id): in the job's log lines

    def summary(self) -> dict[str, Any]:
        """What `GET /v1/jobs/{id}` shows: everything but the request and the result."""
        now = time.time()
        run_end = self.finished_at or (now if self.started_at else None)
        return {
            "id": self.id,
            "kind": self.kind,
            "state": self.state,
            "progress": self.progress,
            "best_objective": self.best_objective,
            "created_at": self.created_at,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "queued_s": (self.started_at or now) - self.created_at if self.state != "cancelled" else None,
            "run_s": run_end - self.started_at if run_end and self.started_at else None,
            "attempts": self.attempts,
            "error": self.error,
            "notes": list(self.notes),
            "has_result": self.result is not None,
            "files": list(self.files),
        }


class JobStore:
    """The job table; safe to use from several threads of one process (one connection, one lock)."""

    def __init__(self, target: Path | str, files_folder: Path | None = None) -> None:
        """A store in a SQLite file (`target` a path) or a PostgreSQL database (`target` a postgresql:// URL).
        Run files (a simulation's) go to `files_folder` with SQLite (default: beside the file) and into the
        database with PostgreSQL (so every server can serve them)."""
        self._db = connect(target)
        self.shared = self._db.dialect == "postgres"
        self.files_folder = None if self.shared else (files_folder or Path(target).with_suffix(".files"))
        with self._db.lock:
            self._db.script(_SCHEMA)
            columns = self._db.columns("jobs")
            added = {
                "lease_holder": "TEXT",
                "lease_until": "REAL",
                "cancel_requested": "INTEGER NOT NULL DEFAULT 0",
                "request_id": "TEXT",
            }
            for column, kind in added.items():  # a store from before leases
                if column not in columns:
                    if self.shared:
                        kind = kind.replace("REAL", "DOUBLE PRECISION")
                    self._db.execute(f"ALTER TABLE jobs ADD COLUMN {column} {kind}")

    def _tx(self, exclusive: bool = False) -> Any:
        return self._db.tx(exclusive)

    def close(self) -> None:
        self._db.close()

    def ping(self) -> bool:
        """The database answers."""
        return self._db.execute("SELECT 1 AS one").fetchone()["one"] == 1

    def add(
        self,
        kind: str,
        owner: str,
        request: dict,
        webhook: str | None,
        notes: list[str],
        idempotency: tuple[str, str] | None = None,
        request_id: str | None = None,
    ) -> tuple[Job, bool]:
        """A new queued job (committed before it is returned), and True; with `idempotency` = (key, digest of the
        request) already used by `owner` for the same digest: that job, and False (IdempotencyConflict for
        another digest). The check and the insert are one transaction: two submits with one key make one job."""
        job_id = uuid.uuid4().hex
        with self._tx() as db:
            if idempotency is not None:
                row = db.execute(
                    "SELECT digest, job_id FROM idempotency WHERE owner = ? AND key = ?", (owner, idempotency[0])
                ).fetchone()
                if (
                    row is not None
                    and db.execute("SELECT 1 FROM jobs WHERE id = ?", (row["job_id"],)).fetchone() is None
                ):
                    db.execute("DELETE FROM idempotency WHERE owner = ? AND key = ?", (owner, idempotency[0]))
                    row = None  # its job was deleted: the key is free again
                if row is not None:
                    if row["digest"] != idempotency[1]:
                        raise IdempotencyConflict(idempotency[0])
                    job_id, created = row["job_id"], False
                else:
                    created = True
                    db.execute(
                        "INSERT INTO idempotency (owner, key, digest, job_id, created_at) VALUES (?, ?, ?, ?, ?)",
                        (owner, idempotency[0], idempotency[1], job_id, time.time()),
                    )
            else:
                created = True
            if created:
                db.execute(
                    "INSERT INTO jobs (id, kind, owner, state, created_at, request, webhook, notes, request_id) "
                    "VALUES (?, ?, ?, 'queued', ?, ?, ?, ?, ?)",
                    (job_id, kind, owner, time.time(), json.dumps(request), webhook, json.dumps(notes), request_id),
                )
        job = self.get(job_id)
        assert job is not None
        return job, created

    def get(self, job_id: str) -> Job | None:
        row = self._db.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return _job(row) if row is not None else None

    def find(
        self,
        owner: str | None,
        state: str | None = None,
        kind: str | None = None,
        limit: int = 100,
        before: tuple[float, str] | None = None,
    ) -> list[Job]:
        """Jobs, newest first (ties by id), optionally of one owner, state or kind, and only those after
        `before` = (created_at, id) of the last job of a previous page in that order (a cursor)."""
        where: list[str] = []
        args: list[str | float] = []
        for column, value in (("owner", owner), ("state", state), ("kind", kind)):
            if value is not None:
                where.append(f"{column} = ?")
                args.append(value)
        if before is not None:
            where.append("(created_at < ? OR (created_at = ? AND id < ?))")
            args += [before[0], before[0], before[1]]
        sql = "SELECT * FROM jobs" + (" WHERE " + " AND ".join(where) if where else "")
        rows = self._db.execute(sql + " ORDER BY created_at DESC, id DESC LIMIT ?", (*args, limit)).fetchall()
        return [_job(r) for r in rows]

    def count(self, owner: str | None = None) -> dict[str, int]:
        """Jobs by state (of one owner, or all)."""
        sql = "SELECT state, COUNT(*) AS n FROM jobs" + (" WHERE owner = ?" if owner else "") + " GROUP BY state"
        rows = self._db.execute(sql, (owner,) if owner else ()).fetchall()
        counts = dict.fromkeys(STATES, 0)
        counts.update({r["state"]: r["n"] for r in rows})
        return counts

    def claim(self, max_running_per_owner: int, holder: str = "", lease_s: float = 30.0) -> Job | None:
        """A queued job whose owner runs fewer than `max_running_per_owner` jobs, now running under a lease of
        `holder` for `lease_s` seconds: fair across owners (the owner running fewest goes first, so a key with many
        queued jobs does not keep another waiting behind them), then the oldest."""
        running = "(SELECT COUNT(*) FROM jobs AS r WHERE r.owner = j.owner AND r.state = 'running')"
        lock = " FOR UPDATE OF j SKIP LOCKED" if self.shared else ""
        with self._tx(exclusive=True) as db:  # one claim at a time across servers: the per-key limit holds
            row = db.execute(
                f"SELECT j.id FROM jobs AS j WHERE j.state = 'queued' AND {running} < ? "
                f"ORDER BY {running}, j.created_at LIMIT 1{lock}",
                (max_running_per_owner,),
            ).fetchone()
            if row is None:
                return None
            now = time.time()
            db.execute(
                "UPDATE jobs SET state = 'running', started_at = ?, attempts = attempts + 1, progress = 0, "
                "lease_holder = ?, lease_until = ?, cancel_requested = 0 WHERE id = ?",
                (now, holder, now + lease_s, row["id"]),
            )
        return self.get(row["id"])

    def renew(self, holder: str, lease_s: float) -> set[str]:
        """Extend the leases `holder` has (the heartbeat); the ids of the running jobs it still holds (a job not
        among them was reaped and must not be finished by this holder)."""
        with self._tx() as db:
            db.execute(
                "UPDATE jobs SET lease_until = ? WHERE lease_holder = ? AND state = 'running'",
                (time.time() + lease_s, holder),
            )
            rows = db.execute("SELECT id FROM jobs WHERE lease_holder = ? AND state = 'running'", (holder,)).fetchall()
        return {r["id"] for r in rows}

    def holds(self, job_id: str, holder: str) -> bool:
        """Whether `holder` holds the lease of the running job `job_id`."""
        row = self._db.execute(
            "SELECT 1 FROM jobs WHERE id = ? AND state = 'running' AND lease_holder = ?", (job_id, holder)
        ).fetchone()
        return row is not None

    def request_cancel(self, job_id: str) -> bool:
        """Ask the server running `job_id` to stop it (whichever server that is: it looks at `cancels`)."""
        with self._tx() as db:
            changed = db.execute(
                "UPDATE jobs SET cancel_requested = 1 WHERE id = ? AND state = 'running'", (job_id,)
            ).rowcount
        return changed == 1

    def cancels(self, holder: str) -> set[str]:
        """The running jobs of `holder` whose caller asked them to stop."""
        rows = self._db.execute(
            "SELECT id FROM jobs WHERE lease_holder = ? AND state = 'running' AND cancel_requested = 1", (holder,)
        ).fetchall()
        return {r["id"] for r in rows}

    def reap(self, max_attempts: int) -> tuple[int, int]:
        """Running jobs whose lease expired (or that have none: a store from before leases) back to the queue, or
        'interrupted' once they have run `max_attempts` times. Returns (requeued, interrupted)."""
        requeued = interrupted = 0
        with self._tx() as db:
            rows = db.execute(
                "SELECT id, attempts, notes FROM jobs WHERE state = 'running' "
                "AND (lease_until IS NULL OR lease_until < ?)",
                (time.time(),),
            ).fetchall()
            for row in rows:
                notes = json.loads(row["notes"])
                if row["attempts"] < max_attempts:
                    notes.append(
                        f"re-queued: its server stopped renewing its lease (attempt {row['attempts']} did not finish)"
                    )
                    db.execute(
                        "UPDATE jobs SET state = 'queued', started_at = NULL, progress = 0, notes = ?, "
                        "lease_holder = NULL, lease_until = NULL WHERE id = ?",
                        (json.dumps(notes), row["id"]),
                    )
                    requeued += 1
                else:
                    db.execute(
                        "UPDATE jobs SET state = 'interrupted', finished_at = ?, error = ?, lease_holder = NULL, "
                        "lease_until = NULL WHERE id = ?",
                        (
                            time.time(),
                            f"its server stopped while it ran, {row['attempts']} time(s); not run again",
                            row["id"],
                        ),
                    )
                    interrupted += 1
        return requeued, interrupted

    def progress(self, job_id: str, fraction: float | None, best_objective: float | None, holder: str = "") -> None:
        """Record a running job's progress (only by the holder of its lease)."""
        with self._tx() as db:
            if fraction is not None:
                db.execute(
                    "UPDATE jobs SET progress = ? WHERE id = ? AND state = 'running' AND lease_holder = ?",
                    (fraction, job_id, holder),
                )
            if best_objective is not None:
                db.execute(
                    "UPDATE jobs SET best_objective = ? WHERE id = ? AND state = 'running' AND lease_holder = ?",
                    (best_objective, job_id, holder),
                )

    def finish(
        self,
        job_id: str,
        state: str,
        result: dict | None = None,
        error: str | None = None,
        files: list[str] | None = None,
        note: str | None = None,
        holder: str | None = None,
    ) -> Job | None:
        """Record the end of a job once (a job already final is left as it is), and with `holder` only while
        it holds the job's lease (a job reaped and re-queued is not ended by its old server); None when not."""
        assert state in FINAL_STATES
        with self._tx() as db:
            row = db.execute("SELECT state, notes, lease_holder FROM jobs WHERE id = ?", (job_id,)).fetchone()
            if row is None or row["state"] in FINAL_STATES:
                return None
            if holder is not None and (row["state"] != "running" or row["lease_holder"] != holder):
                return None
            notes = json.loads(row["notes"]) + ([note] if note else [])
            db.execute(
                "UPDATE jobs SET state = ?, finished_at = ?, result = ?, error = ?, files = ?, notes = ?, "
                "progress = CASE WHEN ? = 'done' THEN 1 ELSE progress END, lease_holder = NULL, lease_until = NULL "
                "WHERE id = ?",
                (
                    state,
                    time.time(),
                    json.dumps(result) if result is not None else None,
                    error,
                    json.dumps(files or []),
                    json.dumps(notes),
                    state,
                    job_id,
                ),
            )
        return self.get(job_id)

    def delete(self, job_id: str) -> bool:
        """Remove an ended job (its request, result and idempotency key); False when it has not ended."""
        with self._tx() as db:
            gone = db.execute(
                f"DELETE FROM jobs WHERE id = ? AND state IN ({', '.join('?' * len(FINAL_STATES))})",
                (job_id, *sorted(FINAL_STATES)),
            ).rowcount
            if gone:
                db.execute("DELETE FROM idempotency WHERE job_id = ?", (job_id,))
                db.execute("DELETE FROM job_files WHERE job_id = ?", (job_id,))
                db.execute("DELETE FROM webhook_deliveries WHERE job_id = ?", (job_id,))
        return bool(gone)

    def put_files(self, job_id: str, files: dict[str, bytes]) -> list[str]:
        """Keep a job's run files (in the folder with SQLite, in the database with PostgreSQL); their names."""
        if self.files_folder is not None:
            folder = self.files_folder / job_id
            folder.mkdir(parents=True, exist_ok=True)
            for name, data in files.items():
                (folder / name).write_bytes(data)
        else:
            with self._tx() as db:
                for name, data in files.items():
                    db.execute("DELETE FROM job_files WHERE job_id = ? AND name = ?", (job_id, name))
                    db.execute("INSERT INTO job_files (job_id, name, data) VALUES (?, ?, ?)", (job_id, name, data))
        return list(files)

    def file(self, job_id: str, name: str) -> Path | bytes | None:
        """One of a job's run files: its path (SQLite) or its bytes (PostgreSQL); None when missing. Only names
        the job wrote should be asked for: no caller's path is ever opened."""
        if self.files_folder is not None:
            path = self.files_folder / job_id / name
            return path if job_id.isalnum() and path.is_file() else None
        row = self._db.execute("SELECT data FROM job_files WHERE job_id = ? AND name = ?", (job_id, name)).fetchone()
        return bytes(row["data"]) if row is not None else None

    def remove_files(self, job_id: str) -> None:
        """Remove a job's run files, if any."""
        if self.files_folder is not None:
            delete_files(self.files_folder, job_id)
        else:
            self._db.execute("DELETE FROM job_files WHERE job_id = ?", (job_id,))

    def record_delivery(self, job_id: str, attempt: int, status: int | None, error: str | None) -> None:
        """Log one try of a job's webhook: the HTTP status it got, or the error."""
        with self._tx() as db:
            db.execute(
                "INSERT INTO webhook_deliveries (job_id, attempt, at, status, error) VALUES (?, ?, ?, ?, ?)",
                (job_id, attempt, time.time(), status, error),
            )

    def deliveries(self, job_id: str) -> list[dict[str, Any]]:
        """Every try of a job's webhook, in order."""
        rows = self._db.execute(
            "SELECT attempt, at, status, error FROM webhook_deliveries WHERE job_id = ? ORDER BY attempt, at",
            (job_id,),
        ).fetchall()
        return [dict(r) for r in rows]

    def expired(self, before: float) -> list[str]:
        """The ids of jobs that ended before `before` (a time stamp): what retention removes."""
        rows = self._db.execute(
            f"SELECT id FROM jobs WHERE finished_at < ? AND state IN ({', '.join('?' * len(FINAL_STATES))})",
            (before, *sorted(FINAL_STATES)),
        ).fetchall()
        return [r["id"] for r in rows]

    def cancel_queued(self, job_id: str) -> bool:
        """Cancel a job that is still queued (atomically: False if it has started or ended)."""
        with self._tx() as db:
            changed = db.execute(
                "UPDATE jobs SET state = 'cancelled', finished_at = ? WHERE id = ? AND state = 'queued'",
                (time.time(), job_id),
            ).rowcount
        return changed == 1

    def requeue(self, job_id: str, holder: str, note: str, spend_attempt: bool, max_attempts: int) -> str | None:
        """Hand a running job `holder` holds back to the queue: its worker died (`spend_attempt`: the attempt
        counts; 'interrupted' once `max_attempts` are spent) or its server is shutting down (the attempt does not
        count). The job's new state, or None when `holder` no longer holds it."""
        with self._tx() as db:
            row = db.execute(
                "SELECT notes, attempts FROM jobs WHERE id = ? AND state = 'running' AND lease_holder = ?",
                (job_id, holder),
            ).fetchone()
            if row is None:
                return None
            notes = json.dumps([*json.loads(row["notes"]), note])
            if spend_attempt and row["attempts"] >= max_attempts:
                db.execute(
                    "UPDATE jobs SET state = 'interrupted', finished_at = ?, error = ?, notes = ?, "
                    "lease_holder = NULL, lease_until = NULL WHERE id = ?",
                    (time.time(), f"{note}; ran {row['attempts']} time(s), not run again", notes, job_id),
                )
                return "interrupted"
            db.execute(
                "UPDATE jobs SET state = 'queued', started_at = NULL, progress = 0, notes = ?, lease_holder = NULL, "
                "lease_until = NULL, attempts = attempts - ? WHERE id = ?",
                (notes, 0 if spend_attempt else 1, job_id),
            )
            return "queued"


def _job(row: Any) -> Job:
    return Job(
        id=row["id"],
        kind=row["kind"],
        owner=row["owner"],
        state=row["state"],
        created_at=row["created_at"],
        started_at=row["started_at"],
        finished_at=row["finished_at"],
        request=row["request"],
        result=row["result"],
        error=row["error"],
        progress=row["progress"],
        best_objective=row["best_objective"],
        attempts=row["attempts"],
        webhook=row["webhook"],
        notes=tuple(json.loads(row["notes"])),
        files=tuple(json.loads(row["files"])),
        request_id=row["request_id"],
    )
