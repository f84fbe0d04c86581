"""The service catalogue: cross-province items, their step plans and required documents, as data.

The bundled catalogue (``data/catalogue_jjj*.csv``, sources in ``data/SOURCES.md``) holds items of the
cross-province lists that apply in Beijing, Tianjin and Hebei. :func:`load_catalogue` turns the three
frames into :class:`Item` objects and refuses rows without a source, duplicate codes, unknown modes or
step kinds, or limits that are not whole numbers of working days, naming file, row and field. The
service layer passes frames read from the store the same way.

Default step limits (``data/process_rules.toml``) come from the Administrative Licensing Law; an item's
own step plan (``catalogue_jjj_steps.csv``) replaces them.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import TypeVar

import pandas as pd

from xietong.errors import InputError, Location, NotFoundError, Problem
from xietong.services.enums import Mode, OfficeRole, StepKind

CATALOGUE_FILE = "catalogue_jjj.csv"
STEPS_FILE = "catalogue_jjj_steps.csv"
DOCUMENTS_FILE = "catalogue_jjj_documents.csv"
RULES_FILE = "process_rules.toml"
RETENTION_FILE = "retention.toml"
#: jurisdictions with an authority column in the catalogue (GB/T 2260 province codes)
AUTHORITY_JURISDICTIONS = ("110000", "120000", "130000")

E = TypeVar("E", Mode, StepKind, OfficeRole)


@dataclass(frozen=True, slots=True)
class DocumentSpec:
    """One document of an item's document schema."""

    key: str
    name_zh: str
    name_en: str
    required: bool
    basis: str = ""


@dataclass(frozen=True, slots=True)
class StepRule:
    """The time limit of one step: ``time_limit_wd`` working days counted from the day ``counted_from``
    was done (``None``: from the day the step opened); no limit when ``time_limit_wd`` is ``None``."""

    kind: StepKind
    role: OfficeRole
    time_limit_wd: int | None
    counted_from: StepKind | None = None
    basis: str = ""
    confirmed: bool = True


@dataclass(frozen=True, slots=True)
class Item:
    """A catalogue item (fields empty where the source does not give them)."""

    code: str
    name_zh: str
    name_en: str
    list: str
    mode: Mode | None
    authorities: Mapping[str, str]
    time_limit_wd: int | None
    legal_basis: str
    valid_from: str
    valid_to: str
    target_by: str
    source_url: str
    source_date: str
    note: str = ""
    documents: tuple[DocumentSpec, ...] = ()
    steps: tuple[StepRule, ...] = ()
    #: how long a closed case's personal data are kept [years]; ``None``: :func:`retention_default`
    retention_years: int | None = None

    @property
    def required_documents(self) -> frozenset[str]:
        return frozenset(d.key for d in self.documents if d.required)

    @property
    def document_keys(self) -> frozenset[str]:
        return frozenset(d.key for d in self.documents)


@dataclass(frozen=True, slots=True)
class ProcessRules:
    """Default step limits of one edition (``data/process_rules.toml``)."""

    edition: str
    title: str
    steps: Mapping[str, StepRule] = field(default_factory=dict)

    def rule(self, kind: StepKind, *, joint: bool = False) -> StepRule | None:
        if joint and kind is StepKind.DECIDED and "decided_joint" in self.steps:
            return self.steps["decided_joint"]
        return self.steps.get(kind.value)


def read_frame(name: str) -> pd.DataFrame:
    """One of the bundled CSV files, every column as text (empty cells as ``""``)."""
    with resources.files("xietong.services").joinpath("data").joinpath(name).open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh, dtype=str, keep_default_na=False)


def _int_or_none(value: str, where: Location, problems: list[Problem]) -> int | None:
    text = str(value).strip()
    if not text:
        return None
    if not text.isdigit():
        problems.append(Problem("not a whole number of working days", where, "an integer >= 0 or empty", repr(text)))
        return None
    return int(text)


def _enum(cls: type[E], value: str, where: Location, problems: list[Problem]) -> E | None:
    text = str(value).strip()
    if not text:
        return None
    try:
        return cls(text)
    except ValueError:
        problems.append(Problem(f"unknown {cls.__name__}", where, ", ".join(m.value for m in cls), repr(text)))
        return None


def _require(frame: pd.DataFrame, columns: tuple[str, ...], source: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(
            f"{source}: missing columns",
            expected=", ".join(columns),
            given=", ".join(map(str, frame.columns)),
            where=Location(source=source),
        )


def _sourced(frame: pd.DataFrame, source: str, problems: list[Problem]) -> None:
    for pos, (url, date) in enumerate(zip(frame["source_url"], frame["source_date"], strict=True)):
        if not str(url).strip():
            problems.append(
                Problem("row without a source", Location(source, pos + 1, "source_url"), "a source URL", "nothing")
            )
        if not str(date).strip():
            problems.append(
                Problem(
                    "row without a source date", Location(source, pos + 1, "source_date"), "YYYY[-MM[-DD]]", "nothing"
                )
            )


def _documents(frame: pd.DataFrame, problems: list[Problem]) -> dict[str, list[DocumentSpec]]:
    out: dict[str, list[DocumentSpec]] = {}
    for pos, row in enumerate(frame.itertuples(index=False)):
        required = str(row.required).strip().lower()
        if required not in ("true", "false"):
            problems.append(
                Problem(
                    "required must be true or false",
                    Location(DOCUMENTS_FILE, pos + 1, "required"),
                    "true/false",
                    repr(row.required),
                )
            )
        out.setdefault(str(row.item_code), []).append(
            DocumentSpec(str(row.key), str(row.name_zh), str(row.name_en), required == "true", str(row.basis))
        )
    return out


def _steps(frame: pd.DataFrame, problems: list[Problem]) -> dict[str, list[StepRule]]:
    out: dict[str, list[StepRule]] = {}
    for pos, row in enumerate(frame.itertuples(index=False)):
        where = Location(STEPS_FILE, pos + 1)
        kind = _enum(StepKind, str(row.kind), Location(STEPS_FILE, pos + 1, "kind"), problems)
        role = _enum(OfficeRole, str(row.role), Location(STEPS_FILE, pos + 1, "role"), problems)
        limit = _int_or_none(str(row.time_limit_wd), Location(STEPS_FILE, pos + 1, "time_limit_wd"), problems)
        counted = _enum(StepKind, str(row.counted_from), Location(STEPS_FILE, pos + 1, "counted_from"), problems)
        if kind is None or role is None:
            if not (str(row.kind).strip() and str(row.role).strip()):
                problems.append(Problem("a step needs a kind and a role", where))
            continue
        out.setdefault(str(row.item_code), []).append(StepRule(kind, role, limit, counted, str(row.basis)))
    return out


def load_catalogue(
    items: pd.DataFrame | None = None,
    steps: pd.DataFrame | None = None,
    documents: pd.DataFrame | None = None,
) -> dict[str, Item]:
    """Items by code, from the given frames or the bundled files. Raises one :class:`InputError` listing
    every bad row (file, row, field)."""
    items = read_frame(CATALOGUE_FILE) if items is None else items
    steps = read_frame(STEPS_FILE) if steps is None else steps
    documents = read_frame(DOCUMENTS_FILE) if documents is None else documents
    _require(
        items, ("code", "name_zh", "name_en", "mode", "time_limit_wd", "source_url", "source_date"), CATALOGUE_FILE
    )
    _require(
        steps, ("item_code", "kind", "role", "time_limit_wd", "counted_from", "source_url", "source_date"), STEPS_FILE
    )
    _require(documents, ("item_code", "key", "name_zh", "required", "source_url", "source_date"), DOCUMENTS_FILE)
    problems: list[Problem] = []
    for frame, name in ((items, CATALOGUE_FILE), (steps, STEPS_FILE), (documents, DOCUMENTS_FILE)):
        _sourced(frame, name, problems)
    docs_by_item = _documents(documents, problems)
    steps_by_item = _steps(steps, problems)
    catalogue: dict[str, Item] = {}
    for pos, row in enumerate(items.fillna("").to_dict("records")):
        code = str(row["code"]).strip()
        if code in catalogue:
            problems.append(
                Problem("duplicate item code", Location(CATALOGUE_FILE, pos + 1, "code"), "unique codes", code)
            )
            continue
        catalogue[code] = Item(
            code=code,
            name_zh=str(row["name_zh"]),
            name_en=str(row["name_en"]),
            list=str(row.get("list", "")),
            mode=_enum(Mode, row["mode"], Location(CATALOGUE_FILE, pos + 1, "mode"), problems),
            authorities={
                j: str(row.get(f"authority_{j}", ""))
                for j in AUTHORITY_JURISDICTIONS
                if str(row.get(f"authority_{j}", ""))
            },
            time_limit_wd=_int_or_none(
                row["time_limit_wd"], Location(CATALOGUE_FILE, pos + 1, "time_limit_wd"), problems
            ),
            legal_basis=str(row.get("legal_basis", "")),
            valid_from=str(row.get("valid_from", "")),
            valid_to=str(row.get("valid_to", "")),
            target_by=str(row.get("target_by", "")),
            source_url=str(row["source_url"]),
            source_date=str(row["source_date"]),
            note=str(row.get("note", "")),
            documents=tuple(docs_by_item.get(code, ())),
            steps=tuple(steps_by_item.get(code, ())),
            retention_years=_int_or_none(
                row.get("retention_years", ""), Location(CATALOGUE_FILE, pos + 1, "retention_years"), problems
            ),
        )
    unknown = (set(docs_by_item) | set(steps_by_item)) - set(catalogue)
    problems.extend(
        Problem("steps or documents for an unknown item", Location(field="item_code"), "a code of the catalogue", c)
        for c in sorted(unknown)
    )
    if problems:
        raise InputError.refuse(problems, summary=f"{len(problems)} problems in the service catalogue")
    return catalogue


@cache
def bundled_catalogue() -> dict[str, Item]:
    """The bundled Jing-Jin-Ji catalogue (loaded once per process)."""
    return load_catalogue()


def get_item(code: str, catalogue: Mapping[str, Item] | None = None) -> Item:
    """One item by code, or :class:`NotFoundError` listing how to find the codes."""
    items = bundled_catalogue() if catalogue is None else catalogue
    try:
        return items[code]
    except KeyError:
        raise NotFoundError(
            f"no catalogue item {code!r}",
            expected="a code of the service catalogue (JJJ-PS-001 …)",
            given=code,
            hint="list the catalogue to see the codes",
        ) from None


@cache
def process_rules() -> ProcessRules:
    """The default step limits (``data/process_rules.toml``)."""
    text = resources.files("xietong.services").joinpath("data").joinpath(RULES_FILE).read_text(encoding="utf-8")
    raw = tomllib.loads(text)
    steps: dict[str, StepRule] = {}
    for name, spec in raw.get("steps", {}).items():
        kind = StepKind(name.removesuffix("_joint"))
        counted = spec.get("counted_from")
        steps[name] = StepRule(
            kind=kind,
            role=OfficeRole.RECEIVING
            if kind in (StepKind.COMPLETENESS_CHECK, StepKind.FORWARDED)
            else OfficeRole.COMPETENT,
            time_limit_wd=spec.get("time_limit_wd"),
            counted_from=StepKind(counted) if counted else None,
            basis=str(spec.get("basis", "")),
            confirmed=bool(spec.get("confirmed", False)),
        )
    return ProcessRules(edition=str(raw["edition"]), title=str(raw.get("title", "")), steps=steps)


@dataclass(frozen=True, slots=True)
class RetentionRule:
    """How long a closed case's personal data are kept [years] when the item gives no period."""

    edition: str
    retention_years: int
    basis: str
    confirmed: bool


@cache
def retention_default() -> RetentionRule:
    """The default retention period (``data/retention.toml``; ``confirmed = false``: Xietong's default)."""
    text = resources.files("xietong.services").joinpath("data").joinpath(RETENTION_FILE).read_text(encoding="utf-8")
    raw = tomllib.loads(text)
    spec = raw["default"]
    return RetentionRule(
        edition=str(raw["edition"]),
        retention_years=int(spec["retention_years"]),
        basis=str(spec.get("basis", "")),
        confirmed=bool(spec.get("confirmed", False)),
    )


__all__ = [
    "DocumentSpec",
    "Item",
    "ProcessRules",
    "RetentionRule",
    "StepRule",
    "bundled_catalogue",
    "get_item",
    "load_catalogue",
    "process_rules",
    "read_frame",
    "retention_default",
]
