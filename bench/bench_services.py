"""Services benchmark: deadlines of 1 million case steps on the official working-day calendar, and the
overdue query over 1 million open cases on PostgreSQL.

Run from the repository root, as a module::

    .venv/bin/python -m bench.bench_services [--steps 1000000] [--repeat 5]
    .venv/bin/python -m bench.bench_services --overdue [--cases 1000000] [--repeat 20]

Target (issue 16): deadlines for 1 million steps in under 2 s. The steps are random (seed 16) with start
days over the years the installed chinesecalendar knows (leaving room for the longest step), time limits
of 0-60 working days and one suspension in three of 0-30 calendar days. Timed, best of ``--repeat``:

1. ``due_date`` of every step (start day not counted);
2. ``suspended_working_days`` + ``due_date`` (the deadline moved by each suspension);
3. ``working_days_between`` (the check that counting back gives the limits again);
4. the same pipeline through ``cases.due_dates`` on a DataFrame (the bulk path a service would use).

The calendar is built once before timing (its build time is printed apart).

``--overdue`` (target: the overdue query over 1 million open cases on PostgreSQL in < 100 ms) starts a
throwaway PostgreSQL server (the one the tests use, default durability), migrates it, and loads with COPY
``--cases`` SYNTHETIC cases (written for the benchmark: 200 offices "BENCH-…" over the 15 jurisdictions,
no personal data), each with three steps: received (done), forwarding (open, due from 3 days before to
40 days after the day queried) and acceptance (pending). After ``VACUUM ANALYZE`` it times the queries
of :mod:`xietong.services.deadlines` as the service runs them (best of ``--repeat``): the first page
(200 rows, earliest due first), the count, one office's page, and the scan's batch of not yet announced
steps; then the same first page and count with the partial indexes dropped, for comparison.
"""

from __future__ import annotations

import argparse
import platform
import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from bench.bench_services_overdue import run_overdue  # the PostgreSQL part
from xietong.services import calendar as wd
from xietong.services.cases import due_dates


def best_of(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--overdue", action="store_true", help="the PostgreSQL overdue-query benchmark instead")
    parser.add_argument("--cases", type=int, default=1_000_000)
    args = parser.parse_args()
    if args.overdue:
        run_overdue(args.cases, max(args.repeat, 1))
        return

    t0 = time.perf_counter()
    cal = wd.official_calendar()
    build_s = time.perf_counter() - t0

    rng = np.random.default_rng(16)
    n = args.steps
    first = np.datetime64(f"{cal.first_year}-01-01", "D")
    span = int((np.datetime64(f"{cal.last_year}-06-30", "D") - first) // np.timedelta64(1, "D"))
    start = first + rng.integers(0, span, n).astype("timedelta64[D]")
    limit = rng.integers(0, 61, n)
    suspended = rng.random(n) < 1 / 3
    s_from = start + rng.integers(0, 20, n).astype("timedelta64[D]")
    s_to = s_from + np.where(suspended, rng.integers(0, 31, n), 0).astype("timedelta64[D]")

    due = wd.due_date(start, limit)
    assert (wd.working_days_between(start, due) == limit).all()

    t_due = best_of(lambda: wd.due_date(start, limit), args.repeat)
    t_susp = best_of(lambda: wd.due_date(due, wd.suspended_working_days(s_from, s_to)), args.repeat)
    t_between = best_of(lambda: wd.working_days_between(start, due), args.repeat)
    frame = pd.DataFrame(
        {"base_on": start, "time_limit_wd": limit, "suspended_wd": wd.suspended_working_days(s_from, s_to)}
    )
    t_frame = best_of(lambda: due_dates(frame), args.repeat)

    print(
        f"machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}, NumPy {np.__version__}"
    )
    print(f"calendar: {cal.source}; {cal.working_index.size:,} working days; built in {build_s * 1000:.0f} ms")
    print(f"steps: {n:,} (best of {args.repeat})")
    print(f"  due_date                          {t_due:7.3f} s  ({n / t_due / 1e6:5.1f} M steps/s)")
    print(f"  suspension + moved due date       {t_susp:7.3f} s")
    print(f"  working_days_between (check)      {t_between:7.3f} s")
    print(f"  cases.due_dates on a DataFrame    {t_frame:7.3f} s")
    print(f"target: 1 million deadlines in < 2 s: {'met' if t_due < 2.0 and t_frame < 2.0 else 'NOT met'}")


if __name__ == "__main__":
    main()
