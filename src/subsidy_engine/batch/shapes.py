"""The common shapes of number, true/false and date text, read column-wise by Polars string
operations, exactly as `values.read_value` reads them.

Each reader gives the value where the cell is in a shape it can decide, and null elsewhere
(a missing cell, and every cell it leaves to `read_value`: a typo, an exponent, a value out of
range or with too many decimal places, a unit the field does not take, a character other than
ASCII or the full-width forms below). A cell read here is one `read_value` accepts, with the same
value: `tests/batch/test_shapes.py` holds the two to that.

The shapes decided: `1234`, `-12.50`, `1,234,567.89`, `1_000`, `２０１９`, `1,500万`, `1.2亿`,
`5,000元`, `20%` (each unit only in the kinds that take it), `true`/`No`/`1`, `2019-05-01`,
with white space around.
"""

from __future__ import annotations

import polars as pl

from subsidy_engine.backends.polars.dtypes import PRECISION, decimal
from subsidy_engine.money import MAX_NUMBER_TEXT
from subsidy_engine.values import FALSE_WORDS, TRUE_WORDS

_PLAIN_WHOLE = r"^[+-]?[0-9]{1,18}$"
_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_FULL_WIDTH = {chr(0xFF10 + i): str(i) for i in range(10)} | {
    "．": ".",
    "，": ",",
    "－": "-",
    "＋": "+",
    "％": "%",
    "＿": "_",
    "\u3000": " ",
}
"""Characters NFKC turns into ASCII that registries write; any other non-ASCII character but
万, 亿 and 元 leaves a cell to `read_value`."""
_NUMBER = (
    r"^(-|\+)?([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+(?:_[0-9]+)*)(?:\.([0-9]+))?"
    r" *(万|亿)? *(元)? *(%)?$"
)
_SHIFT = {"万": 4, "亿": 8}
_CONTEXT_DIGITS = 28
"""Digits Python's default decimal context keeps: `read_value` multiplies by 万 or 亿 (or
divides by 100) in it, so a longer number with a unit is left to it."""
_UNITS = {
    "int": (True, False, False),
    "year": (False, False, False),
    "decimal": (True, False, False),
    "money": (True, True, False),
    "ratio": (False, False, True),
}
"""Per kind: (万/亿, 元, %) allowed, as `values.read_value` allows them."""


def whole(text: pl.Expr) -> pl.Expr:
    """Int64 values of the plain whole-number text cells (`2019`, `-5`), else null."""
    stripped = text.str.strip_chars()
    return pl.when(stripped.str.contains(_PLAIN_WHOLE)).then(stripped).cast(pl.Int64, strict=False)


def number(text: pl.Expr, scale: int) -> pl.Expr:
    """Decimal(38, `scale`) values of the plain number text cells (`1234`, `-12.50`) that fit
    the scale, else null."""
    fraction = rf"(\.[0-9]{{1,{scale}}})?" if scale else ""
    stripped = text.str.strip_chars()
    plain = stripped.str.contains(rf"^[+-]?[0-9]{{1,{PRECISION - scale}}}{fraction}$")
    return pl.when(plain).then(stripped).cast(decimal(scale), strict=False)


def boolean(text: pl.Expr) -> pl.Expr:
    """Boolean values of the text cells spelt as one of the true/false words, else null."""
    words = {**dict.fromkeys(TRUE_WORDS, True), **dict.fromkeys(FALSE_WORDS, False)}
    word = text.str.strip_chars().str.to_lowercase()
    return word.replace_strict(words, default=None, return_dtype=pl.Boolean)


def day(text: pl.Expr) -> pl.Expr:
    """Date values of the `YYYY-MM-DD` text cells of a day that exists, else null."""
    stripped = text.str.strip_chars()
    plain = stripped.str.contains(_DATE) & ~stripped.str.starts_with("0000")
    return pl.when(plain).then(stripped).str.to_date("%Y-%m-%d", strict=False)


def wide(cells: pl.Series, kind: str, scale: int) -> pl.Series:
    """The values (Int64 for an int or year field, else Decimal(38, `scale`)) of the number
    `cells` in the wider shapes: grouping commas, underscores, full-width forms, 万/亿/元/%,
    trailing zeros past the scale; null where undecided. Eager, for the cells `number` and
    `whole` leave: each step is computed once, as a column."""
    parts = _number(cells, kind)
    sign, integer, fraction = pl.col("sign"), pl.col("integer"), pl.col("fraction")
    if kind in ("int", "year"):
        text = pl.when(fraction == "").then(pl.concat_str(sign, integer))
        return parts.select(text.cast(pl.Int64, strict=False).alias(cells.name)).to_series()
    fits = (integer.str.len_bytes() <= PRECISION - scale) & (fraction.str.len_bytes() <= scale)
    point = pl.when(fraction != "").then(pl.lit(".")).otherwise(pl.lit(""))
    text = pl.when(fits).then(pl.concat_str(sign, integer, point, fraction))
    return parts.select(text.cast(decimal(scale), strict=False).alias(cells.name)).to_series()


def _number(cells: pl.Series, kind: str) -> pl.DataFrame:
    """Per cell: `sign` (`-` or empty), `integer` digits without leading zeros and `fraction`
    digits without trailing zeros of the number it stands for, its unit applied; null
    integer and fraction where undecided."""
    magnitude_ok, yuan_ok, percent_ok = _UNITS[kind]
    full = list(_FULL_WIDTH)
    normal = cells.str.replace_many(full, [_FULL_WIDTH[c] for c in full]).str.strip_chars()
    # the shape is checked by a regex without captures (far cheaper); its parts, found in text
    # of that shape, by plain string operations
    shaped = normal.to_frame("normal").select(
        pl.when(pl.col("normal").str.contains(_NUMBER)).then(pl.col("normal")).alias("text")
    )
    text = pl.col("text")
    body = text.str.strip_chars_start("+-").str.strip_chars_end("万亿元% ").str.split_exact(".", 1)
    found = shaped.with_columns(body.alias("body")).select(
        text.str.starts_with("-").alias("1"),
        pl.col("body").struct.field("field_0").alias("2"),
        pl.col("body").struct.field("field_1").alias("3"),
        pl.when(text.str.contains("万", literal=True))
        .then(pl.lit("万"))
        .when(text.str.contains("亿", literal=True))
        .then(pl.lit("亿"))
        .alias("4"),
        pl.when(text.str.contains("元", literal=True)).then(pl.lit("元")).alias("5"),
        text.str.contains("%", literal=True).fill_null(False).alias("percent"),
    )
    frame = found.with_columns(
        pl.col("2")
        .str.replace_all(",", "", literal=True)
        .str.replace_all("_", "", literal=True)
        .alias("digits"),
        pl.col("3").fill_null(""),
        (normal.str.len_chars() <= MAX_NUMBER_TEXT).alias("short"),
    )
    allowed = pl.col("digits").is_not_null() & pl.col("short")
    if not magnitude_ok:
        allowed &= pl.col("4").is_null()
    if not yuan_ok:
        allowed &= pl.col("5").is_null()
    if not percent_ok:
        allowed &= ~pl.col("percent")
    scaled = pl.col("4").is_not_null() | pl.col("percent")
    long = (pl.col("digits").str.len_bytes() + pl.col("3").str.len_bytes()) > _CONTEXT_DIGITS
    # the decimal point moved right by 4 (万) or 8 (亿) digits, or left by 2 (%)
    shift = pl.col("4").replace_strict(_SHIFT, default=0, return_dtype=pl.Int64)
    shift = shift - pl.col("percent").cast(pl.Int64) * 2
    frame = frame.select(
        pl.when(pl.col("1")).then(pl.lit("-")).otherwise(pl.lit("")).alias("sign"),
        pl.concat_str(pl.lit("00"), "digits", "3", pl.lit("00000000")).alias("padded"),
        (pl.col("digits").str.len_bytes().cast(pl.Int64) + 2 + shift).alias("point"),
        (allowed & ~(scaled & long)).fill_null(False).alias("kept"),
    )
    integer = pl.col("padded").str.slice(0, pl.col("point")).str.strip_chars_start("0")
    fraction = pl.col("padded").str.slice(pl.col("point")).str.strip_chars_end("0")
    return frame.select(
        "sign",
        pl.when("kept").then(integer.replace("", "0")).alias("integer"),
        pl.when("kept").then(fraction).alias("fraction"),
    )
