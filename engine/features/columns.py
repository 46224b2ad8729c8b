"""The columns of a feature table, optionally standardised."""

from __future__ import annotations

import numpy as np

from engine.data import Dataset, DataError
from engine.params import Param
from engine.registry import Entry


def column_features(dataset: Dataset, standardize: bool = True, **_: object) -> np.ndarray:
    if dataset.table is None:
        raise DataError("column features need a feature table; this dataset holds images")
    table = np.asarray(dataset.table, dtype=np.float64)
    if standardize:  # each column over its largest magnitude first: 1e300 squares to infinity, 1 does not
        peak = np.abs(table).max(axis=0)
        table = table / np.where(peak > 0, peak, 1.0)
        scale = table.std(axis=0)
        table = (table - table.mean(axis=0)) / np.where(scale > 0, scale, 1.0)
    table = table.astype(np.float32)
    if not np.isfinite(table).all():
        raise DataError("some values are beyond what 32-bit floats hold (±3.4e38): turn on “standardize” for "
                        "these columns")
    return table


ENTRY = Entry(
    name="columns", label="Table columns", make=column_features,
    params=(Param("standardize", "bool", True, help="Zero mean, unit variance per column."),),
    description="The numeric columns of an uploaded .npz / .csv table.",
    tags=frozenset({"table"}),
)
