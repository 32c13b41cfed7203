"""Text files in the encodings offices use: UTF-8 (with or without a BOM), UTF-16 with a BOM,
GBK and GB18030 (what Excel's "CSV" writes on Chinese Windows).

The CSV reader reads UTF-8 only, so another encoding is transcoded, in bounded memory, into a
temporary UTF-8 copy removed when the process ends. A byte that is not text in the encoding is
reported with its line and offset; an unknown encoding name is refused.
"""

from __future__ import annotations

import atexit
import codecs
import os
import tempfile
from pathlib import Path

from subsidy_engine.errors import InputError

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_UTF8 = ("utf-8", "utf8")
_CHUNK = 1 << 20
_COPIES: dict[tuple[Path, float, str], Path] = {}


def detected(path: Path, given: str | None) -> str:
    """The encoding to read `path` with: `given` (checked), else the one its BOM names, else
    UTF-8."""
    if given is not None:
        try:
            return codecs.lookup(given).name
        except LookupError:
            raise InputError(
                f"unknown encoding {given!r}; e.g. utf-8, gbk, gb18030, utf-16"
            ) from None
    with path.open("rb") as file:
        head = file.read(4)
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name
    return "utf-8"


def utf8_path(path: Path, given: str | None) -> Path:
    """`path` itself when it is UTF-8 without a BOM, else a UTF-8 copy of it."""
    encoding = detected(path, given)
    if encoding in _UTF8 and not _has_utf8_bom(path):
        return path
    key = (path.resolve(), path.stat().st_mtime, encoding)
    if key not in _COPIES:
        _COPIES[key] = _transcoded(path, encoding)
    return _COPIES[key]


def _has_utf8_bom(path: Path) -> bool:
    with path.open("rb") as file:
        return file.read(3) == codecs.BOM_UTF8


def _transcoded(path: Path, encoding: str) -> Path:
    handle, name = tempfile.mkstemp(prefix="registry-", suffix=".csv")
    copy = Path(name)
    atexit.register(_remove, copy)
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    line, offset = 1, 0
    with path.open("rb") as source, os.fdopen(handle, "wb") as target:
        while chunk := source.read(_CHUNK):
            try:
                text = decoder.decode(chunk)
            except UnicodeDecodeError as error:
                lines_before = chunk[: error.start].count(b"\n")
                where = f"line {line + lines_before}, byte {offset + error.start}"
                raise InputError(
                    f"{path}: not {encoding} text at {where}: {chunk[error.start : error.end]!r}"
                    " (give the file's encoding with --encoding)"
                ) from None
            line += chunk.count(b"\n")
            offset += len(chunk)
            target.write(text.encode())
        try:
            target.write(decoder.decode(b"", final=True).encode())
        except UnicodeDecodeError:
            raise InputError(f"{path}: not {encoding} text: the file ends mid-character") from None
    return copy


def _remove(path: Path) -> None:
    path.unlink(missing_ok=True)
