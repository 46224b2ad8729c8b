"""Scores of a node partition on its graph: modularity and conductance."""

from __future__ import annotations

import networkx as nx
import numpy as np


def graph_scores(graph: nx.Graph, nodes: list, labels: np.ndarray) -> dict[str, float | None]:
    """Modularity of the partition (−0.5..1, higher is better) and the mean conductance of its communities
    (0..1: the share of a community's edge weight that leaves it; lower is better)."""
    communities = [{nodes[i] for i in np.flatnonzero(labels == g)} for g in np.unique(labels)]
    unassigned = [nodes[i] for i in np.flatnonzero(labels < 0)]
    if unassigned:  # noise: each such node is its own community for modularity
        communities = [c for c, g in zip(communities, np.unique(labels)) if g >= 0] + [{n} for n in unassigned]
    modularity = float(nx.community.modularity(graph, communities, weight="weight"))
    total = graph.size(weight="weight")

    def defined(community: set) -> bool:  # conductance needs edge weight both inside and outside the community
        volume = nx.volume(graph, community, weight="weight")
        return 0 < len(community) < graph.number_of_nodes() and 0 < volume < 2 * total

    conductances = [nx.conductance(graph, c, weight="weight") for c in communities if defined(c)]
    return {"modularity": modularity, "conductance": float(np.mean(conductances)) if conductances else None}
