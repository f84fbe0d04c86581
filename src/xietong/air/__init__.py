"""Air quality engine: IAQI/AQI under HJ 633-2012 and HJ 633-2026, GB 3095 averages and validity.

A pure core (arrays and DataFrames in, arrays and DataFrames out; no I/O). Services, the API and the CLI
call these functions; see docs/air.md.
"""

from xietong.air.aqi import (
    SLOTS,
    AboveTable,
    AqiArrays,
    AqiEdition,
    MissingRule,
    NotMonitored,
    PmRealtime,
    Report,
    aqi_arrays,
    daily_aqi,
    edition_tables,
    editions_for_days,
    hourly_aqi,
    iaqi,
    level_info,
    sensitive_groups,
)
from xietong.air.averaging import (
    ValidityRules,
    annual_statistics,
    city_values,
    daily_values,
    hj663_percentile,
    moving_means,
)

__all__ = [
    "SLOTS",
    "AboveTable",
    "AqiArrays",
    "AqiEdition",
    "MissingRule",
    "NotMonitored",
    "PmRealtime",
    "Report",
    "ValidityRules",
    "annual_statistics",
    "aqi_arrays",
    "city_values",
    "daily_aqi",
    "daily_values",
    "edition_tables",
    "editions_for_days",
    "hj663_percentile",
    "hourly_aqi",
    "iaqi",
    "level_info",
    "moving_means",
    "sensitive_groups",
]
