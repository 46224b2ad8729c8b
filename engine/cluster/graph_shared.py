"""What the graph clusterers share. They receive the graph as its weighted adjacency matrix (the
``adjacency`` features) and have ``fit_predict(A)``, like every clusterer."""

from __future__ import annotations

import random

import networkx as nx
import numpy as np
from scipy import sparse

from engine.cluster.shared import Estimator
from engine.params import Float

GRAPH = frozenset({"graph"})


def as_graph(adjacency: np.ndarray) -> nx.Graph:
    graph = nx.from_numpy_array(np.asarray(adjacency, dtype=np.float64))
    graph.remove_edges_from(list(nx.selfloop_edges(graph)))
    return graph


def igraph_communities(A, method: str, resolution: float, seed: int | None) -> np.ndarray:
    """Communities of the graph of sparse adjacency ``A`` by igraph: Louvain (multilevel), Leiden (modularity) or
    label propagation, seeded; one label per node."""
    import igraph

    upper = sparse.triu(sparse.csr_matrix(A), k=1).tocoo()
    graph = igraph.Graph(n=A.shape[0], edges=np.column_stack([upper.row, upper.col]),
                         edge_attrs={"weight": upper.data.astype(np.float64)})
    igraph.set_random_number_generator(random.Random(seed))
    if method == "louvain":
        found = graph.community_multilevel(weights="weight", resolution=resolution)
    elif method == "leiden":
        found = graph.community_leiden(objective_function="modularity", weights="weight",
                                       resolution=resolution, n_iterations=-1)
    else:
        found = graph.community_label_propagation(weights="weight")
    return np.asarray(found.membership, dtype=np.int64)


def labels_from(communities, n: int) -> np.ndarray:
    labels = np.empty(n, dtype=np.int64)
    for index, members in enumerate(sorted(communities, key=len, reverse=True)):
        labels[list(members)] = index
    return labels


class Communities(Estimator):
    """A networkx community function on the graph of an adjacency matrix."""

    def __init__(self, method: str = "louvain", resolution: float = 1.0, random_state: int | None = None):
        self.method = method
        self.resolution = resolution
        self.random_state = random_state

    def fit(self, X, y=None):
        if sparse.issparse(X):  # a large graph: igraph's C implementations (networkx's take minutes at 100k nodes)
            self.labels_ = igraph_communities(X, self.method, self.resolution, self.random_state)
            return self
        graph = as_graph(X)
        if self.method == "louvain":
            found = nx.community.louvain_communities(graph, weight="weight", resolution=self.resolution,
                                                     seed=self.random_state)
        elif self.method == "leiden":
            found = nx.community.leiden_communities(graph, weight="weight", resolution=self.resolution,
                                                    seed=self.random_state)
        else:
            found = nx.community.asyn_lpa_communities(graph, weight="weight", seed=self.random_state)
        self.labels_ = labels_from(found, len(X))
        return self


RESOLUTION = Float("resolution", 1.0, 0.05, 5.0, step=0.05, help="Higher gives more, smaller communities.")
