"""Surface-water quality: GB 3838-2002 classes, the 2011 evaluation method, sample formats and the
river graph. Pure functions (no I/O beyond reading files handed to the readers, no database).

Library surface::

    from xietong.water import classify, evaluate_river, downstream, haihe_network, WaterClass

See ``docs/water.md`` for what is implemented, every [R] switch and its default, and the river graph.
"""

from __future__ import annotations

from xietong.water.agreement import AgreementReport, agreement_report
from xietong.water.classify import Classification, classify, format_main_pollutants, grade_of, item_class
from xietong.water.enums import (
    Change,
    Comparison,
    EvaluationMethod,
    HeavyRule,
    LinkKind,
    QualityGrade,
    TrendRule,
    Waterbody,
    WaterClass,
    WaterFormat,
    WaterItem,
)
from xietong.water.evaluate import (
    PeriodChange,
    RiverEvaluation,
    compare_periods,
    evaluate_river,
    evaluate_rivers,
    period_mean,
    proportion_grade,
)
from xietong.water.formats import load_cnemc_realtime, read_samples, to_canonical, to_wide
from xietong.water.network import (
    RiverNetwork,
    build_network,
    cross_border_links,
    downstream,
    downstream_jurisdictions,
    haihe_network,
    upstream,
)

__all__ = [
    "AgreementReport",
    "Change",
    "Classification",
    "Comparison",
    "EvaluationMethod",
    "HeavyRule",
    "LinkKind",
    "PeriodChange",
    "QualityGrade",
    "RiverEvaluation",
    "RiverNetwork",
    "TrendRule",
    "WaterClass",
    "WaterFormat",
    "WaterItem",
    "Waterbody",
    "agreement_report",
    "build_network",
    "classify",
    "compare_periods",
    "cross_border_links",
    "downstream",
    "downstream_jurisdictions",
    "evaluate_river",
    "evaluate_rivers",
    "format_main_pollutants",
    "grade_of",
    "haihe_network",
    "item_class",
    "load_cnemc_realtime",
    "period_mean",
    "proportion_grade",
    "read_samples",
    "to_canonical",
    "to_wide",
    "upstream",
]
