"""KPI tables, plots and the run report."""

from logistics.analysis.kpis import kpi_table, run_kpis, stage_lead_times
from logistics.analysis.report import summary_table, write_report

__all__ = ["kpi_table", "run_kpis", "stage_lead_times", "summary_table", "write_report"]
