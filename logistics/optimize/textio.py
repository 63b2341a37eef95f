"""Reading the optimizers' input files: a missing, unreadable or non-UTF-8 file is an `InvalidProblemError`
naming the file, never an OSError or UnicodeDecodeError from deep inside a parser."""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path

from logistics.optimize.common import InvalidProblemError

__all__ = ["CsvText", "csv_reader", "parse_float", "parse_int", "read_text"]


def read_text(path: str | Path) -> str:
    """The text of an input file (UTF-8; a byte-order mark is dropped)."""
    path = Path(path)
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InvalidProblemError(str(path), "file not found") from None
    except IsADirectoryError:
        raise InvalidProblemError(str(path), "is a folder, not a file") from None
    except UnicodeDecodeError as exc:
        raise InvalidProblemError(str(path), f"not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise InvalidProblemError(str(path), f"cannot read the file: {exc.strerror}") from None


@dataclass(frozen=True)
class CsvText:
    """CSV text given in memory (e.g. in a service request) where a file is read otherwise; `name` stands for
    the file name in error messages (`skus_csv:12: picks ...`)."""

    name: str
    text: str

    def __str__(self) -> str:
        return self.name


def csv_reader(path: str | Path | CsvText) -> csv.DictReader:
    """A CSV file's rows as dicts (header on line 1); a `CsvText`'s rows the same way."""
    text = path.text.removeprefix("\ufeff") if isinstance(path, CsvText) else read_text(path)
    return csv.DictReader(io.StringIO(text, newline=""))


def parse_int(raw: str, limit: int = 1_000_000_000) -> int:
    """A whole number written in a file cell, within +-`limit`; ValueError otherwise."""
    value = int(raw)
    if abs(value) > limit:
        raise ValueError(raw)
    return value


def parse_float(raw: str, limit: float = 1e9) -> float:
    """A finite number written in a file cell, within +-`limit`; ValueError otherwise."""
    value = float(raw)
    if not math.isfinite(value) or abs(value) > limit:
        raise ValueError(raw)
    return value
