"""Measure the agreement importer against the hand-labelled gold files.

Usage::

    python scripts/evaluate_agreements.py                    # every gold file (committed and external texts)
    python scripts/evaluate_agreements.py GOLD.json [...]    # chosen gold files
    python scripts/evaluate_agreements.py --errors           # also list misses, false alarms, wrong labels
    python scripts/evaluate_agreements.py --json             # one JSON object per document
    python scripts/evaluate_agreements.py --shared DIR       # where the external texts are
    python scripts/evaluate_agreements.py --cv               # learned area classifiers, cross-validated by document
    python scripts/evaluate_agreements.py --heldout-areas tests/data/agreements/heldout_areas/beijing_regulations_jjj_articles.jsonl
                                                             # area of each held-out item alone: gold vs predicted

Gold files in ``tests/data/agreements`` label texts committed beside them. Those in
``tests/data/agreements/external`` label real texts that are read from ``../shared/data/agreements``
(newspaper reports under their publishers' copyright are not committed); without that folder they are
skipped, and the reason is printed. Matching and metrics are defined in ``xietong.agreements.evaluate``
(span IoU >= 0.5, one-to-one).
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import sys
import zlib
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from xietong.agreements.classify import area_scores
from xietong.agreements.evaluate import DocumentScore, evaluate, find_document, load_gold, match
from xietong.agreements.heldout import parse_area_items, score_areas
from xietong.agreements.importer import from_text
from xietong.agreements.model import Area
from xietong.errors import InputError
from xietong.inputs import parse_json_records

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIR = ROOT / "tests" / "data" / "agreements"
EXTERNAL_DIR = DEFAULT_DIR / "external"
SHARED_DIR = ROOT.parent / "shared" / "data" / "agreements"
COLUMNS = ("P", "R", "F1", "area", "lead", "part", "str")


def _row(s: DocumentScore) -> str:
    values = (s.precision, s.recall, s.f1, s.area_accuracy, s.lead_accuracy, s.partners_accuracy, s.strength_accuracy)
    return f"{s.document[:60]:<60} {s.gold:>4} {s.predicted:>4} " + " ".join(f"{v:>5.3f}" for v in values)


def _missing_document(path: Path, shared: Path) -> str | None:
    """Why a gold file cannot be scored here (its document is absent), or ``None``."""
    try:
        name = json.loads(path.read_text(encoding="utf-8"))["document"]
        find_document(path, name, [shared])
    except InputError as exc:
        return f"{exc.problem.expected} — not found in {shared} (pass --shared DIR)"
    except (OSError, ValueError, KeyError, TypeError):
        return None  # load_gold reports a broken gold file with its own error
    return None


# ------------------------------------------------------------------ learned area classifiers (--cv)
AREAS = list(Area)
HASHED = 1024


def _scores(text: str | None) -> NDArray[np.float64]:
    v = np.zeros(len(AREAS))
    for area, score in (area_scores(text) if text else {}).items():
        v[AREAS.index(area)] = score
    return np.log1p(v)


def _hashed_words(text: str) -> NDArray[np.float64]:
    """Bag of words (English words and word pairs, Chinese character pairs), hashed, unit length."""
    if re.search(r"[\u4e00-\u9fff]", text):
        tokens = [text[i : i + 2] for i in range(len(text) - 1)]
    else:
        words = re.findall(r"[a-z]+", text.lower())
        tokens = words + [f"{a} {b}" for a, b in itertools.pairwise(words)]
    v = np.zeros(HASHED)
    for token in tokens:
        v[zlib.crc32(token.encode()) % HASHED] += 1
    norm = float(np.linalg.norm(v))
    return v / norm if norm else v


Example = tuple[str, NDArray[np.float64], NDArray[np.float64], int, int]


def _examples(files: list[Path], shared: Path) -> list[Example]:
    """Per matched task: document, rule-score features, hashed words, gold area, the rules' area."""
    rows: list[Example] = []
    for path in files:
        gold, text = load_gold(path, documents=[shared])
        agreement = from_text(text, source=gold.document.name)
        for i, j in match([t.span for t in agreement.tasks], [g.span for g in gold.tasks]):
            t = agreement.tasks[i]
            rule = np.eye(len(AREAS))[AREAS.index(t.area)]
            nearest = t.section_path[-1] if t.section_path else None
            parts = (t.text, t.measure, nearest, " ".join(t.section_path), agreement.title)
            features = np.concatenate([*(_scores(x) for x in parts), rule])
            rows.append((gold.document.name, features, _hashed_words(t.text), AREAS.index(gold.tasks[j].area),
                         AREAS.index(t.area)))  # fmt: skip
    return rows


def _softmax_regression(
    x: NDArray[np.float64], y: NDArray[np.int64], *, rate: float, epochs: int
) -> NDArray[np.float64]:
    """Multinomial logistic regression (L2 1/n, batch gradient descent); weights with the bias last."""
    x = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros((x.shape[1], len(AREAS)))
    target = np.eye(len(AREAS))[y]
    for _ in range(epochs):
        z = x @ w
        p = np.exp(z - z.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        w -= rate * (x.T @ (p - target) + w) / len(x)
    return w


def cross_validate(files: list[Path], shared: Path) -> None:
    """Leave one document out: train on the others' matched tasks, predict the area of the held-out ones,
    and print the model's accuracy next to the rules' on the same tasks."""
    rows = _examples(files, shared)
    documents = sorted({r[0] for r in rows})
    variants = {"rule scores": (1, 0.5, 600), "hashed words": (2, 5.0, 800)}
    for name, (column, rate, epochs) in variants.items():
        print(f"area classifier on {name}: leave-one-document-out accuracy (rules on the same tasks)")
        hits_model = hits_rules = 0
        for document in documents:
            train = [r for r in rows if r[0] != document]
            test = [r for r in rows if r[0] == document]
            w = _softmax_regression(
                np.array([r[column] for r in train]), np.array([r[3] for r in train]), rate=rate, epochs=epochs
            )
            x = np.hstack([np.array([r[column] for r in test]), np.ones((len(test), 1))])
            model = int(sum((x @ w).argmax(axis=1) == np.array([r[3] for r in test])))
            rules = sum(r[4] == r[3] for r in test)
            hits_model, hits_rules = hits_model + model, hits_rules + rules
            print(f"    {document[:60]:<60} {len(test):>4} model {model / len(test):.3f} rules {rules / len(test):.3f}")
        n = len(rows)
        print(f"    {'all':<60} {n:>4} model {hits_model / n:.3f} rules {hits_rules / n:.3f}")
    _cross_validate_sklearn(rows)


def _cross_validate_sklearn(rows: list[Example]) -> None:
    """The same leave-one-document-out check with scikit-learn's logistic regression on standardised rule
    scores (scikit-learn comes with the dev extra, through ecomplexity; skipped with the reason without it)."""
    try:
        from sklearn.linear_model import LogisticRegression  # noqa: PLC0415 - optional (dev extra)
        from sklearn.pipeline import make_pipeline  # noqa: PLC0415
        from sklearn.preprocessing import StandardScaler  # noqa: PLC0415
    except ImportError as exc:
        print(f"skipped the scikit-learn classifier: {exc}")
        return
    print("area classifier on rule scores, scikit-learn logistic regression (standardised, C=1): leave one out")
    hits_model = hits_rules = 0
    for document in sorted({r[0] for r in rows}):
        train = [r for r in rows if r[0] != document]
        test = [r for r in rows if r[0] == document]
        model = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=2000))
        model.fit(np.array([r[1] for r in train]), np.array([r[3] for r in train]))
        right = int(sum(model.predict(np.array([r[1] for r in test])) == np.array([r[3] for r in test])))
        rules = sum(r[4] == r[3] for r in test)
        hits_model, hits_rules = hits_model + right, hits_rules + rules
        print(f"    {document[:60]:<60} {len(test):>4} model {right / len(test):.3f} rules {rules / len(test):.3f}")
    n = len(rows)
    print(f"    {'all':<60} {n:>4} model {hits_model / n:.3f} rules {hits_rules / n:.3f}")


def heldout_areas(path: Path, *, as_json: bool) -> int:
    """Score the area classifier on a held-out JSON-lines file (``xietong.agreements.heldout``): one line
    per item (gold, predicted, ok or ✗), then the accuracy overall, per gold area and on the items whose
    field the guide's table names."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        print(f"{path}: cannot read the held-out file ({exc.strerror}); give a JSON-lines file", file=sys.stderr)
        return 2
    try:
        records = parse_json_records(
            raw, source=str(path), key="items", shape='{"id","title","chapter","text","gold_area"}'
        )
        result = score_areas(parse_area_items(records, source=str(path)))
    except InputError as exc:
        print(f"{path}: {exc}", file=sys.stderr)
        return 2
    for r in result.results:
        row = {"id": r.item.id, "gold": r.item.gold.value, "predicted": r.predicted.value, "correct": r.correct}
        if as_json:
            print(json.dumps(row, ensure_ascii=False))
        else:
            mark = "ok" if r.correct else "✗"
            print(f"{r.item.id:<12} {r.item.gold.value:<20} {r.predicted.value:<20} {mark:<2} {r.item.text[:40]}")
    right, total = result.in_table
    summary = {
        "items": result.total,
        "correct": result.correct,
        "accuracy": round(result.accuracy, 3),
        "in_table": {"correct": right, "items": total},
        "per_area": {a.value: {"correct": c, "items": n} for a, (c, n) in result.per_area().items()},
    }
    if as_json:
        print(json.dumps(summary, ensure_ascii=False))
        return 0
    print(f"accuracy {result.correct}/{result.total} = {result.accuracy:.3f}; on items whose field the table names "
          f"{right}/{total}")  # fmt: skip
    for area, (c, n) in result.per_area().items():
        print(f"    {area.value:<20} {c}/{n}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("gold", nargs="*", type=Path, help="gold files (default: all)")
    parser.add_argument("--errors", action="store_true", help="list every miss, false alarm and wrong label")
    parser.add_argument("--json", action="store_true", help="print one JSON object per document")
    parser.add_argument("--shared", type=Path, default=SHARED_DIR, help=f"external texts (default {SHARED_DIR})")
    parser.add_argument("--cv", action="store_true", help="cross-validate learned area classifiers by document")
    parser.add_argument(
        "--heldout-areas", type=Path, metavar="PATH", help="score the area of each item of a held-out JSON-lines file"
    )
    args = parser.parse_args(argv)
    if args.heldout_areas is not None:
        return heldout_areas(args.heldout_areas, as_json=args.json)
    files = args.gold or [*sorted(DEFAULT_DIR.glob("*_gold.json")), *sorted(EXTERNAL_DIR.glob("*_gold.json"))]
    if not files:
        print(f"no gold files found in {DEFAULT_DIR}", file=sys.stderr)
        return 2
    if args.cv:
        cross_validate([f for f in files if _missing_document(f, args.shared) is None], args.shared)
        return 0
    if not args.json:
        print(f"{'document':<60} {'gold':>4} {'pred':>4} " + " ".join(f"{c:>5}" for c in COLUMNS))
    for path in files:
        reason = _missing_document(path, args.shared)
        if reason is not None:
            line = json.dumps({"document": path.name, "skipped": reason}, ensure_ascii=False)
            print(line if args.json else f"skipped {path.name}: {reason}")
            continue
        try:
            s = evaluate(path, documents=[args.shared])
        except InputError as exc:
            print(f"{path}: {exc}", file=sys.stderr)
            return 2
        print(json.dumps(s.as_dict(), ensure_ascii=False) if args.json else _row(s))
        if args.errors:
            for e in s.errors:
                print(f"    {e}")
    if not args.json:
        print("P/R/F1: task detection; area, lead, part(ners), str(ength): accuracy over matched tasks")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
