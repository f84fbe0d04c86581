"""Every file reader ends in a result or in a documented error, never in a traceback.

For each reader of ``fuzz_readers.READERS`` (air, forecasts, enterprises, water, GTFS, China Railway JSON,
Markdown, boards and station lists, scenarios, agreements and their tracking CSV, industry, trading, audit
checkpoints) the valid seed is mutated — random bytes, truncation, GBK/UTF-16/UTF-32/Latin-1 re-encoding,
cells replaced by awkward tokens (NaN, 1e309, quotes, NUL, full-width digits …), huge fields, lines dropped,
duplicated or swapped, JSON values replaced, one member of a zip or one file of a directory changed — and the
reader must either read it or raise a :class:`~xietong.errors.XietongError` that names the file and stays
short (values from the input are quoted as excerpts).

Bounded for ``make test``: ``XIETONG_FUZZ_EXAMPLES`` examples per reader (default 30) from a fixed seed;
``XIETONG_FUZZ_EXAMPLES=500 XIETONG_FUZZ_RANDOM=1`` explores further with fresh random examples.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.properties.fuzz_readers import READERS, Reader, rezip, zip_members
from xietong.errors import Problem, XietongError

EXAMPLES = int(os.environ.get("XIETONG_FUZZ_EXAMPLES", "30"))
SEEDED = os.environ.get("XIETONG_FUZZ_RANDOM", "") != "1"

#: a whole message, with its first ten problems, is at most this long
MESSAGE_MAX = 20_000
#: one problem (message, expected, given, where, hint) is at most this long
PROBLEM_MAX = 3_000

TOKENS = [
    "", "NA", "/", "-", "--", "-1", "0", "1e309", "-1e309", "nan", "NaN", "inf", "-inf", "9" * 40, "1,000", "+",
    "2016-13-45", "2016-02-30T25:61+08:00", "24:61", "99:99:99", '"', "'", '""', ",", "\n", "\r", "\x00", "\t",
    "名", "１２", "\\N", "0x1F", "true", "[]", "{}", "null", "   ", "😀", "\ufeff", "<x>", "=1+1", "-0",
]  # fmt: skip
ENCODINGS = ["gbk", "gb18030", "utf-16", "utf-16-le", "utf-32", "latin-1", "big5", "shift_jis"]
TEXT_OPS = st.one_of(
    st.tuples(st.just("random"), st.binary(max_size=3000)),
    st.tuples(st.just("empty")),
    st.tuples(st.just("truncate"), st.floats(0, 1)),
    st.tuples(st.just("encode"), st.sampled_from(ENCODINGS)),
    st.tuples(st.just("cell"), st.floats(0, 1), st.floats(0, 1), st.sampled_from(TOKENS)),
    st.tuples(st.just("cell"), st.floats(0, 1), st.floats(0, 1), st.text(max_size=12)),
    st.tuples(st.just("huge"), st.floats(0, 1), st.floats(0, 1), st.sampled_from('9x,"名'), st.integers(1, 300_000)),
    st.tuples(st.just("insert"), st.floats(0, 1), st.binary(min_size=1, max_size=40)),
    st.tuples(st.just("lines"), st.sampled_from(["drop", "dup", "swap", "header-only", "reverse"]), st.floats(0, 1)),
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)
JSON_OPS = st.one_of(TEXT_OPS, st.tuples(st.just("json"), st.lists(st.floats(0, 1), max_size=5), JSON_VALUES))


def _ops(kind: str) -> st.SearchStrategy[tuple[Any, ...]]:
    if kind == "json":
        return JSON_OPS
    if kind in {"zip", "dir"}:
        inner = st.tuples(st.just("member"), st.floats(0, 1), TEXT_OPS)
        whole = st.one_of(
            st.tuples(st.just("random"), st.binary(max_size=3000)),
            st.tuples(st.just("truncate"), st.floats(0, 1)),
            st.tuples(st.just("empty")),
        )
        return st.one_of(inner, inner, whole) if kind == "zip" else inner
    if kind == "xlsx":
        return st.one_of(
            st.tuples(st.just("random"), st.binary(max_size=3000)),
            st.tuples(st.just("truncate"), st.floats(0, 1)),
            st.tuples(st.just("empty")),
            st.tuples(st.just("insert"), st.floats(0, 1), st.binary(min_size=1, max_size=40)),
            st.tuples(st.just("xcell"), st.integers(1, 12), st.integers(1, 20), st.sampled_from(TOKENS)),
        )
    return TEXT_OPS


def _at(n: int, frac: float) -> int:
    return min(n - 1, int(frac * n)) if n else 0


def _mutate_text(data: bytes, op: tuple[Any, ...]) -> bytes:
    name = op[0]
    if name == "random":
        return bytes(op[1])
    if name == "empty":
        return b""
    if name == "truncate":
        return data[: int(op[1] * len(data))]
    if name == "insert":
        at = int(op[1] * len(data))
        return data[:at] + bytes(op[2]) + data[at:]
    text = data.decode("utf-8", errors="replace")
    if name == "encode":
        return text.encode(op[1], errors="replace")
    lines = text.split("\n")
    if name == "lines":
        i = _at(len(lines), op[2])
        how = op[1]
        if how == "drop":
            del lines[i]
        elif how == "dup":
            lines.insert(i, lines[i])
        elif how == "swap" and len(lines) > 1:
            j = (i + 1) % len(lines)
            lines[i], lines[j] = lines[j], lines[i]
        elif how == "header-only":
            lines = lines[:1]
        elif how == "reverse":
            lines.reverse()
        return "\n".join(lines).encode("utf-8")
    if name in {"cell", "huge"}:
        token = op[3] if name == "cell" else op[3] * op[4]
        i = _at(len(lines), op[1])
        sep = "," if "," in lines[i] else (" " if " " in lines[i] else "")
        fields = lines[i].split(sep) if sep else [lines[i]]
        fields[_at(len(fields), op[2])] = token
        lines[i] = sep.join(fields)
        return "\n".join(lines).encode("utf-8")
    raise AssertionError(op)


def _mutate_json(data: bytes, op: tuple[Any, ...]) -> bytes:
    doc = json.loads(data.decode("utf-8"))
    node, path = doc, list(op[1])
    parent: Any = None
    key: Any = None
    while path and isinstance(node, dict | list) and node:
        keys = list(node.keys()) if isinstance(node, dict) else list(range(len(node)))
        parent, key = node, keys[_at(len(keys), path.pop(0))]
        node = node[key]
    if parent is None:
        doc = op[2]
    else:
        parent[key] = op[2]
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


def _mutate_xlsx(path: Path, op: tuple[Any, ...]) -> None:
    import openpyxl

    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    sheet.cell(row=op[1], column=op[2], value=op[3].replace("\x00", "") or None)
    book.save(path)


def mutate(reader: Reader, target: Path, op: tuple[Any, ...]) -> None:
    """Apply ``op`` to the seed at ``target`` in place."""
    if op[0] == "member":
        if target.is_dir():
            files = sorted(p for p in target.rglob("*") if p.is_file())
            victim = files[_at(len(files), op[1])]
            victim.write_bytes(_mutate_text(victim.read_bytes(), op[2]))
        else:
            members = zip_members(target.read_bytes())
            names = sorted(members)
            name = names[_at(len(names), op[1])]
            members[name] = _mutate_text(members[name], op[2])
            target.write_bytes(rezip(members))
    elif op[0] == "json":
        target.write_bytes(_mutate_json(target.read_bytes(), op))
    elif op[0] == "xcell":
        _mutate_xlsx(target, op)
    else:
        target.write_bytes(_mutate_text(target.read_bytes(), op))


def _sources(path: Path) -> set[str]:
    names = {path.name}
    if path.is_dir():
        names |= {p.name for p in path.rglob("*")}
    return names


def _short(problem: Problem) -> None:
    text = problem.describe()
    assert len(text) <= PROBLEM_MAX, f"a problem of {len(text):,} characters: {text[:300]}…"
    assert "x" * 500 not in text and "9" * 500 not in text, "a huge field is echoed"


def read_or_refuse(reader: Reader, path: Path) -> XietongError | None:
    """Read ``path`` with ``reader``: returns the documented error it raised, or ``None`` when it read the file.

    Anything but a :class:`XietongError` propagates (and fails the test with its traceback).
    """
    try:
        problems = reader.consume(path)
    except XietongError as exc:
        text = exc.describe()
        assert len(text) <= MESSAGE_MAX, f"a message of {len(text):,} characters: {text[:300]}…"
        for problem in [exc.problem, *exc.problems]:
            _short(problem)
        named = _sources(path)
        wheres = {str(p.where.source or "") for p in [exc.problem, *exc.problems]}
        assert any(n in text or any(n in w for w in wheres) for n in named), f"the error names no file: {text}"
        return exc
    for problem in problems:
        _short(problem)
    return None


@contextmanager
def seeded(reader: Reader) -> Iterator[Path]:
    tmp = Path(tempfile.mkdtemp(prefix="xietong-fuzz-"))
    try:
        yield reader.seed(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.mark.parametrize("reader", READERS, ids=lambda r: r.name)
def test_every_reader_reads_its_seed(reader: Reader) -> None:
    with seeded(reader) as path:
        assert read_or_refuse(reader, path) is None


@pytest.mark.parametrize("reader", READERS, ids=lambda r: r.name)
@pytest.mark.parametrize("case", ["missing", "directory", "empty", "binary", "gbk", "utf-16"])
def test_a_bad_file_is_refused_with_a_documented_error(reader: Reader, case: str) -> None:
    with seeded(reader) as seed:
        target = seed
        if reader.kind == "dir":  # one file of the directory is the bad one
            target = sorted(p for p in seed.rglob("*.csv") if p.is_file())[0]
        if case == "missing":
            shutil.rmtree(target) if target.is_dir() else target.unlink()
        elif case == "directory":
            if reader.kind == "dir":
                return  # a directory is what these readers take
            target.unlink()
            target.mkdir()
        elif case == "empty":
            target.write_bytes(b"")
        elif case == "binary":
            target.write_bytes(bytes(range(256)) * 8)
        else:
            text = target.read_bytes().decode("utf-8", errors="replace")
            if reader.kind in {"zip", "xlsx"}:
                text = "城市,日期\n北京,2016-12-16\n"  # a text file where a zip is expected
            target.write_bytes(text.encode("gbk" if case == "gbk" else "utf-16", errors="replace"))
        error = read_or_refuse(reader, seed)
        if case in {"missing", "directory", "empty", "binary"} and reader.kind != "dir":
            assert error is not None, f"{case} file read without a word"


@pytest.mark.parametrize("reader", [r for r in READERS if r.kind in {"text", "json"}], ids=lambda r: r.name)
def test_a_huge_field_is_quoted_as_an_excerpt(reader: Reader) -> None:
    """A 5-million-character field (in the first data row, then in the header) never reaches a message whole."""
    for line in (0.5, 0.0):
        with seeded(reader) as path:
            mutate(reader, path, ("huge", line, 0.3, "x", 5_000_000))
            read_or_refuse(reader, path)


@pytest.mark.parametrize("reader", READERS, ids=lambda r: r.name)
def test_mutated_inputs_end_in_a_result_or_a_documented_error(reader: Reader) -> None:
    @settings(
        max_examples=EXAMPLES,
        derandomize=SEEDED,
        deadline=None,
        database=None if SEEDED else settings.default.database,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(op=_ops(reader.kind))
    def check(op: tuple[Any, ...]) -> None:
        with seeded(reader) as path:
            mutate(reader, path, op)
            read_or_refuse(reader, path)

    check()
