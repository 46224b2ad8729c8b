"""Leiden (networkx), offered only where this networkx can run it without an extra backend."""

import networkx as nx

from engine.cluster.graph_shared import GRAPH, RESOLUTION, Communities
from engine.registry import Entry


def available() -> bool:
    try:
        nx.community.leiden_communities(nx.path_graph(4), seed=0)
    except (AttributeError, NotImplementedError, ImportError, nx.NetworkXError):
        return False
    return True


def make(seed: int, resolution: float = 1.0, **_: object) -> Communities:
    return Communities("leiden", resolution, seed)


ENTRY = Entry(
    name="leiden", label="Leiden (graph)", make=make, params=(RESOLUTION,),
    description="Louvain with a refinement step that keeps every community connected.", tags=GRAPH)
