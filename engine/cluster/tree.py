"""Agglomerative merge trees for the dendrogram view: build once, cut by K or height, lay out.

The tree is SciPy's linkage over every item, or over a random sample of ``max_items`` when
there are more (the linkage needs ``n²/2`` distances); items outside the sample then take
the cluster of their nearest sampled item. Cuts are SciPy's ``fcluster``; labels are
renumbered by size as every other clusterer's are, so colours agree across views.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.cluster import hierarchy
from scipy.spatial.distance import pdist

from engine.cluster import relabel_by_size
from engine.cluster.profiles import by_typicality

LINKAGES = ("ward", "average", "complete", "single")
MAX_TREE_ITEMS = 4000


@dataclass
class Tree:
    linkage: np.ndarray  # SciPy linkage over ``members``
    members: np.ndarray  # indices of the items in the tree (all of them, or a sample)
    method: str
    n_items: int

    @property
    def sampled(self) -> bool:
        return len(self.members) < self.n_items

    @property
    def heights(self) -> np.ndarray:
        return self.linkage[:, 2]


@dataclass
class Layout:
    """A drawable dendrogram of the top of the tree: ``p`` leaves, each standing for a subtree."""

    segments: list[tuple[list[float], list[float], int]]  # (xs, ys, cluster or -1 above the cut) per link
    leaf_x: np.ndarray  # x of each leaf (0, 1, 2, …)
    leaf_items: list[np.ndarray]  # item indices under each leaf
    leaf_cluster: np.ndarray  # the cluster each leaf falls in at the cut
    cut_height: float


def build_tree(X: np.ndarray, method: str = "ward", max_items: int = MAX_TREE_ITEMS, seed: int = 0) -> Tree:
    if method not in LINKAGES:
        raise ValueError(f"linkage must be one of {', '.join(LINKAGES)}")
    if len(X) < 2:
        raise ValueError("a tree needs at least 2 items")
    members = np.arange(len(X))
    if len(X) > max_items:
        members = np.sort(np.random.default_rng(seed).choice(len(X), max_items, replace=False))
    # Condensed euclidean distances, as linkage computes from observations itself; passing them spares a square
    # feature matrix (a graph's adjacency) from being taken for a distance matrix (SciPy warns).
    Z = hierarchy.linkage(pdist(np.asarray(X[members], dtype=np.float64)), method=method)
    return Tree(linkage=Z, members=members, method=method, n_items=len(X))


def height_for_k(tree: Tree, k: int) -> float:
    """A height whose cut gives ``k`` clusters: midway between the merges that make ``k`` and ``k - 1`` groups."""
    n = len(tree.members)
    k = int(np.clip(k, 1, n))
    below = tree.heights[n - k - 1] if k < n else 0.0
    above = tree.heights[n - k] if k > 1 else tree.heights[-1] * 1.05
    return float((below + above) / 2)


def cut(tree: Tree, X: np.ndarray, k: int | None = None, height: float | None = None) -> np.ndarray:
    """Labels for every item (not just the tree's members) for a cut into ``k`` clusters or at ``height``."""
    if (k is None) == (height is None):
        raise ValueError("give exactly one of k and height")
    if k is not None:
        found = hierarchy.fcluster(tree.linkage, t=k, criterion="maxclust")
    else:
        found = hierarchy.fcluster(tree.linkage, t=height, criterion="distance")
    labels = np.empty(tree.n_items, dtype=np.int64)
    labels[tree.members] = found
    if tree.sampled:
        rest = np.setdiff1d(np.arange(tree.n_items), tree.members)
        from sklearn.neighbors import NearestNeighbors

        nearest = NearestNeighbors(n_neighbors=1).fit(X[tree.members]).kneighbors(X[rest], return_distance=False)
        labels[rest] = found[nearest[:, 0]]
    return relabel_by_size(labels)


def layout(tree: Tree, labels: np.ndarray, cut_height: float, leaves: int = 48) -> Layout:
    """The top ``leaves - 1`` merges drawn as U-links (SciPy's ``lastp`` truncation).

    A link below the cut takes its cluster's colour; links above it, and leaves whose
    subtree spans several clusters, get ``-1``."""
    n = len(tree.members)
    Z = tree.linkage
    leaves = int(min(max(leaves, 2), n))
    lowest_drawn = 2 * n - leaves  # node ids from here up to the root (2n - 2) are drawn as links
    root = hierarchy.to_tree(Z)
    nodes: dict[int, hierarchy.ClusterNode] = {}
    order: list[int] = []  # leaves, left to right
    stack = [root]
    while stack:  # iterative: single-linkage trees can be thousands of levels deep
        node = stack.pop()
        nodes[node.id] = node
        if node.id >= lowest_drawn:
            stack.extend((node.right, node.left))
        else:
            order.append(node.id)
    tree_labels = labels[tree.members]

    def uniform_cluster(node_id: int) -> int:
        found = np.unique(tree_labels[nodes[node_id].pre_order()])
        return int(found[0]) if len(found) == 1 else -1

    x = {node_id: float(i) for i, node_id in enumerate(order)}
    y = dict.fromkeys(order, 0.0)
    cluster_of = {node_id: uniform_cluster(node_id) for node_id in order}
    segments = []
    for node_id in range(lowest_drawn, 2 * n - 1):  # bottom-up: children are placed before parents
        left, right = nodes[node_id].left.id, nodes[node_id].right.id
        x[node_id], y[node_id] = (x[left] + x[right]) / 2, float(Z[node_id - n, 2])
        below_cut = y[node_id] < cut_height and cluster_of[left] == cluster_of[right] >= 0
        cluster_of[node_id] = cluster_of[left] if below_cut else -1
        segments.append(([x[left], x[left], x[right], x[right]], [y[left], y[node_id], y[node_id], y[right]],
                         cluster_of[node_id]))
    return Layout(segments=segments, leaf_x=np.arange(len(order), dtype=float),
                  leaf_items=[tree.members[np.asarray(nodes[i].pre_order(), dtype=np.int64)] for i in order],
                  leaf_cluster=np.array([cluster_of[i] for i in order]), cut_height=float(cut_height))


def leaf_representatives(X: np.ndarray, lay: Layout) -> np.ndarray:
    """For each leaf, the item nearest the mean of the items under it (its thumbnail)."""
    return np.array([by_typicality(X, items)[0] for items in lay.leaf_items], dtype=np.int64)
