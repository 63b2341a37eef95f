"""Experiment files: scenarios, a grid of parameter values, policies to compare (named sets of scenario
overrides), replications, a root seed and the KPIs of interest."""

from __future__ import annotations

import hashlib
import itertools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from logistics.core.errors import ScenarioError, ScenarioIssue

M = TypeVar("M", bound=BaseModel)

__all__ = [
    "ExperimentSpec",
    "RunTask",
    "builtin_experiment_names",
    "builtin_experiment_path",
    "experiment_path",
    "load_experiment",
    "load_yaml_model",
    "tasks",
]


class ExperimentSpec(BaseModel):
    """An experiment. `policies` maps a name to the scenario overrides ("path=value") that make it; every
    policy sees the same random draws in a given replication (common random numbers)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1)
    scenarios: list[str] = Field(min_length=1)
    grid: dict[str, list[str | int | float | bool]] = Field(default_factory=dict)
    policies: dict[str, list[str]] = Field(min_length=1)
    baseline: str | None = None
    replications: int = Field(ge=2)
    seed: int = Field(ge=0)
    kpis: list[str] = Field(default_factory=list)
    warmup_h: float | None = Field(default=None, ge=0)
    plugins: list[str] = Field(
        default_factory=list, description="Modules (dotted names or .py paths) that register policies the runs use."
    )

    @model_validator(mode="after")
    def _check(self) -> ExperimentSpec:
        if self.baseline is not None and self.baseline not in self.policies:
            raise ValueError(f"baseline {self.baseline!r} is not one of the policies {list(self.policies)}")
        for name, overrides in self.policies.items():
            for o in overrides:
                if "=" not in o:
                    raise ValueError(f"policies.{name}: override {o!r} must read path=value")
        for path, values in self.grid.items():
            if not values:
                raise ValueError(f"grid.{path}: needs at least one value")
        return self

    @property
    def baseline_policy(self) -> str:
        """The policy others are compared with (the first listed unless named)."""
        return self.baseline or next(iter(self.policies))


def load_yaml_model(path: Path, model: type[M]) -> M:
    """A YAML file validated as `model` (an experiment, a plan, a risk analysis); every error names the file,
    the line and the field."""
    from logistics.scenario.loader import read_yaml

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError([ScenarioIssue((), "file not found", str(path))]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError([ScenarioIssue((), f"cannot read the file: {exc}", str(path))]) from None
    data, lines = read_yaml(text, str(path))
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        issues = []
        for e in exc.errors(include_url=False):
            loc = tuple(e["loc"])
            line = next((lines[loc[:k]] for k in range(len(loc), -1, -1) if loc[:k] in lines), None)
            issues.append(ScenarioIssue(loc, e["msg"].removeprefix("Value error, "), str(path), line))
        raise ScenarioError(issues) from None


def load_experiment(path: str | Path) -> ExperimentSpec:
    """Read and validate an experiment file; errors name the file and field."""
    path = Path(path)
    spec = load_yaml_model(path, ExperimentSpec)
    base = path.parent
    resolved = [s if (base / s).suffix not in (".yaml", ".yml") else str((base / s).resolve()) for s in spec.scenarios]
    plugins = [str((base / p).resolve()) if p.endswith(".py") else p for p in spec.plugins]
    return spec.model_copy(update={"scenarios": resolved, "plugins": plugins})


@dataclass(frozen=True)
class RunTask:
    """One simulation run of an experiment. `content` is a hash of what the run simulates: the resolved
    scenario (file content after overrides), so an edited scenario file is a new run, never a stale reuse."""

    scenario: str
    point: tuple[tuple[str, str], ...]  # grid values
    policy: str
    replication: int
    overrides: tuple[str, ...]
    seed: int
    content: str = ""
    plugins: tuple[str, ...] = ()  # modules registering the policies it uses, loaded in the worker first

    @property
    def run_id(self) -> str:
        """A stable, file-safe id: readable names, then a hash of the scenario content, the seed, the
        replication and the package version."""
        from logistics import __version__

        key = repr((self.scenario, self.policy, self.content, self.point, self.replication, self.seed, __version__))
        digest = hashlib.sha256(key.encode()).hexdigest()[:16]
        return f"{_safe(Path(self.scenario).stem)}-{_safe(self.policy)}-r{self.replication}-{digest}"

    @property
    def point_label(self) -> str:
        return ", ".join(f"{k}={v}" for k, v in self.point) or "-"


def _safe(name: str, limit: int = 40) -> str:
    """A name made safe for a file name (letters, digits, '_', '-', '.'; no leading dot), shortened."""
    cleaned = re.sub(r"[^A-Za-z0-9_.-]+", "_", name).lstrip(".") or "_"
    return cleaned[:limit]


def scenario_content(scenario: str, overrides: tuple[str, ...]) -> str:
    """A hash of the scenario a run simulates: the validated scenario after overrides (or, when it does not
    load, the file's bytes and the error, so fixing the file is a new run)."""
    from logistics.scenario.builtin import load_named

    try:
        text = load_named(scenario, list(overrides)).model_dump_json()
    except Exception as exc:
        raw = Path(scenario).read_bytes() if Path(scenario).is_file() else scenario.encode()
        text = f"{hashlib.sha256(raw).hexdigest()} {overrides!r} {type(exc).__name__}: {exc}"
    return hashlib.sha256(text.encode()).hexdigest()


def tasks(spec: ExperimentSpec) -> list[RunTask]:
    """Every run: scenarios x grid points x policies x replications. Replication r of every policy and grid
    point uses the same seed, so comparisons are paired."""
    keys = list(spec.grid)
    points = [
        tuple(zip(keys, (str(v) for v in values), strict=True)) for values in itertools.product(*spec.grid.values())
    ]
    out = []
    for scenario in spec.scenarios:
        for point in points or [()]:
            for policy, overrides in spec.policies.items():
                grid_overrides = tuple(f"{k}={v}" for k, v in point)
                if spec.warmup_h is not None:  # steady-state KPIs leave out orders created before it
                    grid_overrides += (f"run.warmup_h={spec.warmup_h}",)
                resolved = (*grid_overrides, *overrides, f"run.seed={spec.seed}")
                content = scenario_content(scenario, resolved)
                for r in range(spec.replications):
                    out.append(RunTask(scenario, point, policy, r, resolved, spec.seed, content, tuple(spec.plugins)))
    return out


_BUILTIN = Path(__file__).resolve().parent / "builtin"


def builtin_experiment_names() -> list[str]:
    """Names of the experiments shipped with the package."""
    return sorted(p.stem for p in _BUILTIN.glob("*.yaml"))


def experiment_path(name_or_path: str) -> Path:
    """An experiment file, or a built-in experiment by name when no such file exists (the rule of
    `logistics.core.naming`, as for scenarios)."""
    from logistics.core.naming import names_builtin

    if names_builtin(name_or_path, builtin_experiment_names()) or not Path(name_or_path).exists():
        return builtin_experiment_path(name_or_path)
    return Path(name_or_path)


def builtin_experiment_path(name: str) -> Path:
    """Path of a built-in experiment; an error lists the known names."""
    path = _BUILTIN / f"{name}.yaml"
    if not path.exists():
        known = ", ".join(builtin_experiment_names())
        raise ScenarioError(
            [ScenarioIssue((), f"no experiment file or built-in experiment {name!r} (built-in: {known})", name)]
        )
    return path
