"""Service cases in the store: receive, act on steps, suspend and resume, add documents.

Each function loads the case, applies the pure state machine (:mod:`xietong.services.cases`: the rules,
the deadlines on the official calendar, the refusals), writes the new state and the events in one audited
transaction (:func:`xietong.exchange.actions.audited_write`), and queues each event as a webhook to the
jurisdictions of the offices it concerns (:func:`xietong.exchange.notify.enqueue`, same transaction): a
refused step writes nothing and is on record as ``denied`` or ``failed``.

Who may act: a principal with the ``services`` scope acts for the offices of its jurisdiction (and of the
jurisdictions inside it, :meth:`~xietong.exchange.principals.Principal.may_act_for`); a region-level
administrator (the local operator) for any office. The office is named (``office=``) or, when the principal
acts for exactly one office that can do the step, inferred.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from xietong import region
from xietong.errors import ConflictError, InputError, Location, NotFoundError
from xietong.exchange import actions, notify
from xietong.exchange.crypto import SecretBox
from xietong.exchange.principals import Principal
from xietong.services import cases as core
from xietong.services import identity, privacy
from xietong.services.catalogue import Item, retention_default
from xietong.services.domain import ServicesScope
from xietong.services.enums import CaseStatus, Decision, Mode, OfficeRole, StepKind
from xietong.services.errors import NotPartyError
from xietong.services.registry import item_from_row, item_row, office_row, today
from xietong.services.tables import (
    services_case,
    services_case_event,
    services_case_party,
    services_document,
    services_step,
    services_suspension,
)
from xietong.store.clock import utcnow
from xietong.store.session import Store

#: largest document the exchange keeps [bytes]
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class DocumentIn:
    """A document handed in: its schema ``key``; ``content`` (and ``filename``) when a copy is kept,
    ``None`` when the office only saw the original at the window."""

    key: str
    content: bytes | None = None
    filename: str | None = None
    media_type: str | None = None


@dataclass(frozen=True, slots=True)
class Loaded:
    """A case as stored: its row, the core case, and the item version it was received under."""

    row: Any
    case: core.Case
    item: Item


# -- loading and saving -------------------------------------------------------------------------------


def _ints(text: str) -> tuple[int, ...]:
    return tuple(int(x) for x in text.split())


def load(conn: Connection, case_id: int, *, lock: bool = False) -> Loaded:
    """The stored case ``case_id`` as a core :class:`~xietong.services.cases.Case`."""
    q = sa.select(services_case).where(services_case.c.id == case_id)
    if lock and conn.dialect.name == "postgresql":
        q = q.with_for_update()
    row = conn.execute(q).first()
    if row is None:
        raise NotFoundError(
            f"no service case {case_id}", given=str(case_id), hint="list them with `xietong services queue`"
        )
    item = item_from_row(item_row(conn, row.item_code, row.item_version))
    offices = {
        p.office_code: core.Office(p.office_code, p.jurisdiction_code)
        for p in conn.execute(sa.select(services_case_party).where(services_case_party.c.case_id == case_id))
    }
    steps = tuple(
        core.Step(
            seq=s.seq, kind=StepKind(s.kind), office=s.office_code, depends_on=_ints(s.depends_on),
            time_limit_wd=s.time_limit_wd, counted_from=s.counted_from, basis=s.basis, opened_on=s.opened_on,
            due_on=s.due_on, done_on=s.done_on, suspended_wd=s.suspended_wd, outcome=s.outcome,
        )
        for s in conn.execute(sa.select(services_step).where(services_step.c.case_id == case_id).order_by(services_step.c.seq))
    )  # fmt: skip
    suspensions = tuple(
        core.Suspension(s.from_day, s.to_day, s.office_code, s.reason)
        for s in conn.execute(
            sa.select(services_suspension)
            .where(services_suspension.c.case_id == case_id)
            .order_by(services_suspension.c.seq)
        )
    )
    documents = frozenset(
        conn.execute(sa.select(services_document.c.key).where(services_document.c.case_id == case_id)).scalars()
    )
    case = core.Case(
        id=str(case_id),
        item_code=row.item_code,
        mode=Mode(row.mode),
        receiving=offices[row.receiving_office],
        competent=tuple(offices[c] for c in row.competent_offices.split()),
        received_on=row.received_on,
        steps=steps,
        documents=documents,
        required_documents=item.required_documents,
        document_keys=item.document_keys,
        suspensions=suspensions,
    )
    return Loaded(row, case, item)


def step_status(case: core.Case, step: core.Step) -> str:
    """The stored status of a step: pending, open, suspended (the clock stopped) or done."""
    if step.state == "open" and case.status is CaseStatus.SUSPENDED:
        return "suspended"
    return step.state


def _step_values(case: core.Case, s: core.Step) -> dict[str, Any]:
    return {
        "status": step_status(case, s),
        "opened_on": s.opened_on,
        "due_on": s.due_on,
        "done_on": s.done_on,
        "suspended_wd": s.suspended_wd,
        "outcome": s.outcome,
    }


def _insert_steps(conn: Connection, case_id: int, case: core.Case) -> None:
    offices = case.offices
    conn.execute(
        services_step.insert(),
        [
            {
                "case_id": case_id, "seq": s.seq, "kind": s.kind.value, "office_code": s.office,
                "jurisdiction_code": offices[s.office].jurisdiction, "depends_on": " ".join(map(str, s.depends_on)),
                "time_limit_wd": s.time_limit_wd, "counted_from": s.counted_from, "basis": s.basis,
                "overdue_notified_due": None, **_step_values(case, s),
            }
            for s in case.steps
        ],
    )  # fmt: skip


def _save(conn: Connection, loaded: Loaded, after: core.Case, expected_version: int | None) -> int:
    """Write ``after`` over the stored case (compare-and-set on ``version``); the new version."""
    row = loaded.row
    if expected_version is not None and expected_version != row.version:
        raise ConflictError(
            f"service case {row.id} changed meanwhile",
            expected=f"version {expected_version}",
            given=f"version {row.version}",
            hint="reload the case and try again",
        )
    before = loaded.case
    for old, new in zip(before.steps, after.steps, strict=True):
        values = _step_values(after, new)
        if old != new or values["status"] != step_status(before, old):
            conn.execute(
                services_step.update()
                .where(services_step.c.case_id == row.id, services_step.c.seq == new.seq)
                .values(**values)
            )
    for seq, sus in enumerate(after.suspensions, start=1):
        if seq > len(before.suspensions):
            conn.execute(
                services_suspension.insert().values(
                    case_id=row.id, seq=seq, from_day=sus.from_day, to_day=sus.to_day, office_code=sus.office,
                    reason=sus.reason,
                )
            )  # fmt: skip
        elif before.suspensions[seq - 1] != sus:
            conn.execute(
                services_suspension.update()
                .where(services_suspension.c.case_id == row.id, services_suspension.c.seq == seq)
                .values(to_day=sus.to_day)
            )
    closed = after.status is CaseStatus.CLOSED
    result = conn.execute(
        services_case.update()
        .where(services_case.c.id == row.id, services_case.c.version == row.version)
        .values(
            status=after.status.value,
            closed_on=max(s.done_on for s in after.steps if s.done_on) if closed else None,
            updated_at=utcnow(),
            version=row.version + 1,
        )
    )
    if result.rowcount != 1:
        raise ConflictError(f"service case {row.id} changed meanwhile", hint="reload it and try again")
    return int(row.version) + 1


def publish_events(conn: Connection, case: core.Case, events: Iterable[core.Event], actor: Principal) -> int:
    """Record ``events`` in the case's log and queue each as a webhook to its recipients' jurisdictions."""
    offices = {o.id: o.jurisdiction for o in case.offices.values()}
    return announce(conn, int(case.id), case.item_code, case.mode.value, offices, events, actor)


def announce(
    conn: Connection,
    case_id: int,
    item_code: str,
    mode: str,
    offices: dict[str, str],
    events: Iterable[core.Event],
    actor: Principal,
) -> int:
    """:func:`publish_events` for a case known by its id, item, mode and offices (office → jurisdiction)."""
    queued = 0
    now = utcnow()
    for e in events:
        conn.execute(
            services_case_event.insert().values(
                case_id=case_id, at=now, on_day=e.on, actor=actor.name, actor_jurisdiction=actor.jurisdiction,
                kind=e.type.value, step_seq=e.step_seq,
                detail=json.dumps(dict(e.details), ensure_ascii=False, sort_keys=True, default=str),
            )
        )  # fmt: skip
        payload = {**e.as_dict(), "item": item_code, "mode": mode, "offices": {o: offices[o] for o in e.recipients}}
        queued += notify.enqueue(conn, e.type.value, payload, {offices[o] for o in e.recipients})
    return queued


# -- who acts -----------------------------------------------------------------------------------------


def acting_office(case: core.Case, principal: Principal, office: str | None, *, kind: StepKind | None = None) -> str:
    """The office ``principal`` acts for on ``case``: ``office`` if given (and allowed), else the only
    party office it may act for (that has an open step of ``kind``, when given)."""
    principal.require(ServicesScope.HANDLE, "act on service cases")
    parties = case.offices
    if office is not None:
        if office not in parties:
            raise NotPartyError(
                f"office {office} is not party to case {case.id}",
                expected="the receiving office or a competent office: " + ", ".join(parties),
                given=office,
            )
        if not principal.may_act_for(parties[office].jurisdiction):
            raise NotPartyError(
                f"{principal.describe()} does not act for office {office} ({region.display_name(parties[office].jurisdiction)})",
                expected=f"a principal of {region.display_name(parties[office].jurisdiction)}",
                given=principal.describe(),
            )
        return office
    mine = [o.id for o in parties.values() if principal.may_act_for(o.jurisdiction)]
    if not mine:
        raise NotPartyError(
            f"{principal.describe()} acts for no office party to case {case.id}",
            expected="a principal of the jurisdiction of "
            + ", ".join(f"{o.id} ({o.jurisdiction})" for o in parties.values()),
            given=principal.describe(),
            hint="only the offices handling a case may read it or act on it",
        )
    if kind is not None:
        with_step = [o for o in mine if any(s.kind is kind and s.office == o and s.done_on is None for s in case.steps)]
        mine = with_step or mine
    elif len(mine) > 1:
        with_open = [o for o in mine if any(s.office == o for s in case.open_steps)]
        mine = with_open or mine
    if len(mine) > 1:
        raise InputError(
            f"{principal.describe()} acts for several offices of case {case.id}",
            expected="office= one of " + ", ".join(mine),
            given="no office",
            where=Location(field="office"),
        )
    return mine[0]


def _check_day(on: dt.date, what: str) -> dt.date:
    if on > today():
        raise InputError(
            f"{what} dated in the future",
            expected=f"a day on or before {today().isoformat()} (China Standard Time)",
            given=on.isoformat(),
            where=Location(field="on"),
        )
    return on


# -- receiving ----------------------------------------------------------------------------------------


def _documents(conn: Connection, sb: SecretBox, case_id: int, docs: Sequence[DocumentIn], office: str,
               on: dt.date, actor: Principal) -> None:  # fmt: skip
    for d in docs:
        if d.content is not None and len(d.content) > MAX_DOCUMENT_BYTES:
            raise InputError(
                f"document {d.key} is too large",
                expected=f"at most {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB",
                given=f"{len(d.content)} bytes",
                where=Location(field="documents"),
            )
        conn.execute(
            services_document.insert().values(
                case_id=case_id, key=d.key,
                filename_enc=privacy.seal_text(sb, case_id, f"document/{d.key}/filename", d.filename) if d.filename else None,
                media_type=d.media_type, size_bytes=len(d.content) if d.content is not None else None,
                content_enc=privacy.seal_bytes(sb, case_id, f"document/{d.key}/content", d.content) if d.content is not None else None,
                added_on=on, added_by=actor.name, office_code=office,
            )
        )  # fmt: skip


def _item_for(conn: Connection, code: str, on: dt.date) -> tuple[Any, Item]:
    row = item_row(conn, code)
    item = item_from_row(row)
    if item.valid_to and len(item.valid_to) == 10 and on > dt.date.fromisoformat(item.valid_to):
        raise InputError(
            f"item {code} was valid until {item.valid_to}",
            expected=f"a case received on or before {item.valid_to}",
            given=on.isoformat(),
            where=Location(field="received_on"),
        )
    return row, item


def receive_case(
    store: Store,
    principal: Principal,
    *,
    item: str,
    receiving_office: str,
    competent_offices: Sequence[str],
    received_on: dt.date,
    identity_number: str,
    applicant_name: str,
    mode: Mode | str | None = None,
    documents: Sequence[DocumentIn] = (),
) -> dict[str, Any]:
    """Receive a case at ``receiving_office`` for the item's competent office(s); returns the case's id,
    its steps with their due dates, and the events queued. The identity number must pass GB 11643-1999."""
    with actions.audited_write(store, principal, "services.case.receive", f"item {item}") as work:
        principal.require(ServicesScope.HANDLE, "receive service cases")
        conn = work.conn
        _check_day(received_on, "receipt")
        number = identity.check(identity_number, field="identity_number", as_of=received_on)
        if not applicant_name.strip():
            raise InputError(
                "the applicant's name is missing", expected="a name", given="''", where=Location(field="applicant_name")
            )
        item_rec, item_obj = _item_for(conn, item, received_on)
        recv = office_row(conn, receiving_office)
        if not principal.may_act_for(recv.jurisdiction_code):
            raise NotPartyError(
                f"{principal.describe()} does not act for office {recv.code} ({region.display_name(recv.jurisdiction_code)})",
                expected=f"a principal of {region.display_name(recv.jurisdiction_code)}",
                given=principal.describe(),
            )
        competent = [office_row(conn, c) for c in competent_offices]
        offices = [core.Office(o.code, o.jurisdiction_code, o.name_zh) for o in (recv, *competent)]
        now = utcnow()
        case_id = int(
            conn.execute(
                services_case.insert()
                .values(
                    item_code=item_rec.code, item_version=item_rec.version, mode=str(mode or item_obj.mode or ""),
                    receiving_office=recv.code, receiving_jurisdiction=recv.jurisdiction_code,
                    competent_offices=" ".join(o.code for o in competent), received_on=received_on, status="open",
                    retention_years=item_obj.retention_years or retention_default().retention_years,
                    created_by=principal.name, created_at=now, updated_at=now, version=1,
                )
                .returning(services_case.c.id)
            ).scalar_one()
        )  # fmt: skip
        case, events = core.open_case(
            str(case_id), item_obj, receiving=offices[0], competent=offices[1:], received_on=received_on,
            mode=mode, documents=[d.key for d in documents],
        )  # fmt: skip
        sb = privacy.box(store)
        conn.execute(
            services_case.update()
            .where(services_case.c.id == case_id)
            .values(
                mode=case.mode.value,
                applicant_id_enc=privacy.seal_text(sb, case_id, "identity_number", number),
                applicant_name_enc=privacy.seal_text(sb, case_id, "applicant_name", applicant_name.strip()),
            )
        )
        conn.execute(
            services_case_party.insert(),
            [{"case_id": case_id, "office_code": o.id, "jurisdiction_code": o.jurisdiction,
              "role": OfficeRole.RECEIVING.value if i == 0 else OfficeRole.COMPETENT.value}
             for i, o in enumerate(offices)],
        )  # fmt: skip
        _insert_steps(conn, case_id, case)
        _documents(conn, sb, case_id, documents, recv.code, received_on, principal)
        queued = publish_events(conn, case, events, principal)
        work.target = f"case {case_id}"
        work.detail = {
            "case": case_id, "item": item_rec.code, "item_version": item_rec.version, "mode": case.mode.value,
            "receiving": recv.code, "competent": [o.code for o in competent],
            "applicant": privacy.for_log(number), "documents": sorted(d.key for d in documents), "webhooks": queued,
        }  # fmt: skip
        return _summary(case, queued)


def _summary(case: core.Case, queued: int) -> dict[str, Any]:
    return {
        "case": int(case.id),
        "status": case.status.value,
        "steps": [
            {
                "seq": s.seq, "kind": s.kind.value, "office": s.office, "status": step_status(case, s),
                "opened_on": _iso(s.opened_on), "due_on": _iso(s.due_on), "done_on": _iso(s.done_on),
                "time_limit_wd": s.time_limit_wd, "suspended_wd": s.suspended_wd,
            }
            for s in case.steps
        ],
        "webhooks_queued": queued,
    }  # fmt: skip


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


# -- acting on a case ---------------------------------------------------------------------------------


def _transition(
    store: Store, principal: Principal, case_id: int, action: str, expected_version: int | None, apply: Any
) -> dict[str, Any]:
    """Load, ``apply(loaded, conn) -> (case, events, detail)``, save and announce, in one audited write."""
    with actions.audited_write(store, principal, action, f"case {case_id}") as work:
        principal.require(ServicesScope.HANDLE, "act on service cases")
        conn = work.conn
        loaded = load(conn, case_id, lock=True)
        after, events, detail = apply(loaded, conn)
        version = _save(conn, loaded, after, expected_version)
        queued = publish_events(conn, after, events, principal)
        work.detail = {"case": case_id, **detail, "version": version, "webhooks": queued}
        return {**_summary(after, queued), "version": version}


def complete_step(
    store: Store,
    principal: Principal,
    case_id: int,
    kind: StepKind | str,
    *,
    on: dt.date,
    outcome: Decision | str | None = None,
    office: str | None = None,
    expected_version: int | None = None,
) -> dict[str, Any]:
    """The acting office completes its open step of ``kind`` on day ``on`` (completeness check, forwarding,
    acceptance, decision with its outcome, result returned, completion)."""
    step_kind = StepKind(kind)

    def apply(loaded: Loaded, _conn: Connection) -> tuple[core.Case, list[core.Event], dict[str, Any]]:
        _check_day(on, step_kind.value)
        who = acting_office(loaded.case, principal, office, kind=step_kind)
        case, events = core.complete_step(loaded.case, office=who, kind=step_kind, on=on, outcome=outcome)
        return (
            case,
            events,
            {"step": step_kind.value, "office": who, "on": on.isoformat(), "outcome": outcome and str(outcome)},
        )

    return _transition(store, principal, case_id, f"services.step.{step_kind.value}", expected_version, apply)


def suspend(
    store: Store, principal: Principal, case_id: int, *, on: dt.date, reason: str, office: str | None = None,
    expected_version: int | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Stop the clock of a case from ``on``: the office of an open step waits for the applicant."""

    def apply(loaded: Loaded, _conn: Connection) -> tuple[core.Case, list[core.Event], dict[str, Any]]:
        _check_day(on, "suspension")
        if not reason.strip():
            raise InputError("a suspension says why", expected="a reason (what the applicant must bring)", given="''")
        who = acting_office(loaded.case, principal, office)
        case, events = core.suspend(loaded.case, office=who, on=on, reason=reason.strip())
        return case, events, {"office": who, "on": on.isoformat()}

    return _transition(store, principal, case_id, "services.case.suspend", expected_version, apply)


def resume(
    store: Store, principal: Principal, case_id: int, *, on: dt.date, documents: Sequence[DocumentIn] = (),
    office: str | None = None, expected_version: int | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Restart the clock on ``on`` (with the documents the applicant brought); open steps' due dates move by
    the working days suspended."""

    def apply(loaded: Loaded, conn: Connection) -> tuple[core.Case, list[core.Event], dict[str, Any]]:
        _check_day(on, "resumption")
        who = acting_office(loaded.case, principal, office)
        case, events = core.resume(loaded.case, office=who, on=on, documents=[d.key for d in documents])
        _documents(conn, privacy.box(store), int(case.id), documents, who, on, principal)
        return case, events, {"office": who, "on": on.isoformat(), "documents": sorted(d.key for d in documents)}

    return _transition(store, principal, case_id, "services.case.resume", expected_version, apply)


def add_documents(
    store: Store, principal: Principal, case_id: int, documents: Sequence[DocumentIn], *, on: dt.date,
    office: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Documents handed in later (while the case runs or is suspended); keys from the item's schema."""

    def apply(loaded: Loaded, conn: Connection) -> tuple[core.Case, list[core.Event], dict[str, Any]]:
        _check_day(on, "documents")
        who = acting_office(loaded.case, principal, office)
        case = core.add_documents(loaded.case, office=who, documents=[d.key for d in documents])
        _documents(conn, privacy.box(store), int(case.id), documents, who, on, principal)
        return case, [], {"office": who, "documents": sorted(d.key for d in documents)}

    return _transition(store, principal, case_id, "services.case.documents", None, apply)


__all__ = [
    "MAX_DOCUMENT_BYTES",
    "DocumentIn",
    "Loaded",
    "acting_office",
    "add_documents",
    "announce",
    "complete_step",
    "load",
    "publish_events",
    "receive_case",
    "resume",
    "step_status",
    "suspend",
]
