"""Small helpers shared by the public-services service modules: today's day and bounded list limits."""

from __future__ import annotations

import datetime as dt

from xietong.config import DISPLAY_TZ
from xietong.errors import InputError, Location
from xietong.store.clock import utcnow

#: most rows a list returns
MAX_LIMIT = 1000


def today() -> dt.date:
    """Today in China Standard Time (the calendar's day)."""
    return utcnow().astimezone(DISPLAY_TZ).date()


def check_limit(limit: int) -> int:
    """``limit`` if within 1..:data:`MAX_LIMIT`, else an :class:`InputError`."""
    if not 1 <= limit <= MAX_LIMIT:
        raise InputError(
            "limit out of range", expected=f"1 to {MAX_LIMIT}", given=str(limit), where=Location(field="limit")
        )
    return limit


__all__ = ["MAX_LIMIT", "check_limit", "today"]
