"""The river graph: validation, downstream traversal and estimated arrival times."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from xietong import region
from xietong.errors import InputError, NotFoundError
from xietong.water.enums import LinkKind, WaterClass
from xietong.water.network import (
    RiverNetwork,
    build_network,
    cross_border_links,
    downstream,
    downstream_jurisdictions,
    haihe_network,
    resolve_sections,
    upstream,
)

SECTIONS = """code,name,river,basin,jurisdiction,waterbody,target_class,cross_border,from_jurisdiction,to_jurisdiction
A,上游,甲河,测试,130600,river,III,false,,
B,中游,甲河,测试,131000,river,IV,true,130600,131000
C,下游,甲河,测试,120000,river,IV,true,131000,120000
D,支流,乙河,测试,131000,river,III,false,,
E,河口,甲河,测试,120000,river,IV,false,,
"""
# A -36 km, 0.5 m/s-> B -18 km, 0.25 m/s-> C -> E
# A -72 km, 1.0 m/s-> D -36 km, 1.0 m/s-> C      (faster although longer)
LINKS = """from_section,to_section,river,kind,distance_km,velocity_m_s,approximate,estimate
A,B,甲河,river,36,0.5,false,measured
B,C,甲河,river,18,0.25,false,measured
A,D,乙河,river,72,1.0,true,test
D,C,乙河,confluence,36,1.0,true,test
C,E,甲河,river,7.2,0.1,false,measured
"""


@pytest.fixture
def toy() -> RiverNetwork:
    return build_network(io.StringIO(SECTIONS), io.StringIO(LINKS))


def test_link_travel_time(toy: RiverNetwork) -> None:
    links = toy.links.set_index(["from_section", "to_section"])
    assert links.loc[("A", "B"), "travel_time_h"] == 20.0  # 36 km / 0.5 m/s = 72 000 s
    assert links.loc[("B", "C"), "travel_time_h"] == 20.0
    assert links.loc[("C", "E"), "travel_time_h"] == 20.0
    assert links.loc[("D", "C"), "kind"] is LinkKind.CONFLUENCE


def test_eta_sums_along_the_fastest_path(toy: RiverNetwork) -> None:
    start = pd.Timestamp("2025-11-18T16:00+08:00")
    out = downstream(toy, "A", start=start).set_index("section")
    assert out.index.tolist() == ["B", "D", "C", "E"]  # by arrival
    assert out.loc["B", "travel_time_h"] == 20.0
    assert out.loc["D", "travel_time_h"] == 20.0
    assert out.loc["C", "travel_time_h"] == 30.0  # via D: 20 h + 10 h, not via B: 40 h
    assert out.loc["C", "distance_km"] == 108.0  # along the fastest path
    assert out.loc["C", "path"] == ("A", "D", "C")
    assert out.loc["C", "hops"] == 2
    assert out.loc["E", "travel_time_h"] == 50.0
    assert out.loc["E", "arrival"] == pd.Timestamp("2025-11-20T18:00+08:00")
    assert bool(out.loc["C", "approximate"]) is True
    assert bool(out.loc["B", "approximate"]) is False
    assert out["cross_border"].tolist() == [True, True, True, True]


def test_eta_from_a_middle_section(toy: RiverNetwork) -> None:
    out = downstream(toy, "B").set_index("section")
    assert out.index.tolist() == ["C", "E"]
    assert out["travel_time_h"].tolist() == [20.0, 40.0]
    assert "arrival" not in out.columns


def test_max_hours(toy: RiverNetwork) -> None:
    assert downstream(toy, "A", max_hours=30.0)["section"].tolist() == ["B", "D", "C"]


def test_most_downstream_section_reaches_nothing(toy: RiverNetwork) -> None:
    assert downstream(toy, "E").empty


def test_upstream(toy: RiverNetwork) -> None:
    out = upstream(toy, "C").set_index("section")
    assert out.loc["A", "travel_time_h"] == 30.0
    assert out.loc["A", "path"] == ("A", "D", "C")
    assert set(out.index) == {"A", "B", "D"}


def test_jurisdictions_to_notify(toy: RiverNetwork) -> None:
    reached = downstream(toy, "A", start=pd.Timestamp("2025-11-18T16:00+08:00"))
    out = downstream_jurisdictions(reached)
    assert out["jurisdiction"].tolist() == ["131000", "120000"]
    assert out["first_section"].tolist() == ["B", "C"]
    assert out["travel_time_h"].tolist() == [20.0, 30.0]
    assert out["sections"].tolist() == [("B", "D"), ("C", "E")]


def test_cross_border_links(toy: RiverNetwork) -> None:
    province = cross_border_links(toy)
    assert list(zip(province["from_section"], province["to_section"], strict=True)) == [("B", "C"), ("D", "C")]
    city = cross_border_links(toy, level="jurisdiction")
    assert len(city) == 4


def test_naive_start_time_is_refused(toy: RiverNetwork) -> None:
    with pytest.raises(InputError, match="without a time zone"):
        downstream(toy, "A", start=pd.Timestamp("2025-11-18T16:00"))


def test_unknown_section(toy: RiverNetwork) -> None:
    with pytest.raises(NotFoundError, match="unknown water-quality section"):
        downstream(toy, "Z")


def test_validation_names_row_and_field() -> None:
    links = LINKS + "A,Z,甲河,river,-1,0,maybe,\nB,B,甲河,canal,1,1,false,\n"
    with pytest.raises(InputError) as err:
        build_network(io.StringIO(SECTIONS), io.StringIO(links))
    text = str(err.value)
    assert "unknown section code" in text
    assert "row 7" in text
    assert "field 'distance_km'" in text
    assert "velocity must be positive" in text
    assert "not a boolean" in text
    assert "a link from a section to itself" in text
    assert "unknown link kind" in text


def test_section_validation() -> None:
    bad = SECTIONS + "F,坏,甲河,测试,12,sea,VI,true,,\nA,重复,甲河,测试,120000,river,劣V,false,,\n"
    with pytest.raises(InputError) as err:
        build_network(io.StringIO(bad), io.StringIO(LINKS))
    text = str(err.value)
    for expected in (
        "not a GB/T 2260 code",
        "unknown water body type",
        "unknown target class",
        "needs both jurisdictions",
        "cannot be 劣V",
        "given twice",
    ):
        assert expected in text


# -- the packaged Haihe graph ----------------------------------------------------------------------


def test_haihe_graph_shape() -> None:
    net = haihe_network()
    assert len(net.sections) == 139
    placed = set(net.links["from_section"]) | set(net.links["to_section"])
    assert len(placed) >= 60
    assert net.links["approximate"].all()  # every distance and velocity is an estimate
    assert (net.links["estimate"].str.len() > 20).all()  # and says how it was estimated
    assert net.sections["target_class_assumed"].all()


def test_haihe_graph_is_acyclic() -> None:
    net = haihe_network()
    for code in set(net.links["from_section"]):
        assert code not in set(downstream(net, code)["section"])


def test_north_canal_hebei_to_tianjin() -> None:
    """A pollution at 杨洼闸 (Langfang, Hebei) reaches Tianjin's North Canal and Haihe sections."""
    net = haihe_network()
    assert net.section("HE11")["name"] == "杨洼闸（王家摆）"
    assert net.section("HE11")["river"] == "北运河"
    assert net.section("HE11")["jurisdiction"] == "131000"
    out = downstream(net, "HE11", start=pd.Timestamp("2025-11-18T16:00+08:00")).set_index("section")
    assert list(out.index) == ["TJ03", "TJ04", "TJ05", "TJ11"]  # 土门楼, 北洋桥, 三岔口, 海河大闸
    assert (out["jurisdiction"] == "120000").all()
    assert out.loc["TJ03", "travel_time_h"] == pytest.approx(15 * 1000 / 0.2 / 3600)
    assert out.loc["TJ03", "arrival"] == pd.Timestamp("2025-11-19T12:50+08:00")
    jurisdictions = downstream_jurisdictions(out.reset_index())
    assert jurisdictions["jurisdiction"].tolist() == ["120000"]


def test_beijing_upstream_of_hebei_on_the_north_canal() -> None:
    net = haihe_network()
    reached = set(downstream(net, "BJ12")["section"])  # 通惠河 新八里桥
    assert {"HE11", "TJ03", "TJ11"} <= reached


def test_haihe_jurisdictions_are_real_codes() -> None:
    net = haihe_network()
    jjj = net.sections[net.sections["province"].isin(["北京市", "天津市", "河北省"])]
    for code in jjj["jurisdiction"]:
        assert region.get(code).jurisdiction


def test_cross_border_flags_agree_with_the_graph() -> None:
    net = haihe_network()
    flagged = net.sections[net.sections["cross_border"]]
    assert len(flagged) >= 8
    for code, row in flagged.iterrows():
        down = downstream(net, str(code))
        up = upstream(net, str(code))
        # the water enters the section's jurisdiction from upstream, or leaves it downstream
        assert row["from_jurisdiction"] != row["to_jurisdiction"]
        assert row["jurisdiction"] in {row["from_jurisdiction"], row["to_jurisdiction"]}
        assert not down.empty or not up.empty


def test_target_classes() -> None:
    net = haihe_network()
    assert net.section("BJ03")["target_class"] is WaterClass.II  # 密云水库 (assumed)
    assert set(net.sections["target_class"]) <= {WaterClass.II, WaterClass.III, WaterClass.IV}


def test_resolve_sections_by_published_names() -> None:
    codes = resolve_sections(
        ["河北省", "天津市", "河北省"], ["北运河", "北运河", "不存在"], ["杨洼闸（王家摆）", "土门楼", "x"]
    )
    assert codes.tolist() == ["HE11", "TJ03", None]
