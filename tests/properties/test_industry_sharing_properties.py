"""Properties of the 2015 tax-sharing rule on random enterprises and tax histories (Hypothesis)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from xietong.industry import rules, sharing

SPEC = rules.load("tax_sharing", "jjj-2015")
YEARS, EXT = SPEC["period"]["years"], SPEC["period"]["extension_years"]


@st.composite
def cases(draw: st.DrawFn) -> tuple[pd.DataFrame, pd.DataFrame]:
    n = draw(st.integers(1, 4))
    ents, rows = [], []
    for i in range(n):
        start = draw(st.integers(2015, 2024))
        ents.append(
            {
                "enterprise": f"E{i}",
                "origin": draw(st.sampled_from(["110000", "120000", "130100"])),
                "destination": draw(st.sampled_from(["130200", "130600", "120000"])),
                "start_year": start,
                "pre_move_local_cny": draw(st.floats(0, 5e8)),
                "government_led": draw(st.booleans()),
            }
        )
        for year in range(start - 1, start + draw(st.integers(1, 9))):
            for tax in draw(
                st.lists(
                    st.sampled_from(["vat", "cit"] + (["business_tax"] if year < 2016 else [])), min_size=1, unique=True
                )
            ):
                rows.append({"enterprise": f"E{i}", "year": year, "tax": tax, "paid_cny": draw(st.floats(0, 4e8))})
    return pd.DataFrame(ents), pd.DataFrame(rows)


@settings(max_examples=150, deadline=None)
@given(cases())
def test_shares_add_up_to_the_local_part_of_each_tax(case: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    e, t = case
    d = sharing.share_taxes(e, t).detail
    assert np.allclose(d["origin_cny"] + d["destination_cny"], d["paid_cny"] * d["local_share"], rtol=1e-12, atol=1e-6)
    assert (d["origin_cny"] >= 0).all()
    assert (d["destination_cny"] >= -1e-6).all()


@settings(max_examples=150, deadline=None)
@given(cases())
def test_the_origin_never_passes_its_cap(case: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    e, t = case
    d = sharing.share_taxes(e, t).detail
    total = d.groupby("enterprise")["origin_cny"].sum()
    cap = e.set_index("enterprise")["pre_move_local_cny"].reindex(total.index)
    assert (total <= cap * (1 + 1e-12) + 1e-6).all()


@settings(max_examples=150, deadline=None)
@given(cases())
def test_sharing_stops_when_the_rule_says(case: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    e, t = case
    d = sharing.share_taxes(e, t).detail
    outside = (d["sharing_year"] < 1) | (d["sharing_year"] > YEARS + EXT)
    assert (d.loc[outside, "origin_cny"] == 0).all()
    # extension years only when the first period did not reach the cap
    first = d[d["sharing_year"].between(1, YEARS)].groupby("enterprise")["origin_cny"].sum()
    ext = d[d["sharing_year"].between(YEARS + 1, YEARS + EXT)].groupby("enterprise")["origin_cny"].sum()
    cap = e.set_index("enterprise")["pre_move_local_cny"]
    for ent, amount in ext.items():
        if amount > 0:
            assert first.get(ent, 0.0) < cap[ent]
    # no share for enterprises outside the rule's scope
    out_of_scope = e[~e["government_led"] | (e["pre_move_local_cny"] < 60e6)]["enterprise"]
    assert (d.loc[d["enterprise"].isin(out_of_scope), "origin_cny"] == 0).all()
