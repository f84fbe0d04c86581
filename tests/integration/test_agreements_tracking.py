"""Agreement tracking on the store: import idempotency and revisions, updates with history and audit
entries, permissions, CSV round trip and errors, progress roll-ups, evidence files."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from tests.conftest import DATA
from xietong.agreements import service
from xietong.agreements.tables import agreement, agreement_task, agreement_task_history
from xietong.agreements.track import TrackingUpdate
from xietong.air.domain import AirScope
from xietong.enums import Scope
from xietong.errors import ConflictError, InputError, NotFoundError, PermissionDeniedError
from xietong.exchange import admin, audit
from xietong.exchange.bootstrap import operator
from xietong.exchange.principals import Principal, authenticate
from xietong.store.session import Store
from xietong.store.tables import audit_log
from xietong.water.domain import WaterScope

pytestmark = pytest.mark.integration
SAMPLE = DATA / "agreements" / "beijing_tianjin_cooperation_agreement.txt"
NOW = dt.datetime(2026, 5, 1, 2, tzinfo=dt.UTC)

SMALL = """Cooperation Agreement between Beijing and Tianjin on Transport and Ecology

1. Transport
(1) The two sides will jointly build the second Beijing-Tianjin intercity railway.
(2) Tianjin will open a bus line to Beijing Capital International Airport.
(3) Tianjin supports Langfang to build a cold-chain logistics park.

2. Ecology
(1) The two sides will establish a data sharing mechanism for air-quality monitoring.
(2) Beijing and Tianjin will jointly carry out the treatment of the Chaobai River.
"""
RAIL, BUS, PARK, AIR, RIVER = "t-43628d0c2b", "t-822e5eb9b8", "t-9256937b1d", "t-0376b55090", "t-db82bcdf31"


def _principal(store: Store, name: str, jurisdiction: str | None, *scopes: Scope) -> Principal:
    op = operator(store)
    admin.create_principal(store, op, name, jurisdiction)
    token = admin.issue_token(store, op, name, frozenset(scopes)).token
    with store.read() as conn:
        return authenticate(conn, token)


@pytest.fixture
def who(store: Store) -> dict[str, Principal]:
    return {
        "office": _principal(store, "coordination-office", None, Scope.ADMIN, Scope.READ),
        "beijing": _principal(store, "beijing-drc", "110000", AirScope.PUBLISH, Scope.READ),
        "tianjin": _principal(store, "tianjin-drc", "120000", WaterScope.PUBLISH, Scope.READ),
        "hebei": _principal(store, "hebei-drc", "130000", AirScope.WARN, Scope.READ),
        "hebei-admin": _principal(store, "hebei-admin", "130000", Scope.ADMIN),
        "reader": _principal(store, "tianjin-analyst", "120000", Scope.READ),
    }


def _small(store: Store, who: dict[str, Principal], text: str = SMALL) -> service.ImportResult:
    return service.import_agreement(store, who["office"], text.encode(), name="small.txt", now=NOW)


def _count(store: Store, table: sa.Table) -> int:
    with store.read() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def _entries(store: Store, action: str) -> list[audit.AuditEntry]:
    with store.read() as conn:
        return [e for e in audit.entries(conn, limit=10_000) if e.action == action]


def test_importing_the_same_file_twice_changes_nothing(store: Store, who: dict[str, Principal]) -> None:
    first = service.import_agreement(store, who["office"], SAMPLE, now=NOW)
    assert first.created and not first.unchanged
    assert first.counts["added"] == len(first.document["tasks"]) == 93
    assert first.agreement.revision == 1 and first.agreement.source == SAMPLE.name
    tables = {t.name: _count(store, t) for t in (agreement, agreement_task, agreement_task_history)}
    assert tables == {"agreement": 1, "agreement_task": 93, "agreement_task_history": 93}
    again = service.import_agreement(store, who["office"], SAMPLE)
    assert again.unchanged and not again.created
    assert again.agreement.id == first.agreement.id and again.agreement.revision == 1
    assert again.counts["unchanged"] == 93 and again.counts["added"] == 0
    assert {t.name: _count(store, t) for t in (agreement, agreement_task, agreement_task_history)} == tables
    # the same bytes through another path (the API's upload) are the same file
    assert service.import_agreement(store, who["office"], SAMPLE.read_bytes(), name="upload.txt").unchanged
    assert [e.detail.get("unchanged") for e in _entries(store, "agreements.import")] == [None, True, True]


def test_a_revised_text_keeps_the_state_of_unchanged_tasks(store: Store, who: dict[str, Principal]) -> None:
    first = _small(store, who)
    aid = first.agreement.id
    assert [t["id"] for t in first.document["tasks"]] == [RAIL, BUS, PARK, AIR, RIVER]
    service.update_task(store, who["tianjin"], aid, BUS, TrackingUpdate(progress_pct=60, note="line 9 runs"))
    service.update_task(store, who["beijing"], aid, RIVER, TrackingUpdate(status="done"))
    revised = (
        SMALL.replace("(2) Tianjin will open a bus line to Beijing Capital International Airport.\n", "")
        .replace("(3) Tianjin supports", "(2) Tianjin supports")
        .replace(
            "Chaobai River.\n",
            "Chaobai River.\n(3) The two sides will set up a joint fund for ecological compensation.\n",
        )
    )
    second = _small(store, who, revised)
    assert second.agreement.id == aid and second.agreement.revision == 2 and not second.created
    assert second.counts == {"tasks": 5, "added": 1, "updated": 1, "unchanged": 3, "retired": 1, "restored": 0}
    view = service.get_agreement(store, who["reader"], aid)
    assert [t.id for t in view.tasks][:2] == [RAIL, PARK]
    park = next(t for t in view.tasks if t.id == PARK)
    assert park.number == "1.2" and park.version == 2  # renumbered: a new version, state untouched
    river = next(t for t in view.tasks if t.id == RIVER)
    assert (river.status.value, river.progress_pct, river.version) == ("done", 100.0, 2)
    assert BUS not in {t.id for t in view.tasks}
    retired = service.get_task(store, who["reader"], aid, BUS)
    assert (retired.in_text, retired.progress_pct, retired.note) == (False, 60.0, "line 9 runs")
    assert [h.changed for h in service.task_history(store, who["reader"], aid, BUS)] == [
        ["created"],
        ["status", "progress_pct", "note"],
        ["in_text"],
    ]
    assert [i["revision"] for i in view.imports] == [1, 2]
    # the old text again: the bus task comes back with its state
    third = _small(store, who)
    assert third.counts["restored"] == 1 and third.counts["retired"] == 1 and third.agreement.revision == 3
    back = service.get_task(store, who["reader"], aid, BUS)
    assert (back.in_text, back.progress_pct, back.number) == (True, 60.0, "1.2")


def test_an_update_is_versioned_and_audited(store: Store, who: dict[str, Principal]) -> None:
    aid = _small(store, who).agreement.id
    view = service.update_task(
        store,
        who["tianjin"],
        aid,
        BUS,
        TrackingUpdate(
            progress_pct=40,
            due="2026-12-31",
            weight=2,
            milestones=[{"title": "route approved", "done": True}, {"title": "first bus", "due": "2026-10-01"}],
            add_evidence=[{"kind": "link", "url": "https://jtys.tj.gov.cn/notice/42", "title": "route notice"}],
            note="route approved by both commissions",
        ),
        now=NOW,
    )
    assert (view.status.value, view.progress_pct, view.weight, view.version) == ("in_progress", 40.0, 2.0, 2)
    assert view.due == dt.date(2026, 12, 31) and not view.overdue
    assert [e.id for e in view.evidence] == ["e1"]
    history = service.task_history(store, who["reader"], aid, BUS)
    assert [(h.version, h.actor, h.action) for h in history] == [
        (1, "coordination-office", "import"),
        (2, "tianjin-drc", "update"),
    ]
    assert history[1].changed == ["status", "progress_pct", "weight", "due", "milestones", "evidence", "note"]
    assert history[1].at == NOW and history[1].actor_jurisdiction == "120000"
    assert history[1].state["milestones"][1] == {"title": "first bus", "due": "2026-10-01", "done": False}
    [entry] = _entries(store, "agreements.task.update")
    assert (entry.actor, entry.outcome, entry.target) == ("tianjin-drc", "ok", f"agreement {aid} task {BUS}")
    assert entry.detail["changed"] == history[1].changed and entry.detail["version"] == 2
    # removing evidence and adding more: ids are not reused
    view = service.update_task(store, who["tianjin"], aid, BUS, TrackingUpdate(remove_evidence=["e1"]))
    view = service.update_task(
        store, who["tianjin"], aid, BUS, TrackingUpdate(add_evidence=[{"kind": "note", "text": "buses ordered"}])
    )
    assert [e.id for e in view.evidence] == ["e2"] and view.version == 4
    # an update that changes nothing writes no version
    same = service.update_task(store, who["tianjin"], aid, BUS, TrackingUpdate(progress_pct=40))
    assert same.version == 4
    with pytest.raises(ConflictError, match="is at version 4, not 2"):
        service.update_task(store, who["tianjin"], aid, BUS, TrackingUpdate(progress_pct=50), expected_version=2)
    with pytest.raises(InputError, match="nothing to change"):
        service.update_task(store, who["tianjin"], aid, BUS, TrackingUpdate())
    with pytest.raises(NotFoundError, match="has no task 't-0000000000'"):
        service.get_task(store, who["reader"], aid, "t-0000000000")


def test_refusals_are_audited_and_write_nothing(store: Store, who: dict[str, Principal]) -> None:
    aid = _small(store, who).agreement.id
    versions = _count(store, agreement_task_history)
    attempts = [
        (who["reader"], BUS, "expected a token with scope track, admin or a jurisdiction's write scope"),
        (who["hebei"], BUS, "a principal of a lead or partner jurisdiction (120000 Tianjin) or of the region"),
        (who["beijing"], PARK, "(131000 Langfang, 120000 Tianjin)"),
    ]
    for principal, task, expected in attempts:
        with pytest.raises(PermissionDeniedError) as err:
            service.update_task(store, principal, aid, task, TrackingUpdate(progress_pct=10))
        assert expected in str(err.value)
    assert _count(store, agreement_task_history) == versions
    denied = [e for e in _entries(store, "agreements.task.update") if e.outcome == "denied"]
    assert [e.actor for e in denied] == ["tianjin-analyst", "hebei-drc", "beijing-drc"]
    # Hebei acts for Langfang's task (Langfang lies in Hebei), Tianjin as its partner, the office for all
    assert service.update_task(store, who["hebei"], aid, PARK, TrackingUpdate(progress_pct=10)).version == 2
    assert service.update_task(store, who["tianjin"], aid, PARK, TrackingUpdate(progress_pct=20)).version == 3
    assert service.update_task(store, who["office"], aid, PARK, TrackingUpdate(status="blocked")).version == 4
    # only the region corrects who leads; an import then keeps the correction
    with pytest.raises(PermissionDeniedError, match="may not correct the area, lead or partners"):
        service.update_task(
            store, who["tianjin"], aid, BUS, TrackingUpdate(), correction=service.Correction(lead=["北京"])
        )
    fixed = service.update_task(
        store, who["office"], aid, PARK, TrackingUpdate(), correction=service.Correction(area="industry", lead=["廊坊"])
    )
    assert (fixed.area.value, fixed.lead, fixed.corrected) == ("industry", ("131000",), True)
    service.import_agreement(
        store, who["office"], SMALL.replace("Chaobai", "Chaobai and Beiyun").encode(), name="s.txt"
    )
    assert service.get_task(store, who["reader"], aid, PARK).area.value == "industry"
    # a Hebei administrator may not import an agreement Hebei is not a party to; nothing is written
    with pytest.raises(PermissionDeniedError, match="not a party to"):
        service.import_agreement(store, who["hebei-admin"], SAMPLE)
    with pytest.raises(PermissionDeniedError, match="may not import agreements"):
        service.import_agreement(store, who["tianjin"], SAMPLE)
    assert _count(store, agreement) == 1
    assert [e.outcome for e in _entries(store, "agreements.import")] == ["ok", "ok", "denied", "denied"]


def test_progress_rolls_up_by_area_jurisdiction_agreement_and_section(store: Store, who: dict[str, Principal]) -> None:
    aid = _small(store, who).agreement.id
    office = who["office"]
    # rail: w 2, 50 %; bus: done; park: dropped; air: w 3, 0 %, overdue; river: blocked at 20 %
    service.update_task(store, office, aid, RAIL, TrackingUpdate(progress_pct=50, weight=2))
    service.update_task(store, office, aid, BUS, TrackingUpdate(status="done"))
    service.update_task(store, office, aid, PARK, TrackingUpdate(status="dropped"))
    service.update_task(store, office, aid, AIR, TrackingUpdate(weight=3, due="2026-01-01"))
    service.update_task(store, office, aid, RIVER, TrackingUpdate(status="blocked", progress_pct=20))
    today = dt.date(2026, 6, 1)
    by_area = service.progress(store, who["reader"], by="area", today=today)
    assert [(g.key, g.tasks) for g in by_area.groups] == [
        ("transport", 2), ("ecology/air", 1), ("ecology/water", 1), ("ports-customs", 1),
    ]  # fmt: skip
    transport = by_area.groups[0]
    assert transport.progress_pct == pytest.approx((2 * 50 + 100) / 3)
    assert by_area.groups[3].progress_pct is None  # only a dropped task
    assert by_area.total.progress_pct == pytest.approx((2 * 50 + 100 + 3 * 0 + 20) / 7)
    assert (by_area.total.overdue, by_area.total.done, by_area.total.counts["dropped"]) == (1, 1, 1)
    by_lead = {g.key: g for g in service.progress(store, who["reader"], by="jurisdiction", today=today).groups}
    assert set(by_lead) == {"110000", "120000", "131000"}
    assert by_lead["110000"].progress_pct == pytest.approx((2 * 50 + 3 * 0 + 20) / 6)
    assert by_lead["120000"].progress_pct == pytest.approx((2 * 50 + 100 + 3 * 0 + 20) / 7)
    assert by_lead["110000"].label == "Beijing 北京市"
    [one] = service.progress(store, who["reader"], by="agreement").groups
    assert (one.key, one.tasks) == (str(aid), 5)
    sections = service.progress(store, who["reader"], by="section", agreement_id=aid, today=today)
    assert [(g.label, g.tasks) for g in sections.groups] == [("Transport", 3), ("Ecology", 2)]
    assert sections.groups[1].progress_pct == pytest.approx(20 / 4)
    assert sections.total.progress_pct == by_area.total.progress_pct
    with pytest.raises(InputError, match="progress by section is for one agreement"):
        service.progress(store, who["reader"], by="section")
    with pytest.raises(InputError, match="unknown grouping"):
        service.progress(store, who["reader"], by="colour")


def test_tracking_csv_round_trip(store: Store, who: dict[str, Principal]) -> None:
    aid = _small(store, who).agreement.id
    service.update_task(store, who["office"], aid, RAIL, TrackingUpdate(progress_pct=100 / 3, note="tender, phase 1"))
    exported = service.export_tracking_csv(store, who["reader"])
    lines = exported.splitlines()
    assert lines[0] == ",".join(service.CSV_COLUMNS)
    assert lines[1].startswith(
        f'{aid},{RAIL},1.1,transport,110000 120000,in_progress,33.333333333333336,,1,"tender, phase 1",'
    )
    assert service.import_tracking_csv(store, who["office"], exported, source="same.csv") == {
        "rows": 5, "updated": 0, "unchanged": 5,
    }  # fmt: skip
    edited = exported.replace(
        f"{aid},{BUS},1.2,transport,120000,not_started,0,,1,,",
        f"{aid},{BUS},1.2,transport,120000,,70,2026-09-30,2,opened,",
    )
    counts = service.import_tracking_csv(store, who["tianjin"], edited.encode("gb18030"), source="edited.csv")
    assert counts == {"rows": 5, "updated": 1, "unchanged": 4}
    bus = service.get_task(store, who["reader"], aid, BUS)
    assert (bus.status.value, bus.progress_pct, bus.due, bus.weight, bus.note) == (
        "in_progress", 70.0, dt.date(2026, 9, 30), 2.0, "opened",
    )  # fmt: skip
    assert service.task_history(store, who["reader"], aid, BUS)[-1].action == "csv"
    again = service.export_tracking_csv(store, who["reader"], agreement_id=aid)
    assert service.import_tracking_csv(store, who["office"], again, source="again.csv")["updated"] == 0


def test_bad_tracking_csv_names_file_row_and_field(store: Store, who: dict[str, Principal]) -> None:
    aid = _small(store, who).agreement.id
    before = _count(store, agreement_task_history)
    bad = (
        "agreement,task,status,progress_pct,due,weight,note\n"
        f"{aid},{RAIL},finished,,,,\n"
        f"{aid},{BUS},,140,,,\n"
        f"{aid},{AIR},,,2026/12/31,-1,\n"
        f"{aid},{RAIL},,10,,,\n"
        f"{aid},t-0000000000,,10,,,\n"
        f"{aid},{RIVER},done,50,,,\n"
        f"x,{PARK},,10,,,\n"
    )
    with pytest.raises(InputError) as err:
        service.import_tracking_csv(store, who["office"], bad, source="plan.csv")
    where = [(p.where.source, p.where.row, p.where.field) for p in err.value.problems]
    assert where == [
        ("plan.csv", 2, "status"),
        ("plan.csv", 3, "progress_pct"),
        ("plan.csv", 4, "due"),
        ("plan.csv", 4, "weight"),
        ("plan.csv", 8, "agreement"),
    ]
    assert "nothing was written" in err.value.message
    assert (
        "expected not_started, in_progress, done, blocked, dropped, given 'finished' (plan.csv, row 2, field 'status')"
        in str(err.value)
    )
    # rows that parse, but name an unknown task or contradict themselves, are refused in the store
    parses = f"agreement,task,status,progress_pct\n{aid},t-0000000000,,10\n{aid},{RIVER},done,50\n"
    with pytest.raises(InputError) as err:
        service.import_tracking_csv(store, who["office"], parses, source="plan.csv")
    messages = [(p.message, p.where.row) for p in err.value.problems]
    assert messages[0] == (f"agreement {aid} has no task 't-0000000000'", 2)
    assert messages[1] == ("a done task is 100 % complete", 3)
    with pytest.raises(InputError, match="appears twice") as err:
        service.import_tracking_csv(
            store, who["office"], f"agreement,task,status\n{aid},{RAIL},done\n{aid},{RAIL},done\n", source="d.csv"
        )
    assert err.value.problem.given == "rows 2 and 3"
    with pytest.raises(InputError, match="lacks columns") as err:
        service.import_tracking_csv(store, who["office"], "task,status\nt-1,done\n", source="cols.csv")
    assert str(err.value.problem.where) == "cols.csv, row 1"
    with pytest.raises(PermissionDeniedError) as denied:
        service.import_tracking_csv(
            store, who["beijing"], f"agreement,task,progress_pct\n{aid},{RAIL},10\n{aid},{BUS},10\n", source="tj.csv"
        )
    assert "tj.csv, row 3, field 'task'" in str(denied.value) and "nothing was written" in str(denied.value)
    assert _count(store, agreement_task_history) == before
    assert service.get_task(store, who["reader"], aid, RAIL).progress_pct == 0


def test_evidence_files_are_stored_once_and_served(store: Store, who: dict[str, Principal]) -> None:
    aid = _small(store, who).agreement.id
    pdf = b"%PDF-1.4 minutes of the joint meeting\n"
    view = service.attach_file(
        store, who["tianjin"], aid, BUS, pdf, name="minutes.pdf", media_type="application/pdf", title="Minutes"
    )
    [item] = view.evidence
    assert (item.id, item.kind.value, item.title, item.size_bytes) == ("e1", "file", "Minutes", len(pdf))
    service.attach_file(store, who["beijing"], aid, RAIL, pdf, name="copy.pdf", media_type="application/pdf")
    assert service.get_file(store, who["reader"], item.sha256 or "") == ("minutes.pdf", "application/pdf", pdf)
    assert service.task_history(store, who["reader"], aid, BUS)[-1].action == "file"
    with pytest.raises(PermissionDeniedError):
        service.attach_file(store, who["reader"], aid, BUS, b"x", name="x.txt")
    with pytest.raises(NotFoundError):
        service.get_file(store, who["reader"], "0" * 64)


def test_refused_import_leaves_no_rows(store: Store, who: dict[str, Principal]) -> None:
    with pytest.raises(InputError, match="empty agreement"):
        service.import_agreement(store, who["office"], b"   \n", name="empty.txt")
    with store.read() as conn:
        assert (
            conn.execute(
                sa.select(sa.func.count()).select_from(audit_log).where(audit_log.c.action == "agreements.import")
            ).scalar_one()
            == 0
        )
    assert _count(store, agreement) == 0
