"""The one exception tree of Xietong.

Every error raised on purpose by Xietong derives from :class:`XietongError`, and each subclass also
derives from the built-in exception a Python user would expect, so ``except ValueError`` keeps working::

    XietongError
    ├── InputError (ValueError)                 bad input at the boundary: file, row, field
    │   ├── UnitError                           a value in the wrong unit (CO in µg/m³ …)
    │   ├── DuplicateRecordError                one key twice with different values in one batch
    │   └── FormatDetectionError                ``--format auto`` could not tell the format
    ├── NotFoundError (KeyError)
    │   ├── UnknownStationError
    │   └── UnknownJurisdictionError
    ├── AuthenticationError (PermissionError)   missing, malformed, expired or revoked token
    ├── PermissionDeniedError (PermissionError) authenticated, but not allowed (scope, ownership)
    ├── ConflictError (RuntimeError)            the state changed under the request
    ├── PayloadTooLargeError (ValueError)
    ├── StoreError (RuntimeError)               the database is missing, too old, or unreachable
    │   ├── StoreUnavailableError               the database cannot be reached now (retry later)
    │   └── StoreFullError                      the disk or the database is full; nothing was written
    ├── AuditChainError (RuntimeError)          the audit hash chain does not verify
    └── MissingExtraError (ImportError)         a feature needs an optional package (an extra) not installed

Messages follow one pattern: what was expected, what was given, where, and how to fix it.
Values echoed from the input are cut to a short excerpt (:func:`excerpt`): a 50 MB malformed field
is named by its first characters and its length, never printed whole. The CLI prints :meth:`XietongError.describe` and exits with code 2; the API answers with an
``application/problem+json`` document (RFC 9457) carrying the same wording.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field, replace
from types import ModuleType
from typing import Any

#: characters of an input value echoed in a message (``given``, a field name) before it is cut
EXCERPT_CHARS = 80
#: characters of a message, an ``expected`` or a ``hint`` before it is cut (they may quote input too)
TEXT_CHARS = 600


def excerpt(value: object, limit: int = EXCERPT_CHARS) -> str:
    """``value`` as text, cut to ``limit`` characters with its full length named when longer::

        excerpt("x" * 50_000_000)  ->  "xxxxxxxx…xxxx… (50,000,000 characters)"

    Used for every value of the input a message echoes, so that an error stays small whatever the input.
    """
    text = value if isinstance(value, str) else str(value)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text):,} characters)"


def _cut(text: str | None, limit: int) -> str | None:
    return None if text is None or len(text) <= limit else excerpt(text, limit)


@dataclass(frozen=True, slots=True)
class Location:
    """Where in the input a problem is: file (or request part), 1-based data row, and field."""

    source: str | None = None
    row: int | None = None
    field: str | None = None

    def __post_init__(self) -> None:
        # a header cell may be anything: a field name is echoed as an excerpt
        if self.field is not None and len(self.field) > EXCERPT_CHARS:
            object.__setattr__(self, "field", excerpt(self.field))

    def __str__(self) -> str:
        parts = []
        if self.source:
            parts.append(self.source)
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.field:
            parts.append(f"field {self.field!r}")
        return ", ".join(parts)


@dataclass(frozen=True, slots=True)
class Problem:
    """One rejected input item, with the same four parts as an error message."""

    message: str
    where: Location = field(default_factory=Location)
    expected: str | None = None
    given: str | None = None
    hint: str | None = None
    #: the error class this problem raises when it is refused on its own (default InputError)
    kind: type[XietongError] | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        # every part may quote the input: keep a problem small whatever the input (see :func:`excerpt`)
        for name, limit in (("message", TEXT_CHARS), ("expected", TEXT_CHARS), ("given", EXCERPT_CHARS * 2),
                            ("hint", TEXT_CHARS)):  # fmt: skip
            value = getattr(self, name)
            if value is not None and len(value) > limit:
                object.__setattr__(self, name, _cut(value, limit))

    def describe(self) -> str:
        text = self.message
        if self.expected is not None:
            text += f"; expected {self.expected}"
        if self.given is not None:
            text += f", given {self.given}"
        loc = str(self.where)
        if loc:
            text += f" ({loc})"
        if self.hint:
            text += f". {self.hint}"
        return text

    def as_dict(self) -> dict[str, Any]:
        return {
            "message": self.message,
            "source": self.where.source,
            "row": self.where.row,
            "field": self.where.field,
            "expected": self.expected,
            "given": self.given,
            "hint": self.hint,
            "detail": self.describe(),
        }


class XietongError(Exception):
    """Root of every error Xietong raises on purpose.

    Parameters
    ----------
    message:
        What went wrong, in one sentence.
    expected, given:
        What the input should have been and what it was.
    where:
        File (or request part), row and field.
    hint:
        How to fix it.
    problems:
        Further problems of the same kind (e.g. every rejected row of a batch).
    """

    #: short slug used as the RFC 9457 ``type`` suffix
    problem_type: str = "error"
    #: short human title for the problem type
    title: str = "Error"
    #: set once the refusal has been written to the audit log (so it is recorded once)
    audited: bool = False

    def __init__(
        self,
        message: str,
        *,
        expected: str | None = None,
        given: str | None = None,
        where: Location | None = None,
        hint: str | None = None,
        problems: list[Problem] | None = None,
    ) -> None:
        self.problem = Problem(message, where or Location(), expected, given, hint)
        self.problems = problems or []
        super().__init__(self.problem.describe())

    @property
    def message(self) -> str:
        return self.problem.message

    def describe(self) -> str:
        """The full human message; with several problems, the first ten of them below it."""
        text = self.problem.describe()
        if self.problems:
            shown = self.problems[:10]
            text += "".join(f"\n  - {p.describe()}" for p in shown)
            if len(self.problems) > len(shown):
                text += f"\n  … and {len(self.problems) - len(shown)} more"
        return text

    def __str__(self) -> str:
        return self.describe()

    def in_file(self, source: str | None) -> XietongError:
        """This error, naming ``source`` as its file when it names none (for parsers that work on text and
        know no file name); returns ``self`` to be raised again."""
        if source and not self.problem.where.source:
            self.problem = replace(self.problem, where=replace(self.problem.where, source=source))
            self.args = (self.problem.describe(),)
        return self


class InputError(XietongError, ValueError):
    """Input that does not match what was expected (format, range, type, time zone)."""

    problem_type = "invalid-input"
    title = "Invalid input"

    @classmethod
    def refuse(cls, problems: list[Problem], *, summary: str, hint: str | None = None) -> XietongError:
        """One error for a refused batch: the single problem itself, or a summary listing all of them.

        The error class is the problems' common ``kind`` (e.g. :class:`UnitError`), else ``cls``.
        """
        kinds = {p.kind for p in problems}
        error_cls: type[XietongError] = kinds.pop() if len(kinds) == 1 and None not in kinds else cls  # type: ignore[assignment]
        if len(problems) == 1:
            p = problems[0]
            return error_cls(
                p.message + "; nothing was written",
                expected=p.expected,
                given=p.given,
                where=p.where,
                hint=p.hint or hint,
            )
        return error_cls(summary, hint=hint, problems=problems)


class UnitError(InputError):
    """A value that is plausible only in another unit."""

    problem_type = "wrong-unit"
    title = "Value in the wrong unit"


class DuplicateRecordError(InputError):
    """The same key appears twice in one batch with different values."""

    problem_type = "duplicate-record"
    title = "Contradictory duplicate in one batch"


class FormatDetectionError(InputError):
    """The format of an input file could not be recognised from its header."""

    problem_type = "unknown-format"
    title = "Unrecognised input format"


class NotFoundError(XietongError, KeyError):
    """A referenced object does not exist."""

    problem_type = "not-found"
    title = "Not found"

    def __str__(self) -> str:  # KeyError would quote the message
        return self.describe()


class UnknownStationError(NotFoundError):
    problem_type = "unknown-station"
    title = "Unknown station"


class UnknownJurisdictionError(NotFoundError):
    problem_type = "unknown-jurisdiction"
    title = "Unknown jurisdiction"


class AuthenticationError(XietongError, PermissionError):
    """No usable credentials: missing, malformed, expired or revoked token."""

    problem_type = "unauthenticated"
    title = "Authentication required"


class PermissionDeniedError(XietongError, PermissionError):
    """The principal is known but may not do this (scope or ownership)."""

    problem_type = "forbidden"
    title = "Not allowed"


class ConflictError(XietongError, RuntimeError):
    """The request conflicts with the current state."""

    problem_type = "conflict"
    title = "Conflict"


class PayloadTooLargeError(XietongError, ValueError):
    problem_type = "payload-too-large"
    title = "Payload too large"


class StoreError(XietongError, RuntimeError):
    """The store cannot be used: missing, unreachable, or at the wrong schema revision."""

    problem_type = "store-unavailable"
    title = "Store unavailable"


class StoreUnavailableError(StoreError):
    """The database does not answer now (server down or restarting, connection lost); retrying later helps."""

    problem_type = "store-unavailable"
    title = "Store unavailable"
    #: seconds a client should wait before retrying (the API's ``Retry-After``)
    retry_after_s: int = 5


class StoreFullError(StoreError):
    """The disk (or the database's size limit) is full: the transaction was rolled back, nothing was written."""

    problem_type = "store-full"
    title = "Store full"


class AuditChainError(XietongError, RuntimeError):
    """The audit log's hash chain is broken."""

    problem_type = "audit-chain-broken"
    title = "Audit chain broken"


class MissingExtraError(XietongError, ImportError):
    """A feature needs an optional package that is not installed (an extra of the ``xietong`` package)."""

    problem_type = "missing-extra"
    title = "Optional package not installed"


def require_extra(module: str, *, extra: str, feature: str, package: str | None = None) -> ModuleType:
    """Import the optional ``module`` that ``feature`` needs, or raise :class:`MissingExtraError` naming the
    extra that installs it::

        osmium = require_extra("osmium", extra="streets", feature="the street router")

    ``package`` is the distribution to name when it differs from the module (``python-docx`` for ``docx``).
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        name = package or module
        raise MissingExtraError(
            f"{feature} needs the optional package {name}: pip install 'xietong[{extra}]'",
            expected=f"{name} installed (the extra '{extra}' of xietong)",
            given=f"no module {module!r} ({exc})",
            hint=f"pip install 'xietong[{extra}]', or 'xietong[all]' for every optional feature",
        ) from exc


__all__ = [
    "EXCERPT_CHARS",
    "TEXT_CHARS",
    "AuditChainError",
    "AuthenticationError",
    "ConflictError",
    "DuplicateRecordError",
    "FormatDetectionError",
    "InputError",
    "Location",
    "MissingExtraError",
    "NotFoundError",
    "PayloadTooLargeError",
    "PermissionDeniedError",
    "Problem",
    "StoreError",
    "StoreFullError",
    "StoreUnavailableError",
    "UnitError",
    "UnknownJurisdictionError",
    "UnknownStationError",
    "XietongError",
    "excerpt",
    "require_extra",
]
