"""The service's Prometheus metrics (`prometheus_client`, one registry per server): request latency histograms by
route template, job run and queue-wait histograms by kind, jobs ended by kind and state, and the store's jobs by
state read at scrape time. Labels never carry a tenant's name or a job id (a scrape shows no caller's activity)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

__all__ = ["CONTENT_TYPE", "ServiceMetrics"]

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

REQUEST_BUCKETS_S = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
JOB_BUCKETS_S = (0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0)


class _StoreCollector(Collector):
    """Jobs by state and the queue's length, read from the store when scraped (so every server on one database
    shows the same numbers), and this server's uptime."""

    def __init__(self, count: Any, started: float) -> None:
        self._count, self._started = count, started

    def collect(self) -> Iterator[GaugeMetricFamily]:
        counts = self._count()
        jobs = GaugeMetricFamily("logistics_jobs", "Jobs in the store by state.", labels=["state"])
        for state, n in counts.items():
            jobs.add_metric([state], n)
        yield jobs
        yield GaugeMetricFamily("logistics_queue_length", "Jobs waiting for a worker.", value=counts.get("queued", 0))
        yield GaugeMetricFamily(
            "logistics_uptime_seconds", "Seconds since this server started.", value=time.time() - self._started
        )


class ServiceMetrics:
    """The metrics one server keeps (see the module's docstring)."""

    def __init__(self, count_jobs: Any) -> None:
        self.registry = CollectorRegistry()
        self.requests = Histogram(
            "logistics_request_seconds",
            "HTTP request latency by method, route template and status.",
            ["method", "route", "status"],
            buckets=REQUEST_BUCKETS_S,
            registry=self.registry,
        )
        self.job_run = Histogram(
            "logistics_job_run_seconds",
            "Run time of the jobs this server ended, by kind.",
            ["kind"],
            buckets=JOB_BUCKETS_S,
            registry=self.registry,
        )
        self.job_wait = Histogram(
            "logistics_job_queue_seconds",
            "Time from submission to start of the jobs this server started, by kind.",
            ["kind"],
            buckets=JOB_BUCKETS_S,
            registry=self.registry,
        )
        self.finished = Counter(
            "logistics_jobs_finished",
            "Jobs this server ended, by kind and final state.",
            ["kind", "state"],
            registry=self.registry,
        )
        self.registry.register(_StoreCollector(count_jobs, time.time()))

    def text(self) -> bytes:
        """The exposition text."""
        return generate_latest(self.registry)
