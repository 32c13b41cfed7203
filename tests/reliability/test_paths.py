"""A rulebook reads only its own folder, only regular files, and only up to a size; a refused
path is never opened, so no message echoes content from outside the rulebook."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from subsidy_engine.errors import InputError
from subsidy_engine.limits import MAX_FILE_BYTES, read_file
from subsidy_engine.rulebook.folder import inside

if TYPE_CHECKING:
    from conftest import Kit

SECRET = "root:x:0:0:the content of a file outside the rulebook"


@pytest.fixture
def book(kit: Kit, tmp_path: Path) -> Path:
    folder = tmp_path / "book"
    shutil.copytree(kit.MINI, folder)
    (tmp_path / "secret.txt").write_text(SECRET + "\n", encoding="utf-8")
    return folder


def set_source(book: Path, source: str) -> None:
    manifest = book / "rulebook.yaml"
    text = manifest.read_text(encoding="utf-8").replace("source: source.txt", f"source: {source}")
    if f"source: {source}" not in text:
        text += f"source: {source}\n"
    manifest.write_text(text, encoding="utf-8")


def lint(kit: Kit, book: Path) -> str:
    code, _, err = kit.run("lint", book)
    assert code == 1
    message = kit.one_message(err)
    assert "root:x" not in message
    return message


@pytest.mark.parametrize(
    "source", ["{tmp}/secret.txt", "../secret.txt", "sub/../../secret.txt", "/etc/passwd"]
)
def test_a_source_outside_the_folder_is_refused(
    kit: Kit, book: Path, tmp_path: Path, source: str
) -> None:
    given = source.format(tmp=tmp_path)
    set_source(book, given)
    message = lint(kit, book)
    assert f"[outside-rulebook] {given} (named in rulebook.yaml) is not a file inside" in message
    assert "not-verbatim" not in message


def test_a_source_linked_out_of_the_folder_is_refused(kit: Kit, book: Path) -> None:
    (book / "source.txt").unlink()
    (book / "source.txt").symlink_to(book.parent / "secret.txt")
    assert "[outside-rulebook] source.txt" in lint(kit, book)


def test_a_source_that_is_a_device_is_refused_at_once(kit: Kit, book: Path) -> None:
    (book / "zero.txt").symlink_to("/dev/zero")
    set_source(book, "zero.txt")
    started = time.monotonic()
    assert "[outside-rulebook] zero.txt" in lint(kit, book)
    assert time.monotonic() - started < 30


def test_a_fifo_inside_the_folder_is_not_opened(kit: Kit, book: Path) -> None:
    os.mkfifo(book / "pipe.txt")
    set_source(book, "pipe.txt")
    assert "pipe.txt: is not a regular file" in lint(kit, book)


def test_a_measure_file_linked_out_of_the_folder_is_refused(kit: Kit, book: Path) -> None:
    (book / "measures" / "zz.yaml").symlink_to(book.parent / "secret.txt")
    assert "[outside-rulebook] measures/zz.yaml" in lint(kit, book)


def test_links_that_stay_inside_the_folder_are_followed(kit: Kit, book: Path) -> None:
    (book / "texts").mkdir()
    (book / "source.txt").rename(book / "texts" / "policy.txt")
    (book / "source.txt").symlink_to(book / "texts" / "policy.txt")
    code, out, err = kit.run("lint", book)
    assert (code, err) == (0, "") and out.startswith("mini: ok")


@pytest.mark.parametrize(
    ("rel", "allowed"),
    [
        ("source.txt", True),
        ("a/b/../c.txt", False),
        ("..", False),
        ("/etc/passwd", False),
        ("C:\\x.txt", False),
        ("a\\..\\..\\x", False),
    ],
)
def test_inside(tmp_path: Path, rel: str, allowed: bool) -> None:
    assert (inside(tmp_path, rel) is not None) is allowed


def test_a_file_over_the_size_limit_is_refused_before_reading(kit: Kit, tmp_path: Path) -> None:
    huge = tmp_path / "profile.yaml"
    with huge.open("wb") as file:
        file.truncate(MAX_FILE_BYTES + 1)  # sparse: nothing is written
    code, _, err = kit.run("evaluate", huge, "--rulebook", kit.MINI)
    assert code == 2
    assert f"{MAX_FILE_BYTES + 1:,} bytes is over the limit of {MAX_FILE_BYTES:,}" in err
    kit.one_message(err)


def test_read_file_limits(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"x" * 10)
    assert read_file(path, limit=10) == b"x" * 10
    with pytest.raises(InputError, match="over the limit of 9"):
        read_file(path, limit=9)
    with pytest.raises(InputError, match="is not a regular file"):
        read_file(Path("/dev/zero"))
    with pytest.raises(InputError, match="is not a regular file"):
        read_file(tmp_path)


@pytest.mark.parametrize("kind", ["reform", "mapping"])
def test_a_reform_or_mapping_from_a_device_is_refused(kit: Kit, tmp_path: Path, kind: str) -> None:
    registry = kit.registry(tmp_path / "reg.csv")
    code, _, err = kit.run(
        "score", registry, "-o", tmp_path / "o.parquet", f"--{kind}", "/dev/zero",
        "--rulebook", kit.MINI,
    )  # fmt: skip
    assert code == 2 and f"no {kind} file /dev/zero" in kit.one_message(err)
