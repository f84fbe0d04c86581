"""Properties of the importer on arbitrary text: it never fails on non-empty input, and every task's span
points at its text inside the document."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from xietong.agreements import Area, Strength, from_text

_PIECES = st.sampled_from(
    [
        "一、", "（一）", "1. ", "- ", "# ", "## ", "Article 2 ", "(a) ", "First, ", "* * * ", "甲方：", "Date: ",
        "Beijing ", "Tianjin and Hebei will ", "the two sides ", "双方", "京津冀", "supports Tianjin to ",
        "build ", "study ", "建立", "推进", "the railway", "空气质量", "water", "port", "said", "\"quote\"",
        ". ", "。", "；", "; ", ", ", "，", "\n", "\n\n", "x", "2014年8月6日",
    ]
)  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(st.lists(_PIECES, min_size=1, max_size=40).map("".join).filter(str.strip))
def test_import_never_fails_and_spans_are_exact(text: str) -> None:
    agreement = from_text(text)
    for task in agreement.tasks:
        assert text[task.span[0] : task.span[1]] == task.text
        assert task.text.strip()
        assert isinstance(task.area, Area)
        assert isinstance(task.strength, Strength)
        assert all(len(code) == 6 for code in (*task.lead, *task.partners))
    assert len({t.id for t in agreement.tasks}) == len(agreement.tasks)
