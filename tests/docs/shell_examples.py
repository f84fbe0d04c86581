"""The shell examples of README.md and docs/*.md, parsed so that a test can run them as a reader would.

A block is a shell example when it is fenced as ``sh``/``bash``/``shell``/``console``, or fenced without a
language and its first line is a command (``$ …``, ``xietong …``, ``export …``, ``.venv/bin/…``, ``make …``,
``curl …``). Such a block is skipped only when the line before its fence is
``<!-- not-runnable: reason -->`` (the reason is required). A block fenced without a language right after
``<!-- output-of-previous -->`` is what the previous shell example printed.

Commands: continuation lines (``\\``) are joined and heredocs kept whole. A command expects exit code 0
unless its trailing comment says ``exit N`` at its end or before ``:``, ``;``, ``)`` or ``,`` (``# refused,
exit 2: …``; "exit 1 naming … if tampered" is a condition, not an expectation). In a ``$ command`` block the lines that
follow a command, up to the next ``$``, are its output.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).parents[2]
SHELL_LANGS = frozenset({"sh", "bash", "shell", "console"})
COMMAND_START = re.compile(r"^(\$ |xietong |export |\.venv/bin/|make |curl )")
NOT_RUNNABLE = re.compile(r"^<!--\s*not-runnable:\s*(?P<reason>\S.*?)\s*-->$")
OUTPUT_MARK = re.compile(r"^<!--\s*output-of-previous\s*-->$")
EXIT_COMMENT = re.compile(r"#.*\bexit (?P<code>\d+)(?=\s*(?:$|[:;),]))")
FENCE = re.compile(r"^(?P<indent>\s*)```(?P<lang>[\w-]*)\s*$")


@dataclass
class Command:
    """One command of an example (continuations joined), the exit code it expects and the output shown."""

    text: str
    line: int
    expected_exit: int = 0
    shown: list[str] = field(default_factory=list)


@dataclass
class Example:
    """A shell example: its file and first line, its commands, the output shown after it, or why it is skipped."""

    path: Path
    line: int
    commands: list[Command]
    not_runnable: str | None = None
    shown: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def _blocks(text: str) -> list[tuple[int, str, list[str], str]]:
    """(first line number, language, body lines, the line before the fence) of every fenced block."""
    lines = text.splitlines()
    out: list[tuple[int, str, list[str], str]] = []
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        start, body = i, []
        i += 1
        while i < len(lines) and not lines[i].strip().startswith("```"):
            body.append(lines[i][len(m["indent"]) :])
            i += 1
        before = next((lines[j].strip() for j in range(start - 1, -1, -1) if lines[j].strip()), "")
        out.append((start + 2, m["lang"], body, before))
        i += 1
    return out


def _is_shell(lang: str, body: list[str]) -> bool:
    if lang in SHELL_LANGS:
        return True
    first = next((b for b in body if b.strip()), "")
    return lang == "" and bool(COMMAND_START.match(first))


def _expected_exit(text: str) -> int:
    m = EXIT_COMMENT.search(text)
    return int(m["code"]) if m and "||" not in text else 0


def parse_commands(body: list[str], first_line: int) -> list[Command]:
    """The commands of a block; in a ``$``-prompt block, the lines after each command are its output."""
    prompted = any(b.startswith("$ ") for b in body)
    commands: list[Command] = []
    i = 0
    while i < len(body):
        raw = body[i]
        if prompted and not raw.startswith("$ "):
            if commands:
                commands[-1].shown.append(raw)
            i += 1
            continue
        line = raw[2:] if prompted else raw
        if not line.strip() or line.lstrip().startswith("#"):
            i += 1
            continue
        start = i
        parts = [line]
        heredoc = re.search(r"<<-?\s*'?(\w+)'?", line)
        while parts[-1].rstrip().endswith("\\") and i + 1 < len(body):
            i += 1
            parts.append(body[i])
        if heredoc:
            end = heredoc.group(1)
            while i + 1 < len(body) and body[i].strip() != end:
                i += 1
                parts.append(body[i])
        text = "\n".join(parts)
        commands.append(Command(text=text, line=first_line + start, expected_exit=_expected_exit(text)))
        i += 1
    return commands


def examples(path: Path) -> list[Example]:
    """Every shell example of one Markdown file, with the output blocks attached to the example before them."""
    found: list[Example] = []
    for line, lang, body, before in _blocks(path.read_text(encoding="utf-8")):
        if lang == "" and OUTPUT_MARK.match(before) and found:
            found[-1].shown = body
            continue
        if not _is_shell(lang, body):
            continue
        skip = NOT_RUNNABLE.match(before)
        found.append(Example(path, line, parse_commands(body, line), skip["reason"] if skip else None))
    return found


def documents() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


#: parts of an output line that change from run to run (wall-clock times, temporary names, keys and hashes)
VOLATILE = re.compile(
    r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+"  # a wall-clock timestamp with fractions of a second
    r"|tmp\.\w+|/tmp/\S+"  # temporary files
    r"|\b[0-9a-f]{16,}\b|\b[A-Za-z0-9+/]{40,}={0,2}"  # hashes, Merkle roots, tokens
    r"|\bkey [0-9a-f]{8}\b"
)


def stable(line: str) -> bool:
    """Whether a shown output line can be compared: it holds nothing that changes from run to run."""
    return bool(line.strip()) and not VOLATILE.search(line)


def _normal(line: str) -> str:
    return " ".join(line.split())


def _pattern(line: str) -> re.Pattern[str]:
    """A shown line as a pattern: ``…`` (an abridgement) matches anything."""
    return re.compile(".*".join(re.escape(p) for p in _normal(line).split("…")))


def missing_lines(shown: list[str], printed: str) -> list[str]:
    """The stable shown lines not found, in order, among the printed lines (each shown line must match a
    printed line after the one the previous shown line matched)."""
    actual = [_normal(x) for x in printed.splitlines()]
    missing: list[str] = []
    at = 0
    for line in shown:
        if not stable(line) or _normal(line) in {"…", ""}:
            continue
        pattern = _pattern(line)
        hit = next((k for k in range(at, len(actual)) if pattern.fullmatch(actual[k])), None)
        if hit is None:
            missing.append(line)
        else:
            at = hit + 1
    return missing


__all__ = ["Command", "Example", "documents", "examples", "missing_lines", "parse_commands", "stable"]
