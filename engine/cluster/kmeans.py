"""K-means: scikit-learn's, or FAISS's when items × K is large (K in the thousands for curation)."""

from __future__ import annotations

import numpy as np

from engine.cluster.shared import K_LARGE, Estimator, n_clusters
from engine.params import Int
from engine.registry import Entry


class FaissKMeans(Estimator):
    """Lloyd's K-means in FAISS (every item used, ``n_init`` restarts, the lowest inertia kept): 1M × 10 with
    K = 1,000 in ~3 s on 2 cores, where scikit-learn's takes minutes."""

    def __init__(self, n_clusters: int = 10, n_init: int = 1, max_iter: int = 50, random_state: int = 0):
        self.n_clusters, self.n_init, self.max_iter, self.random_state = n_clusters, n_init, max_iter, random_state

    def fit(self, X, y=None):
        import faiss

        X = np.ascontiguousarray(X, dtype=np.float32)
        model = faiss.Kmeans(X.shape[1], self.n_clusters, niter=self.max_iter, nredo=self.n_init,
                             seed=self.random_state, max_points_per_centroid=-(-len(X) // self.n_clusters),
                             verbose=False)
        model.train(X)
        self.cluster_centers_ = model.centroids
        self.labels_ = model.index.search(X, 1)[1][:, 0].astype(np.int64)
        return self


def use_faiss(n_items: int, k: int) -> bool:
    from engine.scale import FAISS_KMEANS

    return n_items * k > FAISS_KMEANS


def make(seed: int, n_items: int = 0, n_clusters: int = 10, n_init: int = 4, **_: object):
    from engine import distributed

    if (client := distributed.active()) is not None:  # a Dask cluster is on: Lloyd's steps run on its workers
        return distributed.DaskKMeans(client, n_clusters, n_init=min(n_init, 2), random_state=seed)
    if use_faiss(n_items, n_clusters):
        return FaissKMeans(n_clusters=n_clusters, n_init=n_init, random_state=seed)
    from sklearn.cluster import KMeans

    return KMeans(n_clusters=n_clusters, n_init=n_init, random_state=seed)


ENTRY = Entry(
    name="kmeans", label="K-means", make=make,
    params=(n_clusters(K_LARGE),
            Int("n_init", 4, 1, 20, help="Restarts; the best is kept.")),
    description="Minimises within-cluster variance; every point gets a cluster. Through FAISS when items × K "
                "passes 50 million.",
    tags=frozenset({"k"}),
)
