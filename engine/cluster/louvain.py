"""Louvain community detection (networkx) on a symmetric k-nearest-neighbour graph."""

from __future__ import annotations

import networkx as nx
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.neighbors import kneighbors_graph

from engine.cluster.graph_shared import labels_from
from engine.params import Float, Int
from engine.registry import Entry


class KNNLouvain(ClusterMixin, BaseEstimator):
    """Louvain on the kNN graph of ``X``; clusters are numbered largest first."""

    def __init__(self, n_neighbors: int = 15, resolution: float = 0.5, random_state: int | None = None):
        self.n_neighbors = n_neighbors
        self.resolution = resolution
        self.random_state = random_state

    def fit(self, X, y=None):
        adjacency = kneighbors_graph(X, n_neighbors=min(self.n_neighbors, len(X) - 1), include_self=False)
        graph = nx.from_scipy_sparse_array(adjacency.maximum(adjacency.T))
        communities = nx.community.louvain_communities(graph, resolution=self.resolution, seed=self.random_state)
        self.labels_ = labels_from(communities, len(X))
        self.modularity_ = nx.community.modularity(graph, communities, resolution=self.resolution)
        return self


def make(seed: int, n_neighbors: int = 15, resolution: float = 0.5, **_: object) -> KNNLouvain:
    return KNNLouvain(n_neighbors=n_neighbors, resolution=resolution, random_state=seed)


ENTRY = Entry(
    name="louvain", label="Louvain (kNN graph)", make=make,
    params=(Int("n_neighbors", 15, 2, 200, help="Edges per item in the graph."),
            Float("resolution", 0.5, 0.05, 5.0, step=0.05, help="Higher gives more, smaller communities.")),
    description="Communities of a nearest-neighbour graph maximising modularity; finds K itself.",
)
