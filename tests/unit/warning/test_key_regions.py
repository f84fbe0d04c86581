"""The key-region city lists the warning rule sets cover: every name resolves, the counts are the documents'."""

from __future__ import annotations

from xietong import region
from xietong.air import key_regions


def test_every_list_resolves_and_has_the_documented_size() -> None:
    sizes = {r.id: len(r.cities) for r in key_regions.key_regions()}
    assert sizes["jjj-2plus26-2017"] == 28  # "2+26"
    assert sizes["jjj-2plus36-2023"] == 38  # "2+36"
    assert sizes["fenwei-2018"] == 11


def test_the_2024_rules_cover_neighbours_upwind_of_jing_jin_ji() -> None:
    neighbours = {region.display_name(c) for c in key_regions.neighbours_of_rules("key-regions-2024")}
    assert {"济南市", "郑州市", "太原市", "西安市"} <= neighbours
    assert "北京市" not in neighbours and "保定市" not in neighbours  # jurisdictions are not neighbours
    assert "北京市" in {region.display_name(c) for c in key_regions.cities_of_rules("key-regions-2024")}


def test_unconfirmed_lists_say_so_and_a_rule_set_without_lists_has_none() -> None:
    assert {r.id: r.confirmed for r in key_regions.key_regions()}["jjj-2plus26-2017"] is True
    assert not all(r.confirmed for r in key_regions.regions_of_rules("key-regions-2024"))
    assert key_regions.cities_of_rules("jjj-2016") == ()
