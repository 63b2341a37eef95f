"""Network design: which pilot-zone bonded sites hold stock (1210) and which markets and SKU classes are served
by direct mail (9610) from overseas consolidation warehouses, with risk-pooled stock, solved as a MIP
(`solve_design`) and checked independently (`check_design`)."""

from logistics.optimize.design.checker import Assignment, Evaluation, Stock, check_design, evaluate_design
from logistics.optimize.design.dataset import ChinaDatasetParams, china_design
from logistics.optimize.design.files import load_design
from logistics.optimize.design.io import (
    builtin_design_names,
    builtin_design_path,
    design_plan_to_json,
    read_design,
)
from logistics.optimize.design.problem import (
    Demand,
    DesignProblem,
    InboundLane,
    Market,
    Option,
    Site,
    SkuClass,
)
from logistics.optimize.design.solve import (
    DESIGN_METHODS,
    DesignParams,
    DesignPlan,
    solve_design,
    solve_emission_front,
    solve_front,
)
from logistics.optimize.design.workbook import read_design_workbook, write_design_workbook

__all__ = [
    "DESIGN_METHODS",
    "Assignment",
    "ChinaDatasetParams",
    "Demand",
    "DesignParams",
    "DesignPlan",
    "DesignProblem",
    "Evaluation",
    "InboundLane",
    "Market",
    "Option",
    "Site",
    "SkuClass",
    "Stock",
    "builtin_design_names",
    "builtin_design_path",
    "check_design",
    "china_design",
    "design_plan_to_json",
    "evaluate_design",
    "load_design",
    "read_design",
    "read_design_workbook",
    "solve_design",
    "solve_emission_front",
    "solve_front",
    "write_design_workbook",
]
