"""A force-directed layout of a graph (networkx's spring layout) from its adjacency matrix: the graph's map."""

from __future__ import annotations

import networkx as nx
import numpy as np
from scipy import sparse

from engine.params import Int
from engine.registry import Entry


class SpringLayout:
    def __init__(self, n_components: int, seed: int, iterations: int):
        self.n_components, self.seed, self.iterations = n_components, seed, iterations

    def fit_transform(self, adjacency: np.ndarray) -> np.ndarray:
        if sparse.issparse(adjacency):  # a large graph: the spring simulation is O(n²) per step
            return embedding_layout(adjacency, self.n_components, self.seed)
        graph = nx.from_numpy_array(np.asarray(adjacency, dtype=np.float64))
        positions = nx.spring_layout(graph, dim=self.n_components, seed=self.seed, iterations=self.iterations,
                                     weight="weight")
        return np.array([positions[i] for i in range(len(adjacency))], dtype=np.float32)


EMBEDDING_DIMS = 16


def node_embedding(adjacency, dims: int = EMBEDDING_DIMS, seed: int = 0) -> np.ndarray:
    """Each node as the leading singular vectors of the degree-normalised adjacency D^-½ A D^-½ (the Laplacian's
    smallest eigenvectors: nodes of one community point the same way), rows scaled to unit length."""
    from sklearn.decomposition import TruncatedSVD

    A = sparse.csr_matrix(adjacency, dtype=np.float64)
    scale = 1.0 / np.sqrt(np.maximum(np.asarray(A.sum(axis=1)).ravel(), 1e-12))
    normalised = sparse.diags(scale) @ A @ sparse.diags(scale)
    found = TruncatedSVD(min(dims, A.shape[0] - 1), random_state=seed).fit_transform(normalised)
    return (found / np.maximum(np.linalg.norm(found, axis=1, keepdims=True), 1e-12)).astype(np.float32)


def embedding_layout(adjacency, n_components: int, seed: int) -> np.ndarray:
    """A large graph's map: a UMAP of its spectral node embedding (fitted on a sample past 20,000 nodes)."""
    from engine.reduce import reduce

    return reduce(node_embedding(adjacency, seed=seed), "umap", n_components=n_components, seed=seed)


def make(n_components: int, seed: int, iterations: int = 100, **_: object) -> SpringLayout:
    return SpringLayout(n_components, seed, iterations)


ENTRY = Entry(
    name="spring", label="Spring layout (graph)", make=make,
    params=(Int("iterations", 100, 10, 2000, help="Force-simulation steps."),),
    description="Linked nodes pull together, all nodes push apart: the usual picture of a network. Past 5,000 "
                "nodes, a UMAP of a spectral node embedding instead (a spring simulation is O(n²) per step).",
    tags=frozenset({"graph"}),
)
