"""Results that read as a table: defined once by `to_polars`, viewed in pandas and Jupyter."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import polars as pl


class Tabular:
    """A mixin: a subclass defines `to_polars()`; `to_pandas()` and the HTML table that
    Jupyter shows follow from it."""

    __slots__ = ()

    def to_polars(self) -> pl.DataFrame:
        raise NotImplementedError

    def to_pandas(self) -> Any:
        """The same table as a pandas DataFrame (needs pandas)."""
        return self.to_polars().to_pandas()

    def _repr_html_(self) -> str:
        html: str = self.to_polars()._repr_html_()
        return html
