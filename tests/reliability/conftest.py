"""What the reliability tests share, as the `kit` fixture: the command line run in-process,
small registries, and checks that a failure is one message and leaves no file behind."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest

from subsidy_engine.atomic import PARTIAL

ROOT = Path(__file__).parents[2]


class Kit:
    MINI = ROOT / "tests" / "fixtures" / "mini"
    BUNDLED = ROOT / "rules" / "shuozhou-2019"
    EXAMPLE = ROOT / "examples" / "huairen-ceramics-large.yaml"
    AS_OF = "2019-06-30"
    GOOD = "91350100M000100Y43"

    def __init__(self, cli: Callable[..., tuple[int, str, str]]) -> None:
        self._cli = cli

    def run(self, *args: str | Path) -> tuple[int, str, str]:
        """Exit code, stdout and stderr of `subsidy-engine ARGS` (argparse's exits included)."""
        return self._cli(*args)

    @staticmethod
    def one_message(err: str) -> str:
        """`err`, checked to be the command's own message(s), not a traceback: text, or one
        JSON document under `--format json`."""
        assert "Traceback" not in err, err
        if err.startswith("{"):
            assert {"code", "message"} <= set(json.loads(err)), err
            return err
        assert err.startswith(("subsidy-engine: ", "usage: ")), err
        return err

    @staticmethod
    def partial_files(folder: Path) -> list[Path]:
        return [p for p in folder.rglob("*") if PARTIAL in p.name]

    @staticmethod
    def snapshot(folder: Path) -> dict[str, bytes | None]:
        """Every file and folder under `folder` by relative name, with a file's bytes."""
        return {
            p.relative_to(folder).as_posix(): p.read_bytes() if p.is_file() else None
            for p in sorted(folder.rglob("*"))
        }

    @staticmethod
    def line(key: str, extra: str = "") -> str:
        """One enterprise of `registry` as a CSV line, `extra` appended as written."""
        return f"{key},C3071,60000000,40,东区{extra}"

    @staticmethod
    def csv_lines(path: Path, *lines: str) -> Path:
        """A CSV registry of `registry`'s columns holding `lines` as written, bad ones too."""
        header = "credit_code,industry_code,annual_sales,employees,county"
        path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
        return path

    @classmethod
    def registry(cls, path: Path, rows: int = 20, keys: list[str] | None = None) -> Path:
        """A registry of `rows` enterprises for the mini rulebook, CSV or Parquet by name."""
        frame = pl.DataFrame(
            {
                "credit_code": keys or [cls.GOOD] * rows,
                "industry_code": ["C3071"] * rows,
                "annual_sales": [str(60_000_000 + i) for i in range(rows)],
                "employees": [str(40 + i) for i in range(rows)],
                "county": ["东区"] * rows,
            }
        )
        if path.suffix == ".csv":
            frame.write_csv(path)
        else:
            frame.write_parquet(path)
        return path


@pytest.fixture
def kit(cli: Callable[..., tuple[int, str, str]]) -> Kit:
    return Kit(cli)
