"""Enumerations: the single source of allowed options.

The same enums validate core arguments, CLI options and API schemas (OpenAPI lists their values).
"""

from __future__ import annotations

from enum import StrEnum

from xietong.errors import InputError


class Pollutant(StrEnum):
    """The six basic items of GB 3095 that enter the AQI (HJ 633 Table 1).

    Units: µg/m³ for all but CO, which is in mg/m³ (GB 3095-2012 Table 1; GB 3095-2026 Table 1).
    """

    SO2 = "SO2"
    NO2 = "NO2"
    O3 = "O3"
    CO = "CO"
    PM10 = "PM10"
    PM25 = "PM2.5"

    @property
    def column(self) -> str:
        """The column name used in frames and in the store: ``so2``, ``no2``, ``o3``, ``co``, ``pm10``, ``pm25``."""
        return _COLUMN[self]

    @property
    def unit(self) -> str:
        """The unit of this pollutant's concentrations in Xietong: ``mg/m³`` for CO, else ``µg/m³``."""
        return "mg/m³" if self is Pollutant.CO else "µg/m³"

    @classmethod
    def parse(cls, text: str) -> Pollutant:
        """Accept the usual spellings: ``PM2.5``, ``pm2_5``, ``PM25``, ``pm25``, ``so2`` …"""
        key = str(text).strip().upper().replace("_", ".").replace(" ", "")
        key = {"PM25": "PM2.5", "PM2,5": "PM2.5"}.get(key, key)
        return cls(key)


_COLUMN: dict[Pollutant, str] = {
    Pollutant.SO2: "so2",
    Pollutant.NO2: "no2",
    Pollutant.O3: "o3",
    Pollutant.CO: "co",
    Pollutant.PM10: "pm10",
    Pollutant.PM25: "pm25",
}

#: Pollutants in the order used for columns and flag bits everywhere in Xietong.
POLLUTANTS: tuple[Pollutant, ...] = tuple(Pollutant)


class Averaging(StrEnum):
    """Averaging times of HJ 633 / GB 3095 concentrations."""

    H1 = "1h"
    H8 = "8h"
    H24 = "24h"


class QualityFlag(StrEnum):
    """Quality of one hourly value as published.

    ``valid``: usable. ``invalid``: published but marked invalid by the publisher (instrument fault,
    calibration …) and excluded from every statistic. ``not_monitored``: the pollutant is not in the
    station's monitoring programme (CNEMC ``/``; HJ 633-2026 §5.3.2 and Tables 4–5).
    A missing value is simply absent (CNEMC ``NA``).
    """

    VALID = "valid"
    INVALID = "invalid"
    NOT_MONITORED = "not_monitored"


#: integer code of each flag, two bits per pollutant in the store's ``flag_bits`` column
FLAG_CODE: dict[QualityFlag, int] = {
    QualityFlag.VALID: 0,
    QualityFlag.INVALID: 1,
    QualityFlag.NOT_MONITORED: 2,
}


class Scope(StrEnum):
    """What an API token may do on the platform itself.

    Domains add their own scopes through the domain contract (``publish:air``, ``publish:water``, ``warn``
    …, see :func:`xietong.domains.scopes`); a principal's scopes are strings checked against both.
    """

    READ = "read"
    PUBLISH_ENTERPRISES = "publish:enterprises"
    ADMIN = "admin"


class JurisdictionLevel(StrEnum):
    """Level of a jurisdiction in the region tree."""

    PROVINCE = "province"  # province-level: Beijing, Tianjin (municipalities), Hebei
    CITY = "city"  # prefecture-level city of Hebei
    NEW_AREA = "new_area"  # Xiong'an New Area (a state-level new area administered by Hebei)


class DivisionLevel(StrEnum):
    """Level of an administrative division of China in the national reference data (GB/T 2260 codes)."""

    PROVINCE = "province"  # province, autonomous region or municipality
    PREFECTURE = "prefecture"  # prefecture-level city, prefecture (地区), autonomous prefecture, league (盟)
    COUNTY_CITY = "county_city"  # county-level city inside a prefecture (定州市 in Baoding's list)
    PROVINCE_MANAGED = "province_managed"  # county-level division administered by the province (济源市)


class WarningLevel(StrEnum):
    """Heavy-pollution warning levels, from none to red (MEP 2014 four-colour scheme [C:S26]).

    ``blue`` exists only in rule sets that have it (``jjj-2016``); from 2018 the national system has three
    levels [C:S12][C:S17][C:S28]. Members compare and sort by severity through :attr:`rank`.
    """

    NONE = "none"
    BLUE = "blue"
    YELLOW = "yellow"
    ORANGE = "orange"
    RED = "red"

    @property
    def rank(self) -> int:
        """0 for none … 4 for red: compare levels with this."""
        return _WARNING_ORDER.index(self.value)

    @property
    def name_zh(self) -> str:
        """蓝色预警 … 红色预警 (``无`` for none)."""
        return _WARNING_ZH[self.value]

    @classmethod
    def parse(cls, value: str | WarningLevel) -> WarningLevel:
        """Accept ``"red"``, ``"Red"``, ``" RED "``; anything else is an :class:`~xietong.errors.InputError`."""
        try:
            return cls(str(value).strip().lower())
        except ValueError:
            raise InputError("unknown warning level", expected=", ".join(cls), given=repr(value)) from None


_WARNING_ORDER = ("none", "blue", "yellow", "orange", "red")
_WARNING_ZH = {"none": "无", "blue": "蓝色预警", "yellow": "黄色预警", "orange": "橙色预警", "red": "红色预警"}


class WarningStatus(StrEnum):
    """Life of a regional warning: consultation, issued to some cities, closed."""

    PROPOSED = "proposed"  # consultation open: named jurisdictions answer before the deadline
    ISSUED = "issued"  # issued in at least one city, not yet lifted everywhere
    CLOSED = "closed"  # lifted everywhere, or issued nowhere


class Answer(StrEnum):
    """A jurisdiction's answer to a warning proposal for one of its cities."""

    PENDING = "pending"
    ACCEPT = "accept"
    COUNTER = "counter"  # counter-proposes a level for its city
    DECLINE = "decline"  # declines, with a reason (recorded, never overridden)
    NO_ANSWER = "no_answer"  # the deadline passed without an answer


class CityWarningStatus(StrEnum):
    """State of a warning in one city."""

    PENDING = "pending"
    ISSUED = "issued"
    DECLINED = "declined"
    NOT_ISSUED = "not_issued"
    LIFTED = "lifted"


__all__ = [
    "FLAG_CODE",
    "POLLUTANTS",
    "Answer",
    "Averaging",
    "CityWarningStatus",
    "DivisionLevel",
    "JurisdictionLevel",
    "Pollutant",
    "QualityFlag",
    "Scope",
    "WarningLevel",
    "WarningStatus",
]
