"""Tracking core: status and progress rules, validation, evidence ids, and hand-checked roll-ups."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from xietong.agreements.track import (
    Milestone,
    Status,
    TrackingState,
    TrackingUpdate,
    apply_update,
    rollup,
    summarise,
    tree,
)
from xietong.errors import InputError, Location

NOW = dt.datetime(2026, 5, 1, 8, tzinfo=dt.UTC)


def _apply(state: TrackingState, **kw: object) -> tuple[TrackingState, list[str]]:
    return apply_update(state, TrackingUpdate(**kw), actor="tester", now=NOW)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("start", "change", "status", "progress"),
    [
        (TrackingState(), {"progress_pct": 40}, Status.IN_PROGRESS, 40),
        (TrackingState(), {"progress_pct": 100}, Status.DONE, 100),
        (TrackingState(), {"status": "done"}, Status.DONE, 100),
        (TrackingState(Status.IN_PROGRESS, 60), {"status": "not_started"}, Status.NOT_STARTED, 0),
        (TrackingState(Status.IN_PROGRESS, 60), {"status": "blocked"}, Status.BLOCKED, 60),
        (TrackingState(Status.IN_PROGRESS, 60), {"status": "dropped"}, Status.DROPPED, 60),
        (TrackingState(Status.DONE, 100), {"progress_pct": 80}, Status.IN_PROGRESS, 80),
        (TrackingState(Status.DONE, 100), {"progress_pct": 0}, Status.IN_PROGRESS, 0),
        (TrackingState(Status.BLOCKED, 30), {"progress_pct": 100}, Status.BLOCKED, 100),
        (TrackingState(Status.BLOCKED, 30), {"progress_pct": 50}, Status.BLOCKED, 50),
        (TrackingState(), {"status": "in progress", "progress_pct": "25%"}, Status.IN_PROGRESS, 25),
        (TrackingState(), {"status": "推进中"}, Status.IN_PROGRESS, 0),
    ],
)
def test_status_and_progress_move_together(
    start: TrackingState, change: dict[str, object], status: Status, progress: float
) -> None:
    new, _ = _apply(start, **change)
    assert (new.status, new.progress_pct) == (status, progress)


def test_changed_fields_are_reported_in_order_and_nothing_is_a_no_op() -> None:
    new, changed = _apply(TrackingState(), progress_pct=40, note="kick-off held", due="2026-12-31")
    assert changed == ["status", "progress_pct", "due", "note"]
    assert new.due == dt.date(2026, 12, 31)
    same, changed = _apply(new, progress_pct=40, note="kick-off held")
    assert same == new and changed == []
    cleared, changed = apply_update(new, TrackingUpdate(clear=frozenset({"due", "note"})), actor="t", now=NOW)
    assert (cleared.due, cleared.note, changed) == (None, None, ["due", "note"])


@pytest.mark.parametrize(
    ("change", "message", "expected"),
    [
        ({"status": "done", "progress_pct": 50}, "a done task is 100 % complete", "progress 100 with status done"),
        ({"status": "not_started", "progress_pct": 5}, "has no progress", "progress 0 with status not_started"),
        ({"progress_pct": 120}, "progress out of range", "a number from 0 to 100 [%]"),
        ({"progress_pct": "forty"}, "progress out of range", "a number from 0 to 100 [%]"),
        ({"weight": -1}, "invalid weight", "a number >= 0"),
        ({"due": "31/12/2026"}, "invalid due date", "a day YYYY-MM-DD"),
        ({"status": "finished"}, "unknown task status", "not_started, in_progress, done, blocked, dropped"),
        ({"clear": frozenset({"status"})}, "only the due date and the note can be cleared", "due, note"),
        ({"milestones": [{"due": "2026-06-01"}]}, "milestone 1 has no title", "a non-empty title"),
        ({"add_evidence": [{"kind": "link", "url": "ftp://x"}]}, "a link needs an http(s) URL", "https://…"),
        ({"add_evidence": [{"kind": "photo"}]}, "unknown kind of evidence", "link, file, note"),
        ({"remove_evidence": ["e9"]}, "no such evidence on this task", "one of (none yet)"),
    ],
)
def test_bad_updates_say_what_was_expected(change: dict[str, object], message: str, expected: str) -> None:
    with pytest.raises(InputError) as err:
        apply_update(
            TrackingState(),
            TrackingUpdate(**change),
            actor="t",
            now=NOW,
            where=Location("plan.csv", 3, "status"),  # type: ignore[arg-type]
        )
    assert message in err.value.message
    assert expected in (err.value.problem.expected or "")
    assert "plan.csv, row 3" in str(err.value)


def test_evidence_ids_are_never_reused() -> None:
    state, _ = _apply(
        TrackingState(),
        add_evidence=[{"kind": "link", "url": "https://gov.cn/a", "title": "notice"}, {"kind": "note", "text": "met"}],
    )
    assert [(e.id, e.kind.value, e.title) for e in state.evidence] == [("e1", "link", "notice"), ("e2", "note", "met")]
    state, changed = _apply(state, remove_evidence=["e2"])
    assert [e.id for e in state.evidence] == ["e1"] and changed == ["evidence"]
    # the store remembers e2 was used: the next one is e3
    state, _ = apply_update(
        state,
        TrackingUpdate(add_evidence=[{"kind": "note", "text": "again"}]),
        actor="t",
        now=NOW,
        evidence_floor=3,
    )
    assert [e.id for e in state.evidence] == ["e1", "e3"]
    assert state.evidence[1].added_by == "t" and state.evidence[1].added_at == NOW


def test_milestones_replace_the_list() -> None:
    state, changed = _apply(
        TrackingState(),
        milestones=[{"title": "feasibility study", "due": "2026-09-30"}, {"title": "approval", "done": True}],
    )
    assert state.milestones == (
        Milestone("feasibility study", dt.date(2026, 9, 30), False),
        Milestone("approval", None, True),
    )
    assert changed == ["milestones"]


@dataclass(frozen=True)
class T:
    """A task as a roll-up reads it."""

    name: str
    area: str
    lead: tuple[str, ...]
    status: Status
    progress_pct: float
    weight: float = 1.0
    due: dt.date | None = None
    path: tuple[str, ...] = ()


# A hand-checked example:
#   transport: A (w 2, 50 %), B (w 1, done 100 %), C (dropped: counted, no weight)  -> (2·50 + 100) / 3 = 66.67 %
#   water:     D (w 3, 0 %, due 2026-01-01: overdue on 2026-06-01), E (w 1, blocked at 20 %) -> 20 / 4 = 5 %
#   all:       (100 + 100 + 0 + 20) / 7 = 31.43 %
TASKS = [
    T("A", "transport", ("110000",), Status.IN_PROGRESS, 50, 2, path=("1 Transport", "1.1 Rail")),
    T("B", "transport", ("110000", "120000"), Status.DONE, 100, path=("1 Transport", "1.2 Roads")),
    T("C", "transport", ("120000",), Status.DROPPED, 30, path=("1 Transport", "1.2 Roads")),
    T("D", "water", ("120000",), Status.NOT_STARTED, 0, 3, dt.date(2026, 1, 1), path=("2 Water",)),
    T("E", "water", ("130100",), Status.BLOCKED, 20, path=("2 Water",)),
]
TODAY = dt.date(2026, 6, 1)


def test_rollup_by_area_is_the_weighted_mean_without_dropped_tasks() -> None:
    transport, water = rollup(TASKS, lambda t: [t.area], today=TODAY)
    assert (transport.key, transport.tasks, transport.weight) == ("transport", 3, 3.0)
    assert transport.progress_pct == pytest.approx(200 / 3)
    assert transport.counts == {"not_started": 0, "in_progress": 1, "done": 1, "blocked": 0, "dropped": 1}
    assert (water.tasks, water.weight, water.progress_pct, water.overdue) == (2, 4.0, 5.0, 1)
    total = summarise(TASKS, today=TODAY)
    assert total.progress_pct == pytest.approx(220 / 7)
    assert (total.tasks, total.done, total.overdue) == (5, 1, 1)


def test_a_task_with_two_leads_counts_for_both_and_groups_follow_the_order() -> None:
    groups = rollup(TASKS, lambda t: t.lead, order=["130100", "110000", "120000"], labels={"110000": "Beijing"})
    assert [(g.key, g.label, g.tasks) for g in groups] == [
        ("130100", "130100", 1),
        ("110000", "Beijing", 2),
        ("120000", "120000", 3),
    ]
    beijing = groups[1]
    assert beijing.progress_pct == pytest.approx((2 * 50 + 100) / 3)
    tianjin = groups[2]  # B (w 1, 100 %), C dropped, D (w 3, 0 %)
    assert tianjin.progress_pct == pytest.approx(25.0)


def test_parents_roll_up_from_their_children() -> None:
    root = tree(TASKS, lambda t: t.path, key="7", label="agreement 7", today=TODAY)
    assert root.progress_pct == pytest.approx(220 / 7)
    transport, water = root.children
    assert [c.label for c in transport.children] == ["1.1 Rail", "1.2 Roads"]
    rail, roads = transport.children
    assert (rail.progress_pct, roads.progress_pct) == (50.0, 100.0)
    # the parent is the mean of its children weighted by their weights: (2·50 + 1·100) / 3
    assert transport.progress_pct == pytest.approx(
        (rail.weight * 50 + roads.weight * 100) / (rail.weight + roads.weight)
    )
    assert (water.key, water.progress_pct, water.children) == ("7/2", 5.0, ())


def test_no_weight_means_no_progress_not_zero() -> None:
    dropped = [T("X", "finance", ("110000",), Status.DROPPED, 40)]
    assert summarise(dropped).progress_pct is None
    assert summarise([T("Y", "finance", ("110000",), Status.IN_PROGRESS, 40, weight=0)]).progress_pct is None
    assert summarise([]).as_dict()["progress_pct"] is None
