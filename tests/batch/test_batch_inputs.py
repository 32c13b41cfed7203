"""Inputs: pandas and Arrow tables score like Polars ones; values written the other ways the
profile model accepts (numbers as text or floats, `5000万`, dates as text, yes/no) score like
the typed values, and are refused exactly when the pydantic model refuses them."""

from __future__ import annotations

import importlib.util
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from subsidy_engine import Engine, ProfileError
from subsidy_engine.backends.polars.dtypes import dtype_of
from subsidy_engine.rulebook.models import ListFieldSpec, ScalarFieldSpec, ScalarKind
from subsidy_engine.testing import profiles

ROOT = Path(__file__).parents[2]
MINI = Engine(ROOT / "tests" / "fixtures" / "mini")
KITCHEN = Engine(ROOT / "tests" / "batch" / "fixtures" / "kitchen")
ANCHOR = Engine(ROOT / "benchmarks" / "anchor_rulebook")
AS_OF = date(2019, 6, 30)

MINI_ROWS: list[dict[str, Any]] = [
    {
        "credit_code": "91350100M000100Y43",
        "industry_code": "C3071",
        "annual_sales": Decimal("60000000.50"),
        "employees": 10,
        "seriously_dishonest": False,
        "county": "东区",
        "above_scale_years": [2019, 2020],
        "exhibitions": [
            {"name": "A", "booths": 2, "start": date(2019, 1, 1), "end": date(2019, 1, 2)},
            {"name": "B", "booths": None, "start": None, "end": None},
        ],
    },
    {"industry_code": "C3071", "seriously_dishonest": True, "exhibitions": []},
    {"employees": 5, "county": "西区", "annual_sales": Decimal(0)},
    {},
]


def _same(a: pl.DataFrame, b: pl.DataFrame) -> None:
    assert a.columns == b.columns
    assert a.to_dicts() == b.to_dicts()


def test_pandas_and_arrow_tables_score_like_polars() -> None:
    pandas = pytest.importorskip("pandas")
    frame = pl.DataFrame(MINI_ROWS)
    want = MINI.score(frame, AS_OF, statuses="all", summary=True)
    for table in (frame.to_arrow(), pa.Table.from_pylist(MINI_ROWS), pandas.DataFrame(MINI_ROWS)):
        got = MINI.score(table, AS_OF, statuses="all", summary=True)
        _same(got.results, want.results)
        _same(got.rejects, want.rejects)
        assert got.summary is not None and want.summary is not None
        _same(got.summary, want.summary)


def _anchor_columns(n: int) -> dict[str, Any]:
    path = ROOT / "benchmarks" / "anchor_workload.py"
    spec = importlib.util.spec_from_file_location("anchor_workload", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    columns: dict[str, Any] = module.columns(n)
    return columns


def test_numpy_backed_pandas_frame_scores_like_polars() -> None:
    pandas = pytest.importorskip("pandas")
    columns = _anchor_columns(500)
    nulls = columns.pop("fasy_null")
    frame = pl.DataFrame(columns).with_columns(
        pl.when(pl.Series(nulls)).then(None).otherwise(pl.col("first_above_scale_year"))
    )
    want = ANCHOR.score(frame, AS_OF, statuses="all")
    got = ANCHOR.score(pandas.DataFrame(frame.to_pandas()), AS_OF, statuses="all")
    _same(got.results, want.results)
    assert want.rows_scored == 500


def _written(kind: ScalarKind, value: Any, way: int) -> Any:
    """`value` written another way the profile model accepts (way 0 keeps it)."""
    if value is None or way == 0:
        return value
    if kind in ("money", "decimal", "ratio"):
        if way == 1:
            return str(value)
        if way == 2 and value == value.to_integral_value() and value % 10000 == 0:
            return f"{value / 10000:f}万".replace(".0万", "万")
        return float(value) if Decimal(repr(float(value))) == value else str(value)
    if kind in ("int", "year"):
        return str(value) if way == 1 else float(value)
    if kind == "bool":
        return ("yes" if value else "no") if way == 1 else int(value)
    if kind == "date":
        return value.isoformat() if way == 1 else datetime(value.year, value.month, value.day)
    if kind in ("text", "credit_code"):
        return f" {value} "
    return value


def _rewrite(engine: Engine, rows: list[dict[str, Any]], ways: dict[str, int]) -> list[Any]:
    fields = engine.rulebook.profile.spec.fields
    out = []
    for row in rows:
        new: dict[str, Any] = {}
        for name, spec in fields.items():
            value = row.get(name)
            if isinstance(spec, ScalarFieldSpec):
                new[name] = _written(spec.type, value, ways.get(name, 0))
            elif isinstance(spec, ListFieldSpec) and spec.fields and value is not None:
                new[name] = [
                    {
                        f: _written(s.type, item.get(f), ways.get(f"{name}.{f}", 0))
                        for f, s in spec.fields.items()
                    }
                    for item in value
                ]
            else:
                new[name] = value
        out.append(new)
    return out


def _accepted(engine: Engine, profile: dict[str, Any]) -> bool:
    try:
        engine.validate({k: v for k, v in profile.items() if v is not None})
    except ProfileError:
        return False
    return True


@pytest.mark.parametrize("engine", [MINI, KITCHEN], ids=["mini", "kitchen"])
def test_values_written_other_ways_score_the_same(engine: Engine) -> None:
    rulebook = engine.rulebook
    schema = {n: dtype_of(t) for n, t in rulebook.profile.types.items()}
    names = [
        name if isinstance(spec, ScalarFieldSpec) else f"{name}.{item}"
        for name, spec in rulebook.profile.spec.fields.items()
        for item in ([""] if isinstance(spec, ScalarFieldSpec) else list(spec.fields or {}))
    ]

    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
    @given(
        st.lists(profiles(rulebook, max_items=3), min_size=1, max_size=8),
        st.fixed_dictionaries({n: st.integers(0, 3) for n in names}),
    )
    def check(rows: list[dict[str, Any]], ways: dict[str, int]) -> None:
        typed = MINI_TYPED(rows, schema)
        raw = _rewrite(engine, rows, ways)
        want = engine.score(typed, AS_OF, statuses="all")
        try:
            table = pl.DataFrame(raw, infer_schema_length=None)
        except TypeError:  # a column mixing floats and texts: no table can hold it
            assume(False)
        got = engine.score(table, AS_OF, statuses="all")
        rejected = set(got.rejects["row"].to_list())
        for index, profile in enumerate(raw):
            assert _accepted(engine, profile) == (index not in rejected), (profile, got.rejects)
        kept = want.results.filter(~pl.col("row").is_in(list(rejected)))
        _same(
            got.results.drop(rulebook.profile.key or "row"),
            kept.drop(rulebook.profile.key or "row"),
        )

    check()


def MINI_TYPED(rows: list[dict[str, Any]], schema: dict[str, pl.DataType]) -> pl.DataFrame:  # noqa: N802
    return pl.DataFrame(rows, schema=schema)


def test_batches_are_numbered_across_the_whole_registry() -> None:
    from subsidy_engine.batch import score_batches

    frame = pl.DataFrame(MINI_ROWS * 3)
    whole = MINI.score(frame, AS_OF, statuses="all")
    parts = list(score_batches(MINI, frame.iter_slices(5), AS_OF, statuses="all"))
    assert [p.rows_read for p in parts] == [5, 5, 2]
    _same(pl.concat([p.results for p in parts]), whole.results)
