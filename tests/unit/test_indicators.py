"""The platform's indicator registry: comparators, parameters, providers from the domains (no database)."""

from __future__ import annotations

import pytest

from xietong import domains
from xietong.air.indicators import indicators as air_indicators
from xietong.errors import InputError, NotFoundError, UnknownJurisdictionError
from xietong.indicators import (
    Comparator,
    Context,
    Indicator,
    Param,
    ParamKind,
    Reading,
    Registry,
    default_registry,
    load_providers,
    params_key,
)


def _constant(ctx: Context) -> Reading:
    return Reading(float(ctx.params.get("value", "0")))


def indicators() -> list[Indicator]:
    """A provider, as a module would write one (used by the provider test below)."""
    return [
        Indicator(
            key="transit.rail_travel_time",
            name="Fastest rail trip",
            description="shortest scheduled rail travel time between two cities",
            unit="min",
            comparator=Comparator.LE,
            target=90,
            compute=_constant,
            params=(
                Param("origin", ParamKind.JURISDICTION, "origin city", required=True),
                Param("destination", ParamKind.JURISDICTION, "destination city", required=True),
                Param("value", ParamKind.NUMBER, "the value this test returns", default="72"),
            ),
            module="transit",
        )
    ]


@pytest.mark.parametrize(
    ("comparator", "value", "target", "met"),
    [
        (Comparator.GE, 3, 3, True),
        (Comparator.GE, 2, 3, False),
        (Comparator.LE, 90, 90, True),
        (Comparator.LT, 90, 90, False),
        (Comparator.GT, 0.5, 0.4, True),
        (Comparator.EQ, 1, 1, True),
        (Comparator.GE, None, 3, None),
        (Comparator.GE, float("nan"), 3, None),
    ],
)
def test_comparators(comparator: Comparator, value: float | None, target: float, met: bool | None) -> None:
    assert comparator.met(value, target) is met


def test_comparator_spellings() -> None:
    assert [Comparator.parse(s) for s in ("ge", ">=", "≥", "LE", "<=", "lt", "==")] == [
        Comparator.GE, Comparator.GE, Comparator.GE, Comparator.LE, Comparator.LE, Comparator.LT, Comparator.EQ,
    ]  # fmt: skip
    with pytest.raises(InputError, match="unknown comparator") as err:
        Comparator.parse("at least")
    assert "ge (≥)" in (err.value.problem.expected or "")


def test_parameters_are_normalised_so_equal_series_have_one_key() -> None:
    ind = indicators()[0]
    a = ind.normalise({"origin": "石家庄", "destination": "Beijing"})
    b = ind.normalise({"origin": "130100", "destination": "北京市", "value": "72.0"})
    assert a == b == {"origin": "130100", "destination": "110000", "value": "72"}
    assert params_key(a) == '{"destination":"110000","origin":"130100","value":"72"}'
    with pytest.raises(InputError, match="needs the parameter 'destination'"):
        ind.normalise({"origin": "130100"})
    with pytest.raises(InputError, match="has no parameter speed") as err:
        ind.normalise({"origin": "130100", "destination": "110000", "speed": "300"})
    assert err.value.problem.expected == "origin, destination, value"
    with pytest.raises(UnknownJurisdictionError):
        ind.normalise({"origin": "Atlantis", "destination": "110000"})
    with pytest.raises(InputError, match="invalid parameter 'value'"):
        ind.normalise({"origin": "130100", "destination": "110000", "value": "fast"})


def test_the_default_registry_has_the_builtin_indicators() -> None:
    reg = default_registry()
    assert {"warnings.issued_through_consultation", "air.pm25_days_at_or_below"} <= {i.key for i in reg}
    air = reg.get("air.pm25_days_at_or_below")
    assert (air.unit, air.comparator, air.target) == ("days", Comparator.GE, None)
    assert air.normalise({"city": "Baoding"}) == {"city": "130600", "limit_ug_m3": "75"}
    with pytest.raises(NotFoundError) as err:
        reg.get("transit.nothing")
    assert "warnings.issued_through_consultation" in (err.value.problem.expected or "")


def test_every_installed_domain_provides_into_the_default_registry() -> None:
    keys = {i.key for i in default_registry()}
    for name, provider in domains.indicator_providers():
        assert {i.key for i in provider()} <= keys, name
    assert {d for d, _ in domains.indicator_providers()} >= {"air", "water", "transit"}


def test_a_domain_plugs_in_through_a_provider() -> None:
    reg = load_providers([("air", air_indicators), ("test", indicators)])
    assert "transit.rail_travel_time" in reg and len(reg) == len(air_indicators()) + 1
    with pytest.raises(InputError, match="two indicators share the key"):
        Registry([*indicators(), *indicators()])
    with pytest.raises(InputError, match="cannot be called") as err:
        load_providers([("broken", lambda: None)])  # type: ignore[list-item,return-value]
    assert err.value.problem.expected == "a function without arguments returning a list of Indicator"
