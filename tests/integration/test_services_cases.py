"""Service cases in the store, on SQLite and PostgreSQL: the worked cross-jurisdiction case of issue 16
(received in Langfang for a Beijing authority, forwarded, suspended once, decided), every deadline
checked against the official calendar, the audit entry of every read, the webhooks to both offices, and
the refusals that write nothing. Offices, principals and the applicant are constructed (tests/services_world.py).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import sqlalchemy as sa

from tests.services_world import (
    APPLICANT_ID,
    APPLICANT_NAME,
    PENSION,
    D,
    World,
    make_world,
    receive_pension_case,
    written_application,
)
from xietong.errors import ConflictError, InputError
from xietong.exchange import audit, notify
from xietong.exchange.bootstrap import operator
from xietong.services import calendar as wd
from xietong.services import caseviews, casework, deadlines
from xietong.services.errors import IdentityNumberError, MissingDocumentsError, NotPartyError, StepOrderError
from xietong.services.tables import services_case, services_step
from xietong.store.session import Store
from xietong.store.tables import outbox

pytestmark = pytest.mark.integration


@pytest.fixture
def world(store: Store) -> World:
    return make_world(store)


def _subscribe(store: Store) -> None:
    """Webhook subscriptions of Langfang and Beijing (delivered nowhere: the outbox rows are checked)."""
    op = operator(store)
    for code in ("131000", "110000"):
        notify.subscribe(store, op, f"http://127.0.0.1:9/{code}", jurisdiction=code, allow=["127.0.0.1"], secret="s")


def _outbox(store: Store) -> list[dict[str, Any]]:
    with store.read() as conn:
        rows = conn.execute(sa.select(outbox.c.event, outbox.c.body).order_by(outbox.c.id)).all()
    return [{"event": r.event, **json.loads(r.body)} for r in rows]


def _audit(store: Store, action: str) -> list[audit.AuditEntry]:
    with store.read() as conn:
        return audit.entries(conn, action=action, limit=1000)


def _step(view: dict[str, Any], kind: str) -> dict[str, Any]:
    return next(s for s in view["steps"] if s["kind"] == kind)


def test_the_worked_case_langfang_for_beijing(store: Store, world: World) -> None:
    _subscribe(store)
    lf, bj = world.langfang, world.beijing
    case = receive_pension_case(store, world)

    # Monday 9/29: the completeness check finds the written application missing — refused, nothing written
    with pytest.raises(MissingDocumentsError, match="written_application"):
        casework.complete_step(store, lf.principal, case, "completeness_check", on=D(2025, 9, 29))
    # … so Langfang suspends the case that day; the applicant brings it on Monday 10/13
    casework.suspend(store, lf.principal, case, on=D(2025, 9, 29), reason="written application missing")
    queue = caseviews.queue(store, lf.principal, as_of=D(2025, 10, 9))
    assert [(r["step"], r["status"]) for r in queue] == [("completeness_check", "suspended")]
    resumed = casework.resume(store, lf.principal, case, on=D(2025, 10, 13), documents=[written_application()])
    assert resumed["status"] == "open"
    casework.complete_step(store, lf.principal, case, "completeness_check", on=D(2025, 10, 13))

    # forwarding: 15 working days from receipt (9/26 -> 10/23 on the calendar) plus the 5 working days
    # suspended (9/29, 9/30, 10/9, 10/10 and the working Saturday 10/11) -> 10/30
    suspended = wd.suspended_working_days(D(2025, 9, 29), D(2025, 10, 13))
    assert suspended == 5
    assert wd.due_date(D(2025, 9, 26), 15) == D(2025, 10, 23)
    view = caseviews.get_case(store, lf.principal, case)
    forwarded = _step(view, "forwarded")
    assert forwarded["due_on"] == wd.due_date(D(2025, 9, 26), 15 + suspended).isoformat() == "2025-10-30"
    assert forwarded["suspended_wd"] == 5

    casework.complete_step(store, lf.principal, case, "forwarded", on=D(2025, 10, 15))
    casework.complete_step(store, bj.principal, case, "accepted", on=D(2025, 10, 17))
    view = caseviews.get_case(store, bj.principal, case)
    # Beijing transfers within 15 working days of the letter (第八条(三)): 10/20 … 11/7
    assert _step(view, "decided")["due_on"] == wd.due_date(D(2025, 10, 17), 15).isoformat() == "2025-11-07"
    casework.complete_step(store, bj.principal, case, "decided", on=D(2025, 11, 5), outcome="approved")
    # the transfer of the funds opens with the decision and shares its 15 days from the letter: 11/7
    view = caseviews.get_case(store, bj.principal, case)
    assert _step(view, "result_returned")["due_on"] == wd.due_date(D(2025, 10, 17), 15).isoformat() == "2025-11-07"
    casework.complete_step(store, bj.principal, case, "result_returned", on=D(2025, 11, 6))
    # Langfang finishes within 15 working days of receiving the relationship and funds (第八条(四)): 11/27
    view = caseviews.get_case(store, lf.principal, case)
    assert _step(view, "completed")["due_on"] == wd.due_date(D(2025, 11, 6), 15).isoformat() == "2025-11-27"
    done = casework.complete_step(store, lf.principal, case, "completed", on=D(2025, 11, 20))
    assert done["status"] == "closed"

    view = caseviews.get_case(store, lf.principal, case)
    assert [(s["kind"], s["office"], s["due_on"], s["done_on"], s["on_time"]) for s in view["steps"]] == [
        ("received", "LF-SI-TEST", None, "2025-09-26", None),
        ("completeness_check", "LF-SI-TEST", None, "2025-10-13", None),
        ("forwarded", "LF-SI-TEST", "2025-10-30", "2025-10-15", True),
        ("accepted", "BJ-SI-TEST", None, "2025-10-17", None),
        ("decided", "BJ-SI-TEST", "2025-11-07", "2025-11-05", True),
        ("result_returned", "BJ-SI-TEST", "2025-11-07", "2025-11-06", True),
        ("completed", "LF-SI-TEST", "2025-11-27", "2025-11-20", True),
    ]
    assert view["suspensions"] == [
        {"from": "2025-09-29", "to": "2025-10-13", "office": "LF-SI-TEST", "reason": "written application missing"}
    ]
    assert view["applicant"]["identity_number"] == APPLICANT_ID and view["applicant"]["name"] == APPLICANT_NAME
    assert view["status"] == "closed" and view["closed_on"] == "2025-11-20"

    # every read of the case is in the audit log: who, which case, for which office, personal data shown
    reads = [e for e in _audit(store, "services.case.read") if e.target == f"case {case}"]
    assert [(e.actor, e.outcome, e.detail["offices"], e.detail["personal_data"]) for e in reads] == [
        ("lf-services", "ok", ["LF-SI-TEST"], "shown"),
        ("bj-services", "ok", ["BJ-SI-TEST"], "shown"),
        ("bj-services", "ok", ["BJ-SI-TEST"], "shown"),
        ("lf-services", "ok", ["LF-SI-TEST"], "shown"),
        ("lf-services", "ok", ["LF-SI-TEST"], "shown"),
    ]
    assert all(e.detail["applicant"] == APPLICANT_ID[0] + "*" * 16 + APPLICANT_ID[-1] for e in reads)
    [listed] = _audit(store, "services.case.list")
    assert listed.actor == "lf-services" and listed.detail["cases"] == [case]
    # the refused check is on record as failed, the others ok, in order
    steps = [(e.action, e.outcome) for e in _audit(store, "") if e.action.startswith("services.step.")]
    assert steps[0] == ("services.step.completeness_check", "failed")
    assert [o for _, o in steps[1:]] == ["ok"] * 6

    # webhooks: every event reached both jurisdictions' subscriptions, without personal data
    sent = _outbox(store)
    by_event: dict[str, set[str]] = {}
    for d in sent:
        by_event.setdefault(d["event"], set()).update(d["data"]["offices"].values())
    assert by_event["services.case.received"] == {"131000", "110000"}
    assert by_event["services.case.suspended"] == by_event["services.case.closed"] == {"131000", "110000"}
    assert "services.step.opened" in by_event and "services.case.resumed" in by_event
    assert not any(APPLICANT_ID in json.dumps(d, ensure_ascii=False) for d in sent)


def test_an_office_of_another_jurisdiction_is_refused_and_the_refusal_audited(store: Store, world: World) -> None:
    case = receive_pension_case(store, world)
    with pytest.raises(NotPartyError, match="not party to service case"):
        caseviews.get_case(store, world.tianjin.principal, case)
    with pytest.raises(NotPartyError):
        casework.complete_step(store, world.tianjin.principal, case, "completeness_check", on=D(2025, 9, 29))
    [read] = [e for e in _audit(store, "services.case.read") if e.actor == "tj-services"]
    assert (read.outcome, read.target) == ("denied", f"case {case}")
    [step] = [e for e in _audit(store, "services.step.completeness_check") if e.actor == "tj-services"]
    assert step.outcome == "denied"
    # the region's coordination office sees the procedure, the personal data masked only
    view = caseviews.get_case(store, world.region.principal, case)
    assert view["applicant"] == {"identity_number": None, "identity_masked": "131002********1238", "name": None}
    assert view["personal_data"] == "masked"


def test_a_decision_before_acceptance_is_refused_and_nothing_written(store: Store, world: World) -> None:
    case = receive_pension_case(store, world, documents=(written_application(),))
    casework.complete_step(store, world.langfang.principal, case, "completeness_check", on=D(2025, 9, 29))
    casework.complete_step(store, world.langfang.principal, case, "forwarded", on=D(2025, 9, 30))
    with store.read() as conn:
        before = conn.execute(sa.select(services_step).where(services_step.c.case_id == case)).all()
        version = conn.execute(sa.select(services_case.c.version).where(services_case.c.id == case)).scalar_one()
    with pytest.raises(StepOrderError, match="a decision before acceptance"):
        casework.complete_step(store, world.beijing.principal, case, "decided", on=D(2025, 10, 9), outcome="approved")
    with pytest.raises(ConflictError, match="changed meanwhile"):
        casework.complete_step(
            store, world.beijing.principal, case, "accepted", on=D(2025, 10, 9), expected_version=version - 1
        )
    with store.read() as conn:
        after = conn.execute(sa.select(services_step).where(services_step.c.case_id == case)).all()
        assert (
            conn.execute(sa.select(services_case.c.version).where(services_case.c.id == case)).scalar_one() == version
        )
    assert after == before


def test_an_invalid_identity_number_or_a_future_day_writes_nothing(store: Store, world: World) -> None:
    wrong_check = APPLICANT_ID[:-1] + ("0" if APPLICANT_ID[-1] != "0" else "1")
    with pytest.raises(IdentityNumberError, match="check character") as err:
        casework.receive_case(
            store, world.langfang.principal, item=PENSION, receiving_office="LF-SI-TEST",
            competent_offices=["BJ-SI-TEST"], received_on=D(2025, 9, 26), identity_number=wrong_check,
            applicant_name=APPLICANT_NAME,
        )  # fmt: skip
    assert wrong_check not in str(err.value)  # errors show the number masked
    with pytest.raises(InputError, match="in the future"):
        casework.receive_case(
            store, world.langfang.principal, item=PENSION, receiving_office="LF-SI-TEST",
            competent_offices=["BJ-SI-TEST"], received_on=D(2099, 1, 1), identity_number=APPLICANT_ID,
            applicant_name=APPLICANT_NAME,
        )  # fmt: skip
    with store.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(services_case)).scalar_one() == 0
    failed = _audit(store, "services.case.receive")
    assert [e.outcome for e in failed] == ["failed", "failed"]
    assert wrong_check not in json.dumps([e.detail for e in failed], ensure_ascii=False)


def test_overdue_steps_raise_events_to_both_offices_once_per_due_date(store: Store, world: World) -> None:
    _subscribe(store)
    case = receive_pension_case(store, world, documents=(written_application(),))
    casework.complete_step(store, world.langfang.principal, case, "completeness_check", on=D(2025, 9, 29))
    # forwarding was due 10/23; on Monday 10/27 it is 2 working days late (10/24, 10/27)
    listed = deadlines.list_overdue(store, world.langfang.principal, as_of=D(2025, 10, 27))
    assert listed["total"] == 1
    assert [(s["step"], s["due_on"], s["working_days_late"]) for s in listed["steps"]] == [
        ("forwarded", "2025-10-23", 2)
    ]
    assert deadlines.list_overdue(store, world.tianjin.principal, as_of=D(2025, 10, 27))["total"] == 0
    first = deadlines.scan(store, world.region.principal, as_of=D(2025, 10, 27))
    assert first["announced"] == 1 and first["webhooks_queued"] == 2
    [event] = [d for d in _outbox(store) if d["event"] == "services.step.overdue"][:1]
    assert event["data"]["offices"] == {"LF-SI-TEST": "131000", "BJ-SI-TEST": "110000"}
    assert event["data"]["details"] == {"due_on": "2025-10-23", "working_days_late": 2, "office": "LF-SI-TEST"}
    assert deadlines.scan(store, world.region.principal, as_of=D(2025, 10, 28))["announced"] == 0
    # a suspension stops the clock: no overdue step while suspended
    casework.suspend(store, world.langfang.principal, case, on=D(2025, 10, 28), reason="question to the applicant")
    assert deadlines.list_overdue(store, world.region.principal, as_of=D(2025, 11, 3))["total"] == 0
    # resumed on 11/3: the due date moves by the 4 working days suspended (10/28–10/31) to 10/29 …
    casework.resume(store, world.langfang.principal, case, on=D(2025, 11, 3))
    view = caseviews.get_case(store, world.langfang.principal, case)
    assert _step(view, "forwarded")["due_on"] == wd.due_date(D(2025, 10, 23), 4).isoformat() == "2025-10-29"
    # … still past: announced again for the new due date
    assert deadlines.scan(store, world.region.principal, as_of=D(2025, 11, 3))["announced"] == 1


def test_a_joint_case_decided_in_two_jurisdictions(store: Store, world: World) -> None:
    """JJJ-PS-029 (enterprise relocation, joint handling since October 2023) received in Langfang, decided
    by Beijing and Tianjin in parallel; default limits of the Administrative Licensing Law (data/process_rules.toml)."""
    _subscribe(store)
    lf, bj, tj = world.langfang, world.beijing, world.tianjin
    case = int(
        casework.receive_case(
            store, lf.principal, item="JJJ-PS-029", receiving_office=lf.office,
            competent_offices=[bj.office, tj.office], received_on=D(2025, 12, 1), identity_number=APPLICANT_ID,
            applicant_name=APPLICANT_NAME,
        )["case"]
    )  # fmt: skip
    view = caseviews.get_case(store, tj.principal, case)  # a competent office of a third jurisdiction reads it
    assert view["mode"] == "joint"
    assert _step(view, "completeness_check")["due_on"] == wd.due_date(D(2025, 12, 1), 5).isoformat() == "2025-12-08"
    casework.complete_step(store, lf.principal, case, "completeness_check", on=D(2025, 12, 2))
    casework.complete_step(store, lf.principal, case, "forwarded", on=D(2025, 12, 3))
    casework.complete_step(store, bj.principal, case, "accepted", on=D(2025, 12, 4))
    casework.complete_step(store, tj.principal, case, "accepted", on=D(2025, 12, 5))
    view = caseviews.get_case(store, lf.principal, case)
    decided = {s["office"]: s["due_on"] for s in view["steps"] if s["kind"] == "decided"}
    # 第四十二条第二款: joint handling within 45 working days of acceptance
    assert decided == {
        bj.office: wd.due_date(D(2025, 12, 4), 45).isoformat(),
        tj.office: wd.due_date(D(2025, 12, 5), 45).isoformat(),
    }
    casework.complete_step(store, bj.principal, case, "decided", on=D(2025, 12, 18), outcome="approved")
    assert _step(caseviews.get_case(store, lf.principal, case), "result_returned")["status"] == "pending"
    casework.complete_step(store, tj.principal, case, "decided", on=D(2025, 12, 19), outcome="approved")
    returned = _step(caseviews.get_case(store, lf.principal, case), "result_returned")
    assert (returned["office"], returned["due_on"]) == (bj.office, wd.due_date(D(2025, 12, 19), 10).isoformat())
    assert (
        casework.complete_step(store, bj.principal, case, "result_returned", on=D(2025, 12, 22))["status"] == "closed"
    )
    received = next(
        d for d in _outbox(store) if d["event"] == "services.case.received" and d["data"]["case_id"] == str(case)
    )
    assert set(received["data"]["offices"].values()) == {"131000", "110000", "120000"}
