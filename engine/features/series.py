"""Time series as features: each z-normalised (zero mean, unit variance) and resampled to one length.

Series of different lengths (ragged uploads) are stretched or shrunk to the common length by
linear interpolation, and ``length`` subsamples long series, which bounds DTW's O(n·m) cost.
"""

from __future__ import annotations

import numpy as np

from engine.data import Dataset, DataError
from engine.params import Int
from engine.registry import Entry


def znormalise(values: np.ndarray) -> np.ndarray:
    """A series (or each row of a matrix of them) to mean 0 and standard deviation 1; a flat one to zeros."""
    centred = values - values.mean(axis=-1, keepdims=True)
    scale = centred.std(axis=-1, keepdims=True)
    return np.divide(centred, scale, out=np.zeros_like(centred), where=scale > 0)


MAX_LENGTH = 512  # the default length caps long series here


def target_length(dataset: Dataset, length: int = 0) -> int:
    """The length every series is resampled to: ``length``, or 0 for the longest series' (at most 512)."""
    return int(length) if length else int(min(dataset.series_lengths().max(), MAX_LENGTH))


def series_features(dataset: Dataset, length: int = 0, **_: object) -> np.ndarray:
    if dataset.series is None:
        raise DataError("series features need time series; this dataset has none")
    lengths = dataset.series_lengths()
    target = target_length(dataset, length)
    out = np.empty((len(dataset.series), target), dtype=np.float32)
    grid = np.linspace(0.0, 1.0, target)
    for i, (row, n) in enumerate(zip(dataset.series, lengths)):
        values = row[:n].astype(np.float64)
        out[i] = znormalise(np.interp(grid, np.linspace(0.0, 1.0, n), values) if n != target else values)
    return out


ENTRY = Entry(
    name="znorm", label="Z-normalised series", make=series_features,
    params=(Int("length", 0, 0, 100_000,
                help="Resample every series to this many points (0: the longest, at most 512). Shorter is "
                     "faster, above all for DTW."),),
    description="Each series scaled to mean 0 and variance 1, and resampled to one length.",
    tags=frozenset({"series"}),
)
