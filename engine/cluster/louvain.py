"""Louvain community detection (igraph) on a symmetric k-nearest-neighbour graph of the items.

The neighbours come from FAISS (:func:`engine.scale.nearest`), the communities from igraph's C implementation of
Louvain: on 100,000 items × 10 dimensions (k = 15) networkx's Louvain took 56 s and scikit-learn's kNN graph 22 s;
igraph's Louvain takes 4.4 s on the same graph.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from engine.cluster.graph_shared import igraph_communities
from engine.cluster.shared import Estimator
from engine.params import Float, Int
from engine.registry import Entry


def knn_graph(X: np.ndarray, n_neighbors: int) -> sparse.csr_matrix:
    """The symmetric, unweighted ``n_neighbors``-nearest-neighbour graph of the rows of ``X``, as a sparse
    adjacency."""
    from engine import distributed
    from engine.scale import nearest

    k = min(n_neighbors, len(X) - 1)
    client = distributed.active()  # with a Dask cluster on, the queries are searched on its workers
    _, found = nearest(X, X, k + 1) if client is None else distributed.nearest(client, X, X, k + 1)
    sources = np.repeat(np.arange(len(X)), k + 1)
    targets = found.ravel()
    keep = (targets >= 0) & (sources != targets)
    pairs = np.unique(np.sort(np.column_stack([sources[keep], targets[keep]]), axis=1), axis=0)
    upper = sparse.csr_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(len(X), len(X)))
    return upper + upper.T


class KNNLouvain(Estimator):
    """Louvain on the kNN graph of ``X`` (igraph, as for a large graph's own edges); clusters are numbered largest
    first."""

    def __init__(self, n_neighbors: int = 15, resolution: float = 0.5, random_state: int | None = None):
        self.n_neighbors = n_neighbors
        self.resolution = resolution
        self.random_state = random_state

    def fit(self, X, y=None):
        adjacency = knn_graph(np.asarray(X), self.n_neighbors)
        self.labels_ = igraph_communities(adjacency, "louvain", self.resolution, self.random_state)
        return self


def make(seed: int, n_neighbors: int = 15, resolution: float = 0.5, **_: object) -> KNNLouvain:
    return KNNLouvain(n_neighbors=n_neighbors, resolution=resolution, random_state=seed)


ENTRY = Entry(
    name="louvain", label="Louvain (kNN graph)", make=make,
    params=(Int("n_neighbors", 15, 2, 200, help="Edges per item in the graph."),
            Float("resolution", 0.5, 0.05, 5.0, step=0.05, help="Higher gives more, smaller communities.")),
    description="Communities of a nearest-neighbour graph maximising modularity; finds K itself.",
    max_items=200_000,  # the graph's exact neighbour search grows with items²
)
