"""Reading lesson files and pinning every problem to ``file:line``.

``tomllib`` turns TOML into plain dicts and forgets where each key was written, yet
a lesson author needs ``quiz.toml:14: question q3: answer 4 is not among the 3
choices``, not just "something is wrong in the quiz". So the raw text is read twice:
once by ``tomllib`` for the values, once by :class:`TomlLines`, a small line scanner
that knows just enough TOML (table and array-of-tables headers, dotted and quoted
keys, multi-line strings and arrays, comments) to map each key path to the line
that wrote it. Paths carry the index of an array-of-tables entry::

    ("question", 2, "answer")   -> the ``answer =`` line of the third [[question]]
    ("question", 2, "prompt", "en") -> ``prompt.en =`` there, or ``en =`` under
                                       a ``[question.prompt]`` header

:class:`TomlDoc` ties the parsed data, the line map and an error list together so
the validators can say ``doc.error(("lab",), "unknown lab ...")`` and keep going:
all problems of a folder are collected, not just the first.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

KeyPath = tuple[str | int, ...]

LANGS = ("ko", "en")

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_TOML_POS = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_TOML_END = re.compile(r"\s*\(at end of document\)\s*$")


@dataclass(frozen=True)
class LessonError:
    """One problem in one lesson file; ``line`` is 1-based, None for a whole file."""

    path: Path
    line: int | None
    message: str

    def __str__(self) -> str:
        where = _display(self.path)
        if self.line is None:
            return f"{where}: {self.message}"
        return f"{where}:{self.line}: {self.message}"


def _display(path: Path) -> str:
    """The path relative to the working directory when it lies below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)


def read_text(path: Path, errors: list[LessonError]) -> str | None:
    """UTF-8 text of ``path`` with ``\\n`` newlines, or None after recording why not."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        errors.append(LessonError(path, None, f"missing {path.name}"))
        return None
    except OSError as exc:
        errors.append(LessonError(path, None, f"cannot read {path.name}: {exc.strerror or exc}"))
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        errors.append(LessonError(path, line, "not valid UTF-8; save the file as UTF-8"))
        return None
    return text.replace("\r\n", "\n")


class TomlLines:
    """Map every key path of a TOML text to the first line that defines it."""

    def __init__(self, text: str) -> None:
        self.entries: list[tuple[KeyPath, int]] = []
        self.n_lines = text.count("\n") + (0 if text.endswith("\n") or not text else 1)
        self._arrays: dict[KeyPath, int] = {}
        self._scan(text)

    def line_of(self, *path: str | int) -> int | None:
        """Line of ``path``; else of the first key below it; else of its nearest parent."""
        for key, line in self.entries:
            if key == path:
                return line
        for key, line in self.entries:
            if key[: len(path)] == path:
                return line
        while path:
            path = path[:-1]
            for key, line in self.entries:
                if key == path:
                    return line
        return None

    def count(self, name: str) -> int:
        """How many ``[[name]]`` headers the text holds."""
        return self._arrays.get((name,), -1) + 1

    # -- scanner ---------------------------------------------------------------------

    def _scan(self, text: str) -> None:
        table: KeyPath = ()
        open_string: str | None = None  # '"""' or "'''" while inside a multi-line string
        depth = 0  # [ and { still open in a value that spans lines
        for number, line in enumerate(text.split("\n"), start=1):
            if open_string is not None or depth > 0:
                open_string, depth = _scan_value(line, 0, open_string, depth)
                continue
            stripped = line.strip()
            if not stripped or stripped.startswith("#"):
                continue
            if stripped.startswith("["):
                header = self._header(stripped)
                if header is not None:
                    table = header
                    self.entries.append((table, number))
                continue
            parsed = _parse_key(line, 0)
            if parsed is None:
                continue
            parts, pos = parsed
            if pos >= len(line) or line[pos] != "=":
                continue
            self.entries.append((table + tuple(parts), number))
            open_string, depth = _scan_value(line, pos + 1, None, 0)

    def _header(self, stripped: str) -> KeyPath | None:
        is_array = stripped.startswith("[[")
        parsed = _parse_key(stripped, 2 if is_array else 1)
        if parsed is None:
            return None
        parts, _ = parsed
        resolved = self._resolve(parts[:-1]) + (parts[-1],)
        if is_array:
            index = self._arrays.get(resolved, -1) + 1
            self._arrays[resolved] = index
            return resolved + (index,)
        if resolved in self._arrays:
            return resolved + (self._arrays[resolved],)
        return resolved

    def _resolve(self, parts: list[str]) -> KeyPath:
        """Dotted header names -> a path with the current index of each array table."""
        resolved: KeyPath = ()
        for part in parts:
            resolved += (part,)
            if resolved in self._arrays:
                resolved += (self._arrays[resolved],)
        return resolved


def _parse_key(s: str, i: int) -> tuple[list[str], int] | None:
    """Parse a (dotted, maybe quoted) key at ``s[i:]``; return parts and the next index."""
    parts: list[str] = []
    n = len(s)
    while True:
        while i < n and s[i] in " \t":
            i += 1
        if i >= n:
            return None
        if s[i] in "\"'":
            quote = s[i]
            j = i + 1
            while j < n and s[j] != quote:
                j += 2 if (quote == '"' and s[j] == "\\") else 1
            if j >= n:
                return None
            parts.append(s[i + 1 : j])
            i = j + 1
        else:
            match = _BARE_KEY.match(s, i)
            if match is None:
                return None
            parts.append(match.group())
            i = match.end()
        while i < n and s[i] in " \t":
            i += 1
        if i < n and s[i] == ".":
            i += 1
            continue
        return parts, i


def _scan_value(s: str, i: int, open_string: str | None, depth: int) -> tuple[str | None, int]:
    """Walk a value's text; return what is still open at the end of the line."""
    n = len(s)
    while i < n:
        if open_string is not None:
            end = _find_closing(s, i, open_string)
            if end < 0:
                return open_string, depth
            i, open_string = end, None
            continue
        c = s[i]
        if c == "#":
            break
        if s.startswith('"""', i) or s.startswith("'''", i):
            open_string, i = s[i : i + 3], i + 3
        elif c in "\"'":
            i = _find_closing(s, i + 1, c)
            if i < 0:
                break
        elif c in "[{":
            depth, i = depth + 1, i + 1
        elif c in "]}":
            depth, i = max(0, depth - 1), i + 1
        else:
            i += 1
    return open_string, depth


def _find_closing(s: str, i: int, quote: str) -> int:
    """Index just past the closing ``quote`` from ``s[i:]``, or -1 if the line ends first."""
    escapes = quote.startswith('"')
    n = len(s)
    while i < n:
        if escapes and s[i] == "\\":
            i += 2
            continue
        if s.startswith(quote, i):
            return i + len(quote)
        i += 1
    return -1


class TomlDoc:
    """A parsed TOML file, its line map, and the error list its checks append to."""

    def __init__(self, path: Path, data: dict[str, Any], lines: TomlLines, errors: list[LessonError]):
        self.path, self.data, self.lines, self.errors = path, data, lines, errors

    @classmethod
    def load(cls, path: Path, errors: list[LessonError]) -> TomlDoc | None:
        text = read_text(path, errors)
        if text is None:
            return None
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            errors.append(_syntax_error(path, text, str(exc)))
            return None
        return cls(path, data, TomlLines(text), errors)

    def line(self, path: KeyPath) -> int | None:
        return self.lines.line_of(*path)

    def error(self, path: KeyPath, message: str) -> None:
        self.errors.append(LessonError(self.path, self.line(path), message))

    def take(
        self,
        table: dict[str, Any],
        base: KeyPath,
        key: str,
        ok: Callable[[Any], bool],
        expected: str,
        prefix: str = "",
        default: Any = ...,
    ) -> Any:
        """``table[key]`` if it passes ``ok``; else record an error and return None.

        ``default`` (when given) makes the key optional.
        """
        if key not in table:
            if default is not ...:
                return default
            self.error(base, f"{prefix}missing required key '{dotted(base + (key,))}'")
            return None
        value = table[key]
        if not ok(value):
            self.error(
                base + (key,),
                f"{prefix}'{dotted(base + (key,))}' must be {expected}, not {describe(value)}",
            )
            return None
        return value

    def take_langs(self, table: dict[str, Any], base: KeyPath, key: str, prefix: str = "") -> dict[str, str] | None:
        """A ``{ko = "...", en = "..."}`` table of non-empty strings, or None after errors."""
        value = self.take(table, base, key, lambda v: isinstance(v, dict), "a table with ko and en", prefix)
        if value is None:
            return None
        out: dict[str, str] = {}
        for extra in sorted(set(value) - set(LANGS)):
            self.error(base + (key, extra), f"{prefix}unknown language '{dotted(base + (key, extra))}'; use {' and '.join(LANGS)}")
        for lang in LANGS:
            text = self.take(value, base + (key,), lang, is_text, "a non-empty string", prefix)
            if text is not None:
                out[lang] = text
        return out if len(out) == len(LANGS) and len(value) == len(LANGS) else None


def _syntax_error(path: Path, text: str, message: str) -> LessonError:
    line: int | None = None
    match = _TOML_POS.search(message)
    if match:
        line = int(match.group(1))
        message = f"{message[: match.start()]} (column {match.group(2)})"
    elif _TOML_END.search(message):
        line = max(1, text.count("\n") + (0 if text.endswith("\n") else 1))
        message = message[: _TOML_END.search(message).start()] + " (at the end of the file)"
    return LessonError(path, line, f"TOML syntax error: {message}")


def dotted(path: KeyPath) -> str:
    """``("question", 2, "prompt", "en")`` -> ``"prompt.en"`` (indices and array names dropped)."""
    names = [p for p in path if isinstance(p, str)]
    if len(path) > 1 and isinstance(path[1], int):
        names = names[1:]
    return ".".join(names)


def describe(value: Any) -> str:
    """A short description of a wrong value for an error message."""
    kind = {bool: "a boolean", int: "an integer", float: "a number", str: "a string",
            list: "a list", dict: "a table"}.get(type(value), type(value).__name__)
    shown = repr(value)
    return f"{kind} {shown}" if len(shown) <= 40 else kind


def is_text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == value and abs(value) != float("inf")
