"""Relocation and investment projects, the pure part: the stage machine.

A project moves ``signed → construction → operating``; it can be ``cancelled`` before it operates.
A stage never goes backwards, a cancelled project stays cancelled, and every stage change is dated no
earlier than the one before. Skipping a stage (signed → operating) is allowed: the evidence of the later
stage implies the earlier one. The store and the webhooks (a stage change is an event) come with the
service layer.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from xietong.errors import ConflictError, InputError, Location, Problem
from xietong.industry.enums import Stage

#: position of each stage on the way to operation (``cancelled`` is off the way)
ORDER: dict[Stage, int] = {Stage.SIGNED: 0, Stage.CONSTRUCTION: 1, Stage.OPERATING: 2}
FINAL = frozenset({Stage.OPERATING, Stage.CANCELLED})


def parse_stage(value: str, *, where: Location | None = None) -> Stage:
    """A :class:`Stage` from its name; :class:`InputError` listing the stages otherwise."""
    try:
        return Stage(str(value).strip().casefold())
    except ValueError:
        raise InputError(
            "unknown project stage", expected=", ".join(s.value for s in Stage), given=repr(value), where=where
        ) from None


def next_stages(current: Stage | None) -> tuple[Stage, ...]:
    """The stages a project at ``current`` may move to (``None``: a new project)."""
    if current is None:
        return (Stage.SIGNED, Stage.CONSTRUCTION, Stage.OPERATING)
    if current in FINAL:
        return ()
    later = tuple(s for s, i in ORDER.items() if i > ORDER[current])
    return (*later, Stage.CANCELLED)


def transition(
    current: Stage | None,
    new: Stage,
    *,
    current_date: date | None = None,
    new_date: date | None = None,
    project: str | None = None,
) -> Stage:
    """Check one stage change and return the new stage.

    Raises
    ------
    ConflictError
        When the change goes backwards, repeats the stage, leaves a final stage, or is dated before the
        current stage.
    """
    label = f"project {project}" if project else "the project"
    allowed = next_stages(current)
    if new not in allowed:
        if current is not None and current in FINAL:
            why = f"{label} is {current.value}, a final stage"
        elif current == new:
            why = f"{label} is already at stage {new.value}"
        else:
            why = f"{label} cannot go from {current.value if current else 'nothing'} back to {new.value}"
        raise ConflictError(
            why,
            expected="one of " + ", ".join(s.value for s in allowed) if allowed else "no further stage",
            given=new.value,
            hint="a stage never goes backwards; correct a wrong stage through a revision, not a new stage",
        )
    if current_date is not None and new_date is not None and new_date < current_date:
        raise ConflictError(
            f"{label}: the {new.value} stage is dated before the {current.value if current else ''} stage",
            expected=f"a date on or after {current_date.isoformat()}",
            given=new_date.isoformat(),
        )
    return new


def check_history(events: pd.DataFrame, *, source: str | None = None) -> list[Problem]:
    """Problems of a stage history ``project, stage, date`` (file order within a project): one per event
    that goes backwards, repeats, follows a final stage or is dated before the previous one."""
    problems: list[Problem] = []
    current: dict[str, tuple[Stage, date]] = {}
    for i, rec in enumerate(events.itertuples(index=False)):
        row = int(str(getattr(rec, "row", i + 2)))
        project = str(rec.project)
        where = Location(source, row, "stage")
        try:
            stage = parse_stage(str(rec.stage), where=where)
            day = pd.Timestamp(str(rec.date)).date()
            before = current.get(project)
            transition(
                before[0] if before else None,
                stage,
                current_date=before[1] if before else None,
                new_date=day,
                project=project,
            )
        except (InputError, ConflictError) as exc:
            p = exc.problem
            problems.append(Problem(p.message, where, p.expected, p.given, p.hint))
            continue
        current[project] = (stage, day)
    return problems


__all__ = ["FINAL", "ORDER", "check_history", "next_stages", "parse_stage", "transition"]
