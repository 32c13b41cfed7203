"""`subsidy-engine impact`: every grouping its help offers works, and a bad one is refused in
the registry's own terms."""

from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest

from subsidy_engine import Engine
from subsidy_engine.synthetic import generate

REFORM = Path(__file__).parents[2] / "examples" / "reforms" / "booths-and-higher-award.yaml"
Cli = Callable[..., tuple[int, str, str]]
"""The `cli` fixture: (*args, stdin="") -> (exit code, out, err)."""


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("impact") / "registry.parquet"
    frame = pl.concat(generate(Engine().rulebook, 300, seed=7))
    frame.with_columns(pl.lit(2.0).alias("weight")).write_parquet(path)
    return path


def _impact(cli: Cli, registry: Path, *args: str) -> tuple[int, str, str]:
    return cli("impact", registry, "--reform", REFORM, "--as-of", "2020-06-30", *args)


def test_the_help_names_the_groupings(cli: Cli) -> None:
    code, out, _ = cli("impact", "--help")
    assert code == 0
    text = " ".join(out.split())
    for name in ("rule_id", "measure", "payer", "county", "sme_size_class"):
        assert name in text


@pytest.mark.parametrize(
    ("by", "shown"),
    [
        ("measure", "36"),
        ("rule_id", "m36."),
        ("payer", "city"),
        ("county", "怀仁市"),
        ("sme_size_class", "small"),
    ],
)
def test_every_grouping_in_the_help_works(cli: Cli, registry: Path, by: str, shown: str) -> None:
    code, out, err = _impact(cli, registry, "--by", by)
    assert (code, err) == (0, "")
    assert by in out and shown in out and "better_off" in out
    assert "300 enterprises scored" in out


def test_a_weight_column_scales_the_counts(cli: Cli, registry: Path) -> None:
    code, out, _ = _impact(cli, registry, "--weight", "weight")
    assert code == 0 and ".0" in out


def test_an_unknown_grouping_names_the_choices_and_no_internal_column(
    cli: Cli, registry: Path
) -> None:
    code, _, err = _impact(cli, registry, "--by", "province")
    assert code == 2
    assert "province" in err and "rule_id, measure, payer" in err and "county" in err
    assert "__" not in err


def test_a_column_per_year(cli: Cli, registry: Path) -> None:
    code, out, err = _impact(cli, registry, "--by", "measure", "--years", "2019-2020")
    assert (code, err) == (0, "")
    header = next(line for line in out.splitlines() if "measure" in line)
    assert "2019" in header and "2020" in header and "better_off" not in header


@pytest.mark.parametrize("years", ["2021-2019", "twenty", "2019-"])
def test_a_bad_span_of_years_is_refused(cli: Cli, registry: Path, years: str) -> None:
    code, _, err = _impact(cli, registry, "--years", years)
    assert code == 2
    assert "--years" in err
