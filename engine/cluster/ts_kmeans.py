"""tslearn's TimeSeriesKMeans: K-means with euclidean, DTW or soft-DTW distances and barycentres.

DTW compares every pair of time steps, so it costs O(n·m) for series of lengths n and m; a
Sakoe-Chiba band of radius r lowers that to O(n·r) (the default band is 10 % of the length),
and the ``length`` setting of the series features subsamples long series.
"""

from __future__ import annotations

import numpy as np

from engine.cluster.shared import N_CLUSTERS
from engine.cluster.ts_progress import reporting
from engine.params import Choice, Float, Int
from engine.progress import Reporter
from engine.registry import Entry

SERIES = frozenset({"series", "k"})


def metric_params(metric: str, band: float, gamma: float, length: int) -> dict | None:
    if metric == "dtw" and 0 < band < 1:
        return {"global_constraint": "sakoe_chiba", "sakoe_chiba_radius": max(1, round(band * length))}
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
        from tslearn.clustering import TimeSeriesKMeans

        self.model = reporting(TimeSeriesKMeans)(
            n_clusters=self.n_clusters, metric=self.metric, max_iter=self.max_iter, n_init=2, random_state=self.seed,
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
    value = silhouette_score(X[keep][:, :, None], labels[keep], metric=metric,
                             metric_params=metric_params(metric, params.get("band", 0.0), params.get("gamma", 0.1),
                                                         X.shape[1]))
    return {"silhouette": float(value)}


ENTRY = Entry(
    name="ts_kmeans", label="Time-series K-means (tslearn)", make=make,
    params=(N_CLUSTERS,
            Choice("metric", "dtw", ("euclidean", "dtw", "softdtw"),
                   help="DTW aligns series that are shifted or stretched in time; it costs O(n·m) per pair. "
                        "soft-DTW is far slower again (about 10 minutes for Trace's 200 series on 2 CPU cores)."),
            Float("band", 0.1, 0.0, 1.0, step=0.05,
                  help="DTW only: a Sakoe-Chiba band, as a share of the series length: how far in time two "
                       "points may be matched (0 or 1 = no limit). A narrow band makes DTW much faster."),
            Float("gamma", 0.1, 0.001, 10.0, step=0.01, help="soft-DTW only: smoothing."),
            Int("max_iter", 30, 1, 300, help="K-means iterations.")),
    description="K-means whose distance and centres (barycentres) follow the chosen metric; silhouette is "
                "computed with the same metric.",
    tags=SERIES, scores=silhouette,
)
