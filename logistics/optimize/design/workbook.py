"""A design problem as an Excel workbook and back, for planners who keep their network in Excel.

Sheets: `design` (rows `field | value`: name, promise_days, service_target ...), then one table per list, a
header row of field names and one row per item: `sku_classes`, `sites` (an overseas site's gateway as two
columns `gateway_lon`, `gateway_lat`), `lanes`, `markets` (id, lon, lat) and `demand` (market, sku_class,
orders_per_day, sd_per_day). An empty cell means "not given" (the field's default). Every error names the
sheet and the cell (`book.xlsx sites!E3: sites[1].fixed_cny: ...`); `write_design_workbook` writes any design
(a built-in one as a template) and reading it back gives the same problem (tested)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from logistics.optimize.common import InvalidProblemError
from logistics.optimize.design.io import read_design
from logistics.optimize.design.problem import DesignProblem

__all__ = ["read_design_workbook", "write_design_workbook"]

TABLES = ("sku_classes", "sites", "lanes", "markets", "demand")
SETTINGS = "design"


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def write_design_workbook(problem: DesignProblem, path: str | Path, source: str = "") -> Path:
    """Write `problem` as a workbook (see the module's docstring)."""
    from openpyxl import Workbook

    book = Workbook()
    settings = book.active
    assert settings is not None
    settings.title = SETTINGS
    settings.append(["field", "value"])
    settings.append(["name", problem.name])
    if source:
        settings.append(["source", source])
    for field in (
        "per_order_limit_cny", "promise_days", "service_target", "service_level", "review_days", "holding_rate",
        "last_mile_cny_per_order", "last_mile_cny_per_km", "last_mile_days", "last_mile_km_per_day", "circuity",
    ):  # fmt: skip
        settings.append([field, getattr(problem, field)])
    if problem.max_co2e_t_per_year is not None:
        settings.append(["max_co2e_t_per_year", problem.max_co2e_t_per_year])

    def table(name: str, header: list[str], rows: list[list[Any]]) -> None:
        sheet = book.create_sheet(name)
        sheet.append(header)
        for row in rows:
            sheet.append(row)

    table(
        "sku_classes",
        ["id", "origin", "order_value_cny", "order_weight_kg"],
        [[c.id, c.origin, c.order_value_cny, c.order_weight_kg] for c in problem.sku_classes],
    )
    site_fields = ["id", "kind", "lon", "lat", "fixed_cny", "capacity_orders_per_day", "handling_cny_per_order"]
    site_fields += ["handling_days", "origin", "gateway_lon", "gateway_lat", "parcel_days", "parcel_cny_per_kg"]
    table(
        "sites",
        site_fields,
        [
            [s.id, s.kind, s.lon, s.lat, s.fixed_cny, s.capacity_orders_per_day, s.handling_cny_per_order,
             s.handling_days, s.origin or None, *(s.gateway if s.gateway else (None, None)),
             s.parcel_days if s.kind == "overseas" else None, s.parcel_cny_per_kg if s.kind == "overseas" else None]
            for s in problem.sites
        ],
    )  # fmt: skip
    table(
        "lanes",
        ["origin", "site", "mode", "transit_days", "transit_sd_days", "cny_per_kg", "distance_km", "road_km"],
        [
            [x.origin, x.site, x.mode, x.transit_days, x.transit_sd_days, x.cny_per_kg, x.distance_km, x.road_km]
            for x in problem.lanes
        ],
    )
    table("markets", ["id", "lon", "lat"], [[m.id, m.lon, m.lat] for m in problem.markets])
    table(
        "demand",
        ["market", "sku_class", "orders_per_day", "sd_per_day"],
        [[m.id, d.sku_class, d.orders_per_day, d.sd_per_day] for m in problem.markets for d in m.demand],
    )
    out = Path(path)
    book.save(out)
    return out


def read_design_workbook(path: str | Path, overrides: dict[str, float] | None = None) -> DesignProblem:
    """A design problem from a workbook (see the module's docstring); errors name the sheet and cell."""
    from openpyxl import load_workbook

    file = Path(path)
    try:
        book = load_workbook(file, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise InvalidProblemError(str(file), f"not an Excel workbook (.xlsx): {exc}") from None
    missing = [name for name in (SETTINGS, *TABLES) if name not in book.sheetnames]
    if missing:
        raise InvalidProblemError(f"{file.name}", f"sheets missing: {', '.join(missing)} (has {book.sheetnames})")
    cells: dict[str, str] = {}  # a data path (sites[1].fixed_cny) -> the cell it came from (sites!E3)

    data: dict[str, Any] = {}
    for r, row in enumerate(book[SETTINGS].iter_rows(values_only=True), start=1):
        if r == 1 or not row or row[0] is None:
            continue
        field = str(row[0]).strip()
        value = row[1] if len(row) > 1 else None
        if value is None:
            continue
        data[field] = value
        cells[field] = f"{SETTINGS}!B{r}"

    def rows(name: str) -> list[tuple[int, dict[str, Any]]]:
        out = []
        header: list[str] = []
        for r, row in enumerate(book[name].iter_rows(values_only=True), start=1):
            if r == 1:
                header = [str(h).strip() if h is not None else "" for h in row]
                continue
            if not row or all(v is None for v in row):
                continue
            out.append((r, {h: v for h, v in zip(header, row, strict=False) if h and v is not None}))
        return out

    def locate(name: str, index: int, r: int, item: dict[str, Any]) -> None:
        header = [str(h).strip() for h in next(book[name].iter_rows(max_row=1, values_only=True)) if h is not None]
        for k, field in enumerate(header):  # every column, an empty cell too (a required value missing there)
            cells[f"{name}[{index}].{field}"] = f"{name}!{_column_letter(k)}{r}"
        cells[f"{name}[{index}]"] = f"{name}!A{r}"

    for name in ("sku_classes", "lanes"):
        data[name] = []
        for r, item in rows(name):
            locate(name, len(data[name]), r, item)
            data[name].append(item)
    data["sites"] = []
    for r, item in rows("sites"):
        locate("sites", len(data["sites"]), r, item)
        index = len(data["sites"])
        for k, column in enumerate(("gateway_lon", "gateway_lat")):
            if f"sites[{index}].{column}" in cells:
                cells[f"sites[{index}].gateway[{k}]"] = cells[f"sites[{index}].{column}"]
        lon, lat = item.pop("gateway_lon", None), item.pop("gateway_lat", None)
        if lon is not None or lat is not None:
            item["gateway"] = [lon, lat]
        data["sites"].append(item)
    markets: dict[str, dict[str, Any]] = {}
    for r, item in rows("markets"):
        locate("markets", len(markets), r, item)
        if item.get("id") is None:
            raise InvalidProblemError(f"{file.name} markets!A{r}", "the market's id is empty")
        if str(item.get("id")) in markets:
            raise InvalidProblemError(f"{file.name} markets!A{r}", f"market {item.get('id')!r} appears twice")
        markets[str(item.get("id"))] = {**item, "demand": {}}
    demand_header = [str(h).strip() for h in next(book["demand"].iter_rows(max_row=1, values_only=True)) if h]
    for column in ("market", "sku_class"):
        if column not in demand_header:
            raise InvalidProblemError(f"{file.name} demand!1", f"the header has no {column!r} column")
    for r, item in rows("demand"):
        market, sku = item.pop("market", None), item.pop("sku_class", None)
        if str(market) not in markets:
            raise InvalidProblemError(f"{file.name} demand!A{r}", f"market {market!r} is not in the markets sheet")
        index = list(markets).index(str(market))
        if str(sku) in markets[str(market)]["demand"]:
            raise InvalidProblemError(f"{file.name} demand!B{r}", f"a second row for {market!r} and {sku!r}")
        position = len(markets[str(market)]["demand"])
        markets[str(market)]["demand"][str(sku)] = item
        cells[f"markets[{index}].demand[{position}]"] = f"demand!B{r}"  # the problem's own checks count rows
        for k, field in enumerate(demand_header):
            cells[f"markets[{index}].demand.{sku}.{field}"] = f"demand!{_column_letter(k)}{r}"
    data["markets"] = list(markets.values())
    book.close()
    try:
        return read_design(yaml.safe_dump(data, sort_keys=False), overrides)
    except InvalidProblemError as exc:
        cell = _nearest_cell(cells, exc.field)
        where = f"{file.name} {cell}: {exc.field}" if cell else f"{file.name}: {exc.field}"
        message = "a value is required (the cell is empty)" if exc.message == "Field required" else exc.message
        raise InvalidProblemError(where, message) from None


def _nearest_cell(cells: dict[str, str], where: str) -> str:
    """The cell of a data path, or of its nearest enclosing item (a missing field: the item's row)."""
    path = where
    while path:
        if path in cells:
            return cells[path]
        cut = max(path.rfind("."), path.rfind("["))
        path = path[:cut] if cut > 0 else ""
    return ""
