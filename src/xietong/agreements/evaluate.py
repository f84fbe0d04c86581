"""Measure the importer against a hand-labelled gold file (``docs/agreements-labelling.md``).

Matching: a predicted task matches a gold task when their character spans overlap with an
intersection-over-union of at least :data:`MIN_IOU` (0.5); pairs are taken greedily by IoU, each task at
most once. Task detection precision = matched / predicted, recall = matched / gold. Area, lead, partner
and strength accuracy are over the matched pairs; lead and partners compare as sets of codes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xietong.agreements.importer import from_text, read_source
from xietong.agreements.model import Agreement, Area, Strength
from xietong.errors import InputError, Location

MIN_IOU = 0.5


@dataclass(frozen=True, slots=True)
class GoldTask:
    text: str
    span: tuple[int, int]
    area: Area
    lead: frozenset[str]
    partners: frozenset[str]
    strength: Strength


@dataclass(frozen=True, slots=True)
class Gold:
    document: Path
    parties: tuple[str, ...]
    tasks: tuple[GoldTask, ...]


def _read_json(path: Path) -> dict[str, Any]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(
            "cannot read the gold file",
            expected="a JSON file as described in docs/agreements-labelling.md §6",
            given=str(exc),
            where=Location(source=str(path)),
            hint="check the path and the JSON syntax",
        ) from exc
    missing = [k for k in ("document", "tasks") if not isinstance(raw, dict) or k not in raw]
    if missing:
        raise InputError(
            "gold file lacks required keys",
            expected='a JSON object with "document" and "tasks" (docs/agreements-labelling.md §6)',
            given=f"missing {', '.join(missing)}",
            where=Location(source=str(path)),
            hint="start from one of tests/data/agreements/*_gold.json",
        )
    return dict(raw)


def find_document(path: Path, name: str, documents: Sequence[str | Path] = ()) -> Path:
    """The document a gold file labels: beside the gold file, else in one of ``documents`` (folders).

    Raises
    ------
    InputError
        When it is in none of them (e.g. a newspaper text kept only in ``../shared/data/agreements``).
    """
    folders = [path.parent, *(Path(d) for d in documents)]
    for folder in folders:
        if (folder / name).is_file():
            return folder / name
    raise InputError(
        "the document of a gold file is not here",
        expected=f"{name} beside the gold file or in a documents folder",
        given=", ".join(str(f) for f in folders),
        where=Location(source=str(path), field="document"),
        hint="texts that may not be committed are read from ../shared/data/agreements (--shared DIR)",
    )


def _gold_span(item: dict[str, Any], text: str, pos: int, where: Location, name: str) -> tuple[int, int]:
    """A gold task's span: its verbatim ``text`` (searched after ``pos``), or ``span`` offsets whose text
    has the SHA-1 prefix ``sha1`` (for documents whose text may not be copied into a gold file)."""
    if "span" in item:
        start, end = (int(v) for v in item["span"])
        digest = hashlib.sha1(text[start:end].encode("utf-8"), usedforsecurity=False).hexdigest()
        sha1 = str(item.get("sha1") or "")
        if not (0 <= start < end <= len(text)) or len(sha1) < 8 or not digest.startswith(sha1):
            raise InputError(
                "gold task span does not fit the document",
                expected=f"offsets into {name} whose text has SHA-1 {item.get('sha1')}…",
                given=f"span {item['span']} (SHA-1 {digest[:12]}…)",
                where=where,
                hint="the document changed since it was labelled: relabel the span",
            )
        return start, end
    start = text.find(item["text"], pos)
    if start < 0:
        raise InputError(
            "gold task text not found in the document",
            expected=f"a verbatim span of {name} after the previous task",
            given=repr(item["text"][:80]),
            where=where,
            hint="copy the span from the document; keep the tasks in document order",
        )
    return start, start + len(item["text"])


def load_gold(path: str | Path, *, documents: Sequence[str | Path] = ()) -> tuple[Gold, str]:
    """Read a gold file and the document it labels; returns the gold tasks with their spans and the text.

    The document is looked for beside the gold file, then in the ``documents`` folders. A task names its
    span by its verbatim ``text`` or, for texts that may not be copied, by ``span`` offsets and ``sha1``.

    Raises
    ------
    InputError
        When the file is not valid, a label is not an allowed value, or a task's span is not in the document.
    """
    path = Path(path)
    raw = _read_json(path)
    document = find_document(path, raw["document"], documents)
    text, _ = read_source(document)
    expected_sha = raw.get("document_sha256")
    actual_sha = hashlib.sha256(document.read_bytes()).hexdigest()
    if expected_sha and expected_sha != actual_sha:
        raise InputError(
            "the document differs from the one that was labelled",
            expected=f"{document.name} with SHA-256 {expected_sha}",
            given=f"SHA-256 {actual_sha}",
            where=Location(source=str(path), field="document_sha256"),
            hint="score the text that was labelled, or relabel the new text",
        )
    tasks: list[GoldTask] = []
    pos = 0
    for i, item in enumerate(raw["tasks"], 1):
        where = Location(source=str(path), row=i, field="span" if "span" in item else "text")
        start, end = _gold_span(item, text, pos, where, document.name)
        pos = end
        try:
            tasks.append(
                GoldTask(
                    text=text[start:end],
                    span=(start, end),
                    area=Area(item["area"]),
                    lead=frozenset(item["lead"]),
                    partners=frozenset(item.get("partners", [])),
                    strength=Strength(item["strength"]),
                )
            )
        except (KeyError, ValueError) as exc:
            raise InputError(
                "gold label is not an allowed value",
                expected=f"area in {[a.value for a in Area]}, strength in {[s.value for s in Strength]}",
                given=str(exc),
                where=Location(source=str(path), row=i),
                hint="use the values of xietong.agreements.Area and Strength",
            ) from exc
    return Gold(document=document, parties=tuple(raw.get("parties", [])), tasks=tuple(tasks)), text


def _iou(a: tuple[int, int], b: tuple[int, int]) -> float:
    inter = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    union = max(a[1], b[1]) - min(a[0], b[0])
    return inter / union if union else 0.0


def match(predicted: list[tuple[int, int]], gold: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """One-to-one pairs ``(predicted index, gold index)`` with IoU ≥ :data:`MIN_IOU`, best first."""
    scored = sorted(
        ((_iou(p, g), i, j) for i, p in enumerate(predicted) for j, g in enumerate(gold) if _iou(p, g) >= MIN_IOU),
        reverse=True,
    )
    used_p: set[int] = set()
    used_g: set[int] = set()
    out: list[tuple[int, int]] = []
    for _, i, j in scored:
        if i not in used_p and j not in used_g:
            used_p.add(i)
            used_g.add(j)
            out.append((i, j))
    return sorted(out)


def _ratio(a: int, b: int) -> float:
    return a / b if b else 0.0


@dataclass(frozen=True, slots=True)
class DocumentScore:
    """Scores of one document; ``errors`` lists the misses, false alarms and wrong labels."""

    document: str
    gold: int
    predicted: int
    matched: int
    area_correct: int
    lead_correct: int
    partners_correct: int
    strength_correct: int
    parties_correct: bool
    errors: tuple[str, ...] = field(default=())

    @property
    def precision(self) -> float:
        return _ratio(self.matched, self.predicted)

    @property
    def recall(self) -> float:
        return _ratio(self.matched, self.gold)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def area_accuracy(self) -> float:
        return _ratio(self.area_correct, self.matched)

    @property
    def lead_accuracy(self) -> float:
        return _ratio(self.lead_correct, self.matched)

    @property
    def partners_accuracy(self) -> float:
        return _ratio(self.partners_correct, self.matched)

    @property
    def strength_accuracy(self) -> float:
        return _ratio(self.strength_correct, self.matched)

    def as_dict(self) -> dict[str, Any]:
        return {
            "document": self.document,
            "gold": self.gold,
            "predicted": self.predicted,
            "matched": self.matched,
            "precision": round(self.precision, 3),
            "recall": round(self.recall, 3),
            "f1": round(self.f1, 3),
            "area_accuracy": round(self.area_accuracy, 3),
            "lead_accuracy": round(self.lead_accuracy, 3),
            "partners_accuracy": round(self.partners_accuracy, 3),
            "strength_accuracy": round(self.strength_accuracy, 3),
            "parties_correct": self.parties_correct,
        }


def score(agreement: Agreement, gold: Gold) -> DocumentScore:
    """Compare an imported agreement with its gold labels."""
    pred = list(agreement.tasks)
    pairs = match([t.span for t in pred], [g.span for g in gold.tasks])
    errors: list[str] = []
    matched_p = {i for i, _ in pairs}
    matched_g = {j for _, j in pairs}
    errors += [f"missed: {g.text[:100]}" for j, g in enumerate(gold.tasks) if j not in matched_g]
    errors += [f"extra: {t.text[:100]}" for i, t in enumerate(pred) if i not in matched_p]
    area = lead = partners = strength = 0
    for i, j in pairs:
        t, g = pred[i], gold.tasks[j]
        if t.area is g.area:
            area += 1
        else:
            errors.append(f"area {t.area.value} ≠ gold {g.area.value}: {g.text[:80]}")
        if frozenset(t.lead) == g.lead:
            lead += 1
        else:
            errors.append(f"lead {sorted(t.lead)} ≠ gold {sorted(g.lead)}: {g.text[:80]}")
        if frozenset(t.partners) == g.partners:
            partners += 1
        else:
            errors.append(f"partners {sorted(t.partners)} ≠ gold {sorted(g.partners)}: {g.text[:80]}")
        if t.strength is g.strength:
            strength += 1
        else:
            errors.append(f"strength {t.strength.value} ≠ gold {g.strength.value}: {g.text[:80]}")
    parties_ok = sorted(p.code for p in agreement.parties if p.code) == sorted(gold.parties)
    return DocumentScore(
        document=gold.document.name,
        gold=len(gold.tasks),
        predicted=len(pred),
        matched=len(pairs),
        area_correct=area,
        lead_correct=lead,
        partners_correct=partners,
        strength_correct=strength,
        parties_correct=parties_ok,
        errors=tuple(errors),
    )


def evaluate(gold_path: str | Path, *, documents: Sequence[str | Path] = ()) -> DocumentScore:
    """Import the document a gold file labels and score the import against it (``documents``: folders
    where the document may be, besides the gold file's own)."""
    gold, text = load_gold(gold_path, documents=documents)
    return score(from_text(text, source=gold.document.name), gold)


__all__ = ["MIN_IOU", "DocumentScore", "Gold", "GoldTask", "evaluate", "find_document", "load_gold", "match", "score"]
