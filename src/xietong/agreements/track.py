"""Tracking of agreement tasks: status, progress, weight, due date, milestones, evidence, and roll-ups.

The pure part of issue 7 §3 (no database): :func:`apply_update` turns a requested change into a new
:class:`TrackingState` and the list of fields it changed, refusing inconsistent input with an
:class:`~xietong.errors.InputError`; :func:`rollup` and :func:`tree` compute weighted progress the way
Decidim's Accountability module does.

Status and progress move together (Decidim sets the progress from the status where the status implies
one)::

    status given, progress not:   done -> 100 %, not started -> 0 %, others keep the progress
    progress given, status not:   100 % -> done (from not started / in progress)
                                  below 100 % from done, above 0 % from not started -> in progress
    always:                       done needs 100 %, not started needs 0 %

Roll-up: the progress of a group of tasks is the weighted mean of their progress,
``sum(weight * progress_pct) / sum(weight)`` over the tasks that are not dropped; a parent's progress
(agreement → section → subsection → task) is the weighted mean of its children's, each child weighing the
sum of its tasks' weights, which is the same number. Dropped tasks are counted but carry no weight;
blocked tasks keep their progress. A group with no weight has no progress (``None``), never 0.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any, Protocol, TypeVar

from xietong.errors import InputError, Location


class Status(StrEnum):
    """Where a task stands (Decidim result statuses; OGP "completion" levels)."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    BLOCKED = "blocked"
    DROPPED = "dropped"

    @property
    def label(self) -> str:
        """``not started``, ``in progress`` …"""
        return self.value.replace("_", " ")

    @property
    def label_zh(self) -> str:
        return _STATUS_ZH[self]

    @classmethod
    def parse(cls, text: str, *, where: Location | None = None) -> Status:
        """Accept ``in_progress``, ``in progress``, ``In-Progress``, and the Chinese labels."""
        key = re.sub(r"[\s-]+", "_", str(text).strip().lower())
        for s in cls:
            if key in {s.value, _STATUS_ZH[s]}:
                return s
        raise InputError(
            "unknown task status",
            expected=", ".join(s.value for s in cls),
            given=repr(text),
            where=where,
        )


_STATUS_ZH: dict[Status, str] = {
    Status.NOT_STARTED: "未启动",
    Status.IN_PROGRESS: "推进中",
    Status.DONE: "已完成",
    Status.BLOCKED: "受阻",
    Status.DROPPED: "已取消",
}

#: statuses that end a task: a task in one of them is never overdue
CLOSED_STATUSES = frozenset({Status.DONE, Status.DROPPED})


class EvidenceKind(StrEnum):
    """What a piece of evidence is: a link, an uploaded file (kept in the store by its SHA-256), a note."""

    LINK = "link"
    FILE = "file"
    NOTE = "note"


@dataclass(frozen=True, slots=True)
class Milestone:
    """A step of a task (OGP: milestone with a due date)."""

    title: str
    due: dt.date | None = None
    done: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"title": self.title, "due": self.due.isoformat() if self.due else None, "done": self.done}


@dataclass(frozen=True, slots=True)
class Evidence:
    """One piece of evidence. ``id`` is ``e1``, ``e2`` … within the task, never reused."""

    id: str
    kind: EvidenceKind
    title: str
    added_by: str
    added_at: dt.datetime
    url: str | None = None
    text: str | None = None
    sha256: str | None = None
    size_bytes: int | None = None
    media_type: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "kind": self.kind.value,
            "title": self.title,
            "added_by": self.added_by,
            "added_at": self.added_at.isoformat(),
        }
        for key in ("url", "text", "sha256", "size_bytes", "media_type"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        return out

    @classmethod
    def from_dict(cls, item: Mapping[str, Any]) -> Evidence:
        """Read back what :meth:`as_dict` wrote (the store keeps evidence as JSON)."""
        return cls(
            id=str(item["id"]),
            kind=EvidenceKind(item["kind"]),
            title=str(item.get("title") or ""),
            added_by=str(item.get("added_by") or ""),
            added_at=dt.datetime.fromisoformat(str(item["added_at"])),
            url=item.get("url"),
            text=item.get("text"),
            sha256=item.get("sha256"),
            size_bytes=item.get("size_bytes"),
            media_type=item.get("media_type"),
        )


@dataclass(frozen=True, slots=True)
class TrackingState:
    """The tracking state of one task. ``progress_pct`` in [0, 100] [%]; ``weight`` >= 0 (default 1)."""

    status: Status = Status.NOT_STARTED
    progress_pct: float = 0.0
    weight: float = 1.0
    due: dt.date | None = None
    milestones: tuple[Milestone, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    note: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "progress_pct": self.progress_pct,
            "weight": self.weight,
            "due": self.due.isoformat() if self.due else None,
            "milestones": [m.as_dict() for m in self.milestones],
            "evidence": [e.as_dict() for e in self.evidence],
            "note": self.note,
        }


#: fields of :class:`TrackingState`, in the order changes are reported
STATE_FIELDS = ("status", "progress_pct", "weight", "due", "milestones", "evidence", "note")
#: fields an update may clear (set to nothing)
CLEARABLE = frozenset({"due", "note"})


@dataclass(frozen=True, slots=True)
class TrackingUpdate:
    """A requested change; ``None`` leaves a field as it is, ``clear`` empties ``due`` or ``note``.

    ``milestones`` replaces the whole list; evidence is appended (``add_evidence``: mappings with
    ``kind`` = ``link`` + ``url`` [+ ``title``], ``note`` + ``text``, or ``file`` + ``sha256``, ``title``,
    ``size_bytes``, ``media_type``) or removed by id (``remove_evidence``).
    """

    status: Status | str | None = None
    progress_pct: float | str | None = None
    weight: float | str | None = None
    due: dt.date | str | None = None
    milestones: Sequence[Milestone | Mapping[str, Any]] | None = None
    add_evidence: Sequence[Mapping[str, Any]] = ()
    remove_evidence: Sequence[str] = ()
    note: str | None = None
    clear: frozenset[str] = field(default_factory=frozenset)

    @property
    def empty(self) -> bool:
        return (
            all(getattr(self, f) is None for f in ("status", "progress_pct", "weight", "due", "milestones", "note"))
            and not self.add_evidence
            and not self.remove_evidence
            and not self.clear
        )


# -------------------------------------------------------------------------------------- validation
def parse_progress(value: float | str, *, where: Location | None = None) -> float:
    """A progress in per cent: a number in [0, 100] (``"40"``, ``"40%"``, ``40.5``)."""
    text = str(value).strip().rstrip("%").strip()
    try:
        p = float(text)
    except ValueError:
        p = math.nan
    if not math.isfinite(p) or not 0 <= p <= 100:
        raise InputError(
            "progress out of range",
            expected="a number from 0 to 100 [%]",
            given=repr(value),
            where=where,
            hint="progress is a percentage: 40 means 40 %",
        )
    return p


def parse_weight(value: float | str, *, where: Location | None = None) -> float:
    """A roll-up weight: a finite number >= 0 (0 keeps the task out of the roll-up)."""
    try:
        w = float(str(value).strip())
    except ValueError:
        w = math.nan
    if not math.isfinite(w) or w < 0:
        raise InputError("invalid weight", expected="a number >= 0 (default 1)", given=repr(value), where=where)
    return w


def parse_day(value: dt.date | str, *, where: Location | None = None, what: str = "due date") -> dt.date:
    """A calendar day ``YYYY-MM-DD`` (China Standard Time)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise InputError(f"invalid {what}", expected="a day YYYY-MM-DD", given=repr(value), where=where) from None


def parse_milestones(
    items: Sequence[Milestone | Mapping[str, Any]], *, where: Location | None = None
) -> tuple[Milestone, ...]:
    """Validate milestones (mappings with ``title``, optional ``due`` and ``done``)."""
    out: list[Milestone] = []
    for i, item in enumerate(items, start=1):
        if isinstance(item, Milestone):
            out.append(item)
            continue
        if not isinstance(item, Mapping):
            raise InputError(
                f"milestone {i} is not an object",
                expected='{"title": …, "due": "YYYY-MM-DD", "done": false}',
                given=repr(item)[:80],
                where=where,
            )
        title = str(item.get("title") or "").strip()
        if not title:
            raise InputError(
                f"milestone {i} has no title", expected="a non-empty title", given=repr(item)[:80], where=where
            )
        due = item.get("due")
        done = item.get("done", False)
        if not isinstance(done, bool):
            raise InputError(f"milestone {i}: done is not true or false", given=repr(done), where=where)
        out.append(
            Milestone(title, parse_day(due, where=where, what=f"due date of milestone {i}") if due else None, done)
        )
    return tuple(out)


def _new_evidence(
    item: Mapping[str, Any], number: int, actor: str, now: dt.datetime, where: Location | None
) -> Evidence:
    try:
        kind = EvidenceKind(str(item.get("kind", "")).strip())
    except ValueError:
        raise InputError(
            "unknown kind of evidence",
            expected=", ".join(k.value for k in EvidenceKind),
            given=repr(item.get("kind")),
            where=where,
        ) from None
    title = str(item.get("title") or "").strip()
    eid = f"e{number}"
    if kind is EvidenceKind.LINK:
        url = str(item.get("url") or "").strip()
        if not re.match(r"^https?://\S+$", url):
            raise InputError(
                "a link needs an http(s) URL", expected="https://…", given=repr(item.get("url")), where=where
            )
        return Evidence(eid, kind, title or url, actor, now, url=url)
    if kind is EvidenceKind.NOTE:
        text = str(item.get("text") or "").strip()
        if not text:
            raise InputError("a note needs its text", given="an empty note", where=where)
        return Evidence(eid, kind, title or text[:80], actor, now, text=text)
    sha = str(item.get("sha256") or "").strip().lower()
    if not re.fullmatch(r"[0-9a-f]{64}", sha):
        raise InputError(
            "file evidence names the stored file by its SHA-256",
            expected="64 hex digits (upload the file first)",
            given=repr(item.get("sha256")),
            where=where,
        )
    size = item.get("size_bytes")
    return Evidence(
        eid,
        kind,
        title or sha[:12],
        actor,
        now,
        sha256=sha,
        size_bytes=int(size) if size is not None else None,
        media_type=item.get("media_type"),
    )


def _next_evidence_number(evidence: Iterable[Evidence]) -> int:
    numbers = [int(e.id[1:]) for e in evidence if re.fullmatch(r"e\d+", e.id)]
    return max(numbers, default=0) + 1


def apply_update(
    state: TrackingState,
    update: TrackingUpdate,
    *,
    actor: str,
    now: dt.datetime,
    where: Location | None = None,
    evidence_floor: int = 1,
) -> tuple[TrackingState, list[str]]:
    """The state after ``update`` and the fields that changed (in :data:`STATE_FIELDS` order).

    ``evidence_floor`` is the lowest number a new evidence id may take (the store passes one more than
    the highest id the task ever had, so removed ids are not reused).

    Raises
    ------
    InputError
        Out-of-range progress or weight, an unknown status, a bad date, a status that contradicts the
        progress (done below 100 %, not started above 0 %), an unknown evidence id.
    """
    unknown = set(update.clear) - CLEARABLE
    if unknown:
        raise InputError(
            "only the due date and the note can be cleared",
            expected=", ".join(sorted(CLEARABLE)),
            given=", ".join(sorted(unknown)),
            where=where,
        )
    status, progress = _status_and_progress(state, update, where)
    weight = parse_weight(update.weight, where=where) if update.weight is not None else state.weight
    due = state.due
    if "due" in update.clear:
        due = None
    elif update.due is not None:
        due = parse_day(update.due, where=where)
    note = state.note
    if "note" in update.clear:
        note = None
    elif update.note is not None:
        note = update.note.strip() or None
    milestones = parse_milestones(update.milestones, where=where) if update.milestones is not None else state.milestones
    new = replace(
        state,
        status=status,
        progress_pct=progress,
        weight=weight,
        due=due,
        milestones=milestones,
        evidence=_evidence_after(state, update, actor=actor, now=now, where=where, evidence_floor=evidence_floor),
        note=note,
    )
    changed = [f for f in STATE_FIELDS if getattr(new, f) != getattr(state, f)]
    return new, changed


def _status_and_progress(state: TrackingState, update: TrackingUpdate, where: Location | None) -> tuple[Status, float]:
    """Status and progress after ``update``, moved together (the table in the module docstring)."""
    status_given = Status.parse(update.status, where=where) if update.status is not None else None
    progress_given = parse_progress(update.progress_pct, where=where) if update.progress_pct is not None else None
    status, progress = state.status, state.progress_pct
    if status_given is not None and progress_given is None:
        status = status_given
        if status is Status.DONE:
            progress = 100.0
        elif status is Status.NOT_STARTED:
            progress = 0.0
    elif progress_given is not None and status_given is None:
        progress = progress_given
        if progress == 100 and status in {Status.NOT_STARTED, Status.IN_PROGRESS}:
            status = Status.DONE
        elif (progress < 100 and status is Status.DONE) or (progress > 0 and status is Status.NOT_STARTED):
            status = Status.IN_PROGRESS
    elif status_given is not None and progress_given is not None:
        status, progress = status_given, progress_given
    if status is Status.DONE and progress != 100:
        raise InputError(
            "a done task is 100 % complete",
            expected="progress 100 with status done",
            given=f"progress {progress:g}",
            where=where,
            hint="leave the progress out and it is set to 100",
        )
    if status is Status.NOT_STARTED and progress != 0:
        raise InputError(
            "a task that has not started has no progress",
            expected="progress 0 with status not_started",
            given=f"progress {progress:g}",
            where=where,
            hint="use status in_progress",
        )
    return status, progress


def _evidence_after(
    state: TrackingState,
    update: TrackingUpdate,
    *,
    actor: str,
    now: dt.datetime,
    where: Location | None,
    evidence_floor: int,
) -> tuple[Evidence, ...]:
    """The task's evidence after removing and adding the items ``update`` names (new ids count up from
    ``evidence_floor`` or past the highest id held, whichever is higher)."""
    known = {e.id for e in state.evidence}
    for eid in update.remove_evidence:
        if eid not in known:
            raise InputError(
                "no such evidence on this task",
                expected="one of " + (", ".join(sorted(known)) or "(none yet)"),
                given=repr(eid),
                where=where,
            )
    evidence = [e for e in state.evidence if e.id not in set(update.remove_evidence)]
    number = max(evidence_floor, _next_evidence_number(state.evidence))
    for item in update.add_evidence:
        evidence.append(_new_evidence(item, number, actor, now, where))
        number += 1
    return tuple(evidence)


# ------------------------------------------------------------------------------------------ roll-ups
class Trackable(Protocol):
    """What a roll-up reads of a task."""

    @property
    def status(self) -> Status: ...
    @property
    def progress_pct(self) -> float: ...
    @property
    def weight(self) -> float: ...
    @property
    def due(self) -> dt.date | None: ...


T = TypeVar("T", bound=Trackable)


def is_overdue(task: Trackable, today: dt.date) -> bool:
    """Past its due date and neither done nor dropped."""
    return task.due is not None and task.due < today and task.status not in CLOSED_STATUSES


@dataclass(frozen=True, slots=True)
class Rollup:
    """Progress of a group of tasks.

    ``progress_pct`` is the weighted mean progress [%] of the tasks that are not dropped (``None`` when
    they weigh nothing); ``weight`` their total weight; ``counts`` the number of tasks per status.
    """

    key: str
    label: str
    tasks: int
    counts: dict[str, int]
    weight: float
    progress_pct: float | None
    done: int
    overdue: int
    children: tuple[Rollup, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "key": self.key,
            "label": self.label,
            "tasks": self.tasks,
            "counts": dict(self.counts),
            "weight": self.weight,
            "progress_pct": self.progress_pct,
            "done": self.done,
            "overdue": self.overdue,
        }
        if self.children:
            out["children"] = [c.as_dict() for c in self.children]
        return out


def summarise(
    tasks: Iterable[Trackable],
    *,
    key: str = "",
    label: str = "",
    today: dt.date | None = None,
    children: tuple[Rollup, ...] = (),
) -> Rollup:
    """The roll-up of ``tasks`` (``today`` decides what is overdue; without it nothing is)."""
    items = list(tasks)
    counts = {s.value: 0 for s in Status}
    weighted = 0.0
    weight = 0.0
    for t in items:
        counts[t.status.value] += 1
        if t.status is Status.DROPPED:
            continue
        weight += t.weight
        weighted += t.weight * t.progress_pct
    return Rollup(
        key=key,
        label=label,
        tasks=len(items),
        counts=counts,
        weight=weight,
        progress_pct=weighted / weight if weight > 0 else None,
        done=counts[Status.DONE.value],
        overdue=sum(1 for t in items if today is not None and is_overdue(t, today)),
        children=children,
    )


def rollup(
    tasks: Iterable[T],
    keys: Callable[[T], Iterable[str]],
    *,
    labels: Callable[[str], str] | Mapping[str, str] | None = None,
    order: Sequence[str] | None = None,
    today: dt.date | None = None,
) -> list[Rollup]:
    """One :class:`Rollup` per key; a task counts in every key ``keys(task)`` gives (a task led by two
    jurisdictions counts for both). Groups follow ``order`` (keys not in it last, sorted), else sorted."""
    groups: dict[str, list[T]] = {}
    for t in tasks:
        for k in dict.fromkeys(keys(t)):
            groups.setdefault(k, []).append(t)
    rank = {k: i for i, k in enumerate(order or ())}
    ordered = sorted(groups, key=lambda k: (rank.get(k, len(rank)), k))

    def label_of(k: str) -> str:
        if labels is None:
            return k
        if callable(labels):
            return labels(k)
        return labels.get(k, k)

    return [summarise(groups[k], key=k, label=label_of(k), today=today) for k in ordered]


def tree(
    tasks: Iterable[T],
    path: Callable[[T], Sequence[str]],
    *,
    key: str = "",
    label: str = "",
    today: dt.date | None = None,
) -> Rollup:
    """A roll-up tree: the root holds every task, its children the groups by ``path(task)[0]``, theirs by
    ``path(task)[1]`` and so on (agreement → section → subsection). Children keep first-seen order."""
    items = list(tasks)

    def build(members: list[T], depth: int, node_key: str, node_label: str) -> Rollup:
        groups: dict[str, list[T]] = {}
        for t in members:
            p = path(t)
            if len(p) > depth:
                groups.setdefault(p[depth], []).append(t)
        children = tuple(
            build(groups[g], depth + 1, f"{node_key}/{i}" if node_key else str(i), g)
            for i, g in enumerate(groups, start=1)
        )
        return summarise(members, key=node_key, label=node_label, today=today, children=children)

    return build(items, 0, key, label)


__all__ = [
    "CLEARABLE",
    "CLOSED_STATUSES",
    "STATE_FIELDS",
    "Evidence",
    "EvidenceKind",
    "Milestone",
    "Rollup",
    "Status",
    "Trackable",
    "TrackingState",
    "TrackingUpdate",
    "apply_update",
    "is_overdue",
    "parse_day",
    "parse_milestones",
    "parse_progress",
    "parse_weight",
    "rollup",
    "summarise",
    "tree",
]
