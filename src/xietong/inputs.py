"""Reading input files so that every failure is an :class:`~xietong.errors.InputError` naming the file.

Readers of every domain open, decode and parse files through these functions, so that a missing file, a
directory, an empty file, a binary file, text in GBK or UTF-16 where UTF-8 is expected, malformed CSV or
JSON and huge fields all end in the same kind of message (what was expected, what was given, where, how
to fix it) and never in a traceback; values from the input are quoted as short excerpts
(:func:`xietong.errors.excerpt`).

Part of the shared core: imports only :mod:`xietong.errors` (and pandas).
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import json
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

from xietong.errors import InputError, Location, excerpt

#: bytes looked at to tell text from binary and to name an encoding
SNIFF_BYTES = 64 * 1024

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


def _name(path: Path | str, source: str | None) -> str:
    return source or str(path)


def check_input_file(path: Path | str, *, source: str | None = None, what: str = "input file") -> Path:
    """``path`` as a :class:`Path` if it names a readable regular file, else an :class:`InputError`."""
    p = Path(path)
    name = _name(path, source)
    if p.is_dir():
        raise InputError(
            f"the {what} is a directory",
            expected="a file",
            given=excerpt(str(p), 200),
            where=Location(name),
            hint="name a file inside it",
        )
    if not p.exists():
        raise InputError(
            f"{what} not found",
            expected="the path of an existing file",
            given=excerpt(str(p), 200),
            where=Location(name),
            hint="check the path (it is relative to the current directory)",
        )
    try:
        with p.open("rb"):
            pass
    except OSError as exc:
        raise InputError(
            f"cannot open the {what}",
            expected="a readable file",
            given=excerpt(exc.strerror or str(exc)),
            where=Location(name),
            hint="check the file's permissions",
        ) from None
    return p


def read_input_bytes(path: Path | str, *, source: str | None = None, what: str = "input file") -> bytes:
    """The bytes of a file, or an :class:`InputError` saying why it cannot be read."""
    p = check_input_file(path, source=source, what=what)
    try:
        return p.read_bytes()
    except OSError as exc:
        raise InputError(
            f"cannot read the {what}",
            expected="a readable file",
            given=excerpt(exc.strerror or str(exc)),
            where=Location(_name(path, source)),
        ) from None


def sniff_text(head: bytes, *, source: str | None, encodings: Sequence[str] = ("utf-8",)) -> None:
    """Refuse bytes that cannot be the start of text in one of ``encodings``: a UTF-16/32 byte-order mark,
    NUL bytes (a binary file, or UTF-16 without its mark), or bytes that do not decode.

    ``head`` is the start of a file (:data:`SNIFF_BYTES` are enough); a multi-byte character cut at its end
    is not an error.
    """
    wanted = " or ".join(_label(e) for e in encodings)
    for bom, label in _BOMS:
        if head.startswith(bom):
            raise InputError(
                f"the file is {label} text",
                expected=f"{wanted} text",
                given=f"a {label} byte-order mark",
                where=Location(source, 1),
                hint=f"convert it, e.g. `iconv -f {label} -t UTF-8 FILE > FILE.utf8`",
            )
    nul = head.find(b"\x00")
    if nul >= 0:
        raise InputError(
            "the file is not text: it holds NUL bytes",
            expected=f"{wanted} text",
            given=f"a NUL byte at offset {nul} (a binary file, a spreadsheet, or UTF-16 text)",
            where=Location(source, head.count(b"\n", 0, nul) + 1),
            hint="export the data as UTF-8 CSV (or convert UTF-16 with `iconv -f UTF-16 -t UTF-8`)",
        )
    decode_text(head, source=source, encodings=encodings, partial=True)


def _label(encoding: str) -> str:
    return {"utf-8": "UTF-8", "utf-8-sig": "UTF-8", "gb18030": "GB 18030 (GBK)"}.get(encoding.lower(), encoding)


def decode_text(
    data: bytes, *, source: str | None, encodings: Sequence[str] = ("utf-8-sig",), partial: bool = False
) -> str:
    """Decode ``data`` with the first of ``encodings`` that fits (a UTF-8 byte-order mark is dropped).

    The error names the line and offset of the first byte that does not decode and, when the bytes read as
    GB 18030 (GBK) Chinese, says so with the command that converts them. ``partial``: ``data`` is the start
    of a longer file, so a character cut at the end is not an error.
    """
    first: UnicodeDecodeError | None = None
    for encoding in encodings:
        try:
            if partial:
                return codecs.getincrementaldecoder(encoding)().decode(data, final=False)
            return data.decode(encoding)
        except UnicodeDecodeError as exc:
            first = first or exc
    assert first is not None
    wanted = " or ".join(_label(e) for e in encodings)
    looks_gbk = "gb18030" not in [e.lower() for e in encodings] and _decodes(data, "gb18030", partial=partial)
    bad = data[first.start : first.start + 4]
    raise InputError(
        f"the file is not {wanted} text",
        expected=f"{wanted} text",
        given=(
            f"byte(s) {bad.hex(' ')} at offset {first.start}"
            + (" (the file reads as GB 18030/GBK Chinese)" if looks_gbk else "")
        ),
        where=Location(source, data.count(b"\n", 0, first.start) + 1),
        hint=(
            "convert it: `iconv -f GB18030 -t UTF-8 FILE > FILE.utf8`"
            if looks_gbk
            else "save it as UTF-8 text (a binary or spreadsheet file must be exported as CSV first)"
        ),
    )


def _decodes(data: bytes, encoding: str, *, partial: bool) -> bool:
    try:
        codecs.getincrementaldecoder(encoding)().decode(data, final=not partial)
    except UnicodeDecodeError:
        return False
    return True


def read_input_text(
    path: Path | str, *, source: str | None = None, encodings: Sequence[str] = ("utf-8-sig",), what: str = "input file"
) -> str:
    """A text file decoded (see :func:`decode_text`), after refusing binary and UTF-16/32 content."""
    data = read_input_bytes(path, source=source, what=what)
    name = _name(path, source)
    sniff_text(data[:SNIFF_BYTES], source=name, encodings=encodings)
    return decode_text(data, source=name, encodings=encodings)


#: the first bytes of a zip archive (also of .docx and .xlsx files)
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")


def guard_text_file(
    path: Path | str, *, source: str | None = None, encodings: Sequence[str] = ("utf-8-sig",), what: str = "input file"
) -> Path:
    """Refuse, before a reader parses it, a text input that is missing, a directory, empty, binary, UTF-16/32
    or in another encoding (its first :data:`SNIFF_BYTES`); returns the path. Readers that stream a file
    call this first, so that what they cannot read is named as an :class:`InputError`."""
    p = check_input_file(path, source=source, what=what)
    name = _name(path, source)
    compressed = p.suffix.lower() == ".gz"
    try:
        with gzip.open(p, "rb") if compressed else p.open("rb") as handle:
            head = handle.read(SNIFF_BYTES)
    except (OSError, EOFError, zlib.error) as exc:
        raise InputError(
            f"cannot read the {what}" + (" as gzip" if compressed else ""),
            expected="a readable file" + (" compressed with gzip" if compressed else ""),
            given=excerpt(getattr(exc, "strerror", None) or str(exc) or type(exc).__name__),
            where=Location(name),
        ) from None
    if not head.strip(b" \t\r\n\xef\xbb\xbf"):
        raise InputError(
            f"the {what} is empty", expected="text with a header line", given="no text", where=Location(name, 1)
        )
    sniff_text(head, source=name, encodings=encodings)
    return p


def guard_zip_file(path: Path | str, *, source: str | None = None, what: str = "zip archive") -> Path:
    """Refuse an input that should be a zip archive (a GTFS feed, .docx, .xlsx) but is missing, a directory,
    empty or not a zip archive; returns the path."""
    p = check_input_file(path, source=source, what=what)
    with p.open("rb") as handle:
        head = handle.read(4)
    if not head.startswith(ZIP_MAGIC):
        raise InputError(
            f"the {what} is {'empty' if not head else 'not a zip archive'}",
            expected=f"a {what} (a zip file, starting with the bytes PK)",
            given=f"{(len(head) and 'the bytes ' + head.hex(' ')) or 'an empty file'}",
            where=Location(_name(path, source)),
            hint="check that the file was downloaded completely and is the format named",
        )
    return p


def csv_error(exc: Exception, *, source: str | None, expected: str | None = None) -> InputError:
    """The :class:`InputError` for an exception of the CSV parser (pandas or :mod:`csv`)."""
    if isinstance(exc, pd.errors.EmptyDataError):
        return InputError(
            "the file is empty",
            expected=expected or "a CSV header line, then data rows",
            given="no header line",
            where=Location(source, 1),
        )
    if isinstance(exc, UnicodeDecodeError):
        return InputError(
            "the file is not UTF-8 text",
            expected="UTF-8 text",
            given=f"byte(s) {exc.object[exc.start : exc.start + 4].hex(' ')} that do not decode",
            where=Location(source),
            hint="convert it, e.g. `iconv -f GB18030 -t UTF-8 FILE > FILE.utf8`",
        )
    return InputError(
        "malformed CSV",
        expected=expected or "comma-separated rows with as many fields as the header, quotes closed",
        given=excerpt(str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__, 160),
        where=Location(source),
        hint="check the quoting and the number of fields of that line",
    )


#: exceptions of the CSV parsers that mean malformed input
CSV_ERRORS: tuple[type[Exception], ...] = (
    pd.errors.ParserError,
    pd.errors.EmptyDataError,
    UnicodeDecodeError,
    csv.Error,
    OverflowError,
    EOFError,  # a truncated gzip stream
    zlib.error,
    gzip.BadGzipFile,
)


@contextmanager
def csv_guard(source: str | None, *, expected: str | None = None) -> Iterator[None]:
    """Within this block, an exception of a CSV parser (:data:`CSV_ERRORS`: a field over the :mod:`csv`
    module's limit, an unclosed quote …) becomes the :class:`InputError` of :func:`csv_error`."""
    try:
        yield
    except CSV_ERRORS as exc:
        raise csv_error(exc, source=source, expected=expected) from None


def read_csv_text(
    data: Path | str | bytes,
    *,
    source: str | None = None,
    encodings: Sequence[str] = ("utf-8-sig",),
    expected: str | None = None,
    **options: Any,
) -> pd.DataFrame:
    """``pandas.read_csv`` of a file (a :class:`Path` or path string) or of its bytes, every failure an
    :class:`InputError`: missing file, binary or UTF-16 content, another encoding, no header, malformed
    rows. ``options`` go to ``pandas.read_csv`` (``dtype=str, keep_default_na=False`` …)."""
    if isinstance(data, bytes):
        raw, name = data, source
    else:
        raw, name = read_input_bytes(data, source=source), _name(data, source)
    sniff_text(raw[:SNIFF_BYTES], source=name, encodings=encodings)
    text = decode_text(raw, source=name, encodings=encodings)
    return parse_csv_string(text, source=name, expected=expected, **options)


def parse_csv_string(text: str, *, source: str | None, expected: str | None = None, **options: Any) -> pd.DataFrame:
    """``pandas.read_csv`` of decoded text, every failure an :class:`InputError` (see :func:`csv_error`)."""
    if not text.strip():
        raise csv_error(pd.errors.EmptyDataError("empty"), source=source, expected=expected)
    try:
        frame: pd.DataFrame = pd.read_csv(io.StringIO(text), **options)
    except CSV_ERRORS as exc:
        raise csv_error(exc, source=source, expected=expected) from None
    return frame


def parse_json(data: bytes | str, *, source: str | None, expected: str = "a JSON document") -> Any:
    """A JSON document, or an :class:`InputError` naming the line and column where it stops being JSON."""
    if isinstance(data, bytes):
        sniff_text(data[:SNIFF_BYTES], source=source)
        data = decode_text(data, source=source)
    data = data.lstrip("\ufeff")
    if not data.strip():
        raise InputError("the file is empty", expected=expected, given="no JSON", where=Location(source, 1))
    try:
        return json.loads(data)
    except json.JSONDecodeError as exc:
        raise InputError(
            "not valid JSON",
            expected=expected,
            given=f"{exc.msg} at line {exc.lineno}, column {exc.colno}",
            where=Location(source, exc.lineno),
        ) from None
    except RecursionError:
        raise InputError(
            "JSON nested too deeply",
            expected=expected,
            given="more nesting than a reader follows",
            where=Location(source),
        ) from None


def read_json_file(path: Path | str, *, source: str | None = None, expected: str = "a JSON document") -> Any:
    """A JSON file (UTF-8), every failure an :class:`InputError` (see :func:`parse_json`)."""
    name = _name(path, source)
    return parse_json(read_input_bytes(path, source=name), source=name, expected=expected)


def parse_json_records(
    raw: bytes, *, source: str, key: str, shape: str, record_field: str | None = None
) -> list[dict[str, Any]]:
    """The records of a canonical JSON file: an array of objects, ``{key: [...]}``, JSON lines, or (when
    ``record_field`` is given) one object holding that field. ``shape`` describes the expected records in the
    error of a file of another shape; every failure is an :class:`InputError` naming the file."""
    sniff_text(raw[:SNIFF_BYTES], source=source)
    text = decode_text(raw, source=source)
    if not text.strip():
        raise InputError(
            "the file is empty", expected=f"a JSON array of {key}", given="no JSON", where=Location(source)
        )
    try:
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            if exc.msg != "Extra data":
                raise
            doc = [json.loads(line) for line in text.splitlines() if line.strip()]  # JSON lines
    except json.JSONDecodeError as exc:
        raise InputError(
            "malformed JSON", given=exc.msg, where=Location(source, exc.lineno), expected="valid JSON"
        ) from None
    except RecursionError:
        raise InputError(
            "JSON nested too deeply", expected="valid JSON", given="deep nesting", where=Location(source)
        ) from None
    given = doc
    if isinstance(doc, dict):
        doc = [doc] if record_field is not None and key not in doc and record_field in doc else doc.get(key)
    if not isinstance(doc, list) or not all(isinstance(i, dict) for i in doc):
        raise InputError(
            "unexpected JSON shape",
            expected=f'an array of {shape} objects, or {{"{key}": [...]}}',
            given=json_shape(given),
            where=Location(source),
        )
    return doc


_JSON_TYPES = {dict: "an object", list: "an array", str: "a string", bool: "true/false", type(None): "null"}


def json_shape(doc: Any) -> str:
    """What a JSON document is, in the words of its own format, for an error's *given*: ``an object with
    keys type, features``, ``an array whose item 3 is a string``, ``a number``."""
    if isinstance(doc, dict):
        keys = ", ".join(map(str, list(doc)[:8])) + (", …" if len(doc) > 8 else "")
        return f"an object with keys {excerpt(keys, 200)}" if doc else "an empty object"
    if isinstance(doc, list):
        bad = next((i for i, item in enumerate(doc) if not isinstance(item, dict)), None)
        if bad is not None:
            return f"an array whose item {bad + 1} is {json_shape(doc[bad])}"
        return "an array of objects"
    return _JSON_TYPES.get(type(doc), "a number")


__all__ = [
    "CSV_ERRORS",
    "SNIFF_BYTES",
    "ZIP_MAGIC",
    "check_input_file",
    "csv_error",
    "csv_guard",
    "decode_text",
    "guard_text_file",
    "guard_zip_file",
    "json_shape",
    "parse_csv_string",
    "parse_json",
    "parse_json_records",
    "read_csv_text",
    "read_input_bytes",
    "read_input_text",
    "read_json_file",
    "sniff_text",
]
