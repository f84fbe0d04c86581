"""Options of the industry domain: the single source for the core, and later for the CLI and API schemas."""

from __future__ import annotations

from enum import StrEnum


class BroadSector(StrEnum):
    """The three broad sectors of the NBS 三次产业划分规定 (2018 revision for GB/T 4754-2017)."""

    PRIMARY = "primary"
    SECONDARY = "secondary"
    TERTIARY = "tertiary"


class ParkLevel(StrEnum):
    """Who approved (or runs) a park: the State Council, a province-level government, a city, or two
    jurisdictions together (``co_built``: the park lies in one jurisdiction and a partner jurisdiction
    takes part in building it)."""

    NATIONAL = "national"
    PROVINCIAL = "provincial"
    MUNICIPAL = "municipal"
    CO_BUILT = "co_built"


class ParkKind(StrEnum):
    """What a park or zone is, as its name and the agreement describe it."""

    SCIENCE_PARK = "science_park"
    DEMONSTRATION_ZONE = "demonstration_zone"
    INDUSTRIAL_PARK = "industrial_park"
    CIRCULAR_ECONOMY_PARK = "circular_economy_park"
    PILOT_FREE_TRADE_ZONE = "pilot_free_trade_zone"
    BONDED_PORT_AREA = "bonded_port_area"
    PORT_AREA = "port_area"
    LAND_PORT = "land_port"
    LOGISTICS_BASE = "logistics_base"
    AIRPORT_ECONOMIC_ZONE = "airport_economic_zone"
    NEW_AREA = "new_area"
    INNOVATION_DEMONSTRATION_ZONE = "innovation_demonstration_zone"


class ContractType(StrEnum):
    """Technology contract types of the PRC Civil Code, Book III Chapter 20 (技术开发、技术转让、技术许可、
    技术咨询、技术服务合同) as registered by the technology markets."""

    DEVELOPMENT = "development"
    TRANSFER = "transfer"
    LICENSING = "licensing"
    CONSULTING = "consulting"
    SERVICE = "service"


class Stage(StrEnum):
    """Stages of a relocation or investment project; ``cancelled`` ends a project at any stage."""

    SIGNED = "signed"
    CONSTRUCTION = "construction"
    OPERATING = "operating"
    CANCELLED = "cancelled"


class EmissionCategory(StrEnum):
    """Pollutant-discharge permit management category of a facility (排污许可分类管理: 重点管理,
    简化管理, 登记管理; 固定污染源排污许可分类管理名录, 2019 edition)."""

    KEY = "key"
    SIMPLIFIED = "simplified"
    REGISTRATION = "registration"


class Tax(StrEnum):
    """The three taxes whose local part the 2015 Jing-Jin-Ji rule shares (“三税”)."""

    VAT = "vat"
    CORPORATE_INCOME = "cit"
    BUSINESS = "business_tax"


class Side(StrEnum):
    """The two jurisdictions of a relocation."""

    ORIGIN = "origin"
    DESTINATION = "destination"


class OutputFormat(StrEnum):
    """How the industry commands print a table."""

    TABLE = "table"
    CSV = "csv"
    JSON = "json"


__all__ = [
    "BroadSector",
    "ContractType",
    "EmissionCategory",
    "OutputFormat",
    "ParkKind",
    "ParkLevel",
    "Side",
    "Stage",
    "Tax",
]
