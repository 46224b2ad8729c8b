"""Time-series K-means with euclidean, DTW or soft-DTW distances and barycentres: tslearn's TimeSeriesKMeans, DTW
through dtaidistance's C code where it is installed (:mod:`engine.cluster.dtw_c`: the same algorithm, far faster).

DTW compares every pair of time steps, so it costs O(n·m) for series of lengths n and m; a
Sakoe-Chiba band of radius r lowers that to O(n·r) (the default band is 10 % of the length),
and the ``length`` setting of the series features subsamples long series.
"""

from __future__ import annotations

import numpy as np

from engine.cluster import dtw_c
from engine.cluster.shared import N_CLUSTERS
from engine.cluster.ts_progress import reporting
from engine.params import Choice, Float, Int
from engine.progress import Reporter
from engine.registry import Entry

SERIES = frozenset({"series", "k"})


N_INIT = 2  # starts, the best kept
# soft-DTW's cost grows with length² per pair and per barycentre step, with no C version to turn to: tslearn's took
# 594 s on Trace's 200 series of 275 steps, 23 s with them averaged down to 64 (bench/timeseries.py). Longer series
# are averaged down to this many steps (piecewise means) for soft-DTW, and the run says so.
SOFT_DTW_LENGTH = 64


def piecewise_means(X: np.ndarray, length: int) -> np.ndarray:
    """``n×L`` series averaged down to ``length`` steps: the mean of each of ``length`` near-equal pieces."""
    if X.shape[1] <= length:
        return X
    starts = np.linspace(0, X.shape[1], length + 1).round().astype(int)
    return np.add.reduceat(X, starts[:-1], axis=1) / np.diff(starts)


def soft_dtw_note(length: int) -> str:
    return (f"soft-DTW K-means ran on the series averaged down to {SOFT_DTW_LENGTH} of their {length} steps "
            "(piecewise means; at full length it costs length² per pair, ~10 minutes for 200 series of 275 steps)")


def radius(band: float, length: int) -> int | None:
    """The Sakoe-Chiba radius in time steps for a band given as a share of the length (None: no band)."""
    return max(1, round(band * length)) if 0 < band < 1 else None


def metric_params(metric: str, band: float, gamma: float, length: int) -> dict | None:
    if metric == "dtw" and radius(band, length):
        return {"global_constraint": "sakoe_chiba", "sakoe_chiba_radius": radius(band, length)}
    if metric == "softdtw":
        return {"gamma": gamma}
    return None


def dtw_cells(n_series: int, n_clusters: int, length: int, band: float) -> tuple[int, int]:
    """Cells of the DTW cost matrices one K-means iteration fills (series × centres × length × band width),
    and the band width."""
    width = length if not 0 < band < 1 else 2 * max(1, round(band * length)) + 1
    return n_series * n_clusters * length * width, width


class TSKMeans:
    def __init__(self, n_clusters: int, metric: str, band: float, gamma: float, max_iter: int, seed: int):
        self.n_clusters, self.metric, self.band, self.gamma = n_clusters, metric, band, gamma
        self.max_iter, self.seed = max_iter, seed

    def fit_predict(self, X: np.ndarray, reporter: Reporter | None = None) -> np.ndarray:
        if self.metric == "dtw" and dtw_c.available():  # the same K-means in C, 17× faster on Trace (dtw_c's docstring)
            self.model = dtw_c.DTWKMeans(self.n_clusters, radius(self.band, X.shape[1]), self.max_iter, N_INIT,
                                         self.seed)
            return self.model.fit_predict(X, reporter)
        from tslearn.clustering import TimeSeriesKMeans

        self.note = ""
        if self.metric == "softdtw" and X.shape[1] > SOFT_DTW_LENGTH:
            self.note = soft_dtw_note(X.shape[1])
            X = piecewise_means(X, SOFT_DTW_LENGTH)

        self.model = reporting(TimeSeriesKMeans)(
            n_clusters=self.n_clusters, metric=self.metric, max_iter=self.max_iter, n_init=N_INIT, random_state=self.seed,
            metric_params=metric_params(self.metric, self.band, self.gamma, X.shape[1]))
        self.model.reporter = reporter
        self.model.what = {"dtw": "DTW K-means", "softdtw": "soft-DTW K-means"}.get(self.metric, "K-means")
        return self.model.fit_predict(X[:, :, None])


def make(seed: int, n_clusters: int = 4, metric: str = "dtw", band: float = 0.1, gamma: float = 0.1,
         max_iter: int = 30, **_: object) -> TSKMeans:
    return TSKMeans(n_clusters, metric, band, gamma, max_iter, seed)


def silhouette(X: np.ndarray, labels: np.ndarray, params: dict) -> dict:
    """The silhouette under the run's own distance (DTW silhouette for DTW K-means)."""
    from tslearn.clustering import silhouette_score

    keep = labels >= 0
    if len(np.unique(labels[keep])) < 2 or len(np.unique(labels[keep])) >= keep.sum():
        return {"silhouette": None}
    metric = params.get("metric", "euclidean")
    if metric == "dtw" and dtw_c.available():  # the pairwise DTW matrix in parallel C
        from sklearn.metrics import silhouette_score as precomputed

        distances = dtw_c.pairwise(X[keep], radius(params.get("band", 0.0), X.shape[1]))
        return {"silhouette": float(precomputed(distances, labels[keep], metric="precomputed"))}
    if metric == "softdtw":  # on the series as they were clustered
        X = piecewise_means(X, SOFT_DTW_LENGTH)
    value = silhouette_score(X[keep][:, :, None], labels[keep], metric=metric,
                             metric_params=metric_params(metric, params.get("band", 0.0), params.get("gamma", 0.1),
                                                         X.shape[1]))
    return {"silhouette": float(value)}


ENTRY = Entry(
    name="ts_kmeans", label="Time-series K-means (tslearn)", make=make,
    params=(N_CLUSTERS,
            Choice("metric", "dtw", ("euclidean", "dtw", "softdtw"),
                   help="DTW aligns series that are shifted or stretched in time; it costs O(n·m) per pair. "
                        f"soft-DTW is far slower again: series longer than {SOFT_DTW_LENGTH} steps are averaged down to "
                        f"{SOFT_DTW_LENGTH} for it (the run says so)."),
            Float("band", 0.1, 0.0, 1.0, step=0.05,
                  help="DTW only: a Sakoe-Chiba band, as a share of the series length: how far in time two "
                       "points may be matched (0 or 1 = no limit). A narrow band makes DTW much faster."),
            Float("gamma", 0.1, 0.001, 10.0, step=0.01, help="soft-DTW only: smoothing."),
            Int("max_iter", 30, 1, 300, help="K-means iterations.")),
    description="K-means whose distance and centres (barycentres) follow the chosen metric; silhouette is "
                "computed with the same metric.",
    tags=SERIES, scores=silhouette,
)
