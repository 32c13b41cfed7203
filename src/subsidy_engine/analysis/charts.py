"""Charts of a budget impact: cost by measure, county or payer, baseline beside reform; and the
enterprises better and worse off.

A chart is a `Chart`, a matplotlib `Figure` built without pyplot: nothing here chooses a
backend, a notebook shows it as an image (`_repr_png_`), and `savefig` writes it. Chinese text
needs a CJK font; fonts are chosen when the figure is drawn, not when it is built, so one
installed after the chart was made (or found only by fontconfig, past matplotlib's cached font
list) still serves. Without any, one warning says so instead of a warning per glyph.
"""

from __future__ import annotations

import re
import textwrap
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from io import BytesIO
from typing import TYPE_CHECKING, Any

import matplotlib
import polars as pl
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.text import Text

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from subsidy_engine.analysis.impact import Impact

BASELINE, REFORM, NO_FIGURE, BOUND = "#8da0cb", "#fc8d62", "#555555", "#333333"
BETTER, WORSE = "#66a61e", "#d95f02"
_CJK_NAME = re.compile(
    r"CJK|Source Han|WenQuanYi|SimHei|SimSun|Microsoft YaHei|PingFang|Hiragino Sans GB|"
    r"Droid Sans Fallback|AR PL",
    re.IGNORECASE,
)
_CJK_FILE = re.compile(r"cjk|sourcehan|wqy|simhei|simsun|msyh|pingfang|droidsansfallback|uming")
_HAN = re.compile(r"[\u3400-\u9fff\uff00-\uffef]")
NO_CJK_FONT = (
    "no CJK font is installed, so Chinese labels cannot be drawn; install one (on Debian or "
    "Ubuntu: apt-get install fonts-noto-cjk) and restart the Python session"
)


class Chart(Figure):
    """A Figure that draws with a CJK font when one is installed and shows as an image in
    Jupyter without any set-up."""

    def draw(self, renderer: Any) -> None:
        with _fonts():
            super().draw(renderer)

    def _repr_png_(self) -> bytes:
        buffer = BytesIO()
        self.savefig(buffer, format="png", dpi=100)
        return buffer.getvalue()


@cache
def cjk_fonts() -> tuple[str, ...]:
    """Installed fonts that draw Chinese, simplified-Chinese faces first."""
    names = {font.name for font in font_manager.fontManager.ttflist if _CJK_NAME.search(font.name)}
    if not names:  # matplotlib's font list is cached on disk and may predate the font
        for path in font_manager.findSystemFonts():
            if _CJK_FILE.search(path.lower().replace("-", "").replace("_", "")):
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    continue
        found = font_manager.fontManager.ttflist
        names = {font.name for font in found if _CJK_NAME.search(font.name)}
    return tuple(sorted(names, key=lambda n: ("SC" not in n, "Serif" in n, "Mono" in n, n)))


@contextmanager
def _fonts() -> Iterator[None]:
    chinese = cjk_fonts()
    sans = [*chinese, *matplotlib.rcParams["font.sans-serif"]]
    with matplotlib.rc_context({"font.sans-serif": sans}), warnings.catch_warnings():
        if not chinese:
            warnings.filterwarnings("ignore", message=r"Glyph \d+ .* missing from font")
        yield


def _check_font(labels: list[str]) -> None:
    if not cjk_fonts() and any(_HAN.search(label) for label in labels):
        _warn_no_cjk_font()


@cache
def _warn_no_cjk_font() -> None:
    """Once per session: the same missing font would otherwise be reported by every chart."""
    warnings.warn(NO_CJK_FONT, stacklevel=6)  # the caller of Impact.chart


def _new_chart(width: float, height: float) -> tuple[Chart, Axes]:
    figure = Chart(figsize=(width, height), layout="constrained")
    axes = figure.add_subplot()
    return figure, axes


def _finish(figure: Chart, title: str, labels: list[str]) -> Chart:
    figure.suptitle(title)
    for text in figure.findobj(Text):
        text.set_fontfamily("sans-serif")  # resolved when drawn, under `_fonts`
    _check_font([title, *labels])
    return figure


def title_of(impact: Impact, what: str) -> str:
    reform = "\n".join(textwrap.wrap(f"reform: {impact.reform_title}", 48))
    return f"{what}, as of {impact.as_of.isoformat()}\n{reform}"


def group_label(impact: Impact, by: str, value: Any) -> str:
    """A bar's label: a measure with its heading, a missing group as such."""
    if value is None:
        return "(not recorded)"
    if by == "measure" and value in impact.headings:
        heading = impact.headings[value]
        return f"{value} {heading if len(heading) <= 12 else heading[:11] + '…'}"
    return str(value)


def _wan(values: list[Any]) -> list[float]:
    return [float(v or 0) / 1e4 for v in values]


def cost_chart(impact: Impact, by: str, *, top: int = 20) -> Chart:
    """Cash by `by`, baseline beside reform, in 万元; entitlements without a figure hatched and
    counted above their bar; the cost if every undetermined entitlement resolved eligible
    marked as a bound."""
    table = (
        impact.by(by)
        .with_columns(
            pl.max_horizontal(pl.col("baseline").fill_null(0), pl.col("reform").fill_null(0))
            .cast(pl.Float64)
            .alias("_size"),
            (pl.col("baseline_unspecified") + pl.col("reform_unspecified")).alias("_open"),
        )
        .filter((pl.col("_size") > 0) | (pl.col("_open") > 0))
        .sort(["_size", "_open"], descending=True)
        .head(top)
    )
    labels = [group_label(impact, by, v) for v in table[by].to_list()]
    figure, axes = _new_chart(max(6.5, len(labels) * 0.75), 4.8)
    positions = list(range(len(labels)))
    tallest = max([*_wan(table["baseline_upper_bound"].to_list()), 1e-9])
    tallest = max([tallest, *_wan(table["reform_upper_bound"].to_list())])
    for side, colour, shift, name in (
        ("baseline", BASELINE, -0.2, "baseline"),
        ("reform", REFORM, 0.2, "reform"),
    ):
        at = [p + shift for p in positions]
        amounts = _wan(table[side].to_list())
        axes.bar(at, amounts, width=0.38, color=colour, label=name)
        _no_figure(axes, at, amounts, table[f"{side}_unspecified"].to_list(), tallest)
        bounds = _wan(table[f"{side}_upper_bound"].to_list())
        axes.scatter(at, bounds, marker="_", s=180, color=BOUND, zorder=3)
    axes.set_xticks(positions, labels, rotation=40, ha="right")
    axes.set_ylabel("万元 (10,000 yuan)")
    axes.set_xlabel(by)
    handles, names = axes.get_legend_handles_labels()
    handles += [
        Patch(facecolor="none", edgecolor=NO_FIGURE, hatch="///"),
        axes.scatter([], [], marker="_", s=180, color=BOUND),
    ]
    names += ["entitlements without a figure (count)", "if every undetermined one were eligible"]
    axes.legend(handles, names, fontsize="small")
    return _finish(figure, title_of(impact, f"Cash by {by}"), labels)


def _no_figure(
    axes: Axes, at: list[float], amounts: list[float], counts: list[Any], tallest: float
) -> None:
    """A hatched block on top of the bar for entitlements the text gives no figure for, with
    their count: an open figure is shown as open, never as 0."""
    height = tallest * 0.06
    for x, amount, count in zip(at, amounts, counts, strict=True):
        if not count:
            continue
        axes.bar(
            x, height, bottom=amount, width=0.38, facecolor="none", edgecolor=NO_FIGURE, hatch="///"
        )
        shown = f"{count:g}" if isinstance(count, float) else str(count)
        axes.annotate(
            f"+{shown}?",
            (x, amount + height),
            ha="center",
            va="bottom",
            rotation=90,
            fontsize="x-small",
        )


def winners_chart(impact: Impact, by: str | None) -> Chart:
    """Enterprises better off (right) and worse off (left) by `by` (or all), each bar
    annotated with the cash gained or lost, in 万元."""
    table = impact.by(*([by] if by else []))
    if by:
        table = table.filter((pl.col("better_off") > 0) | (pl.col("worse_off") > 0))
    labels = [group_label(impact, by, v) for v in table[by].to_list()] if by else ["all"]
    figure, axes = _new_chart(7.5, max(2.5, 0.45 * len(labels) + 1.5))
    positions = list(range(len(labels)))
    better = [float(v) for v in table["better_off"].to_list()]
    worse = [-float(v) for v in table["worse_off"].to_list()]
    axes.barh(positions, better, color=BETTER, label="better off")
    axes.barh(positions, worse, color=WORSE, label="worse off")
    for y, count, gained in zip(positions, better, _wan(table["gained"].to_list()), strict=True):
        if count:
            axes.annotate(f" +{gained:,.1f}万", (count, y), va="center", fontsize="small")
    for y, count, lost in zip(positions, worse, _wan(table["lost"].to_list()), strict=True):
        if count:
            axes.annotate(f"{lost:,.1f}万 ", (count, y), va="center", ha="right", fontsize="small")
    axes.axvline(0, color="black", linewidth=0.8)
    axes.set_yticks(positions, labels)
    axes.set_xlabel("enterprises (worse off ← | → better off)")
    axes.margins(x=0.25)
    axes.legend(fontsize="small")
    return _finish(figure, title_of(impact, "Better and worse off"), labels)
