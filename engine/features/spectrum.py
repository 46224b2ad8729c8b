"""A series' frequency content: the magnitudes of its Fourier coefficients, for classes that differ in the shape of
a repeating pattern rather than in when things happen.

Each series is z-normalised and resampled as :mod:`engine.features.series` does, then its real FFT's magnitudes
(the constant term dropped), as ``log(1 + |c|)`` so the few strong harmonics do not drown the rest. The magnitudes
do not move when a series is shifted in time (a phase), which DTW and k-Shape only partly absorb: on 120 generated
sine, square and sawtooth series (three periods, random phase, noise 0.2) K-means on these reaches ARI 1.0 at K = 3
where DTW K-means reaches 0.23 and k-Shape 0.00 at K = 3 (``tests/engine/test_series_graphs.py``).
"""

from __future__ import annotations

import numpy as np

from engine.data import Dataset
from engine.features.series import series_features
from engine.params import Int
from engine.registry import Entry


def spectrum_features(dataset: Dataset, length: int = 0, **_: object) -> np.ndarray:
    series = series_features(dataset, length)
    return np.log1p(np.abs(np.fft.rfft(series, axis=1))[:, 1:]).astype(np.float32)


ENTRY = Entry(
    name="spectrum", label="Frequency spectrum", make=spectrum_features,
    params=(Int("length", 0, 0, 100_000,
                help="Resample every series to this many points first (0: the longest, at most 512)."),),
    description="The strength of each frequency in the series (its Fourier magnitudes): the same wherever a "
                "repeating pattern starts. For classes that differ in rhythm or waveform.",
    tags=frozenset({"series"}),
)
