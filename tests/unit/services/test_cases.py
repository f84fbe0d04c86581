"""The case state machine: the worked cross-jurisdiction case and the rules.

Offices, case ids and applicants here are CONSTRUCTED for the test (no real office identifiers);
the items and their step limits are the bundled catalogue's (sourced, see services/data/SOURCES.md).
Expected dates are worked by hand on the 2025 holiday notice (国办发明电〔2024〕12号: National Day
10月1日–8日 off, 9月28日(周日) and 10月11日(周六) working days).
"""

from __future__ import annotations

import datetime as dt

import pytest

from xietong.errors import ConflictError, InputError
from xietong.services import cases as sc
from xietong.services.catalogue import Item, get_item
from xietong.services.enums import CaseStatus, EventType, Mode, StepKind
from xietong.services.errors import MissingDocumentsError, NotPartyError, StepOrderError

D = dt.date
LANGFANG = sc.Office("LF-SI-TEST", "131000", "Langfang social insurance agency (test office)")
BEIJING = sc.Office("BJ-SI-TEST", "110000", "Beijing social insurance agency (test office)")
TIANJIN = sc.Office("TJ-WIN-TEST", "120000", "Tianjin cross-province window (test office)")
HEBEI = sc.Office("HE-AMR-TEST", "130000", "Hebei market regulation (test office)")
BJ_AMR = sc.Office("BJ-AMR-TEST", "110000", "Beijing market regulation (test office)")


def pension() -> Item:
    return get_item("JJJ-PS-001")  # 国办发〔2009〕66号 第八条: 15 + 15 + 15 working days


def received_in_langfang() -> sc.Case:
    case, _ = sc.open_case(
        "CASE-T-1", pension(), receiving=LANGFANG, competent=[BEIJING], received_on=D(2025, 9, 26), mode=Mode.FORWARDED
    )
    return case


def test_worked_case_received_in_langfang_for_a_beijing_authority() -> None:
    case, events = sc.open_case(
        "CASE-T-1", pension(), receiving=LANGFANG, competent=[BEIJING], received_on=D(2025, 9, 26), mode="forwarded"
    )
    assert [e.type for e in events] == [EventType.CASE_RECEIVED, EventType.STEP_OPENED]
    assert set(events[0].recipients) == {LANGFANG.id, BEIJING.id}

    # the application lacks the written application the item requires: the check is refused …
    with pytest.raises(MissingDocumentsError, match="written_application"):
        sc.complete_step(case, office=LANGFANG.id, kind="completeness_check", on=D(2025, 9, 29))
    # … so Langfang suspends the case on Monday 9/29 and the applicant brings it on Monday 10/13
    case, _ = sc.suspend(case, office=LANGFANG.id, on=D(2025, 9, 29), reason="written application missing")
    assert case.status is CaseStatus.SUSPENDED
    case, events = sc.resume(case, office=LANGFANG.id, on=D(2025, 10, 13), documents=["written_application"])
    assert events[0].details["suspended_working_days"] == 5  # 9/29, 9/30, 10/9, 10/10, 10/11
    case, events = sc.complete_step(case, office=LANGFANG.id, kind="completeness_check", on=D(2025, 10, 13))

    # forwarding: 15 working days from receipt (9/26 -> 10/23), plus the 5 suspended -> 10/30
    forwarded = next(s for s in case.steps if s.kind is StepKind.FORWARDED)
    assert forwarded.due_on == D(2025, 10, 30)
    assert forwarded.suspended_wd == 5
    case, _ = sc.complete_step(case, office=LANGFANG.id, kind="forwarded", on=D(2025, 10, 15))
    case, _ = sc.complete_step(case, office=BEIJING.id, kind="accepted", on=D(2025, 10, 17))
    # Beijing transfers within 15 working days of the letter: 10/20 … 11/7
    decided = next(s for s in case.steps if s.kind is StepKind.DECIDED)
    assert decided.due_on == D(2025, 11, 7)
    case, _ = sc.complete_step(case, office=BEIJING.id, kind="decided", on=D(2025, 11, 5), outcome="approved")
    case, _ = sc.complete_step(case, office=BEIJING.id, kind="result_returned", on=D(2025, 11, 6))
    # Langfang finishes within 15 working days of receiving the relationship and funds: 11/7 … 11/27
    completed = next(s for s in case.steps if s.kind is StepKind.COMPLETED)
    assert completed.due_on == D(2025, 11, 27)
    case, events = sc.complete_step(case, office=LANGFANG.id, kind="completed", on=D(2025, 11, 20))
    assert events[-1].type is EventType.CASE_CLOSED
    assert case.status is CaseStatus.CLOSED
    frame = sc.steps_frame([case])
    assert list(frame["kind"]) == [
        "received",
        "completeness_check",
        "forwarded",
        "accepted",
        "decided",
        "result_returned",
        "completed",
    ]
    assert list(frame["jurisdiction"]) == ["131000", "131000", "131000", "110000", "110000", "110000", "131000"]
    done = frame.dropna(subset=["due_on"])
    assert (done["done_on"] <= done["due_on"]).all()


def test_a_decision_before_acceptance_is_refused() -> None:
    case = received_in_langfang()
    case = sc.add_documents(case, office=LANGFANG.id, documents=["written_application"])
    case, _ = sc.complete_step(case, office=LANGFANG.id, kind="completeness_check", on=D(2025, 9, 29))
    case, _ = sc.complete_step(case, office=LANGFANG.id, kind="forwarded", on=D(2025, 9, 30))
    with pytest.raises(StepOrderError, match="a decision before acceptance"):
        sc.complete_step(case, office=BEIJING.id, kind="decided", on=D(2025, 10, 9), outcome="approved")


def test_an_office_not_party_to_the_case_is_refused() -> None:
    case = received_in_langfang()
    with pytest.raises(NotPartyError, match="not party to case CASE-T-1"):
        sc.complete_step(case, office=TIANJIN.id, kind="completeness_check", on=D(2025, 9, 29))
    with pytest.raises(NotPartyError):
        sc.allowed_steps(case, TIANJIN.id)


def test_a_party_may_not_do_the_other_offices_step() -> None:
    case = received_in_langfang()
    with pytest.raises(NotPartyError, match="done by LF-SI-TEST, not BJ-SI-TEST"):
        sc.complete_step(case, office=BEIJING.id, kind="completeness_check", on=D(2025, 9, 29))
    assert [s.kind for s in sc.allowed_steps(case, LANGFANG.id)] == [StepKind.COMPLETENESS_CHECK]
    assert sc.allowed_steps(case, BEIJING.id) == ()


def test_steps_wait_while_the_case_is_suspended_and_cannot_repeat() -> None:
    case = received_in_langfang()
    case = sc.add_documents(case, office=LANGFANG.id, documents=["written_application"])
    case, _ = sc.suspend(case, office=LANGFANG.id, on=D(2025, 9, 29), reason="question")
    with pytest.raises(ConflictError, match="suspended"):
        sc.complete_step(case, office=LANGFANG.id, kind="completeness_check", on=D(2025, 9, 30))
    case, _ = sc.resume(case, office=LANGFANG.id, on=D(2025, 9, 30))
    case, _ = sc.complete_step(case, office=LANGFANG.id, kind="completeness_check", on=D(2025, 9, 30))
    with pytest.raises(ConflictError, match="already done"):
        sc.complete_step(case, office=LANGFANG.id, kind="completeness_check", on=D(2025, 9, 30))


def test_documents_outside_the_items_schema_are_refused() -> None:
    with pytest.raises(InputError, match="not in the schema"):
        sc.open_case(
            "CASE-T-2",
            pension(),
            receiving=LANGFANG,
            competent=[BEIJING],
            received_on=D(2025, 9, 26),
            mode="forwarded",
            documents=["passport"],
        )


def test_a_forwarded_case_needs_another_jurisdiction() -> None:
    other_beijing = sc.Office("BJ-WIN-TEST", "110000")
    with pytest.raises(InputError, match="another jurisdiction"):
        sc.open_case(
            "CASE-T-3",
            pension(),
            receiving=other_beijing,
            competent=[BEIJING],
            received_on=D(2025, 9, 26),
            mode="forwarded",
        )


def test_an_overdue_step_raises_an_event_to_both_offices() -> None:
    case = received_in_langfang()
    case = sc.add_documents(case, office=LANGFANG.id, documents=["written_application"])
    case, _ = sc.complete_step(case, office=LANGFANG.id, kind="completeness_check", on=D(2025, 9, 29))
    assert sc.overdue(case, D(2025, 10, 23)) == []  # due on 10/23: not yet overdue that day
    events = sc.overdue(case, D(2025, 10, 27))
    assert len(events) == 1
    e = events[0]
    assert e.type is EventType.STEP_OVERDUE and e.step_kind is StepKind.FORWARDED
    assert set(e.recipients) == {LANGFANG.id, BEIJING.id}
    assert e.details["working_days_late"] == 2  # 10/24, 10/27
    frame = sc.steps_frame([case])
    assert sc.overdue_mask(frame, D(2025, 10, 27)).sum() == 1


def test_a_joint_case_has_steps_in_each_jurisdiction_and_returns_after_all_decisions() -> None:
    item = get_item("JJJ-PS-029")  # enterprise relocation, joint (多地联办)
    case, events = sc.open_case(
        "CASE-T-4", item, receiving=TIANJIN, competent=[BJ_AMR, HEBEI], received_on=D(2026, 2, 13)
    )
    assert case.mode is Mode.JOINT
    # completeness check: 5 working days from receipt (行政许可法 第三十二条, by analogy): 2/14, 2/24, 2/25, 2/26, 2/27
    check = case.steps[1]
    assert check.due_on == D(2026, 2, 27)
    case, _ = sc.complete_step(case, office=TIANJIN.id, kind="completeness_check", on=D(2026, 2, 24))
    case, _ = sc.complete_step(case, office=TIANJIN.id, kind="forwarded", on=D(2026, 2, 25))
    assert {s.office for s in case.open_steps} == {BJ_AMR.id, HEBEI.id}
    case, _ = sc.complete_step(case, office=BJ_AMR.id, kind="accepted", on=D(2026, 2, 26))
    case, _ = sc.complete_step(case, office=HEBEI.id, kind="accepted", on=D(2026, 2, 27))
    decided = [s for s in case.steps if s.kind is StepKind.DECIDED]
    # joint handling: 45 working days from acceptance (第四十二条第二款). From Thursday 2/26: 2/27, 2/28 (Sat,
    # working), March (22 days), 4/1-4/3, Qingming 4/4-4/6 off, 4/7-4/30 (18 days) -> 4/30; from 2/27 one more,
    # over Labour Day 5/1-5/5 -> 5/6 (2026 notice, 三 and 四)
    assert decided[0].due_on == D(2026, 4, 30)
    assert decided[1].due_on == D(2026, 5, 6)
    case, _ = sc.complete_step(case, office=BJ_AMR.id, kind="decided", on=D(2026, 3, 10), outcome="approved")
    assert not any(s.kind is StepKind.RESULT_RETURNED and s.state == "open" for s in case.steps)
    case, events = sc.complete_step(case, office=HEBEI.id, kind="decided", on=D(2026, 3, 11), outcome="approved")
    assert any(e.type is EventType.STEP_OPENED and e.step_kind is StepKind.RESULT_RETURNED for e in events)


def test_an_online_case_is_handled_by_its_competent_office_alone() -> None:
    item = get_item("JJJ-PS-011")  # registration for medical settlement elsewhere: no mode in the source
    case, _ = sc.open_case(
        "CASE-T-5", item, receiving=BEIJING, competent=[BEIJING], received_on=D(2026, 9, 30), mode="online"
    )
    assert [s.kind for s in case.steps] == [
        StepKind.RECEIVED,
        StepKind.COMPLETENESS_CHECK,
        StepKind.ACCEPTED,
        StepKind.DECIDED,
    ]
    assert case.steps[1].due_on == D(2026, 10, 13)  # 5 working days: 10/8, 10/9, 10/10 (Sat), 10/12, 10/13
    with pytest.raises(InputError, match="mode"):
        sc.open_case("CASE-T-6", item, receiving=BEIJING, competent=[BEIJING], received_on=D(2026, 9, 30))


def test_the_bulk_due_dates_equal_the_case_deadlines() -> None:
    import pandas as pd

    frame = pd.DataFrame(
        {
            "base_on": pd.to_datetime(["2025-09-26", "2026-02-13", "2026-09-30"]),
            "time_limit_wd": [15, 10, None],
            "suspended_wd": [5, 0, 0],
        }
    )
    due = sc.due_dates(frame)
    assert [d.date() if pd.notna(d) else None for d in due] == [D(2025, 10, 30), D(2026, 3, 5), None]
