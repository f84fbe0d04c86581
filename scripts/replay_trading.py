"""Replay the published registries with the compliance engine and report the agreement.

Usage (from the repository root; reads ../shared/data/trading, as scripts may)::

    .venv/bin/python scripts/replay_trading.py [--eutl DIR] [--uk FILE] [--year 2024]
        [--first-year 2005 --last-year 2019] [--strict] [--markdown-dir DIR] [--json]

Prints one JSON object per replay (``compared``, ``agreeing``, ``agreement``, ``by_year``, the mismatch
classes) — the keys the ``xietong trading replay`` command will print — and, with ``--markdown-dir``,
writes ``trading-replay-eutl.md`` and ``trading-replay-uk-ets.md`` mismatch reports there. ``--strict``
switches off the rule rows tagged ``confirmed = false``.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path

from xietong.errors import XietongError
from xietong.trading import ReplayReport, mismatch_markdown, read_eutl, read_uk_ets, replay_eutl, replay_uk_ets

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "trading"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--eutl", type=Path, default=SHARED / "eutl_sample_AT_IE")
    ap.add_argument(
        "--uk", type=Path, default=SHARED / "uk_ets" / "20250611_Compliance_Report_Emissions_and_Surrenders.xlsx"
    )
    ap.add_argument("--year", type=int, default=2024, help="UK report year to replay")
    ap.add_argument("--first-year", type=int, default=2005)
    ap.add_argument("--last-year", type=int, default=2019)
    ap.add_argument("--strict", action="store_true", help="switch off unconfirmed rule rows")
    ap.add_argument("--markdown-dir", type=Path)
    ap.add_argument("--json", action="store_true", help="print the full reports (with every mismatching row)")
    args = ap.parse_args()
    jobs: dict[str, Callable[[], ReplayReport]] = {
        "eutl": lambda: replay_eutl(
            read_eutl(args.eutl),
            first_year=args.first_year,
            last_year=args.last_year,
            include_unconfirmed=not args.strict,
        ),
        "uk-ets": lambda: replay_uk_ets(read_uk_ets(args.uk), year=args.year, include_unconfirmed=not args.strict),
    }
    reports: dict[str, ReplayReport] = {}
    failed = False
    for name, job in jobs.items():
        t0 = time.perf_counter()
        try:
            report = job()
        except XietongError as err:
            print(json.dumps({"format": name, "error": err.describe()}, ensure_ascii=False))
            failed = True
            continue
        reports[name] = report
        d = report.as_dict(max_mismatches=None if args.json else 0)
        if not args.json:
            d = {
                k: d[k]
                for k in (
                    "format",
                    "years",
                    "compared",
                    "agreeing",
                    "agreement",
                    "by_year",
                    "mismatch_classes",
                    "by_published",
                    "other_statuses",
                    "not_compared",
                    "n_problems",
                )
            }
        d["seconds"] = round(time.perf_counter() - t0, 3)
        print(json.dumps(d, ensure_ascii=False))
    if args.markdown_dir:
        args.markdown_dir.mkdir(parents=True, exist_ok=True)
        titles = {"eutl": f"EUTL replay: {args.eutl.name}", "uk-ets": f"UK ETS replay: {args.uk.name}, {args.year}"}
        for name, report in reports.items():
            (args.markdown_dir / f"trading-replay-{name}.md").write_text(
                mismatch_markdown(report, title=titles[name]), "utf-8"
            )
    return 2 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
