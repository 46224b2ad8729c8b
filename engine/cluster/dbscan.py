"""DBSCAN (scikit-learn), with the radius picked from the data when left at 0."""

from __future__ import annotations

import numpy as np

from engine.cluster.shared import Estimator
from engine.params import Float, Int
from engine.registry import Entry

AUTO_EPS_PERCENTILE = 98.0


class AutoEpsDBSCAN(Estimator):
    """DBSCAN whose ``eps=0`` means: the 98th percentile of each point's distance to its
    ``min_samples``-th neighbour, so most points are core points of some dense region."""

    def __init__(self, eps: float = 0.0, min_samples: int = 5):
        self.eps = eps
        self.min_samples = min_samples

    def fit(self, X, y=None):
        eps = self.eps or self.suggest_eps(X, self.min_samples)
        from sklearn.cluster import DBSCAN

        model = DBSCAN(eps=eps, min_samples=self.min_samples).fit(X)
        self.eps_, self.labels_ = eps, model.labels_
        return self

    @staticmethod
    def suggest_eps(X: np.ndarray, min_samples: int) -> float:
        k = min(min_samples, len(X) - 1)
        from sklearn.neighbors import NearestNeighbors

        distances = NearestNeighbors(n_neighbors=k + 1).fit(X).kneighbors(X)[0][:, -1]
        return float(np.percentile(distances, AUTO_EPS_PERCENTILE)) or 1e-9


def make(eps: float = 0.0, min_samples: int = 5, **_: object) -> AutoEpsDBSCAN:
    return AutoEpsDBSCAN(eps=eps, min_samples=min_samples)


ENTRY = Entry(
    name="dbscan", label="DBSCAN", make=make,
    params=(Float("eps", 0.0, 0.0, 1000.0, step=0.05, help="Neighbourhood radius; 0 picks it from the data."),
            Int("min_samples", 5, 1, 200, help="Neighbours needed to be a core point.")),
    description="Dense regions separated by sparse ones; points in no dense region are noise (-1).",
    tags=frozenset({"noise"}),
    max_items=100_000,  # each core point keeps its neighbourhood: memory grows with items × density
)
