"""Errors of the public-services domain: each derives from the platform's error tree.

::

    InputError (ValueError)
    ├── CalendarRangeError          a date beyond the years the official calendar knows
    ├── IdentityNumberError         a citizen identity number that fails GB 11643-1999
    └── MissingDocumentsError       documents the item's schema requires are missing
    PermissionDeniedError (PermissionError)
    └── NotPartyError               an office acts on a case it is not party to, or on another office's step
    ConflictError (RuntimeError)
    └── StepOrderError              a step out of order (a decision before acceptance …)
"""

from __future__ import annotations

from xietong.errors import ConflictError, InputError, PermissionDeniedError


class CalendarRangeError(InputError):
    """A date outside the years for which the State Council's holiday notices are known."""

    problem_type = "calendar-year-unknown"
    title = "Date beyond the official calendar"


class IdentityNumberError(InputError):
    """A citizen identity number that is not valid under GB 11643-1999."""

    problem_type = "invalid-identity-number"
    title = "Invalid citizen identity number"


class MissingDocumentsError(InputError):
    """The case lacks documents that the item's document schema marks as required."""

    problem_type = "missing-documents"
    title = "Required documents missing"


class NotPartyError(PermissionDeniedError):
    """An office acted on a case (or a step) that is not its own."""

    problem_type = "not-party-to-case"
    title = "Office not party to the case"


class StepOrderError(ConflictError):
    """A step was attempted before the steps it depends on (e.g. a decision before acceptance)."""

    problem_type = "step-out-of-order"
    title = "Step out of order"


__all__ = ["CalendarRangeError", "IdentityNumberError", "MissingDocumentsError", "NotPartyError", "StepOrderError"]
