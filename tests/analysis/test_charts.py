"""Charts of a budget impact: they show in a notebook as images, draw Chinese labels with an
installed CJK font (one warning when there is none), label measures with their headings, and
draw entitlements without a figure as such, never as 0."""

import os
import subprocess
import sys
import warnings
from datetime import date
from io import BytesIO
from pathlib import Path

import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text

from subsidy_engine import Engine
from subsidy_engine.analysis import charts
from subsidy_engine.analysis.impact import Impact, budget_impact

MINI = Path(__file__).parents[1] / "fixtures" / "mini"
AS_OF = date(2019, 6, 1)
ENGINE = Engine(MINI)
REFORM = MINI.parent / "reforms" / "mini-generous.yaml"
REGISTRY = [
    {"industry_code": "C3071", "annual_sales": 45_000_000, "county": "东区",
     "seriously_dishonest": False, "exhibitions": [{"name": "a", "booths": 1}]},
    {"industry_code": "C3071", "annual_sales": 60_000_000, "county": "西区",
     "seriously_dishonest": False, "exhibitions": [{"name": "b", "booths": 2}]},
]  # fmt: skip


@pytest.fixture(scope="module")
def impact() -> Impact:
    return budget_impact(ENGINE, REGISTRY, REFORM, as_of=AS_OF, groups=["county"])


def _texts(figure: Figure) -> list[str]:
    return [t.get_text() for t in figure.findobj(Text) if t.get_text()]


def test_a_chart_is_a_figure_that_shows_as_an_image(impact: Impact) -> None:
    figure = impact.chart("measure")
    assert isinstance(figure, Figure)
    assert figure._repr_png_().startswith(b"\x89PNG")  # type: ignore[attr-defined]


def test_the_title_names_the_reform_and_the_date_and_bars_the_measure(impact: Impact) -> None:
    figure = impact.chart("measure")
    title = figure.get_suptitle()
    assert "展位补助3000元" in title and "2019-06-01" in title
    (axes,) = figure.axes
    assert [t.get_text() for t in axes.get_xticklabels()] == ["1 扶持小微企业"]


def test_an_entitlement_without_a_figure_is_hatched_and_counted(impact: Impact) -> None:
    figure = impact.chart("rule_id")
    (axes,) = figure.axes
    hatched = [p for p in axes.patches if p.get_hatch()]
    assert len(hatched) == 1  # the booth subsidy's baseline: 2 entitlements, no figure
    assert "+2?" in _texts(figure)
    booth = [t.get_text() for t in axes.get_xticklabels()].index("m1.booth_subsidy")
    (solid,) = [
        p for p in axes.patches
        if not p.get_hatch() and abs(p.get_x() + p.get_width() / 2 - (booth - 0.2)) < 1e-9
    ]  # fmt: skip
    assert solid.get_height() == 0 and hatched[0].get_y() == 0  # the hatch stands for it


def test_winners_and_losers(impact: Impact) -> None:
    figure = impact.winners_chart("county")
    (axes,) = figure.axes
    assert [t.get_text() for t in axes.get_yticklabels()] == ["东区", "西区"]
    assert "+50.3万" in " ".join(_texts(figure))
    assert "+0.6万" in " ".join(_texts(figure))


def test_chinese_labels_draw_without_a_missing_glyph(impact: Impact) -> None:
    if not charts.cjk_fonts():  # fail, not skip: `.ci/run` installs the font
        pytest.fail("no CJK font is installed (apt-get install fonts-noto-cjk)", pytrace=False)
    figure = impact.chart("county")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        figure.savefig(BytesIO(), format="png")
    assert [str(w.message) for w in caught] == []


def test_without_a_cjk_font_one_warning_and_no_glyph_warnings(
    impact: Impact, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(charts, "cjk_fonts", lambda: ())
    charts._warn_no_cjk_font.cache_clear()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for by in ("county", "measure"):
            impact.chart(by).savefig(BytesIO(), format="png")
    assert [str(w.message) for w in caught] == [charts.NO_CJK_FONT]


def test_building_a_chart_chooses_no_backend() -> None:
    script = (
        "import matplotlib, sys\n"
        "from datetime import date\n"
        "from subsidy_engine import Engine\n"
        "from subsidy_engine.analysis.impact import budget_impact\n"
        f"engine = Engine({str(MINI)!r})\n"
        "rows = [{'industry_code': 'C3071', 'annual_sales': 60000000}]\n"
        "figure = budget_impact(engine, rows, None, as_of=date(2019, 6, 1)).chart()\n"
        "figure._repr_png_()\n"
        "print('matplotlib.pyplot' in sys.modules, matplotlib.rcParams._get('backend'))\n"
    )
    env_backend = "module://matplotlib_inline.backend_inline"
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "MPLBACKEND": env_backend},
    )
    assert done.stdout.split() == ["False", env_backend]


@pytest.mark.parametrize(("by", "labels"), [("payer", ["city"]), ("county", ["东区", "西区"])])
def test_cost_by_payer_and_county(impact: Impact, by: str, labels: list[str]) -> None:
    figure = impact.chart(by)
    (axes,) = figure.axes
    assert sorted(t.get_text() for t in axes.get_xticklabels()) == labels
    assert axes.get_xlabel() == by
    assert len([p for p in axes.patches if not p.get_hatch()]) == 2 * len(labels)
