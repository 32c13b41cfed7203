"""Safe YAML loading that remembers where every value came from.

`load_yaml` reads one YAML document with the safe loader only (libyaml's `CSafeLoader` when
PyYAML was built with it, else the pure-Python `SafeLoader`) and returns a `YamlDocument`: the
plain Python data plus, for every value in it, the `Span` it was read from. Later stages (the
pydantic models of rule files, the expression type-checker) turn a YAML path such as
``("rules", 2, "when", "first")`` back into ``file:line:column`` with `YamlDocument.span_of` or
`YamlDocument.diagnostic`.

>>> doc = load_yaml(Path("m36.yaml"), text="rules:\\n  - id: 高新\\n    when: revenue >= 5000万\\n")
>>> doc.data
{'rules': [{'id': '高新', 'when': 'revenue >= 5000万'}]}
>>> print(doc.span_of(["rules", 0, "when"]))
m36.yaml:3:11
>>> doc.scalar_style(["rules", 0, "when"])
''

Spans
    Lines and columns count from 1 and count characters (code points), not bytes, so a line of
    Chinese text does not shift the columns after it; `end_column` is exclusive.

    * plain scalar: from its first to just past its last character, so for a single-line plain
      scalar ``text[column - 1 + i]`` of the source line is character ``i`` of the value;
    * quoted scalar (``'…'`` or ``"…"``): the content between the quotes, i.e. it starts at
      the character *after* the opening quote and ends at the closing quote. Columns map 1:1
      only without escapes (``''`` in single quotes, ``\\`` escapes in double quotes);
    * block scalar (``|`` or ``>``): starts on the line after the header, at the column of the
      block's indentation, so for a literal (``|``) scalar character ``j`` of line ``k`` of the
      value sits at line ``span.line + k``, column ``span.column + j``. It ends after the last
      non-blank character. An empty block scalar spans its indicator;
    * sequence / mapping: from its first character (``-``, ``[``, ``{`` or the first key) to the
      end of its last item (flow collections: to the closing bracket);
    * a value reached through an alias (``*name``) has the span of the anchored node where it
      is defined, and so do all values inside it; merged keys (``<<: *defaults``) likewise.

Errors
    Everything is raised as `RulebookError`, each diagnostic with a span and its source line.
    Problems found after parsing (duplicate keys, bad keys, bad tags/values) are collected and
    reported together.

    ``yaml-syntax``      the YAML parser's complaint (scanner/parser problem text and mark),
                         non-printable characters, undefined aliases, duplicate anchors, more
                         than one document in the file
    ``duplicate-key``    a key appears twice in one mapping (at the second; names the first line)
    ``bad-key``          a mapping key that is not a string, an integer or a date (e.g. ``yes:``
                         is a boolean in YAML 1.1, ``1.5:`` a float, ``[a]:`` a sequence)
    ``bad-merge``        ``<<`` whose value is not a mapping or a list of mappings
    ``yaml-tag``         a tag other than the plain-data ones (``!!python/…``, ``!!binary``,
                         ``!!set``, ``!custom``, …)
    ``yaml-value``       a scalar that cannot be read as its type (``2019-02-30``, ``!!int x``)
    ``yaml-too-large``   more than `MAX_NODES` nodes once aliases are expanded (the "billion
                         laughs" guard), nesting deeper than `MAX_DEPTH`, or a recursive alias
    ``encoding``         the file is not valid UTF-8

The data holds only dict, list, str, int, float, bool, None, `datetime.date` (``2019-05-01``)
and `datetime.datetime` (a timestamp with a time), resolved as PyYAML's safe loader resolves
them (YAML 1.1: ``yes``/``no``/``on``/``off`` are booleans). A plain ``=`` or ``<<`` outside a
key position is read as a string (PyYAML's safe loader refuses them). An empty file, or one with
only comments, loads as None.
"""

from __future__ import annotations

import bisect
import json
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Final, NoReturn, TypeAlias

import yaml

from subsidy_engine.errors import Diagnostic, ErrorCode, RulebookError, Span
from subsidy_engine.limits import MAX_YAML_DEPTH, MAX_YAML_NODES, read_file

__all__ = [
    "MAX_DEPTH",
    "MAX_NODES",
    "PathItem",
    "YamlDocument",
    "format_yaml_path",
    "load_yaml",
]

MAX_NODES: Final = MAX_YAML_NODES
"""Most nodes (keys, values and items, counted again each time an alias repeats them)."""

MAX_DEPTH: Final = MAX_YAML_DEPTH
"""Deepest nesting of sequences and mappings accepted, aliases expanded."""

PathItem: TypeAlias = str | int | date
"""One step of a YAML path: a mapping key (str, int or date) or a sequence index (int)."""

_LoaderClass: TypeAlias = type[yaml.SafeLoader] | type[yaml.CSafeLoader]
_Loader: TypeAlias = yaml.SafeLoader | yaml.CSafeLoader

# libyaml is several times faster; both count marks in characters, which is what spans need.
_LOADER: _LoaderClass = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_TAG = "tag:yaml.org,2002:"
_MAP_TAG: Final = _TAG + "map"
_SEQ_TAG: Final = _TAG + "seq"
_MERGE_TAG: Final = _TAG + "merge"
_SCALAR_TAGS: Final = frozenset(
    _TAG + name for name in ("null", "bool", "int", "float", "str", "timestamp")
)
# Plain scalars PyYAML resolves to tags its safe constructor cannot build: kept as strings.
_STRING_LIKE_TAGS: Final = frozenset({_TAG + "value", _MERGE_TAG})

_LINE_BREAK = re.compile("\r\n|[\n\r\x85\u2028\u2029]")
_NON_PRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)
_BARE_KEY = re.compile(r"[^\s.\[\]\"'\\]+")
_BLANK = " \t\r\n\x85\u2028\u2029"  # [2:] are the line breaks
_PROPERTY_END = _BLANK + ",[]{}"


# --------------------------------------------------------------------------- public API


@dataclass(frozen=True, slots=True)
class _Entry:
    span: Span
    style: str | None  # scalar style, None for sequences and mappings


@dataclass(frozen=True, slots=True)
class YamlDocument:
    """A loaded YAML file: its text, its plain data, and the span of every value in it.

    >>> doc = load_yaml(Path("p.yaml"), text="名称: 示范企业\\nrates: [0.1, 0.2]\\n")
    >>> print(doc.span_of(["名称"]), doc.key_span(["rates"]), doc.span_of(["rates", 1]))
    p.yaml:1:5 p.yaml:2:1 p.yaml:2:14
    >>> print(doc.span_of(["rates", 7]))  # absent: the nearest ancestor that exists
    p.yaml:2:8
    >>> print(doc.diagnostic("schema", "rate too high", ["rates", 1]).render())
    p.yaml:2:14: [schema] rate too high (at rates[1])
        2 | rates: [0.1, 0.2]
          |              ^^^
    """

    path: Path
    text: str
    data: Any
    _entries: Mapping[tuple[PathItem, ...], _Entry] = field(
        default_factory=dict, repr=False, compare=False
    )
    _key_spans: Mapping[tuple[PathItem, ...], Span] = field(
        default_factory=dict, repr=False, compare=False
    )
    _lines: tuple[str, ...] | None = field(default=None, repr=False, compare=False)

    def span_of(self, yaml_path: Sequence[PathItem]) -> Span | None:
        """Where the value at `yaml_path` is; for a path that does not exist (a missing key,
        an index past the end, a key under a scalar) the nearest ancestor that does.

        A document with no nodes at all (empty, or only comments) answers line 1, column 1.
        For mapping keys this is the span of the *value*; see `key_span` for the key.
        """
        key = tuple(yaml_path)
        while True:
            entry = self._entries.get(key)
            if entry is not None:
                return entry.span
            if not key:
                return Span(str(self.path), 1, 1)
            key = key[:-1]

    def key_span(self, yaml_path: Sequence[PathItem]) -> Span | None:
        """Where the mapping key that ends `yaml_path` is written, or None when the path does
        not exist or ends with a sequence index. A merged key (``<<: *x``) answers the key in
        the anchored mapping.

        >>> doc = load_yaml(Path("k.yaml"), text="a:\\n  - b: 1\\n")
        >>> print(doc.key_span(["a", 0, "b"]), doc.key_span(["a", 0]), doc.key_span(["z"]))
        k.yaml:2:5 None None
        """
        return self._key_spans.get(tuple(yaml_path))

    def scalar_style(self, yaml_path: Sequence[PathItem]) -> str | None:
        """The style of the scalar at exactly `yaml_path`: ``''`` plain, ``"'"`` or ``'"'``
        quoted, ``'|'`` literal, ``'>'`` folded; None for a collection or an absent path.

        Only plain and single-line quoted scalars without escapes map columns inside the
        string 1:1 to the file (see the module docstring).

        >>> doc = load_yaml(Path("s.yaml"), text="a: 'x'\\nb: |\\n  y\\nc: [1]\\n")
        >>> [doc.scalar_style([k]) for k in "abc"]
        ["'", '|', None]
        """
        entry = self._entries.get(tuple(yaml_path))
        return None if entry is None else entry.style

    def line(self, number: int) -> str:
        """Source line `number` (1-based) without its line break; "" when out of range."""
        lines = self._lines if self._lines is not None else _split_lines(self.text)
        return lines[number - 1] if 1 <= number <= len(lines) else ""

    def diagnostic(
        self,
        code: ErrorCode,
        message: str,
        yaml_path: Sequence[PathItem],
        *,
        rule_id: str | None = None,
        hint: str | None = None,
        at_key: bool = False,
    ) -> Diagnostic:
        """A `Diagnostic` at the value `yaml_path` names (or its nearest existing ancestor;
        at the key itself with `at_key`), with the path rendered by `format_yaml_path` and the
        source line filled in."""
        span = (self.key_span(yaml_path) if at_key else None) or self.span_of(yaml_path)
        return Diagnostic(
            code,
            message,
            span=span,
            rule_id=rule_id,
            yaml_path=format_yaml_path(yaml_path) or None,
            hint=hint,
            source_line=None if span is None else self.line(span.line),
        )


def format_yaml_path(path: Sequence[PathItem]) -> str:
    """Render a YAML path the way messages show it.

    >>> format_yaml_path(("rules", 2, "when", "first"))
    'rules[2].when.first'
    >>> format_yaml_path([0, "补贴 金额", "a.b", date(2019, 5, 1)])
    '[0]["补贴 金额"]["a.b"][2019-05-01]'
    >>> format_yaml_path([])
    ''
    """
    parts: list[str] = []
    for item in path:
        if isinstance(item, str):
            if _BARE_KEY.fullmatch(item):
                parts.append(f".{item}" if parts else item)
            else:
                parts.append(f"[{json.dumps(item, ensure_ascii=False)}]")
        elif isinstance(item, date):
            parts.append(f"[{item.isoformat()}]")
        else:
            parts.append(f"[{item}]")
    return "".join(parts)


def load_yaml(path: Path, *, text: str | None = None, max_nodes: int = MAX_NODES) -> YamlDocument:
    """Load the single YAML document in `path` (or in `text`, `path` then only names it).

    The file must be UTF-8; a leading byte-order mark is dropped (also from `text`), so the
    document's `text` and its columns start after it. Raises `RulebookError` for every problem
    listed in the module docstring and `InputError` when the file cannot be read.

    >>> load_yaml(Path("d.yaml"), text="since: 2019-05-01\\nok: yes\\nn: 0x10\\n").data
    {'since': datetime.date(2019, 5, 1), 'ok': True, 'n': 16}
    >>> load_yaml(Path("e.yaml"), text="# nothing yet\\n").data is None
    True
    >>> try:
    ...     load_yaml(Path("f.yaml"), text="a: 1\\na: 2\\n")
    ... except RulebookError as err:
    ...     print(err.diagnostics[0].render())
    f.yaml:2:1: [duplicate-key] duplicate key 'a': first defined on line 1 (at a)
        2 | a: 2
          | ^
          = hint: keys in a mapping must be unique; remove or rename one
    """
    name = str(path)
    if text is None:
        text = _decode(name, read_file(path))
    text = text.removeprefix("\ufeff")
    source = _Source(name, text)

    bad = _NON_PRINTABLE.search(text)
    if bad is not None:
        char = ord(bad.group())
        hint = (
            "the file may be UTF-16 encoded; save it as UTF-8"
            if char == 0
            else "remove the character or write it as an escape in a double-quoted string"
        )
        raise RulebookError(
            [
                source.diagnostic(
                    "yaml-syntax",
                    f"unacceptable character #x{char:04x}: special characters are not allowed",
                    source.span(bad.start(), bad.start() + 1),
                    hint=hint,
                )
            ]
        )

    try:
        loader = _LOADER(text)
    except yaml.YAMLError as exc:
        raise RulebookError([source.yaml_error(exc)]) from None
    try:
        try:
            root = _Composer(source, loader).document()
        except yaml.YAMLError as exc:
            raise RulebookError([source.yaml_error(exc)]) from None
        builder = _Builder(source, loader, max_nodes)
        data = None if root is None else builder.build(root)
    finally:
        loader.dispose()

    return YamlDocument(
        path=path,
        text=text,
        data=data,
        _entries=builder.entries,
        _key_spans=builder.key_spans,
        _lines=source.lines,
    )


# --------------------------------------------------------------------------- source text


def _split_lines(text: str) -> tuple[str, ...]:
    return tuple(_LINE_BREAK.split(text))


def _decode(name: str, raw: bytes) -> str:
    """`raw` as UTF-8, or a RulebookError `encoding` at the first bad byte."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start].decode("utf-8")
        lines = _split_lines(before)
        line_no, column = len(lines), len(lines[-1]) + 1
        whole_line = lines[-1] + _split_lines(raw[exc.start :].decode("utf-8", "replace"))[0]
        byte = raw[exc.start]
        raise RulebookError(
            [
                Diagnostic(
                    "encoding",
                    f"not valid UTF-8: byte 0x{byte:02x} at offset {exc.start} ({exc.reason})",
                    span=Span(name, line_no, column, line_no, column + 1),
                    hint="save the file as UTF-8 (files saved as GBK/GB18030 must be converted)",
                    source_line=whole_line,
                )
            ]
        ) from None


class _Source:
    """The text being loaded, with character index -> (line, column) conversion."""

    def __init__(self, name: str, text: str) -> None:
        self.name = name
        self.text = text
        self.lines = _split_lines(text)
        starts = [0]
        starts.extend(match.end() for match in _LINE_BREAK.finditer(text))
        self.starts = starts

    def position(self, index: int) -> tuple[int, int]:
        """1-based (line, column) of the character at `index`."""
        row = bisect.bisect_right(self.starts, index) - 1
        return row + 1, index - self.starts[row] + 1

    def span(self, start: int, stop: int) -> Span:
        line, column = self.position(start)
        end_line, end_column = self.position(max(start, stop))
        return Span(self.name, line, column, end_line, end_column)

    def line(self, number: int) -> str:
        return self.lines[number - 1] if 1 <= number <= len(self.lines) else ""

    def diagnostic(
        self,
        code: ErrorCode,
        message: str,
        span: Span,
        *,
        path: Sequence[PathItem] = (),
        hint: str | None = None,
    ) -> Diagnostic:
        return Diagnostic(
            code,
            message,
            span=span,
            yaml_path=format_yaml_path(path) or None,
            hint=hint,
            source_line=self.line(span.line),
        )

    def yaml_error(self, exc: yaml.YAMLError) -> Diagnostic:
        """PyYAML's scanner/parser error as a `yaml-syntax` diagnostic at its problem mark."""
        if not isinstance(exc, yaml.MarkedYAMLError):  # a ReaderError: has a position only
            position = min(int(getattr(exc, "position", 0)), len(self.text))
            return self.diagnostic("yaml-syntax", str(exc), self.span(position, position + 1))
        mark = exc.problem_mark or exc.context_mark
        index = min(mark.index, len(self.text)) if mark is not None else 0
        message = exc.problem or exc.context or "invalid YAML"
        if exc.problem and exc.context:
            if exc.context_mark is not None and exc.context_mark is not mark:
                line, column = self.position(exc.context_mark.index)
                message += f" ({exc.context} at line {line}, column {column})"
            else:
                message += f" ({exc.context})"
        if exc.note:
            message += f"; {exc.note}"
        return self.diagnostic("yaml-syntax", message, self.span(index, index + 1))


# --------------------------------------------------------------------------- composing


@dataclass(eq=False, slots=True)
class _Scalar:
    tag: str
    explicit_tag: bool
    value: str
    style: str  # '' plain, "'", '"', '|', '>'
    props: int  # character index of its anchor / tag, if any, else == start
    start: int  # index of its first character after those (quote / block indicator)
    stop: int  # just past its last character (closing quote; block: last non-blank)


@dataclass(eq=False, slots=True)
class _Sequence:
    tag: str
    items: list[_Node]
    props: int
    start: int
    stop: int


@dataclass(eq=False, slots=True)
class _Mapping:
    tag: str
    pairs: list[tuple[_Node, _Node]]
    props: int
    start: int
    stop: int


@dataclass(eq=False, slots=True)
class _Alias:
    name: str
    target: _Scalar | _Sequence | _Mapping
    start: int
    stop: int


_Node: TypeAlias = _Scalar | _Sequence | _Mapping | _Alias


class _FatalError(Exception):
    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


def _index(mark: Any) -> int:
    return int(mark.index) if mark is not None else 0


class _Composer:
    """Builds a node tree from the parser's events, keeping aliases as aliases.

    (PyYAML's composer replaces an alias by the anchored node, losing where it was used; its
    C version also recurses without limit.)
    """

    def __init__(self, source: _Source, loader: _Loader) -> None:
        self.source = source
        self.loader = loader
        # Resolver.resolve is untyped in the stubs: (node kind, value, implicit) -> tag
        self.resolve: Callable[[type[yaml.Node], str | None, Any], object] = loader.resolve
        self.anchors: dict[str, _Scalar | _Sequence | _Mapping] = {}
        self.open_anchors: set[str] = set()

    def fail(self, code: ErrorCode, message: str, start: int, stop: int | None = None) -> NoReturn:
        span = self.source.span(start, start + 1 if stop is None else stop)
        raise RulebookError([self.source.diagnostic(code, message, span)])

    def next_event(self) -> yaml.Event:
        event = self.loader.get_event()
        assert event is not None, "the parser ended early"
        return event

    def document(self) -> _Node | None:
        loader = self.loader
        self.next_event()  # StreamStart
        if loader.check_event(yaml.StreamEndEvent):
            return None
        self.next_event()  # DocumentStart
        node = self.node(0)
        self.next_event()  # DocumentEnd
        if not loader.check_event(yaml.StreamEndEvent):
            event = self.next_event()
            self.fail(
                "yaml-syntax",
                "expected a single document in the stream, but found another document",
                _index(event.start_mark),
            )
        return node

    def node(self, depth: int) -> _Node:
        loader = self.loader
        event = self.next_event()
        start, end = _index(event.start_mark), _index(event.end_mark)
        if depth > MAX_DEPTH:
            self.fail("yaml-too-large", f"nested more than {MAX_DEPTH} levels deep", start)
        if isinstance(event, yaml.AliasEvent):
            name = str(event.anchor)
            if name in self.open_anchors:
                self.fail(
                    "yaml-too-large",
                    f"alias *{name} is inside the node it refers to; "
                    "the document would be infinitely large",
                    start,
                    end,
                )
            target = self.anchors.get(name)
            if target is None:
                self.fail("yaml-syntax", f"found undefined alias *{name}", start, end)
            return _Alias(name, target, start, end)

        assert isinstance(event, yaml.NodeEvent), event
        anchor = event.anchor
        if anchor is not None:
            first = self.anchors.get(anchor)
            if first is not None or anchor in self.open_anchors:
                where = f" (first on line {self.source.position(first.start)[0]})" if first else ""
                self.fail("yaml-syntax", f"found duplicate anchor &{anchor}{where}", start, end)
            self.open_anchors.add(anchor)

        props = start
        start = self.skip_properties(start, end if isinstance(event, yaml.ScalarEvent) else None)
        result: _Scalar | _Sequence | _Mapping
        if isinstance(event, yaml.ScalarEvent):
            result = self.scalar(event, props, start, end)
        elif isinstance(event, yaml.SequenceStartEvent):
            tag = self.collection_tag(event, yaml.SequenceNode)
            items: list[_Node] = []
            while not loader.check_event(yaml.SequenceEndEvent):
                items.append(self.node(depth + 1))
            closing = self.next_event()
            stop = items[-1].stop if items and not event.flow_style else _index(closing.end_mark)
            result = _Sequence(tag, items, props, start, stop)
        else:
            assert isinstance(event, yaml.MappingStartEvent), event
            tag = self.collection_tag(event, yaml.MappingNode)
            pairs: list[tuple[_Node, _Node]] = []
            while not loader.check_event(yaml.MappingEndEvent):
                key = self.node(depth + 1)
                pairs.append((key, self.node(depth + 1)))
            closing = self.next_event()
            stop = pairs[-1][1].stop if pairs and not event.flow_style else _index(closing.end_mark)
            result = _Mapping(tag, pairs, props, start, stop)

        if anchor is not None:
            self.open_anchors.discard(anchor)
            self.anchors[anchor] = result
        return result

    def collection_tag(
        self,
        event: yaml.CollectionStartEvent,
        kind: type[yaml.SequenceNode] | type[yaml.MappingNode],
    ) -> str:
        if event.tag is None or event.tag == "!":
            return str(self.resolve(kind, None, event.implicit))
        return event.tag

    def skip_properties(self, index: int, limit: int | None) -> int:
        """The index of the node's content when its anchor and/or tag start at `index`."""
        text = self.source.text
        stop = len(text) if limit is None else limit
        while index < stop and text[index] in "&!":
            if text.startswith("!<", index):  # verbatim tag
                index = text.find(">", index) + 1 or stop
            else:
                while index < stop and text[index] not in _PROPERTY_END:
                    index += 1
            while index < stop and (text[index] in _BLANK or text[index] == "#"):
                if text[index] == "#":
                    while index < stop and text[index] not in _BLANK[2:]:
                        index += 1
                else:
                    index += 1
        return min(index, stop)

    def scalar(self, event: yaml.ScalarEvent, props: int, start: int, end: int) -> _Scalar:
        explicit = not (event.tag is None or event.tag == "!")
        if explicit:
            tag = str(event.tag)
        else:
            tag = str(self.resolve(yaml.ScalarNode, event.value, event.implicit))
        style = event.style or ""
        stop = end
        if style in ("|", ">"):  # the end mark is past the trailing line breaks
            while stop > start + 1 and self.source.text[stop - 1] in _BLANK:
                stop -= 1
        return _Scalar(tag, explicit, event.value, style, props, start, stop)


# --------------------------------------------------------------------------- constructing


def _show_tag(tag: str) -> str:
    return "!!" + tag.removeprefix(_TAG) if tag.startswith(_TAG) else tag


def _kind(node: _Scalar | _Sequence | _Mapping) -> str:
    if isinstance(node, _Scalar):
        return "scalar"
    return "sequence" if isinstance(node, _Sequence) else "mapping"


_BAD: Final = object()


class _Builder:
    """Turns the node tree into plain data, expanding aliases and recording spans."""

    def __init__(self, source: _Source, loader: _Loader, max_nodes: int) -> None:
        self.source = source
        self.loader = loader
        self.max_nodes = max_nodes
        self.count = 0
        self.aliases: list[_Alias] = []
        self.entries: dict[tuple[PathItem, ...], _Entry] = {}
        self.key_spans: dict[tuple[PathItem, ...], Span] = {}
        self.problems: list[Diagnostic] = []

    def build(self, root: _Node) -> Any:
        try:
            data = self.value(root, (), 0)
        except _FatalError as fatal:
            self.problems.append(fatal.diagnostic)
            data = None
        if self.problems:
            # a mapping merged into others is checked each time: report each problem once
            unique = {(d.code, d.span, d.message): d for d in reversed(self.problems)}
            raise RulebookError(list(reversed(unique.values())))
        return data

    # -- spans

    def content_span(self, node: _Node) -> Span:
        """The span described in the module docstring for `node` (written where it is)."""
        if isinstance(node, _Scalar):
            if node.style in ("'", '"'):
                return self.source.span(node.start + 1, max(node.start + 1, node.stop - 1))
            if node.style in ("|", ">"):
                return self.block_span(node)
        return self.source.span(node.start, node.stop)

    def block_span(self, node: _Scalar) -> Span:
        source = self.source
        header_line, _ = source.position(node.start)
        if not node.value.strip(_BLANK) or header_line >= len(source.lines):
            return source.span(node.start, node.start + 1)
        first_line = header_line + 1
        leading = len(node.value) - len(node.value.lstrip("\n"))
        content = node.value[leading:]
        row = source.line(first_line + leading)
        spaces = len(row) - len(row.lstrip(" "))
        # the block's indentation: where in `row` the value's text starts (a first line may be
        # more indented than the block, or, with |N, the block less than its first line)
        if node.style == "|":
            first = content.split("\n", 1)[0]
            found = [i for i in range(spaces + 1) if row[i:] == first]
        else:  # folded: the first line is joined to the next ones
            found = [i for i in range(spaces + 1) if row[i:] and content.startswith(row[i:])]
        indent = max(found, default=spaces)
        end_line, end_column = source.position(node.stop)
        return Span(source.name, first_line, indent + 1, end_line, end_column)

    # -- problems

    def problem(
        self,
        code: ErrorCode,
        message: str,
        node: _Node,
        path: Sequence[PathItem],
        hint: str | None = None,
    ) -> None:
        span = self.content_span(node)
        self.problems.append(self.source.diagnostic(code, message, span, path=path, hint=hint))

    def tick(self, node: _Node, depth: int) -> None:
        self.count += 1
        if self.count > self.max_nodes:
            where = self.aliases[0] if self.aliases else node
            detail = f" (expanding alias *{self.aliases[0].name})" if self.aliases else ""
            raise _FatalError(
                self.source.diagnostic(
                    "yaml-too-large",
                    f"the document has more than {self.max_nodes} nodes "
                    f"once aliases are expanded{detail}",
                    self.source.span(where.start, where.stop),
                    hint="split the file, or repeat less through anchors and aliases",
                )
            )
        if depth > MAX_DEPTH:
            where = self.aliases[0] if self.aliases else node
            raise _FatalError(
                self.source.diagnostic(
                    "yaml-too-large",
                    f"nested more than {MAX_DEPTH} levels deep once aliases are expanded",
                    self.source.span(where.start, where.stop),
                )
            )

    # -- values

    def value(self, node: _Node, path: tuple[PathItem, ...], depth: int) -> Any:
        if isinstance(node, _Alias):
            self.aliases.append(node)
            try:
                return self.value(node.target, path, depth)
            finally:
                self.aliases.pop()
        self.tick(node, depth)
        span = self.content_span(node)
        if isinstance(node, _Scalar):
            self.entries[path] = _Entry(span, node.style)
            return self.scalar(node, path, key=False)
        self.entries[path] = _Entry(span, None)
        if isinstance(node, _Sequence):
            if node.tag != _SEQ_TAG:
                self.bad_tag(node, path)
                return None
            return [self.value(item, (*path, i), depth + 1) for i, item in enumerate(node.items)]
        if node.tag != _MAP_TAG:
            self.bad_tag(node, path)
            return None
        result: dict[Any, Any] = {}
        for key, (key_node, value_node) in self.mapping_entries(node, path, depth).items():
            sub = (*path, key)
            self.key_spans[sub] = self.content_span(_resolve(key_node))
            result[key] = self.value(value_node, sub, depth + 1)
        return result

    def bad_tag(self, node: _Scalar | _Sequence | _Mapping, path: Sequence[PathItem]) -> None:
        self.problems.append(
            self.source.diagnostic(
                "yaml-tag",
                f"tag {_show_tag(node.tag)} is not allowed on a {_kind(node)}: rule files hold "
                "plain data only (mappings, sequences, strings, numbers, booleans, dates, null)",
                self.source.span(node.props, self.properties_end(node)),
                path=path,
                hint="remove the tag",
            )
        )

    def properties_end(self, node: _Scalar | _Sequence | _Mapping) -> int:
        """Just past the node's tag / anchor (or its first character when it has none)."""
        text = self.source.text
        end = node.start
        while end > node.props and text[end - 1] in _BLANK:
            end -= 1
        return max(end, node.props + 1)

    def scalar(self, node: _Scalar, path: Sequence[PathItem], *, key: bool) -> Any:
        tag = node.tag
        if tag in _STRING_LIKE_TAGS and not node.explicit_tag:
            return node.value
        if tag not in _SCALAR_TAGS:
            self.bad_tag(node, path)
            return _BAD if key else None
        try:
            return self.loader.construct_object(
                yaml.ScalarNode(tag, node.value, style=node.style or None)
            )
        except (ValueError, KeyError, AttributeError, TypeError, OverflowError, yaml.YAMLError):
            shown = _show_tag(tag).removeprefix("!!")
            value = node.value if len(node.value) <= 40 else node.value[:40] + "…"
            digits = sum(c.isdigit() for c in node.value)
            if shown == "int" and digits > sys.get_int_max_str_digits():
                why = f"has {digits:,} digits, more than a number read may have"
            else:
                why = f"is not a valid {shown}"
            self.problem("yaml-value", f"{value!r} {why}", node, path)
            return _BAD if key else None

    def key(self, key_node: _Node, path: tuple[PathItem, ...]) -> Any:
        """The key `key_node` as data, or `_BAD` (with a problem recorded)."""
        node = _resolve(key_node)
        if not isinstance(node, _Scalar):
            self.problem(
                "bad-key",
                f"a {_kind(node)} cannot be a mapping key; keys are strings, integers or dates",
                node,
                path,
            )
            return _BAD
        value = self.scalar(node, path, key=True)
        if value is _BAD:
            return _BAD
        if isinstance(value, str) or type(value) in (int, date):
            return value
        self.problem(
            "bad-key",
            f"key {node.value!r} is read as {_describe(value)}; "
            "mapping keys must be strings, integers or dates",
            node,
            path,
            hint=f"quote it to make it a string: '{node.value}'",
        )
        return _BAD

    def mapping_entries(
        self, node: _Mapping, path: tuple[PathItem, ...], depth: int
    ) -> dict[Any, tuple[_Node, _Node]]:
        """The key -> (key node, value node) pairs of `node`, merge keys applied, keys checked.

        Order and precedence follow PyYAML: merged keys first (in the order of the merged
        mappings), explicit keys override merged ones, and of several merged mappings the
        earlier one wins.
        """
        explicit: dict[Any, tuple[_Node, _Node]] = {}
        merged: dict[Any, tuple[_Node, _Node]] = {}
        merge_key: _Node | None = None
        for key_node, value_node in node.pairs:
            self.tick(key_node, depth + 1)
            target = _resolve(key_node)
            if isinstance(target, _Scalar) and target.tag == _MERGE_TAG:
                if merge_key is not None:
                    self.duplicate("<<", key_node, merge_key, path)
                    continue
                merge_key = key_node
                for source in self.merge_sources(value_node, path, depth):
                    for key, pair in self.mapping_entries(source, path, depth + 1).items():
                        merged.setdefault(key, pair)
                continue
            key = self.key(key_node, path)
            if key is _BAD:
                continue
            first = explicit.get(key)
            if first is not None:
                self.duplicate(key, key_node, first[0], (*path, key))
                continue
            explicit[key] = (key_node, value_node)
        result = dict(merged)
        result.update(explicit)
        return result

    def duplicate(self, key: Any, second: _Node, first: _Node, path: Sequence[PathItem]) -> None:
        first_line = self.content_span(_resolve(first)).line
        self.problem(
            "duplicate-key",
            f"duplicate key {key!r}: first defined on line {first_line}",
            _resolve(second),
            path,
            hint="keys in a mapping must be unique; remove or rename one",
        )

    def merge_sources(
        self, value_node: _Node, path: Sequence[PathItem], depth: int
    ) -> list[_Mapping]:
        self.tick(value_node, depth + 1)
        target = _resolve(value_node)
        if isinstance(target, _Mapping):
            return [target]
        if isinstance(target, _Sequence):
            items = [_resolve(item) for item in target.items]
            mappings = [item for item in items if isinstance(item, _Mapping)]
            if len(mappings) == len(items):
                return mappings
        self.problem(
            "bad-merge",
            "the value of a merge key (<<) must be a mapping or a list of mappings",
            target,
            path,
        )
        return []


def _resolve(node: _Node) -> _Scalar | _Sequence | _Mapping:
    return node.target if isinstance(node, _Alias) else node


def _describe(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, datetime):
        return "a timestamp"
    return f"a {type(value).__name__}"
