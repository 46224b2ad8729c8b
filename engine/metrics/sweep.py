"""K sweep: K-means inertia (the elbow) and silhouette for K = 2..K_max, with suggested K values."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.metrics.scores import SILHOUETTE_SAMPLE
from engine.progress import Reporter, ensure

SWEEP_DIMS = 50


@dataclass
class Sweep:
    ks: list[int]
    inertia: list[float]
    silhouette: list[float]
    best_silhouette_k: int
    elbow_k: int
    reduced_from: int = 0  # the dimensions of wide data the sweep cut to SWEEP_DIMS principal components (0: none)

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def k_sweep(X: np.ndarray, k_max: int = 15, seed: int = 0, reporter: Reporter | None = None) -> Sweep:
    """Fit K-means for each K in ``2..k_max`` (capped at n-1) and score it. Data wider than :data:`SWEEP_DIMS`
    (a graph's adjacency rows, raw features) is first cut to that many principal components: K-means and the
    silhouette on 2,000-dimensional rows took minutes and see the same structure."""
    reporter = ensure(reporter)
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    reduced_from = 0
    if X.shape[1] > SWEEP_DIMS and X.shape[0] > SWEEP_DIMS:
        from engine.scale import components

        reporter.update(0.0, f"PCA of {X.shape[1]:,} dimensions to {SWEEP_DIMS} for the sweep")
        reduced_from = int(X.shape[1])
        X = components(X, SWEEP_DIMS, seed)
    ks = list(range(2, max(3, min(k_max, len(X) - 1) + 1)))
    sample = SILHOUETTE_SAMPLE if len(X) > SILHOUETTE_SAMPLE else None
    inertia, silhouette = [], []
    for i, k in enumerate(ks):
        reporter.update(i / len(ks), f"K-means with K = {k} of {ks[-1]}")
        model = KMeans(n_clusters=k, n_init=3, random_state=seed).fit(X)
        inertia.append(float(model.inertia_))
        # copies of fewer than K distinct rows leave fewer clusters than asked for: one has no silhouette (NaN)
        silhouette.append(float(silhouette_score(X, model.labels_, sample_size=sample, random_state=seed))
                          if len(np.unique(model.labels_)) > 1 else float("nan"))
    reporter.update(1.0, "sweep done")
    scored = [i for i, v in enumerate(silhouette) if not np.isnan(v)]
    best = max(scored, key=lambda i: silhouette[i]) if scored else 0
    return Sweep(ks=ks, inertia=inertia, silhouette=silhouette,
                 best_silhouette_k=ks[best], elbow_k=elbow(ks, inertia), reduced_from=reduced_from)


def elbow(ks: list[int], inertia: list[float]) -> int:
    """The K farthest below the straight line joining the curve's ends (the "kneedle" rule)."""
    x = np.asarray(ks, dtype=float)
    y = np.asarray(inertia, dtype=float)
    if len(x) < 3 or y[0] == y[-1]:
        return int(x[0])
    x = (x - x[0]) / (x[-1] - x[0])
    y = (y - y[-1]) / (y[0] - y[-1])
    return int(ks[int(np.argmax((1 - x) - y))])
