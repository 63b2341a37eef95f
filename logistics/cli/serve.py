"""`logistics serve` (the HTTP job service) and `logistics key-hash` (an API key's hash for its configuration)."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Annotated

import typer

from logistics.cli.app import app, err
from logistics.cli.common import _fail
from logistics.core.errors import LogisticsError, ScenarioError, ScenarioIssue


@app.command()
def serve(
    config: Annotated[
        Path | None, typer.Option("--config", "-c", help="Service configuration (YAML/JSON): keys, limits, paths.")
    ] = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    database: Annotated[Path | None, typer.Option(help="SQLite file of the jobs (overrides the config).")] = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes (overrides the configuration).")] = None,
    no_auth: Annotated[
        bool, typer.Option("--no-auth", help="Accept calls without an API key (a local, trusted setup only).")
    ] = False,
) -> None:
    """Serve optimization and simulation jobs over HTTP (OpenAPI at /openapi.json, docs at /docs). API keys
    come from the configuration's api_keys (name and sha256 of the key; see `logistics key-hash`) or from
    LOGISTICS_SERVICE_KEYS="name=sha256,..."."""
    from logistics.service.config import load_config

    try:
        settings = load_config(config, database=database, workers=workers, auth=False if no_auth else None)
        if settings.auth and not settings.api_keys:
            raise ScenarioError(
                [
                    ScenarioIssue(
                        ("api_keys",),
                        "no API key is configured: add api_keys (see `logistics key-hash`), set "
                        "LOGISTICS_SERVICE_KEYS, or pass --no-auth for a local, trusted setup",
                        str(config) if config else "service configuration",
                    )
                ]
            )
    except LogisticsError as exc:
        _fail(exc)
    try:
        import uvicorn

        from logistics.service.app import create_app
    except ImportError as exc:
        err.print(f"[red]error[/red] the service needs its extra: pip install 'logistics[serve]' ({exc})")
        raise typer.Exit(code=2) from None

    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    err.print(
        f"serving on http://{host}:{port} (jobs in {_where(settings)}, {settings.workers} worker(s), "
        f"{'API keys required' if settings.auth else 'NO authentication'})",
        highlight=False,
    )
    service = create_app(settings)

    class _Server(uvicorn.Server):
        """On SIGTERM/SIGINT: waiting requests answer at once (so open connections do not hold the shutdown);
        then the scheduler drains (see `ServiceConfig.shutdown_grace_s`)."""

        def handle_exit(self, sig: int, frame: object) -> None:
            service.state.stopping.set()
            super().handle_exit(sig, frame)  # type: ignore[arg-type]

    server_config = uvicorn.Config(
        service, host=host, port=port, access_log=False, log_level="warning", timeout_graceful_shutdown=5
    )
    _Server(server_config).run()


@app.command("key-hash")
def key_hash(secret: Annotated[str, typer.Argument(help="The API key to configure.")]) -> None:
    """Print the SHA-256 hash under which an API key goes into the service's configuration."""
    from logistics.service.config import hash_key

    sys.stdout.write(hash_key(secret) + "\n")


@app.command()
def worker(
    config: Annotated[
        Path | None, typer.Option("--config", "-c", help="Service configuration (YAML/JSON): database, limits.")
    ] = None,
    database: Annotated[Path | None, typer.Option(help="SQLite file of the jobs (overrides the config).")] = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes (overrides the configuration).")] = None,
) -> None:
    """Run the service's jobs without answering calls: claims queued jobs from the store the API servers share
    (`database_url`, PostgreSQL, for other machines), under the same leases; SIGTERM lets running jobs finish
    within shutdown_grace_s and hands the rest back."""
    import signal
    import threading

    from logistics.service.config import load_config

    try:
        settings = load_config(config, database=database, workers=workers)
        if settings.workers < 1:
            raise ScenarioError(
                [ScenarioIssue(("workers",), "a worker needs at least 1 worker process", str(config or "options"))]
            )
    except LogisticsError as exc:
        _fail(exc)
    from logistics.service.scheduler import Scheduler
    from logistics.service.store import JobStore
    from logistics.service.worker import WorkerPool

    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    store = JobStore(settings.store_target, settings.files_folder)
    if settings.executor == "dask":
        from logistics.service.dask_pool import DaskPool

        pool: object = DaskPool(settings.workers, settings.dask_address)
    else:
        pool = WorkerPool(settings.workers)
    scheduler = Scheduler(store, settings, pool)  # type: ignore[arg-type]
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    scheduler.start()
    err.print(
        f"worker {scheduler.holder}: {settings.workers} worker process(es) on {_where(settings)}", highlight=False
    )
    while not stop.wait(1.0):
        if not scheduler.alive():
            err.print("[red]the scheduler or its workers stopped[/red]")
            break
    scheduler.drain(settings.shutdown_grace_s)
    store.close()


def _where(settings: object) -> str:
    """The store a server or worker uses, without a password."""
    import re

    url = getattr(settings, "database_url", None)
    if url:
        return re.sub(r"://([^:@/]+):[^@/]*@", r"://\1:***@", url)
    return str(getattr(settings, "database", ""))
