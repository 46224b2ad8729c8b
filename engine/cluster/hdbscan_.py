"""HDBSCAN (the hdbscan package): density clusters of varying density, K found by itself."""

from __future__ import annotations


from engine.cluster.shared import Estimator
from engine.params import Choice, Int
from engine.registry import Entry


def auto_min_cluster_size(n_items: int) -> int:
    """About 1% of the items, at least 10: 18 on digits, 50 on 5,000 images."""
    return max(10, round(0.01 * n_items))


class HDBSCAN(Estimator):
    """hdbscan.HDBSCAN with ``min_cluster_size=0`` meaning :func:`auto_min_cluster_size`."""

    def __init__(self, min_cluster_size: int = 0, min_samples: int = 10, cluster_selection_method: str = "eom"):
        self.min_cluster_size = min_cluster_size
        self.min_samples = min_samples
        self.cluster_selection_method = cluster_selection_method

    def fit(self, X, y=None):
        import hdbscan

        size = self.min_cluster_size or auto_min_cluster_size(len(X))
        model = hdbscan.HDBSCAN(min_cluster_size=max(2, min(size, len(X))), min_samples=self.min_samples or None,
                                cluster_selection_method=self.cluster_selection_method)
        self.labels_ = model.fit_predict(X)
        self.probabilities_ = model.probabilities_
        self.min_cluster_size_ = size
        return self


def make(min_cluster_size: int = 0, min_samples: int = 10, cluster_selection_method: str = "eom",
         **_: object) -> HDBSCAN:
    return HDBSCAN(min_cluster_size, min_samples, cluster_selection_method)


ENTRY = Entry(
    name="hdbscan", label="HDBSCAN", make=make,
    params=(Int("min_cluster_size", 0, 0, 5000, help="Smallest group called a cluster; 0 = 1% of items (at least 10)."),
            Int("min_samples", 10, 0, 200, help="Larger values call more points noise; 0 = min_cluster_size."),
            Choice("cluster_selection_method", "eom", ("eom", "leaf"),
                   help="'leaf' gives more, smaller clusters.")),
    description="Hierarchical density clustering; finds K itself and marks outliers as noise (-1).",
    tags=frozenset({"noise"}),
    max_items=200_000,  # 10-D: 100k items in 12 s on 2 cores; 2-D: 1M in 50 s
)
