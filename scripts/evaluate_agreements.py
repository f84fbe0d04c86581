"""Measure the agreement importer against the hand-labelled gold files.

Usage::

    python scripts/evaluate_agreements.py                    # every tests/data/agreements/*_gold.json
    python scripts/evaluate_agreements.py GOLD.json [...]    # chosen gold files
    python scripts/evaluate_agreements.py --errors           # also list misses, false alarms, wrong labels
    python scripts/evaluate_agreements.py --json             # one JSON object per document

Matching and metrics are defined in ``xietong.agreements.evaluate`` (span IoU >= 0.5, one-to-one).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from xietong.agreements.evaluate import evaluate

DEFAULT_DIR = Path(__file__).resolve().parent.parent / "tests" / "data" / "agreements"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("gold", nargs="*", type=Path, help="gold files (default: all in tests/data/agreements)")
    parser.add_argument("--errors", action="store_true", help="list every miss, false alarm and wrong label")
    parser.add_argument("--json", action="store_true", help="print one JSON object per document")
    args = parser.parse_args(argv)
    files = args.gold or sorted(DEFAULT_DIR.glob("*_gold.json"))
    if not files:
        print(f"no gold files found in {DEFAULT_DIR}", file=sys.stderr)
        return 2
    columns = ("P", "R", "F1", "area", "lead", "part", "str")
    header = f"{'document':<46} {'gold':>4} {'pred':>4} " + " ".join(f"{c:>5}" for c in columns)
    if not args.json:
        print(header)
    for path in files:
        s = evaluate(path)
        if args.json:
            print(json.dumps(s.as_dict(), ensure_ascii=False))
        else:
            values = (s.precision, s.recall, s.f1, s.area_accuracy, s.lead_accuracy, s.partners_accuracy)
            values += (s.strength_accuracy,)
            print(f"{s.document:<46} {s.gold:>4} {s.predicted:>4} " + " ".join(f"{v:>5.3f}" for v in values))
        if args.errors:
            for e in s.errors:
                print(f"    {e}")
    if not args.json:
        print("P/R/F1: task detection; area, lead, part(ners), str(ength): accuracy over matched tasks")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
