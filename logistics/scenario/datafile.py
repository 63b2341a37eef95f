"""Data files a scenario names (order histories, SKU master data, slot tables, timetables): where they are and
how they are read (CSV, Parquet or Excel), in one place."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import Field, ValidationInfo, field_validator

from logistics.scenario.base import ScenarioModel

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "BUILTIN_PREFIX",
    "DataFile",
    "builtin_data_names",
    "builtin_path",
    "read_table",
    "require_columns",
    "resolve_file",
]

BUILTIN_PREFIX = "builtin:"


class DataFile(ScenarioModel):
    """A CSV, Parquet or Excel file a scenario names (relative to the scenario file; `builtin:NAME` for a shipped
    one) and the Excel sheet to read."""

    file: str = Field(min_length=1, description="CSV, Parquet or Excel (.xlsx), relative to the scenario file.")
    sheet: str | None = Field(default=None, description="The Excel sheet (default: the first).")

    @field_validator("file")
    @classmethod
    def _resolve(cls, file: str, info: ValidationInfo) -> str:
        return resolve_file(file, info)

    @property
    def path(self) -> Path:
        """Where the file is."""
        return builtin_path(self.file) if self.file.startswith(BUILTIN_PREFIX) else Path(self.file)

    def table(self) -> pd.DataFrame:
        """The file's rows (errors name the file)."""
        return read_table(self.path, self.sheet)


def require_columns(table: pd.DataFrame, mapping: dict[str, str | None], name: str) -> None:
    """Every mapped column is in `table` (a ValueError naming the missing ones otherwise)."""
    missing = [f"{v} (for {k})" for k, v in mapping.items() if v is not None and v not in table.columns]
    if missing:
        raise ValueError(f"{name}: no column {', '.join(missing)} (it has: {', '.join(map(str, table.columns))})")


def resolve_file(file: str, info: ValidationInfo) -> str:
    """A data file named in a scenario: a relative path made absolute against the scenario file's folder (the
    validation context's `base`); `builtin:NAME` kept; refused when the context says `files: False` (the
    service reads no file a caller names)."""
    context = info.context or {}
    if file.startswith(BUILTIN_PREFIX):
        builtin_path(file)
        return file
    if context.get("files") is False:
        raise ValueError("files are not read here (only a built-in history, builtin:NAME)")
    path = Path(file)
    if not path.is_absolute():
        path = Path(context.get("base") or ".") / path
    return str(path.resolve())


def builtin_data_names() -> list[str]:
    """The shipped data files, by name (`builtin:NAME`): the only ones a `builtin:` reference can reach."""
    folder = resources.files("logistics.scenario") / "builtin" / "data"
    return sorted(p.name.removesuffix(".parquet") for p in folder.iterdir() if p.name.endswith(".parquet"))


def builtin_path(file: str) -> Path:
    """The path of a shipped history `builtin:NAME`, looked up by name in the fixed list of shipped files (never
    a path: `builtin:../../x` names nothing, so a caller of the service cannot reach another file)."""
    name = file.removeprefix(BUILTIN_PREFIX)
    known = builtin_data_names()
    if name not in known:
        raise ValueError(f"no built-in data file {name!r} (built-in: {', '.join(known)})")
    return Path(str(resources.files("logistics.scenario") / "builtin" / "data" / f"{name}.parquet"))


def read_table(path: Path, sheet: str | None = None) -> pd.DataFrame:
    """A CSV, Parquet or Excel file as a table (every column as read); errors name the file."""
    import pandas as pd  # here: loading a scenario does not need pandas

    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            return pd.read_csv(path, dtype=str, keep_default_na=False)
        if suffix == ".parquet":
            return pd.read_parquet(path)
        if suffix in (".xlsx", ".xlsm"):
            return pd.read_excel(path, sheet_name=sheet or 0, dtype=object, engine="openpyxl")
    except FileNotFoundError:
        raise ValueError(f"{path}: file not found") from None
    except (OSError, ValueError, KeyError, ImportError) as exc:
        raise ValueError(f"{path}: cannot read it: {exc}") from None
    raise ValueError(f"{path}: a history is a .csv, .parquet or .xlsx file, not {suffix or 'no extension'}")
