"""Canonical JSON records (``xietong.inputs.parse_json_records``), shared by the air and water readers: an
array, ``{key: [...]}``, JSON lines, one object; anything else an InputError naming the file.
The records below are written for the test."""

from __future__ import annotations

import pytest

from xietong.air.canonical_formats import parse_canonical_json as air_json
from xietong.errors import InputError
from xietong.inputs import parse_json_records
from xietong.water.formats import parse_canonical_json as water_json

ROW = '{"station": "1001A", "time": "2016-12-16T08:00+08:00", "pollutant": "pm25", "value": 301, "unit": "ug/m3"}'


@pytest.mark.parametrize(
    "text",
    [f"[{ROW}, {ROW}]", f'{{"observations": [{ROW}, {ROW}]}}', f"{ROW}\n{ROW}\n"],
    ids=["array", "keyed", "json-lines"],
)
def test_every_accepted_shape_gives_the_same_records(text: str) -> None:
    records = parse_json_records(text.encode(), source="x.json", key="observations", shape="observation")
    assert len(records) == 2 and records[0]["station"] == "1001A"
    assert list(air_json(text.encode(), "x.json")["station"]) == ["1001A", "1001A"]


def test_one_object_is_a_record_only_where_the_reader_says_so() -> None:
    one = b'{"section": "HE11", "time": "2025-11-18T08:00+08:00", "item": "nh3n", "value": 2.5, "unit": "mg/L"}'
    assert list(water_json(one, "w.json")["section"]) == ["HE11"]
    with pytest.raises(InputError, match="unexpected JSON shape"):
        air_json(ROW.encode(), "x.json")


@pytest.mark.parametrize(
    ("raw", "message"),
    [(b"", "empty"), (b"[1, 2", "malformed JSON"), (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
     (b"[1, 2]", "unexpected JSON shape")],
    ids=["empty", "broken", "deep", "not-objects"],
)  # fmt: skip
def test_bad_json_is_an_input_error_naming_the_file(raw: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message) as caught:
        parse_json_records(raw, source="bad.json", key="samples", shape="sample")
    assert "bad.json" in str(caught.value.problem.describe())


@pytest.mark.parametrize(
    ("raw", "given"),
    [
        (b'{"type": "FeatureCollection", "features": []}', "given an object with keys type, features"),
        (b'[{"station": "1001A"}, 3]', "given an array whose item 2 is a number"),
        (b'"observations"', "given a string"),
        (b"null", "given null"),
    ],
    ids=["geojson", "array-of-mixed", "string", "null"],
)
def test_a_file_of_another_shape_is_described_as_it_is(raw: bytes, given: str) -> None:
    """A GeoJSON boundary file given to a reader of observations was described as 'NoneType' (the missing
    key's value), which says nothing about the file; the error now describes the document itself."""
    with pytest.raises(InputError, match=given):
        parse_json_records(raw, source="x.json", key="observations", shape="observation")
