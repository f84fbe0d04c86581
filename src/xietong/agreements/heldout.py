"""Score the area classifier on a held-out set of single items with a hand-labelled gold area.

A held-out item is one task-sized text (an article, or the one clause of it that names the cooperation)
with the title of its document, the chapter it stands under and its gold area, labelled by
``docs/agreements-labelling.md`` §3 before the classifier was run on it
(``tests/data/agreements/heldout_areas/``). Unlike :mod:`xietong.agreements.evaluate`, nothing is imported
or matched: each item's area is predicted from its own text, and the score is the share of items whose
predicted area equals the gold one.

Pure: the records come in as already-parsed mappings (``scripts/evaluate_agreements.py --heldout-areas``
reads the JSON-lines file) and the classifier is a parameter.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from xietong.agreements.classify import classify_area
from xietong.agreements.model import Area
from xietong.errors import InputError, Location

REQUIRED = ("id", "title", "text", "gold_area")


@dataclass(frozen=True, slots=True)
class AreaItem:
    """One held-out text: ``chapter`` is its 第X章 heading ("" when the document has none), ``gold`` the
    hand-labelled area, ``field_in_table`` whether the §3 table names the item's field (``False``: the gold
    area is the nearest row, a less certain label)."""

    id: str
    title: str
    chapter: str
    text: str
    gold: Area
    field_in_table: bool = True


@dataclass(frozen=True, slots=True)
class AreaResult:
    item: AreaItem
    predicted: Area

    @property
    def correct(self) -> bool:
        return self.predicted is self.item.gold


def _ratio(a: int, b: int) -> float:
    return a / b if b else 0.0


@dataclass(frozen=True, slots=True)
class AreaScore:
    """Per-item results, in the order of the items."""

    results: tuple[AreaResult, ...]

    @property
    def total(self) -> int:
        return len(self.results)

    @property
    def correct(self) -> int:
        return sum(r.correct for r in self.results)

    @property
    def accuracy(self) -> float:
        """Correct items / items (0.0 for an empty set)."""
        return _ratio(self.correct, self.total)

    @property
    def in_table(self) -> tuple[int, int]:
        """``(correct, total)`` over the items whose field the §3 table names."""
        rows = [r for r in self.results if r.item.field_in_table]
        return sum(r.correct for r in rows), len(rows)

    @property
    def errors(self) -> tuple[AreaResult, ...]:
        return tuple(r for r in self.results if not r.correct)

    def per_area(self) -> dict[Area, tuple[int, int]]:
        """``{gold area: (correct, items)}``, by the gold area, in :class:`Area` order."""
        items = Counter(r.item.gold for r in self.results)
        right = Counter(r.item.gold for r in self.results if r.correct)
        return {a: (right[a], items[a]) for a in Area if items[a]}


def parse_area_items(records: Sequence[Mapping[str, Any]], *, source: str) -> tuple[AreaItem, ...]:
    """Held-out items from records with ``id``, ``title``, ``text``, ``gold_area`` and optional
    ``chapter`` and ``field_in_table`` (other fields, e.g. ``reason`` and the source, are kept out).

    Raises
    ------
    InputError
        For a record without a required field, with an empty text, a gold area that is not a value of
        :class:`Area`, or an ``id`` used twice; the error names the record (1-based) and the field.
    """
    items: list[AreaItem] = []
    seen: set[str] = set()
    for row, record in enumerate(records, 1):
        missing = [k for k in REQUIRED if not str(record.get(k) or "").strip()]
        if missing:
            raise InputError(
                "held-out item lacks a required field",
                expected=f"non-empty {', '.join(REQUIRED)}",
                given=f"missing or empty {', '.join(missing)}",
                where=Location(source, row, missing[0]),
                hint="see tests/data/agreements/heldout_areas/README.md for the fields",
            )
        try:
            gold = Area(str(record["gold_area"]))
        except ValueError:
            raise InputError(
                "gold area is not an allowed value",
                expected=f"one of {[a.value for a in Area]}",
                given=repr(record["gold_area"]),
                where=Location(source, row, "gold_area"),
                hint="use the values of xietong.agreements.Area (docs/agreements-labelling.md §3)",
            ) from None
        ident = str(record["id"])
        if ident in seen:
            raise InputError(
                "held-out item id used twice",
                expected="a distinct id per item",
                given=repr(ident),
                where=Location(source, row, "id"),
                hint="give the item a new id",
            )
        seen.add(ident)
        items.append(
            AreaItem(
                id=ident,
                title=str(record["title"]),
                chapter=str(record.get("chapter") or ""),
                text=str(record["text"]),
                gold=gold,
                field_in_table=bool(record.get("field_in_table", True)),
            )
        )
    return tuple(items)


def predict_area(item: AreaItem) -> Area:
    """The importer's area for an item alone: its text, its chapter as the only section, its document's title."""
    return classify_area(item.text, sections=[item.chapter] if item.chapter else [], title=item.title)


def score_areas(items: Sequence[AreaItem], classify: Callable[[AreaItem], Area] = predict_area) -> AreaScore:
    """Predict every item's area with ``classify`` (default :func:`predict_area`) and compare it with the gold."""
    return AreaScore(tuple(AreaResult(item, classify(item)) for item in items))


__all__ = ["AreaItem", "AreaResult", "AreaScore", "parse_area_items", "predict_area", "score_areas"]
