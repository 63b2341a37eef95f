"""Stop flags and progress reports: who reports, and when inner code stays silent."""

from __future__ import annotations


def test_inner_progress_is_silent_while_the_outer_task_reports_its_own() -> None:
    """A simulation job's progress counts its replications: a dispatch optimizer inside it reports its own
    fractions through `report_progress`, which must not overwrite the job's (0.00008 with 4 of 6 done)."""
    from logistics.core.control import controlled, own_progress, report_progress

    seen: list[dict] = []
    with controlled(None, seen.append):
        with own_progress() as report:
            report_progress(fraction=0.00008)  # an inner solve
            report(fraction=4 / 6)
            report_progress(best_objective=1.0)
        report_progress(fraction=1.0)  # outside the block, reports go through again
    assert seen == [{"fraction": 4 / 6}, {"fraction": 1.0}]
