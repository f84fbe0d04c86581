"""Public services across the region (S1): the pure core of the services domain.

- :mod:`~xietong.services.calendar`: the official working-day calendar and vectorised day arithmetic;
- :mod:`~xietong.services.identity`: GB 11643-1999 citizen identity numbers (check, validate, mask);
- :mod:`~xietong.services.catalogue`: the cross-province service catalogue (sourced data);
- :mod:`~xietong.services.cases`: the case state machine (pure transitions returning events);
- :mod:`~xietong.services.recognition`: mutual-recognition catalogues and the recognition query;
- :mod:`~xietong.services.partnerships`: partnerships with travel times from an indicator frame;
- :mod:`~xietong.services.stats`: cases per item, on-time rate, median working days, backlog.

No module here reads or writes the store; the service layer loads, calls these functions and writes.
"""

from __future__ import annotations

from xietong.services.calendar import (
    back_date,
    due_date,
    extend_for_suspensions,
    is_working_day,
    official_calendar,
    suspended_working_days,
    working_days_between,
)
from xietong.services.cases import (
    Case,
    Event,
    Office,
    allowed_steps,
    complete_step,
    open_case,
    overdue,
    resume,
    suspend,
)
from xietong.services.catalogue import Item, bundled_catalogue, get_item
from xietong.services.enums import Decision, EventType, Mode, StepKind
from xietong.services.recognition import is_recognised

__all__ = [
    "Case",
    "Decision",
    "Event",
    "EventType",
    "Item",
    "Mode",
    "Office",
    "StepKind",
    "allowed_steps",
    "back_date",
    "bundled_catalogue",
    "complete_step",
    "due_date",
    "extend_for_suspensions",
    "get_item",
    "is_recognised",
    "is_working_day",
    "official_calendar",
    "open_case",
    "overdue",
    "resume",
    "suspend",
    "suspended_working_days",
    "working_days_between",
]
