"""Arrow types of a registry, and drawn columns as Arrow arrays."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]
import pyarrow.compute as pc  # type: ignore[import-untyped,unused-ignore]

from subsidy_engine.rulebook.models import ListFieldSpec, ScalarFieldSpec, ScalarKind
from subsidy_engine.rulebook.rulebook import Rulebook
from subsidy_engine.synthetic.columns import Bools, Column
from subsidy_engine.synthetic.kinds import STRINGS, scale_of


def arrow_scalar_type(kind: ScalarKind, spec: ScalarFieldSpec | None) -> Any:
    if kind == "bool":
        return pa.bool_()
    if kind in ("int", "year"):
        return pa.int64()
    if kind in ("decimal", "money", "ratio"):
        return pa.decimal128(38, scale_of(kind, spec))
    if kind == "date":
        return pa.date32()
    return pa.string()


def arrow_list_type(spec: ListFieldSpec) -> Any:
    if spec.fields is not None:
        return pa.list_(
            pa.struct([pa.field(n, arrow_scalar_type(s.type, s)) for n, s in spec.fields.items()])
        )
    assert spec.item is not None
    return pa.list_(arrow_scalar_type(spec.item, None))


def arrow_schema(rulebook: Rulebook) -> Any:
    """The Arrow schema of a registry of `rulebook`'s profiles (the columns `generate` yields).

    Types follow the batch scorer's dtypes: money and decimals as ``decimal128(38, scale)``,
    integers and years as int64, dates as date32, texts and enumerations as strings.
    """
    out = []
    for name, spec in rulebook.profile.spec.fields.items():
        if isinstance(spec, ScalarFieldSpec):
            out.append(pa.field(name, arrow_scalar_type(spec.type, spec)))
        else:
            out.append(pa.field(name, arrow_list_type(spec)))
    return pa.schema(out)


def to_arrow(col: Column) -> Any:
    mask = ~col.valid
    kind = col.kind
    if kind in STRINGS:
        if col.strings is not None:
            return pc.if_else(pa.array(col.valid), col.strings, pa.scalar(None, pa.string()))
        assert col.cats is not None and col.idx is not None
        return pc.take(pa.array(col.cats, pa.string()), pa.array(col.idx, mask=mask))
    assert col.values is not None
    if kind == "bool":
        return pa.array(np.asarray(col.values, dtype=np.bool_), mask=mask)
    if kind in ("int", "year"):
        return pa.array(col.values.astype(np.int64), mask=mask)
    if kind == "date":
        return pa.array(col.values.astype(np.int32), type=pa.date32(), mask=mask)
    return _decimals(col.values.astype(np.int64), mask, col.scale)


def _decimals(units: npt.NDArray[np.int64], mask: Bools, scale: int) -> Any:
    """A decimal128(38, scale) array whose unscaled values are `units`, built without copies
    through Python objects."""
    words = np.empty((len(units), 2), dtype=np.int64)
    words[:, 0] = units
    words[:, 1] = units >> 63
    validity = pa.py_buffer(np.packbits(~mask, bitorder="little").tobytes())
    return pa.Array.from_buffers(
        pa.decimal128(38, scale),
        len(units),
        [validity, pa.py_buffer(words.tobytes())],
        null_count=int(mask.sum()),
    )
