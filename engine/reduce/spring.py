"""A force-directed layout of a graph (networkx's spring layout) from its adjacency matrix: the graph's map."""

from __future__ import annotations

import networkx as nx
import numpy as np

from engine.params import Int
from engine.registry import Entry


class SpringLayout:
    def __init__(self, n_components: int, seed: int, iterations: int):
        self.n_components, self.seed, self.iterations = n_components, seed, iterations

    def fit_transform(self, adjacency: np.ndarray) -> np.ndarray:
        graph = nx.from_numpy_array(np.asarray(adjacency, dtype=np.float64))
        positions = nx.spring_layout(graph, dim=self.n_components, seed=self.seed, iterations=self.iterations,
                                     weight="weight")
        return np.array([positions[i] for i in range(len(adjacency))], dtype=np.float32)


def make(n_components: int, seed: int, iterations: int = 100, **_: object) -> SpringLayout:
    return SpringLayout(n_components, seed, iterations)


ENTRY = Entry(
    name="spring", label="Spring layout (graph)", make=make,
    params=(Int("iterations", 100, 10, 2000, help="Force-simulation steps."),),
    description="Linked nodes pull together, all nodes push apart: the usual picture of a network.",
    tags=frozenset({"graph"}),
)
