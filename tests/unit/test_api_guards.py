"""The JSON and text body checks of the API guards, and the bounds the OpenAPI document gets."""

from __future__ import annotations

import pytest

from xietong.api.guards import check_json, check_text
from xietong.api.openapi import LIMIT_MAX, PARAM_MAX, complete
from xietong.errors import InputError


@pytest.mark.parametrize(
    ("body", "path", "given"),
    [
        (b'{"a": [1, 2, {"b": NaN}]}', "$.a[2].b", "NaN"),
        (b'[{"value": -Infinity}]', "$[0].value", "-Infinity"),
        (b'{"x": 1e309}', "$.x", "1e309"),
        (b'{"id": 9223372036854775808}', "$.id", "9223372036854775808"),
    ],
)
def test_a_number_json_accepts_but_no_column_holds_is_named_by_its_path(body: bytes, path: str, given: str) -> None:
    with pytest.raises(InputError) as caught:
        check_json(body)
    assert caught.value.problem.where.field == path
    assert caught.value.problem.given == given


def test_ordinary_json_passes_and_malformed_json_is_left_to_the_route() -> None:
    check_json(b'{"a": [1, 2.5, -3e10, 9223372036854775807, "Infinity"], "b": null}')
    check_json(b'{"a": ')  # the route reports where it breaks


def test_nesting_is_counted_outside_strings() -> None:
    check_json(b'{"text": "' + b"[" * 500 + b'"}')
    with pytest.raises(InputError, match="nested too deeply"):
        check_json(b"[" * 65 + b"]" * 65)


def test_a_body_must_be_utf8_and_free_of_nul() -> None:
    with pytest.raises(InputError, match="UTF-8"):
        check_json('["北京"]'.encode("gb18030"))
    with pytest.raises(InputError, match="NUL"):
        check_text(b'{"name": "a\\u0000b"}')
    with pytest.raises(InputError, match="NUL"):
        check_text(b"code,name\n1001A,\x00\n")


def test_the_document_gets_32_bit_bounds_and_the_platform_limit() -> None:
    doc = {
        "paths": {
            "/x": {
                "get": {
                    "parameters": [
                        {"name": "after", "in": "query", "schema": {"type": "integer"}},
                        {"name": "limit", "in": "query", "schema": {"anyOf": [{"type": "integer"}, {"type": "null"}]}},
                    ],
                    "responses": {"200": {"description": "ok"}},
                }
            }
        }
    }
    params = complete(doc)["paths"]["/x"]["get"]["parameters"]
    assert params[0]["schema"]["maximum"] == PARAM_MAX
    assert params[1]["schema"]["anyOf"][0]["maximum"] == LIMIT_MAX
    assert set(doc["paths"]["/x"]["get"]["responses"]) >= {"400", "404", "422", "500", "503"}
