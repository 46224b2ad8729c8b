"""The columns of a feature table, optionally standardised."""

from __future__ import annotations

import numpy as np

from engine.data import Dataset, DataError
from engine.params import Param
from engine.registry import Entry


def column_features(dataset: Dataset, standardize: bool = True, **_: object) -> np.ndarray:
    if dataset.table is None:
        raise DataError("column features need a feature table; this dataset holds images")
    table = dataset.table.astype(np.float32)  # (a loader rescales a column past 32-bit floats' range)
    if standardize:
        scale = table.std(axis=0)
        table = (table - table.mean(axis=0)) / np.where(scale > 0, scale, 1.0)
    if not np.isfinite(table).all():
        raise DataError("some values are too large to compute with in 32-bit floats (beyond ±1e19 their squares "
                        "overflow): divide those columns by a power of ten")
    return table


ENTRY = Entry(
    name="columns", label="Table columns", make=column_features,
    params=(Param("standardize", "bool", True, help="Zero mean, unit variance per column."),),
    description="The numeric columns of an uploaded .npz / .csv table.",
    tags=frozenset({"table"}),
)
