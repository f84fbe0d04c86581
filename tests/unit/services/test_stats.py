"""Statistics over cases built with the state machine (offices and cases constructed for the test)."""

from __future__ import annotations

import datetime as dt

from xietong.services import cases as sc
from xietong.services import stats
from xietong.services.catalogue import get_item

D = dt.date
LF = sc.Office("LF-TEST", "131000")
BJ = sc.Office("BJ-TEST", "110000")
TJ = sc.Office("TJ-TEST", "120000")


def _forwarded(case_id: str, receiving: sc.Office, *, done_by: dt.date | None) -> sc.Case:
    item = get_item("JJJ-PS-003")  # unemployment registration: default steps (行政许可法 limits)
    case, _ = sc.open_case(
        case_id, item, receiving=receiving, competent=[BJ], received_on=D(2025, 3, 3), mode="forwarded"
    )
    if done_by is None:
        return case
    for kind, office in [("completeness_check", receiving.id), ("forwarded", receiving.id), ("accepted", BJ.id)]:
        case, _ = sc.complete_step(case, office=office, kind=kind, on=D(2025, 3, 4))
    case, _ = sc.complete_step(case, office=BJ.id, kind="decided", on=done_by, outcome="approved")
    case, _ = sc.complete_step(case, office=BJ.id, kind="result_returned", on=done_by)
    return case


def test_statistics_of_three_cases() -> None:
    fast = _forwarded("S-1", LF, done_by=D(2025, 3, 10))  # decided within its 20 working days
    slow = _forwarded("S-2", TJ, done_by=D(2025, 4, 30))  # decided after its due date (2025-04-01)
    still_open = _forwarded("S-3", LF, done_by=None)
    frame = sc.steps_frame([fast, slow, still_open])

    per_item = stats.cases_per_item(frame)
    counts = {(r.receiving_jurisdiction, r.competent_jurisdiction): r.cases for r in per_item.itertuples()}
    assert counts == {("131000", "110000"): 2, ("120000", "110000"): 1}

    rate = stats.on_time_rate(frame, by=("kind",))
    decided = rate[rate["kind"] == "decided"].iloc[0]
    assert (decided["steps"], decided["on_time"], decided["on_time_rate"]) == (2, 1, 0.5)

    median = stats.median_working_days(frame)
    # S-1: 3/3 -> 3/10 = 5 working days; S-2: 3/3 -> 4/30 = 20 in March + 22 in April (Qingming 4/4 off,
    # Sunday 4/27 a working day by the 2025 notice) = 42 -> median 23.5
    assert median.iloc[0]["cases"] == 2 and median.iloc[0]["median_wd"] == 23.5

    backlog = stats.backlog(frame, D(2025, 3, 12), by=("jurisdiction",))
    lf = backlog[backlog["jurisdiction"] == "131000"].iloc[0]
    assert (lf["open"], lf["overdue"]) == (1, 1)  # S-3's completeness check was due 2025-03-10
