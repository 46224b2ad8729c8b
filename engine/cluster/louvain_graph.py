"""Louvain on the graph's own edges (networkx; igraph for a large, sparse graph)."""

from engine.cluster.graph_shared import GRAPH, RESOLUTION, Communities
from engine.registry import Entry


def make(seed: int, resolution: float = 1.0, **_: object) -> Communities:
    return Communities("louvain", resolution, seed)


ENTRY = Entry(
    name="louvain_graph", label="Louvain (graph)", make=make, params=(RESOLUTION,),
    description="Greedy modularity optimisation on the graph's own edges; finds the number of communities itself.",
    tags=GRAPH)
