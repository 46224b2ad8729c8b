"""Leiden on the graph's own edges (igraph, for a small graph as for a large one: networkx dispatches Leiden only
to backends it does not ship)."""

from engine.cluster.graph_shared import GRAPH, RESOLUTION, Communities
from engine.registry import Entry


def make(seed: int, resolution: float = 1.0, **_: object) -> Communities:
    return Communities("leiden", resolution, seed)


ENTRY = Entry(
    name="leiden_graph", label="Leiden (graph)", make=make, params=(RESOLUTION,),
    description="Louvain with a refinement step that keeps every community connected; finds the number of "
                "communities itself.", tags=GRAPH)
