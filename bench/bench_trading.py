"""Trading core benchmark: the compliance engine, the replays, and serial-block moves.

Run from the repository root (reads ../shared/data/trading, as bench scripts may)::

    .venv/bin/python bench/bench_trading.py [--installations 16000] [--moves 5000]

1. Compliance engine: ``--installations`` installation histories resampled (whole histories 2005–2020, so
   each keeps its real sequence of verified emissions, surrenders and text states) from the EUTL AT+IE
   sample (European Union Transaction Log, European Commission), renumbered, ×16 years; time of
   ``compliance_status(..., "eu_ets")``, best of 3, single thread. Target (issue 15): 16,000 × 16 in < 10 s.
2. Replays: read + engine + comparison of the whole EUTL sample and of the UK ETS 2024 report (best of 3),
   rows/s.
3. Serial blocks: ``--moves`` random FIFO transfers among 100 accounts of one unit type (pure core, one
   table in memory), moves/s, with the invariants checked at the end.
"""

from __future__ import annotations

import argparse
import platform
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from xietong.trading import compliance_status, read_eutl, read_uk_ets, replay_eutl, replay_uk_ets, serials

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "trading"
EUTL = SHARED / "eutl_sample_AT_IE"
UK = SHARED / "uk_ets" / "20250611_Compliance_Report_Emissions_and_Surrenders.xlsx"


def best_of(fn: Callable[[], object], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def resample(years: pd.DataFrame, n_installations: int, seed: int = 7) -> pd.DataFrame:
    """``n_installations`` whole histories drawn with replacement, 2005–2020 (16 years each)."""
    base = years.loc[years["year"].between(2005, 2020)].drop(columns=["published_code"])
    ids = base["installation"].unique()
    grid = pd.MultiIndex.from_product([ids, range(2005, 2021)], names=["installation", "year"])
    full = base.set_index(["installation", "year"]).reindex(grid).reset_index()
    full["emissions_state"] = full["emissions_state"].fillna("absent")
    by_inst = {k: g.drop(columns=["installation"]).to_numpy() for k, g in full.groupby("installation")}
    cols = [c for c in full.columns if c != "installation"]
    rng = np.random.default_rng(seed)
    pick = rng.choice(ids, n_installations)
    stacked = np.concatenate([by_inst[k] for k in pick])
    out = pd.DataFrame(stacked, columns=cols)
    out.insert(0, "installation", np.repeat(np.arange(n_installations), 16))
    for c in ("year",):
        out[c] = out[c].astype(np.int64)
    for c in ("verified_t", "surrendered_t", "allocated_t"):
        if c in out:
            out[c] = pd.to_numeric(out[c]).astype(np.float64)
    return out


def bench_engine(n_installations: int) -> dict[str, float]:
    tables = read_eutl(EUTL)
    frame = resample(tables.installation_years, n_installations)
    t = best_of(lambda: compliance_status(frame, "eu_ets"))
    codes = compliance_status(frame, "eu_ets")["code"].value_counts(dropna=False)
    print(f"  codes: {codes.to_dict()}")
    return {"rows": float(len(frame)), "engine_s": t, "rows_per_s": len(frame) / t}


def bench_replays() -> dict[str, float]:
    out: dict[str, float] = {}
    tables = read_eutl(EUTL)
    n = len(tables.installation_years)
    out["eutl_rows"] = n
    out["eutl_read_s"] = best_of(lambda: read_eutl(EUTL))
    out["eutl_replay_s"] = best_of(lambda: replay_eutl(tables))
    out["eutl_rows_per_s"] = n / (out["eutl_read_s"] + out["eutl_replay_s"])
    uk = read_uk_ets(UK)
    out["uk_rows"] = len(uk.installation_years)
    out["uk_read_s"] = best_of(lambda: read_uk_ets(UK), repeat=2)
    out["uk_replay_s"] = best_of(lambda: replay_uk_ets(uk, year=2024))
    out["uk_rows_per_s"] = out["uk_rows"] / (out["uk_read_s"] + out["uk_replay_s"])
    return out


def bench_moves(n_moves: int, n_accounts: int = 100, seed: int = 3) -> dict[str, float]:
    rng = np.random.default_rng(seed)
    blocks = serials.empty_blocks()
    per_account = 10_000
    accounts = [f"acc{i:03d}" for i in range(n_accounts)]
    for a in accounts:
        blocks = serials.issue(blocks, unit_type="U", quantity=per_account, account=a).blocks
    src = rng.integers(0, n_accounts, n_moves)
    dst = (src + rng.integers(1, n_accounts, n_moves)) % n_accounts
    qty = rng.integers(1, 500, n_moves)
    done = refused = 0
    t0 = time.perf_counter()
    for s, d, q in zip(src, dst, qty, strict=True):
        try:
            blocks = serials.move(
                blocks, from_account=accounts[s], to_account=accounts[d], unit_type="U", quantity=int(q)
            ).blocks
            done += 1
        except ValueError:
            refused += 1
    elapsed = time.perf_counter() - t0
    problems = serials.check_invariants(blocks, issued={"U": per_account * n_accounts})
    assert problems == [], problems
    return {
        "moves": float(done),
        "refused": float(refused),
        "blocks_at_end": float(len(blocks)),
        "moves_s": elapsed,
        "moves_per_s": done / elapsed,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--installations", type=int, default=16_000)
    ap.add_argument("--moves", type=int, default=5_000)
    args = ap.parse_args()
    print(
        f"machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}, pandas {pd.__version__}"
    )
    print(f"1. compliance engine, {args.installations} installations x 16 years (resampled EUTL AT+IE histories)")
    e = bench_engine(args.installations)
    print(
        f"  {e['rows']:.0f} installation-years in {e['engine_s']:.3f} s = {e['rows_per_s']:,.0f} rows/s (target < 10 s)"
    )
    print("2. replays (read + engine + comparison)")
    r = bench_replays()
    print(
        f"  EUTL AT+IE: {r['eutl_rows']:.0f} rows, read {r['eutl_read_s']:.3f} s + replay {r['eutl_replay_s']:.3f} s = {r['eutl_rows_per_s']:,.0f} rows/s"
    )
    print(
        f"  UK ETS 2024: {r['uk_rows']:.0f} rows, read {r['uk_read_s']:.3f} s + replay {r['uk_replay_s']:.3f} s = {r['uk_rows_per_s']:,.0f} rows/s"
    )
    print(f"3. serial blocks: {args.moves} random FIFO transfers among 100 accounts (in memory)")
    m = bench_moves(args.moves)
    print(
        f"  {m['moves']:.0f} moves ({m['refused']:.0f} refused) in {m['moves_s']:.2f} s = {m['moves_per_s']:,.0f} moves/s; {m['blocks_at_end']:.0f} blocks at the end; invariants hold"
    )


if __name__ == "__main__":
    main()
