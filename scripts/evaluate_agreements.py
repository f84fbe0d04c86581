"""Measure the agreement importer against the hand-labelled gold files.

Usage::

    python scripts/evaluate_agreements.py                    # every gold file (committed and external texts)
    python scripts/evaluate_agreements.py GOLD.json [...]    # chosen gold files
    python scripts/evaluate_agreements.py --errors           # also list misses, false alarms, wrong labels
    python scripts/evaluate_agreements.py --json             # one JSON object per document
    python scripts/evaluate_agreements.py --shared DIR       # where the external texts are

Gold files in ``tests/data/agreements`` label texts committed beside them. Those in
``tests/data/agreements/external`` label real texts that are read from ``../shared/data/agreements``
(newspaper reports under their publishers' copyright are not committed); without that folder they are
skipped, and the reason is printed. Matching and metrics are defined in ``xietong.agreements.evaluate``
(span IoU >= 0.5, one-to-one).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from xietong.agreements.evaluate import DocumentScore, evaluate, find_document
from xietong.errors import InputError

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIR = ROOT / "tests" / "data" / "agreements"
EXTERNAL_DIR = DEFAULT_DIR / "external"
SHARED_DIR = ROOT.parent / "shared" / "data" / "agreements"
COLUMNS = ("P", "R", "F1", "area", "lead", "part", "str")


def _row(s: DocumentScore) -> str:
    values = (s.precision, s.recall, s.f1, s.area_accuracy, s.lead_accuracy, s.partners_accuracy)
    values += (s.strength_accuracy,)
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("gold", nargs="*", type=Path, help="gold files (default: all)")
    parser.add_argument("--errors", action="store_true", help="list every miss, false alarm and wrong label")
    parser.add_argument("--json", action="store_true", help="print one JSON object per document")
    parser.add_argument("--shared", type=Path, default=SHARED_DIR, help=f"external texts (default {SHARED_DIR})")
    args = parser.parse_args(argv)
    files = args.gold or [*sorted(DEFAULT_DIR.glob("*_gold.json")), *sorted(EXTERNAL_DIR.glob("*_gold.json"))]
    if not files:
        print(f"no gold files found in {DEFAULT_DIR}", file=sys.stderr)
        return 2
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
