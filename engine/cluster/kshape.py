"""tslearn's k-Shape: clusters by shape with a shift-invariant cross-correlation distance."""

from __future__ import annotations

import numpy as np

from engine.cluster.shared import N_CLUSTERS
from engine.cluster.ts_progress import reporting
from engine.params import Int
from engine.progress import Reporter
from engine.registry import Entry


class KShapeClusterer:
    def __init__(self, n_clusters: int, seed: int, max_iter: int):
        from tslearn.clustering import KShape

        self.model = reporting(KShape)(n_clusters=n_clusters, max_iter=max_iter, n_init=2, random_state=seed)
        self.model.what = "k-Shape"

    def fit_predict(self, X: np.ndarray, reporter: Reporter | None = None) -> np.ndarray:
        self.model.reporter = reporter
        return self.model.fit_predict(X[:, :, None])


def make(seed: int, n_clusters: int = 4, max_iter: int = 50, **_: object) -> KShapeClusterer:
    return KShapeClusterer(n_clusters, seed, max_iter)


ENTRY = Entry(
    name="kshape", label="k-Shape (tslearn)", make=make,
    params=(N_CLUSTERS,
            Int("max_iter", 50, 1, 500, help="Iterations.")),
    description="Groups z-normalised series by shape, whatever their shift in time.",
    tags=frozenset({"series", "k"}),
)
