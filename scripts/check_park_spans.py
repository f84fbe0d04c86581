"""Check every source span of the parks seed against the real texts in ``../shared/data/agreements``.

The unit tests recompute the spans into the committed Beijing–Tianjin agreement; spans into the newspaper
texts (jjj_04, jjj_08: publishers' copyright, read from ``../shared`` only, never committed) are checked here.

    .venv/bin/python scripts/check_park_spans.py [DIR]
"""

from __future__ import annotations

import sys
from pathlib import Path

from xietong.industry import parks


def main(folder: Path) -> int:
    bad = checked = 0
    for park in parks.seed():
        for span in (*park.spans, *([park.industries_span] if park.industries_span else [])):
            text = (folder / span.file).read_text(encoding="utf-8")
            checked += 1
            if text[span.start : span.end] != span.text:
                bad += 1
                print(
                    f"{park.code}: {span.file}[{span.start}:{span.end}] is {text[span.start : span.end]!r}, not {span.text!r}"
                )
    print(f"{checked} spans checked, {bad} wrong")
    return 1 if bad else 0


if __name__ == "__main__":
    default = Path(__file__).resolve().parents[2] / "shared" / "data" / "agreements"
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else default))
