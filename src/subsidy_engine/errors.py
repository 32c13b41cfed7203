"""The engine's error hierarchy.

Every error is data first: a stable short code, where it happened (file, line, column, rule id,
YAML path) and a human message. `Diagnostic.render` formats one like a compiler does:

    rules/x/m36.yaml:12:18 [unknown-name] m36.award: unknown name 'revenu'; did you mean 'revenue'?
       12 |       first: revenu >= 5000万
          |              ^^^^^^
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal, get_args

ErrorCode = Literal[
    # reading a file (rulebook/yaml_source.py, rulebook/loader.py)
    "missing-file",
    "encoding",
    "yaml-syntax",
    "duplicate-key",
    "bad-key",
    "bad-merge",
    "yaml-tag",
    "yaml-value",
    "yaml-too-large",
    "unreadable-file",
    "outside-rulebook",
    "schema",
    # checking a rulebook (rulebook/check.py)
    "unknown-calendar",
    "duplicate-measure",
    "unknown-measure",
    "coverage",
    "duplicate-name",
    "duplicate-id",
    "cycle",
    "bad-parameter",
    "not-verbatim",
    "unbounded-item",
    # expressions (lang/parser.py, lang/checker.py)
    "syntax",
    "unknown-name",
    "unknown-function",
    "unknown-enum-value",
    "bad-call",
    "type-mismatch",
    "number-domain",
    # inputs checked against a rulebook
    "bad-profile",
    "too-long",
    "too-large",
    "unknown-field",
    "bad-mapping",
    "unknown-rule",
    "bad-period",
    "bad-synthetic",
]
"""Every diagnostic's code: a closed list, each documented in docs/errors.md."""

ERROR_CODES: tuple[ErrorCode, ...] = get_args(ErrorCode)


@dataclass(frozen=True, slots=True)
class Span:
    """A place in a file; lines and columns count from 1, `end_column` is exclusive."""

    file: str | None
    line: int
    column: int
    end_line: int | None = None
    end_column: int | None = None

    def __str__(self) -> str:
        where = self.file or "<input>"
        return f"{where}:{self.line}:{self.column}"

    def shifted(self, line: int, column: int) -> Span:
        """This span, read as relative to an expression that starts at (line, column)."""
        first_col = column + self.column - 1 if self.line == 1 else self.column
        end_col = self.end_column
        if end_col is not None and (self.end_line or self.line) == 1:
            end_col = column + end_col - 1
        return Span(
            self.file,
            line + self.line - 1,
            first_col,
            None if self.end_line is None else line + self.end_line - 1,
            end_col,
        )


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem found in a rulebook, an expression or an input."""

    code: ErrorCode
    message: str
    span: Span | None = None
    rule_id: str | None = None
    yaml_path: str | None = None
    hint: str | None = None
    measure: str | None = None
    source_line: str | None = field(default=None, compare=False)

    def render(self) -> str:
        head = f"{self.span}: " if self.span else ""
        who = f"{self.rule_id}: " if self.rule_id else ""
        at = f" (at {self.yaml_path})" if self.yaml_path else ""
        lines = [f"{head}[{self.code}] {who}{self.message}{at}"]
        if self.span and self.source_line is not None:
            gutter = f"{self.span.line:>5} | "
            width = 1
            if self.span.end_column and (self.span.end_line in (None, self.span.line)):
                width = max(1, self.span.end_column - self.span.column)
            source, column, width = _excerpt(self.source_line, self.span.column, width)
            lines.append(gutter + source)
            pad = _display_width(source[: column - 1])
            underline = "^" * _display_width(source[column - 1 : column - 1 + width])
            lines.append(" " * (len(gutter) - 2) + "| " + " " * pad + (underline or "^"))
        if self.hint:
            lines.append(f"      = hint: {self.hint}")
        if self.measure:
            lines.append(f"      = in measure {self.measure}")
        return "\n".join(lines)


_EXCERPT = 120
"""Most characters of a source line a message shows: a line of a megabyte is not echoed whole."""


def _excerpt(line: str, column: int, width: int) -> tuple[str, int, int]:
    """(the part of `line` to show, the column and the width of the marked text in it)."""
    line = line.rstrip("\n")
    if len(line) <= _EXCERPT:
        return line, column, width
    start = max(0, min(column - 1 - _EXCERPT // 3, len(line) - _EXCERPT))
    shown = line[start : start + _EXCERPT]
    lead = "…" if start > 0 else ""
    tail = "…" if start + _EXCERPT < len(line) else ""
    column = column - start + len(lead)
    return lead + shown + tail, column, max(1, min(width, _EXCERPT - (column - 1 - len(lead))))


def _display_width(text: str) -> int:
    """Terminal columns taken by `text`: CJK characters are two columns wide."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    """The closest candidate to a misspelt name, or None when nothing is close."""
    matches = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return matches[0] if matches else None


class SubsidyEngineError(Exception):
    """Base of every error the engine raises on purpose."""


class DiagnosticsError(SubsidyEngineError):
    """An error carrying one or more diagnostics, all reported together."""

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        self.diagnostics = list(diagnostics)
        super().__init__(self.render())

    def render(self) -> str:
        return "\n".join(d.render() for d in self.diagnostics)


class RulebookError(DiagnosticsError):
    """A rulebook failed to load: every problem found is in `diagnostics`."""


class ExpressionError(DiagnosticsError):
    """An expression failed to parse or type-check."""


class ProfileError(DiagnosticsError):
    """An enterprise profile was refused; each diagnostic names a field path and a reason."""


class InputError(SubsidyEngineError):
    """A file or argument given to the engine cannot be used (not found, wrong format)."""


class UnsupportedNodeError(SubsidyEngineError):
    """A backend met a node (or a function, an operator) it cannot compile; never a silent
    fallback. A checked tree never causes one: it is a gap in the backend."""

    def __init__(self, node: object, backend: str, problem: str | None = None) -> None:
        self.node = node
        self.backend = backend
        problem = problem or f"cannot compile {type(node).__name__}"
        super().__init__(f"the {backend} backend {problem}")


class MissingDependencyError(SubsidyEngineError, ImportError):
    """A feature needs an optional dependency that is not installed; says which extra has it."""
