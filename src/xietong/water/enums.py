"""Enumerations of the water module: the single source of allowed options.

Core functions, the CLI and the API schemas validate against these (OpenAPI lists their values).
:class:`WaterClass` is *the* water-quality class type of Xietong: nothing else spells the classes.
"""

from __future__ import annotations

from enum import StrEnum

from xietong.errors import InputError


class WaterClass(StrEnum):
    """Water-quality class of GB 3838-2002 (§4 and Table 1): Ⅰ..Ⅴ, and 劣Ⅴ (worse than class Ⅴ).

    Values are ASCII (``"I"`` … ``"V"``) except ``"劣V"``; :meth:`parse` accepts the Roman-numeral
    characters CNEMC publishes (``Ⅰ`` … ``Ⅴ``, ``劣Ⅴ``), ``类`` suffixes and the ranks 1..6.
    Order by :attr:`rank` (1 = best), never by the string.
    """

    I = "I"  # noqa: E741 - the class is called I
    II = "II"
    III = "III"
    IV = "IV"
    V = "V"
    WORSE_THAN_V = "劣V"

    @property
    def rank(self) -> int:
        """1 for class Ⅰ … 5 for class Ⅴ, 6 for 劣Ⅴ."""
        return _RANK[self]

    @property
    def label_zh(self) -> str:
        """The label as published: ``Ⅰ类`` … ``Ⅴ类``, ``劣Ⅴ类``."""
        return _LABEL_ZH[self]

    @classmethod
    def from_rank(cls, rank: int) -> WaterClass:
        """The class of rank 1..6."""
        try:
            return _BY_RANK[int(rank)]
        except KeyError:
            raise ValueError(f"water-class rank must be 1..6, given {rank!r}") from None

    @classmethod
    def parse(cls, text: str | int) -> WaterClass:
        """Accept ``I``/``Ⅰ``/``Ⅰ类``/``1`` … ``劣V``/``劣Ⅴ``/``劣Ⅴ类``/``6`` (case-insensitive)."""
        if isinstance(text, int):
            return cls.from_rank(text)
        key = str(text).strip().upper().removesuffix("类").removesuffix("類").strip()
        key = key.translate(_ROMAN)
        if key.isdigit():
            return cls.from_rank(int(key))
        return cls(key)


_ROMAN = str.maketrans({"Ⅰ": "I", "Ⅱ": "II", "Ⅲ": "III", "Ⅳ": "IV", "Ⅴ": "V", "Ⅵ": "VI"})
_RANK: dict[WaterClass, int] = {c: i for i, c in enumerate(WaterClass, start=1)}
_BY_RANK: dict[int, WaterClass] = {i: c for c, i in _RANK.items()}
_LABEL_ZH: dict[WaterClass, str] = {
    WaterClass.I: "Ⅰ类",
    WaterClass.II: "Ⅱ类",
    WaterClass.III: "Ⅲ类",
    WaterClass.IV: "Ⅳ类",
    WaterClass.V: "Ⅴ类",
    WaterClass.WORSE_THAN_V: "劣Ⅴ类",
}

#: classes in order of rank, best first
WATER_CLASSES: tuple[WaterClass, ...] = tuple(WaterClass)


class Waterbody(StrEnum):
    """Type of water body, which selects the TP row (and the TN item) of GB 3838-2002 Table 1."""

    RIVER = "river"
    LAKE = "lake"  # lakes and reservoirs (湖、库)


class WaterItem(StrEnum):
    """Measured parameters: the 24 basic items of GB 3838-2002 Table 1 and four auxiliary ones.

    The value is the column name in Xietong frames. Units: see :attr:`unit` (mg/L unless said).
    The auxiliary items (conductivity, turbidity, chlorophyll a, algae density) are published by the
    CNEMC automatic stations but have no GB 3838 class limits.
    """

    WATER_TEMP = "water_temp"
    PH = "ph"
    DO = "do"
    CODMN = "codmn"
    COD = "cod"
    BOD5 = "bod5"
    NH3N = "nh3n"
    TP = "tp"
    TN = "tn"
    CU = "cu"
    ZN = "zn"
    FLUORIDE = "fluoride"
    SE = "se"
    AS = "as"
    HG = "hg"
    CD = "cd"
    CR6 = "cr6"
    PB = "pb"
    CYANIDE = "cyanide"
    PHENOL = "phenol"
    PETROLEUM = "petroleum"
    LAS = "las"
    SULFIDE = "sulfide"
    FECAL_COLIFORM = "fecal_coliform"
    CONDUCTIVITY = "conductivity"
    TURBIDITY = "turbidity"
    CHLA = "chla"
    ALGAE_DENSITY = "algae_density"

    @property
    def unit(self) -> str:
        """The unit of this item's values in Xietong frames."""
        return _UNIT.get(self, "mg/L")

    @property
    def in_gb3838(self) -> bool:
        """``True`` for the 24 basic items of GB 3838-2002 Table 1."""
        return self not in _AUXILIARY

    @classmethod
    def parse(cls, text: str) -> WaterItem:
        """Accept the item codes and the usual spellings (``NH3-N``, ``氨氮``, ``CODMn``, ``DO`` …)."""
        key = str(text).strip()
        found = _ALIASES.get(key.casefold().replace(" ", "").replace("_", "").replace("-", ""))
        if found is not None:
            return found
        try:
            return cls(key.lower())
        except ValueError:
            raise InputError(
                "unknown water-quality item",
                expected="one of " + ", ".join(item.value for item in cls),
                given=repr(key[:40]),
            ) from None


_AUXILIARY = frozenset({WaterItem.CONDUCTIVITY, WaterItem.TURBIDITY, WaterItem.CHLA, WaterItem.ALGAE_DENSITY})
_UNIT: dict[WaterItem, str] = {
    WaterItem.WATER_TEMP: "℃",
    WaterItem.PH: "dimensionless",
    WaterItem.FECAL_COLIFORM: "个/L",
    WaterItem.CONDUCTIVITY: "µS/cm",
    WaterItem.TURBIDITY: "NTU",
    WaterItem.ALGAE_DENSITY: "cells/L",
}
_ALIASES: dict[str, WaterItem] = {
    **{i.value.replace("_", ""): i for i in WaterItem},
    "watertemperature": WaterItem.WATER_TEMP,
    "temperature": WaterItem.WATER_TEMP,
    "水温": WaterItem.WATER_TEMP,
    "ph值": WaterItem.PH,
    "dissolvedoxygen": WaterItem.DO,
    "溶解氧": WaterItem.DO,
    "permanganateindex": WaterItem.CODMN,
    "高锰酸盐指数": WaterItem.CODMN,
    "codcr": WaterItem.COD,
    "化学需氧量": WaterItem.COD,
    "五日生化需氧量": WaterItem.BOD5,
    "nh3n": WaterItem.NH3N,
    "nh3": WaterItem.NH3N,
    "ammonianitrogen": WaterItem.NH3N,
    "氨氮": WaterItem.NH3N,
    "totalphosphorus": WaterItem.TP,
    "总磷": WaterItem.TP,
    "totalnitrogen": WaterItem.TN,
    "总氮": WaterItem.TN,
    "copper": WaterItem.CU,
    "铜": WaterItem.CU,
    "zinc": WaterItem.ZN,
    "锌": WaterItem.ZN,
    "f": WaterItem.FLUORIDE,
    "氟化物": WaterItem.FLUORIDE,
    "selenium": WaterItem.SE,
    "硒": WaterItem.SE,
    "arsenic": WaterItem.AS,
    "砷": WaterItem.AS,
    "mercury": WaterItem.HG,
    "汞": WaterItem.HG,
    "cadmium": WaterItem.CD,
    "镉": WaterItem.CD,
    "crvi": WaterItem.CR6,
    "cr(vi)": WaterItem.CR6,
    "chromiumvi": WaterItem.CR6,
    "六价铬": WaterItem.CR6,
    "铬(六价)": WaterItem.CR6,
    "lead": WaterItem.PB,
    "铅": WaterItem.PB,
    "cn": WaterItem.CYANIDE,
    "氰化物": WaterItem.CYANIDE,
    "volatilephenol": WaterItem.PHENOL,
    "挥发酚": WaterItem.PHENOL,
    "oil": WaterItem.PETROLEUM,
    "石油类": WaterItem.PETROLEUM,
    "阴离子表面活性剂": WaterItem.LAS,
    "硫化物": WaterItem.SULFIDE,
    "fecalcoliform": WaterItem.FECAL_COLIFORM,
    "fecalcoliforms": WaterItem.FECAL_COLIFORM,
    "粪大肠菌群": WaterItem.FECAL_COLIFORM,
    "电导率": WaterItem.CONDUCTIVITY,
    "浊度": WaterItem.TURBIDITY,
    "chlorophylla": WaterItem.CHLA,
    "叶绿素a": WaterItem.CHLA,
    "藻密度": WaterItem.ALGAE_DENSITY,
}

#: the 24 basic items of GB 3838-2002 Table 1, in table order (序号 1..24)
GB3838_ITEMS: tuple[WaterItem, ...] = tuple(i for i in WaterItem if i.in_gb3838)


class QualityGrade(StrEnum):
    """Qualitative water-quality grade (水质状况) of the 2011 evaluation method (§6.2, §6.3).

    Sections: Ⅰ–Ⅱ 优, Ⅲ 良好, Ⅳ 轻度污染, Ⅴ 中度污染, 劣Ⅴ 重度污染; rivers and basins with five or more
    sections by the class-proportion method. Colours are recalled [R].
    """

    EXCELLENT = "excellent"
    GOOD = "good"
    LIGHT = "light"
    MODERATE = "moderate"
    HEAVY = "heavy"

    @property
    def label_zh(self) -> str:
        return _GRADE_ZH[self]

    @property
    def colour(self) -> str:
        """Colour name of the grade [R]: blue, green, yellow, orange, red."""
        return _GRADE_COLOUR[self]

    @property
    def rank(self) -> int:
        """1 (优) … 5 (重度污染)."""
        return _GRADE_RANK[self]


_GRADE_ZH: dict[QualityGrade, str] = {
    QualityGrade.EXCELLENT: "优",
    QualityGrade.GOOD: "良好",
    QualityGrade.LIGHT: "轻度污染",
    QualityGrade.MODERATE: "中度污染",
    QualityGrade.HEAVY: "重度污染",
}
_GRADE_COLOUR: dict[QualityGrade, str] = {
    QualityGrade.EXCELLENT: "blue",
    QualityGrade.GOOD: "green",
    QualityGrade.LIGHT: "yellow",
    QualityGrade.MODERATE: "orange",
    QualityGrade.HEAVY: "red",
}
_GRADE_RANK: dict[QualityGrade, int] = {g: i for i, g in enumerate(QualityGrade, start=1)}


class Comparison(StrEnum):
    """How a measured value is compared with a limit (GB/T 8170-2008 §4.3) [R].

    ``full``: the full value (全数值比较法), the default of GB/T 8170 when a standard does not say
    otherwise. ``rounded``: the value rounded (round-half-even) to the item's reporting precision first
    (修约值比较法); the CNEMC real-time system publishes classes this way (docs/water-agreement.md).
    """

    FULL = "full"
    ROUNDED = "rounded"


class HeavyRule(StrEnum):
    """Which reading of the 重度污染 row of the class-proportion method to apply (2011 method §6.3).

    ``worse_v_only`` (default, confirmed [C:S11]): Ⅰ–Ⅲ < 75 % and 劣Ⅴ >= 40 %.
    ``i_iii_below_60`` ([R], recalled original): Ⅰ–Ⅲ < 60 % and 劣Ⅴ >= 40 %. The two differ only when
    exactly 60 % of the sections are Ⅰ–Ⅲ and 40 % are 劣Ⅴ; that case is then 中度污染.
    """

    WORSE_V_ONLY = "worse_v_only"
    I_III_BELOW_60 = "i_iii_below_60"


class EvaluationMethod(StrEnum):
    """How a river or basin was evaluated (2011 method §6.3)."""

    MEAN = "mean"  # fewer sections than the threshold: average, then single-factor
    PROPORTION = "proportion"  # section-class proportion method


class TrendRule(StrEnum):
    """How the change between two periods is judged [R].

    ``proportion``: from ΔG − ΔD (percentage points of the Ⅰ–Ⅲ and 劣Ⅴ shares).
    ``grade``: from the number of grades moved. ``auto``: ``proportion`` when both periods were evaluated
    with the class-proportion method, otherwise ``grade``.
    """

    AUTO = "auto"
    PROPORTION = "proportion"
    GRADE = "grade"


class Change(StrEnum):
    """Change of water quality between two periods (2011 method, [R] wording)."""

    MARKEDLY_BETTER = "markedly_better"  # 明显好转
    BETTER = "better"  # 有所好转
    NO_OBVIOUS_CHANGE = "no_obvious_change"  # 无明显变化
    WORSE = "worse"  # 有所变差
    MARKEDLY_WORSE = "markedly_worse"  # 明显变差

    @property
    def label_zh(self) -> str:
        return _CHANGE_ZH[self]


_CHANGE_ZH: dict[Change, str] = {
    Change.MARKEDLY_BETTER: "明显好转",
    Change.BETTER: "有所好转",
    Change.NO_OBVIOUS_CHANGE: "无明显变化",
    Change.WORSE: "有所变差",
    Change.MARKEDLY_WORSE: "明显变差",
}


class WaterFormat(StrEnum):
    """Input formats of water samples (``xietong water ingest --format``)."""

    AUTO = "auto"
    CANONICAL = "canonical"
    CNEMC_REALTIME = "cnemc-realtime"


class LinkKind(StrEnum):
    """What carries the water along a link of the river graph."""

    RIVER = "river"  # the same river, downstream
    CONFLUENCE = "confluence"  # a tributary into the next river
    LAKE = "lake"  # into, through or out of a lake or reservoir
    DIVERSION = "diversion"  # a man-made diversion (canal, water-transfer project)


__all__ = [
    "GB3838_ITEMS",
    "WATER_CLASSES",
    "Change",
    "Comparison",
    "EvaluationMethod",
    "HeavyRule",
    "LinkKind",
    "QualityGrade",
    "TrendRule",
    "WaterClass",
    "WaterFormat",
    "WaterItem",
    "Waterbody",
]
