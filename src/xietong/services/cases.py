"""Cross-jurisdiction service cases as a pure state machine.

A case is an applicant's application for a catalogue item, received by an office of one jurisdiction
(the *receiving* office) and handled by the *competent* office(s) of the jurisdiction(s) that own the
item. Its steps follow the item's mode (国办发〔2020〕35号 on the three modes)::

    online     received → completeness_check → accepted → decided              (all by the competent office)
    forwarded  received → completeness_check → forwarded   (receiving office, with the documents)
               → accepted → decided → result_returned       (competent office, back to the receiving one)
    joint      received → completeness_check → forwarded   (receiving office)
               → accepted_i → decided_i for each competent office i, in parallel
               → result_returned                           (the first competent office, once all decided)

An item may bring its own step plan (``catalogue_jjj_steps.csv``; e.g. the pension transfer, three
steps of 15 working days in two jurisdictions, ending with a ``completed`` step by the receiving
office). Every step with a time limit gets a due date on the official working-day calendar
(:mod:`xietong.services.calendar`) when it opens, counted from the day it opened or from the day an
earlier step was done. A suspension (waiting for the applicant) stops the clock: on resumption every
open step's due date moves by the working days suspended.

Functions take a :class:`Case` and return a new one plus the :class:`Event` s a service would emit
(webhooks to the offices); nothing is mutated and nothing is written. Refusals: an office that is not
party to the case, or acts on another office's step (:class:`NotPartyError`, 403); a step before the
steps it waits for, such as a decision before acceptance (:class:`StepOrderError`, 409); documents the
item's schema requires but the case lacks (:class:`MissingDocumentsError`, 400).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from xietong.errors import ConflictError, InputError, Location
from xietong.services import calendar as wd
from xietong.services.catalogue import Item, ProcessRules, process_rules
from xietong.services.enums import CaseStatus, Decision, EventType, Mode, OfficeRole, StepKind
from xietong.services.errors import MissingDocumentsError, NotPartyError, StepOrderError


@dataclass(frozen=True, slots=True)
class Office:
    """An office taking part in cases: ``jurisdiction`` is a GB/T 2260 code (131000 Langfang …)."""

    id: str
    jurisdiction: str
    name: str = ""


@dataclass(frozen=True, slots=True)
class Suspension:
    """The clock stopped from ``from_day`` (inclusive) to ``to_day`` (exclusive; ``None`` while suspended)."""

    from_day: dt.date
    to_day: dt.date | None
    office: str
    reason: str


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a case: its plan (kind, office, dependencies, limit) and its state (dates)."""

    seq: int
    kind: StepKind
    office: str
    depends_on: tuple[int, ...]
    time_limit_wd: int | None
    counted_from: int | None
    basis: str = ""
    opened_on: dt.date | None = None
    due_on: dt.date | None = None
    done_on: dt.date | None = None
    suspended_wd: int = 0
    outcome: str | None = None

    @property
    def state(self) -> str:
        """``pending`` (waiting for other steps), ``open`` or ``done``."""
        if self.done_on is not None:
            return "done"
        return "open" if self.opened_on is not None else "pending"


@dataclass(frozen=True, slots=True)
class Case:
    """An applicant's case. Immutable: every transition returns a new case."""

    id: str
    item_code: str
    mode: Mode
    receiving: Office
    competent: tuple[Office, ...]
    received_on: dt.date
    steps: tuple[Step, ...]
    documents: frozenset[str] = frozenset()
    required_documents: frozenset[str] = frozenset()
    document_keys: frozenset[str] = frozenset()
    suspensions: tuple[Suspension, ...] = ()

    @property
    def offices(self) -> dict[str, Office]:
        return {o.id: o for o in (self.receiving, *self.competent)}

    @property
    def status(self) -> CaseStatus:
        if all(s.done_on is not None for s in self.steps):
            return CaseStatus.CLOSED
        if self.suspensions and self.suspensions[-1].to_day is None:
            return CaseStatus.SUSPENDED
        return CaseStatus.OPEN

    @property
    def open_steps(self) -> tuple[Step, ...]:
        return tuple(s for s in self.steps if s.state == "open")

    def step(self, seq: int) -> Step:
        return self.steps[seq - 1]


@dataclass(frozen=True, slots=True)
class Event:
    """Something a service would publish (a webhook to each recipient office)."""

    type: EventType
    case_id: str
    on: dt.date
    recipients: tuple[str, ...]
    step_seq: int | None = None
    step_kind: StepKind | None = None
    details: Mapping[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "type": self.type.value,
            "case_id": self.case_id,
            "on": self.on.isoformat(),
            "recipients": list(self.recipients),
            "step_seq": self.step_seq,
            "step_kind": self.step_kind.value if self.step_kind else None,
            "details": dict(self.details),
        }


# --------------------------------------------------------------------------------------------------
# the plan


def _rule_for(
    kind: StepKind, item: Item, rules: ProcessRules, *, joint: bool
) -> tuple[int | None, StepKind | None, str]:
    """Limit, counted-from step and basis of a step with no item-specific plan."""
    if kind is StepKind.RECEIVED:
        return None, None, ""
    rule = rules.rule(kind, joint=joint)
    limit = rule.time_limit_wd if rule else None
    basis = f"{rules.title}: {rule.basis}" if rule else ""
    if kind is StepKind.DECIDED and item.time_limit_wd is not None:
        limit, basis = item.time_limit_wd, f"the item's promised time limit ({item.code})"
    return limit, rule.counted_from if rule else None, basis


def _resolve_counted_from(plan: list[Step], kind: StepKind | None, office: str) -> int | None:
    if kind is None:
        return None
    same_office = [s.seq for s in plan if s.kind is kind and s.office == office]
    any_office = [s.seq for s in plan if s.kind is kind]
    found = same_office or any_office
    return found[-1] if found else None


def _plan_from_item(item: Item, receiving: Office, competent: Office) -> list[Step]:
    plan: list[Step] = []
    for rule in item.steps:
        office = receiving.id if rule.role is OfficeRole.RECEIVING else competent.id
        seq = len(plan) + 1
        plan.append(
            Step(
                seq=seq,
                kind=rule.kind,
                office=office,
                depends_on=(seq - 1,) if seq > 1 else (),
                time_limit_wd=rule.time_limit_wd,
                counted_from=_resolve_counted_from(plan, rule.counted_from, office),
                basis=rule.basis,
            )
        )
    return plan


def _default_plan(
    item: Item, mode: Mode, receiving: Office, competent: tuple[Office, ...], rules: ProcessRules
) -> list[Step]:
    plan: list[Step] = []
    joint = mode is Mode.JOINT

    def add(kind: StepKind, office: Office, depends_on: tuple[int, ...]) -> int:
        limit, counted_kind, basis = _rule_for(kind, item, rules, joint=joint)
        seq = len(plan) + 1
        plan.append(
            Step(seq, kind, office.id, depends_on, limit, _resolve_counted_from(plan, counted_kind, office.id), basis)
        )
        return seq

    first = receiving if mode is not Mode.ONLINE else competent[0]
    last = add(StepKind.COMPLETENESS_CHECK, first, (add(StepKind.RECEIVED, first, ()),))
    if mode is not Mode.ONLINE:
        last = add(StepKind.FORWARDED, receiving, (last,))
    decided = [add(StepKind.DECIDED, c, (add(StepKind.ACCEPTED, c, (last,)),)) for c in competent]
    if mode is not Mode.ONLINE:
        add(StepKind.RESULT_RETURNED, competent[0], tuple(decided))
    return plan


def _check_parties(mode: Mode, receiving: Office, competent: Sequence[Office]) -> None:
    ids = [receiving.id] + [c.id for c in competent]
    if not competent:
        raise InputError(
            "a case needs a competent office",
            expected="at least one competent office",
            given="none",
            where=Location(field="competent"),
        )
    if mode is Mode.ONLINE and (len(competent) != 1 or receiving.id != competent[0].id):
        raise InputError(
            "an online case is received by its competent office",
            expected="receiving office = the one competent office",
            given=f"{receiving.id} receiving, {', '.join(c.id for c in competent)} competent",
            where=Location(field="competent"),
            hint="use mode 'forwarded' when another jurisdiction's window receives the application",
        )
    if mode is Mode.FORWARDED and (len(competent) != 1 or competent[0].jurisdiction == receiving.jurisdiction):
        raise InputError(
            "a forwarded case goes to one competent office of another jurisdiction",
            expected="one competent office outside the receiving office's jurisdiction",
            given=", ".join(f"{c.id} ({c.jurisdiction})" for c in competent) + f"; receiving {receiving.jurisdiction}",
            where=Location(field="competent"),
        )
    if mode is Mode.JOINT and len({c.jurisdiction for c in competent}) < 2:
        raise InputError(
            "a joint case involves competent offices of at least two jurisdictions",
            expected="two or more competent offices in different jurisdictions",
            given=", ".join(f"{c.id} ({c.jurisdiction})" for c in competent),
            where=Location(field="competent"),
        )
    if mode is not Mode.ONLINE and len(set(ids)) != len(ids):
        raise InputError(
            "an office appears twice in the case",
            expected="distinct offices",
            given=", ".join(ids),
            where=Location(field="competent"),
        )


def _check_document_keys(keys: Iterable[str], schema: frozenset[str], item_code: str) -> frozenset[str]:
    given = frozenset(keys)
    unknown = sorted(given - schema) if schema else []
    if unknown:
        raise InputError(
            f"documents not in the schema of item {item_code}",
            expected=", ".join(sorted(schema)),
            given=", ".join(unknown),
            where=Location(field="documents"),
        )
    return given


# --------------------------------------------------------------------------------------------------
# transitions


def open_case(
    case_id: str,
    item: Item,
    *,
    receiving: Office,
    competent: Sequence[Office],
    received_on: dt.date,
    documents: Iterable[str] = (),
    mode: Mode | str | None = None,
    rules: ProcessRules | None = None,
    calendar: wd.WorkingCalendar | None = None,
) -> tuple[Case, list[Event]]:
    """A new case received on ``received_on``: the ``received`` step done, the next step(s) opened."""
    chosen = Mode(mode) if mode is not None else item.mode
    if chosen is None:
        raise InputError(
            f"item {item.code} does not state its mode",
            expected="mode online, forwarded or joint",
            given="none",
            where=Location(field="mode"),
        )
    if item.mode is not None and chosen is not item.mode:
        raise InputError(
            f"item {item.code} is handled {item.mode.value}",
            expected=item.mode.value,
            given=chosen.value,
            where=Location(field="mode"),
        )
    competent = tuple(competent)
    _check_parties(chosen, receiving, competent)
    docs = _check_document_keys(documents, item.document_keys, item.code)
    if item.steps:
        if len(competent) != 1:
            raise InputError(
                f"item {item.code} has a two-party step plan",
                expected="one competent office",
                given=str(len(competent)),
                where=Location(field="competent"),
            )
        plan = _plan_from_item(item, receiving, competent[0])
    else:
        plan = _default_plan(item, chosen, receiving, competent, rules or process_rules())
    case = Case(
        id=case_id,
        item_code=item.code,
        mode=chosen,
        receiving=receiving,
        competent=competent,
        received_on=received_on,
        steps=tuple(plan),
        documents=docs,
        required_documents=item.required_documents,
        document_keys=item.document_keys,
    )
    first = case.steps[0]
    case = replace(case, steps=(replace(first, opened_on=received_on, done_on=received_on), *case.steps[1:]))
    events = [
        Event(
            EventType.CASE_RECEIVED,
            case_id,
            received_on,
            _everyone(case),
            1,
            first.kind,
            {"item": item.code, "mode": chosen.value},
        )
    ]
    case, opened = _open_ready(case, received_on, calendar)
    return case, events + opened


def complete_step(
    case: Case,
    *,
    office: str,
    kind: StepKind | str,
    on: dt.date,
    outcome: Decision | str | None = None,
    calendar: wd.WorkingCalendar | None = None,
) -> tuple[Case, list[Event]]:
    """``office`` completes its open step of ``kind`` on day ``on``; the steps waiting for it open."""
    kind = StepKind(kind)
    step = _own_step(case, office, kind)
    if case.status is CaseStatus.SUSPENDED:
        since = case.suspensions[-1].from_day.isoformat()
        raise ConflictError(
            f"case {case.id} is suspended since {since}",
            expected="an open case",
            given="suspended",
            hint="resume the case first",
        )
    if step.state == "pending":
        raise _order_error(case, step)
    assert step.opened_on is not None
    if on < step.opened_on:
        raise InputError(
            f"{kind.value} dated before the step opened",
            expected=f"on or after {step.opened_on.isoformat()}",
            given=on.isoformat(),
            where=Location(field="on"),
        )
    if kind in (StepKind.COMPLETENESS_CHECK, StepKind.ACCEPTED):
        _check_complete(case)
    decision: str | None = None
    if kind is StepKind.DECIDED:
        if outcome is None:
            raise InputError(
                "a decision needs its outcome",
                expected="approved or refused",
                given="nothing",
                where=Location(field="outcome"),
            )
        decision = Decision(outcome).value
    done = replace(step, done_on=on, outcome=decision)
    case = _with_step(case, done)
    details: dict[str, Any] = {"due_on": _iso(step.due_on), "on_time": step.due_on is None or on <= step.due_on}
    if decision:
        details["decision"] = decision
    events = [Event(EventType.STEP_COMPLETED, case.id, on, _recipients(case, done), done.seq, kind, details)]
    case, opened = _open_ready(case, on, calendar)
    events += opened
    if case.status is CaseStatus.CLOSED:
        events.append(Event(EventType.CASE_CLOSED, case.id, on, _everyone(case)))
    return case, events


def suspend(case: Case, *, office: str, on: dt.date, reason: str) -> tuple[Case, list[Event]]:
    """Stop the clock from ``on``: the office of an open step waits for the applicant."""
    _party(case, office)
    if case.status is not CaseStatus.OPEN:
        raise ConflictError(f"case {case.id} is {case.status.value}", expected="an open case", given=case.status.value)
    if not any(s.office == office for s in case.open_steps):
        raise NotPartyError(
            f"office {office} has no open step on case {case.id}",
            expected="the office of an open step: " + ", ".join(sorted({s.office for s in case.open_steps})),
            given=office,
        )
    case = replace(case, suspensions=(*case.suspensions, Suspension(on, None, office, reason)))
    return case, [
        Event(EventType.CASE_SUSPENDED, case.id, on, _everyone(case), details={"reason": reason, "by": office})
    ]


def resume(
    case: Case,
    *,
    office: str,
    on: dt.date,
    documents: Iterable[str] = (),
    calendar: wd.WorkingCalendar | None = None,
) -> tuple[Case, list[Event]]:
    """Restart the clock on ``on`` (documents received with it are added); open steps' due dates move
    by the working days suspended, [suspension start, ``on``)."""
    _party(case, office)
    if case.status is not CaseStatus.SUSPENDED:
        raise ConflictError(f"case {case.id} is not suspended", expected="a suspended case", given=case.status.value)
    current = case.suspensions[-1]
    if on < current.from_day:
        raise InputError(
            "resumption before the suspension",
            expected=f"on or after {current.from_day.isoformat()}",
            given=on.isoformat(),
            where=Location(field="on"),
        )
    added = _check_document_keys(documents, case.document_keys, case.item_code)
    lost = int(wd.suspended_working_days(current.from_day, on, calendar=calendar))
    steps = tuple(
        replace(s, due_on=wd.due_date(s.due_on, lost, calendar=calendar), suspended_wd=s.suspended_wd + lost)
        if s.state == "open" and s.due_on is not None
        else s
        for s in case.steps
    )
    case = replace(
        case,
        steps=steps,
        documents=case.documents | added,
        suspensions=(*case.suspensions[:-1], replace(current, to_day=on)),
    )
    details = {"suspended_working_days": lost, "due_on": {s.seq: _iso(s.due_on) for s in case.open_steps}}
    return case, [Event(EventType.CASE_RESUMED, case.id, on, _everyone(case), details=details)]


def add_documents(case: Case, *, office: str, documents: Iterable[str]) -> Case:
    """Documents handed in later (e.g. while the case is suspended)."""
    _party(case, office)
    return replace(case, documents=case.documents | _check_document_keys(documents, case.document_keys, case.item_code))


def allowed_steps(case: Case, office: str) -> tuple[Step, ...]:
    """The open steps ``office`` may complete now (none while the case is suspended)."""
    _party(case, office)
    if case.status is not CaseStatus.OPEN:
        return ()
    return tuple(s for s in case.open_steps if s.office == office)


def overdue(case: Case, as_of: dt.date, *, calendar: wd.WorkingCalendar | None = None) -> list[Event]:
    """``step_overdue`` events for the open steps whose due date is before ``as_of`` (not while suspended),
    addressed to the receiving office and the competent offices."""
    if case.status is not CaseStatus.OPEN:
        return []
    events = []
    for s in case.open_steps:
        if s.due_on is not None and s.due_on < as_of:
            late = int(wd.working_days_between(s.due_on, as_of, calendar=calendar))
            details = {"due_on": s.due_on.isoformat(), "working_days_late": late, "office": s.office}
            events.append(Event(EventType.STEP_OVERDUE, case.id, as_of, _everyone(case), s.seq, s.kind, details))
    return events


def overdue_mask(steps: pd.DataFrame, as_of: dt.date) -> pd.Series:
    """Vectorised: which rows of a steps frame (``due_on``, ``done_on``, ``suspended`` columns) are overdue
    on ``as_of``: not done, not suspended, due before ``as_of``."""
    due = pd.to_datetime(steps["due_on"])
    done = pd.to_datetime(steps["done_on"])
    suspended = steps["suspended"].astype(bool) if "suspended" in steps else pd.Series(False, index=steps.index)
    return (done.isna() & ~suspended & due.notna() & (due < pd.Timestamp(as_of))).rename("overdue")


def steps_frame(cases: Iterable[Case]) -> pd.DataFrame:
    """One row per step of the given cases, the shape the statistics and the store use."""
    rows = []
    for c in cases:
        suspended = c.status is CaseStatus.SUSPENDED
        jur = c.offices
        for s in c.steps:
            rows.append(
                {
                    "case_id": c.id,
                    "item_code": c.item_code,
                    "mode": c.mode.value,
                    "receiving_jurisdiction": c.receiving.jurisdiction,
                    "seq": s.seq,
                    "kind": s.kind.value,
                    "office": s.office,
                    "jurisdiction": jur[s.office].jurisdiction,
                    "opened_on": s.opened_on,
                    "due_on": s.due_on,
                    "done_on": s.done_on,
                    "time_limit_wd": s.time_limit_wd,
                    "suspended_wd": s.suspended_wd,
                    "suspended": suspended and s.state == "open",
                    "outcome": s.outcome,
                }
            )
    frame = pd.DataFrame(rows)
    for col in ("opened_on", "due_on", "done_on"):
        if col in frame:
            frame[col] = pd.to_datetime(frame[col])
    return frame


# --------------------------------------------------------------------------------------------------
# helpers


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _everyone(case: Case) -> tuple[str, ...]:
    return tuple(case.offices)


def _recipients(case: Case, step: Step) -> tuple[str, ...]:
    return tuple(dict.fromkeys((case.receiving.id, step.office)))


def _party(case: Case, office: str) -> Office:
    try:
        return case.offices[office]
    except KeyError:
        raise NotPartyError(
            f"office {office} is not party to case {case.id}",
            expected="the receiving office or a competent office: " + ", ".join(case.offices),
            given=office,
            hint="only the offices handling a case may read it or act on it",
        ) from None


def _own_step(case: Case, office: str, kind: StepKind) -> Step:
    _party(case, office)
    of_kind = [s for s in case.steps if s.kind is kind]
    if not of_kind:
        raise InputError(
            f"case {case.id} has no {kind.value} step",
            expected=", ".join(dict.fromkeys(s.kind.value for s in case.steps)),
            given=kind.value,
        )
    mine = [s for s in of_kind if s.office == office]
    if not mine:
        raise NotPartyError(
            f"the {kind.value} step of case {case.id} is done by {', '.join(sorted({s.office for s in of_kind}))}, not {office}",
            expected=", ".join(sorted({s.office for s in of_kind})),
            given=office,
        )
    todo = [s for s in mine if s.done_on is None]
    if not todo:
        raise ConflictError(
            f"{kind.value} of case {case.id} is already done", expected="a step not yet done", given=kind.value
        )
    return todo[0]


def _order_error(case: Case, step: Step) -> StepOrderError:
    waiting = [case.step(d) for d in step.depends_on if case.step(d).done_on is None]
    names = ", ".join(f"{w.kind.value} by {w.office}" for w in waiting)
    if step.kind is StepKind.DECIDED and any(w.kind is StepKind.ACCEPTED for w in waiting):
        message = f"a decision before acceptance on case {case.id}"
    else:
        message = f"{step.kind.value} of case {case.id} before the steps it waits for"
    return StepOrderError(
        message, expected=f"first: {names}", given=step.kind.value, hint="complete the earlier steps first"
    )


def _check_complete(case: Case) -> None:
    missing = sorted(case.required_documents - case.documents)
    if missing:
        raise MissingDocumentsError(
            f"case {case.id} lacks documents item {case.item_code} requires",
            expected=", ".join(sorted(case.required_documents)),
            given=", ".join(sorted(case.documents)) or "none",
            where=Location(field="documents"),
            hint="missing: " + ", ".join(missing) + " (suspend the case and ask the applicant)",
        )


def _with_step(case: Case, step: Step) -> Case:
    steps = list(case.steps)
    steps[step.seq - 1] = step
    return replace(case, steps=tuple(steps))


def _suspended_between(case: Case, start: dt.date, end: dt.date, calendar: wd.WorkingCalendar | None) -> int:
    """Working days of closed suspensions within [start, end)."""
    total = 0
    for s in case.suspensions:
        if s.to_day is None:
            continue
        a, b = max(s.from_day, start), min(s.to_day, end)
        if b > a:
            total += int(wd.suspended_working_days(a, b, calendar=calendar))
    return total


def _open_ready(case: Case, on: dt.date, calendar: wd.WorkingCalendar | None) -> tuple[Case, list[Event]]:
    """Open every pending step whose dependencies are done, with its due date."""
    events: list[Event] = []
    for s in case.steps:
        if s.state != "pending" or any(case.step(d).done_on is None for d in s.depends_on):
            continue
        due = None
        extra = 0
        if s.time_limit_wd is not None:
            base = case.step(s.counted_from).done_on if s.counted_from else on
            assert base is not None
            extra = _suspended_between(case, base, on, calendar)
            due = wd.due_date(base, s.time_limit_wd + extra, calendar=calendar)
        opened = replace(s, opened_on=on, due_on=due, suspended_wd=extra)
        case = _with_step(case, opened)
        events.append(
            Event(
                EventType.STEP_OPENED,
                case.id,
                on,
                _recipients(case, opened),
                s.seq,
                s.kind,
                {"due_on": _iso(due), "time_limit_wd": s.time_limit_wd, "basis": s.basis},
            )
        )
    return case, events


def due_dates(steps: pd.DataFrame, *, calendar: wd.WorkingCalendar | None = None) -> pd.Series:
    """Vectorised due dates of many steps: ``base_on`` + ``time_limit_wd`` + ``suspended_wd`` working days
    (rows without a limit get NaT). The bulk path for recomputing deadlines of a whole store."""
    has = steps["time_limit_wd"].notna().to_numpy()
    out = pd.Series(pd.NaT, index=steps.index, dtype="datetime64[s]")
    if has.any():
        sub = steps.loc[has]
        n = sub["time_limit_wd"].astype(np.int64) + sub.get("suspended_wd", pd.Series(0, index=sub.index)).fillna(
            0
        ).astype(np.int64)
        out.loc[has] = wd.due_date(pd.to_datetime(sub["base_on"]).to_numpy(), n.to_numpy(), calendar=calendar)
    return out.rename("due_on")


__all__ = [
    "Case",
    "Event",
    "Office",
    "Step",
    "Suspension",
    "add_documents",
    "allowed_steps",
    "complete_step",
    "due_dates",
    "open_case",
    "overdue",
    "overdue_mask",
    "resume",
    "steps_frame",
    "suspend",
]
