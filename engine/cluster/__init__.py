"""Clusterers: ``n×d`` → integer labels (``-1`` = noise), each with ``fit_predict``."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from engine.cluster import agglomerative, dbscan, gmm, hdbscan_, kmeans, louvain, minibatch_kmeans, spectral
from engine.registry import Entry, lookup

CLUSTERERS: dict[str, Entry] = {
    "hdbscan": hdbscan_.ENTRY,
    "kmeans": kmeans.ENTRY,
    "minibatch_kmeans": minibatch_kmeans.ENTRY,
    "dbscan": dbscan.ENTRY,
    "gmm": gmm.ENTRY,
    "agglomerative": agglomerative.ENTRY,
    "spectral": spectral.ENTRY,
    "louvain": louvain.ENTRY,
}

# Extra arrays a fitted model can leave behind for the views (e.g. the dendrogram).
EXTRAS = {"agglomerative": lambda model: {"linkage": agglomerative.linkage_matrix(model)}}


@dataclass
class Clustering:
    labels: np.ndarray
    params: dict
    extras: dict[str, np.ndarray] = field(default_factory=dict)


def cluster(X: np.ndarray, name: str, params: dict | None = None, seed: int = 0) -> Clustering:
    """Fit clusterer ``name`` on ``X``. Labels are renumbered 0..K-1 by size (noise stays ``-1``)."""
    entry = lookup(CLUSTERERS, name, "clusterer")
    resolved = entry.resolve(params)
    if "n_clusters" in resolved and resolved["n_clusters"] > len(X):
        raise ValueError(f"asked for {resolved['n_clusters']} clusters but there are only {len(X)} items")
    model = entry.make(seed=seed, n_items=len(X), **resolved)
    labels = relabel_by_size(np.asarray(model.fit_predict(X)))
    extras = EXTRAS[name](model) if name in EXTRAS else {}
    return Clustering(labels=labels, params=resolved, extras=extras)


def relabel_by_size(labels: np.ndarray) -> np.ndarray:
    """Cluster 0 is the largest; ``-1`` (noise) is kept."""
    out = np.full(len(labels), -1, dtype=np.int64)
    found, counts = np.unique(labels[labels >= 0], return_counts=True)
    for new, old in enumerate(found[np.argsort(-counts, kind="stable")]):
        out[labels == old] = new
    return out
