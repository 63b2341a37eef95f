"""Running scenarios: replications, seeds and the files a run writes."""

from logistics.experiments.replications import run_replications, write_outputs

__all__ = ["run_replications", "write_outputs"]
