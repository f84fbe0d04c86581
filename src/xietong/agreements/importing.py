"""Importing an agreement's text, or a revision of it: the tasks of the new text are matched to the
stored ones by id (the hash of their text); unchanged tasks keep their tracking state and history, new ones
start "not started", tasks no longer in the text are retired (kept, left out of progress)."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from xietong import region
from xietong.agreements.importer import from_text, read_source
from xietong.agreements.model import Agreement, SourceFormat
from xietong.agreements.queries import agreement_row, agreement_summary, load_tasks
from xietong.agreements.tables import agreement, agreement_import, agreement_task
from xietong.agreements.task_rows import json_text, record_version, state_columns, title_key, today_cst
from xietong.agreements.track import TrackingState
from xietong.agreements.views import HistoryAction, ImportResult
from xietong.enums import Scope
from xietong.errors import ConflictError, InputError, Location, PermissionDeniedError, excerpt
from xietong.exchange import actions
from xietong.exchange.principals import Principal
from xietong.inputs import read_input_bytes
from xietong.store.clock import utcnow
from xietong.store.session import Store


@dataclass(frozen=True, slots=True)
class _Source:
    text: str
    name: str | None
    sha256: str


def _read(source: str | Path | bytes, name: str | None, format: SourceFormat | str) -> _Source:
    if isinstance(source, str) and "\n" not in source:
        source = Path(source)
    if isinstance(source, Path):
        if not source.exists():
            raise InputError(
                "agreement file not found",
                expected="a path to a .txt, .md or .docx file",
                given=str(source),
                hint="check the path",
            )
        data = read_input_bytes(source, what="agreement file")  # a directory or unreadable file named as such
        text, _ = read_source(source, format=format)
        return _Source(text, name or source.name, hashlib.sha256(data).hexdigest())
    data = source.encode("utf-8") if isinstance(source, str) else source
    if isinstance(source, bytes) and format == SourceFormat.AUTO and name:
        suffix = Path(name).suffix.lower()
        format = {".docx": SourceFormat.DOCX, ".md": SourceFormat.MARKDOWN}.get(suffix, SourceFormat.AUTO)
    try:
        text, _ = read_source(data, format=format)
    except InputError as exc:
        if name and exc.problem.where.source is None:
            p = exc.problem
            raise InputError(
                p.message, expected=p.expected, given=p.given, where=Location(source=name), hint=p.hint
            ) from exc
        raise
    return _Source(text, name, hashlib.sha256(data).hexdigest())


def _task_content(position: int, t: Any) -> dict[str, Any]:
    return {
        "position": position,
        "number": t.number,
        "text": t.text,
        "span_start": t.span[0],
        "span_end": t.span[1],
        "section": t.section,
        "section_number": t.section_number,
        "section_path": json_text(list(t.section_path)),
        "measure": t.measure,
        "bodies": json_text(list(t.bodies)),
        "projects": json_text(list(t.projects)),
        "strength": t.strength.value,
    }


#: content changes that make a new version of a task (position and span move with any earlier edit)
_VERSIONED_CONTENT = (
    "number",
    "section",
    "section_number",
    "section_path",
    "measure",
    "bodies",
    "projects",
    "strength",
)


def import_agreement(
    store: Store,
    principal: Principal,
    source: str | Path | bytes,
    *,
    name: str | None = None,
    format: SourceFormat | str = SourceFormat.AUTO,
    agreement_id: int | None = None,
    now: dt.datetime | None = None,
) -> ImportResult:
    """Import an agreement's text (a path, the bytes of a file, or the text), or a revision of it.

    ``name`` is the file name to record for bytes or text. ``agreement_id`` makes the text a revision of
    that agreement; otherwise an agreement with the same normalised title is revised, or a new one made.
    """
    src = _read(source, name, format)
    doc: Agreement = from_text(src.text, source=src.name)
    if not doc.tasks:
        raise InputError(
            "no task found in the text",
            expected="an agreement, plan or regulation with commitments (docs/agreements-labelling.md §2)",
            given=f"{len(src.text)} characters titled {excerpt(doc.title or '', 60)!r}",
            where=Location(source=src.name),
            hint="check that the file is the agreement's text (a table, a list of names or a text without "
            "commitments has no task to track)",
        )
    target = f"agreement {agreement_id}" if agreement_id else f"file {src.name or 'text'}"
    with actions.audited_write(store, principal, "agreements.import", target) as work:
        _check_may_import(principal, doc)
        now = now or utcnow()
        conn = work.conn
        existing = _find_existing(conn, agreement_id, src.sha256, doc.title)
        counts = {"tasks": len(doc.tasks), "added": 0, "updated": 0, "unchanged": 0, "retired": 0, "restored": 0}
        if existing is not None and existing.sha256 == src.sha256:
            counts["unchanged"] = len(doc.tasks)
            work.target = f"agreement {existing.id}"
            work.detail = {"sha256": src.sha256, "unchanged": True, "revision": existing.revision}
            day = today_cst(now)
            return ImportResult(
                agreement_summary(existing, load_tasks(conn, agreement_id=int(existing.id), today=day), day),
                created=False,
                unchanged=True,
                counts=counts,
                document=doc.as_dict(),
            )
        meta = _agreement_columns(doc, src, principal, now)
        aid, revision = _write_agreement(conn, existing, meta, principal, now)
        _upsert_tasks(conn, aid, doc, principal, now, counts)
        conn.execute(
            agreement_import.insert().values(
                agreement_id=aid,
                revision=revision,
                sha256=src.sha256,
                source=meta["source"],
                imported_by=principal.name,
                imported_at=now,
                summary=json_text(counts),
            )
        )
        work.target = f"agreement {aid}"
        work.detail = {"sha256": src.sha256, "revision": revision, "title": meta["title"], "counts": counts}
        day = today_cst(now)
        row = agreement_row(conn, aid)
        return ImportResult(
            agreement_summary(row, load_tasks(conn, agreement_id=aid, today=day), day),
            created=existing is None,
            unchanged=False,
            counts=counts,
            document=doc.as_dict(),
        )


def _check_may_import(principal: Principal, doc: Agreement) -> None:
    """Refuse unless ``principal`` is an administrator of the region or of a party to ``doc``."""
    principal.require(Scope.ADMIN, "import agreements")
    party_codes = [p.code for p in doc.parties if p.code]
    if principal.jurisdiction is not None and not any(region.is_within(c, principal.jurisdiction) for c in party_codes):
        raise PermissionDeniedError(
            f"{principal.describe()} may not import an agreement it is not a party to",
            expected="an administrator of a party ("
            + (", ".join(p.name for p in doc.parties) or "no party recognised")
            + ") or of the region",
            given=principal.describe(),
        )


def _agreement_columns(doc: Agreement, src: _Source, principal: Principal, now: dt.datetime) -> dict[str, Any]:
    """The ``agreement`` row's columns for the text ``doc`` read from ``src``."""
    return {
        "title": doc.title or (src.name or "untitled"),
        "title_key": title_key(doc.title or (src.name or "untitled")),
        "parties": json_text([p.as_dict() for p in doc.parties]),
        "signed_on": doc.date,
        "language": doc.language.value,
        "source": (src.name or "")[-300:] or None,
        "sha256": src.sha256,
        "sections": json_text([s.as_dict() for s in doc.sections]),
        "text": doc.text,
        "imported_by": principal.name,
        "imported_at": now,
    }


def _write_agreement(
    conn: Connection, existing: Any, meta: dict[str, Any], principal: Principal, now: dt.datetime
) -> tuple[int, int]:
    """Insert a new agreement (revision 1) or make ``meta`` the next revision of ``existing``; returns
    the agreement's id and revision."""
    if existing is None:
        aid = conn.execute(
            agreement.insert()
            .values(**meta, revision=1, created_by=principal.name, created_at=now)
            .returning(agreement.c.id)
        ).scalar_one()
        return int(aid), 1
    revision = int(existing.revision) + 1
    conn.execute(agreement.update().where(agreement.c.id == existing.id).values(**meta, revision=revision))
    return int(existing.id), revision


def _find_existing(conn: Connection, agreement_id: int | None, sha256: str, title: str) -> Any:
    if agreement_id is not None:
        return agreement_row(conn, agreement_id)
    same_file = conn.execute(sa.select(agreement).where(agreement.c.sha256 == sha256).order_by(agreement.c.id)).first()
    if same_file is not None:
        return same_file
    same_title = conn.execute(sa.select(agreement).where(agreement.c.title_key == title_key(title))).all()
    if len(same_title) > 1:
        ids = ", ".join(str(r.id) for r in same_title)
        raise ConflictError(
            f"several agreements are titled {title!r} (ids {ids})",
            hint="say which one this text revises (--agreement ID, or agreement_id in the API)",
        )
    return same_title[0] if same_title else None


def _upsert_tasks(
    conn: Connection, aid: int, doc: Agreement, actor: Principal, now: dt.datetime, counts: dict[str, int]
) -> None:
    old_rows = {
        str(r.task_id): r for r in conn.execute(sa.select(agreement_task).where(agreement_task.c.agreement_id == aid))
    }
    seen: set[str] = set()
    for position, t in enumerate(doc.tasks):
        seen.add(t.id)
        content = _task_content(position, t)
        classification = {
            "area": t.area.value,
            "lead": json_text(list(t.lead)),
            "partners": json_text(list(t.partners)),
        }
        old = old_rows.get(t.id)
        if old is None:
            conn.execute(
                agreement_task.insert().values(
                    agreement_id=aid,
                    task_id=t.id,
                    **content,
                    **classification,
                    **state_columns(TrackingState()),
                    corrected=False,
                    in_text=True,
                    version=1,
                    evidence_seq=0,
                    updated_at=now,
                    updated_by=actor.name,
                )
            )
            record_version(conn, aid, t.id, actor, HistoryAction.IMPORT, ["created"], now)
            counts["added"] += 1
            continue
        values = dict(content)
        if not old.corrected:
            values |= classification
        values["in_text"] = True
        changed = [
            k
            for k, v in values.items()
            if k in {*_VERSIONED_CONTENT, *classification, "in_text"} and getattr(old, k) != v
        ]
        moved = any(getattr(old, k) != values[k] for k in ("position", "span_start", "span_end", "text"))
        if not changed:
            if moved:
                conn.execute(
                    agreement_task.update()
                    .where(agreement_task.c.agreement_id == aid, agreement_task.c.task_id == t.id)
                    .values(**content)
                )
            counts["unchanged"] += 1
            continue
        conn.execute(
            agreement_task.update()
            .where(agreement_task.c.agreement_id == aid, agreement_task.c.task_id == t.id)
            .values(**values, version=old.version + 1, updated_at=now, updated_by=actor.name)
        )
        record_version(conn, aid, t.id, actor, HistoryAction.IMPORT, changed, now)
        counts["restored" if not old.in_text else "updated"] += 1
    for task_id, old in old_rows.items():
        if task_id in seen or not old.in_text:
            continue
        conn.execute(
            agreement_task.update()
            .where(agreement_task.c.agreement_id == aid, agreement_task.c.task_id == task_id)
            .values(in_text=False, version=old.version + 1, updated_at=now, updated_by=actor.name)
        )
        record_version(conn, aid, task_id, actor, HistoryAction.IMPORT, ["in_text"], now)
        counts["retired"] += 1


__all__ = [
    "import_agreement",
]
