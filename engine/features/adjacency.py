"""A graph as features: its weighted adjacency matrix, one row per node (what the graph methods read); a SciPy sparse
matrix past ``DENSE_NODES`` nodes."""

from __future__ import annotations

import networkx as nx
import numpy as np
from scipy import sparse

from engine.data import Dataset, DataError
from engine.data import graphs
from engine.registry import Entry


def adjacency_features(dataset: Dataset, **_: object) -> np.ndarray:
    if dataset.graph is None:
        raise DataError("adjacency features need a graph; this dataset has none")
    if len(dataset.item_names) > graphs.DENSE_NODES:  # n² floats would not fit: a sparse matrix (CSR)
        return sparse.csr_matrix(nx.to_scipy_sparse_array(dataset.graph, nodelist=dataset.item_names,
                                                          weight="weight", dtype=np.float32, format="csr"))
    return nx.to_numpy_array(dataset.graph, nodelist=dataset.item_names, weight="weight", dtype=np.float32)


ENTRY = Entry(
    name="adjacency", label="Graph adjacency", make=adjacency_features,
    description="The weighted adjacency matrix: node i's row holds its edge weights to every other node.",
    tags=frozenset({"graph"}),
)
