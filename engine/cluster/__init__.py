"""Clusterers: ``n×d`` → integer labels (``-1`` = noise), each with ``fit_predict``."""

from __future__ import annotations

import inspect
import warnings
from dataclasses import dataclass, field

import numpy as np

from engine.cluster import (agglomerative, dbscan, embedding_kmeans, gmm, hdbscan_, kmeans, kshape,
                            label_propagation, leiden, leiden_graph, louvain, louvain_graph, minibatch_kmeans,
                            spectral, spectral_graph, ts_kmeans)
from engine.cluster.auto_k import KChoice, by_silhouette_and_stability
from engine.cluster.shared import AUTO
from engine.progress import Reporter, ensure
from engine.registry import Entry, lookup

# tslearn warns on import that h5py is missing; only its HDF5 file helpers need it, and we use none.
warnings.filterwarnings("ignore", message="h5py not installed")

CLUSTERERS: dict[str, Entry] = {
    "hdbscan": hdbscan_.ENTRY,
    "kmeans": kmeans.ENTRY,
    "minibatch_kmeans": minibatch_kmeans.ENTRY,
    "dbscan": dbscan.ENTRY,
    "gmm": gmm.ENTRY,
    "agglomerative": agglomerative.ENTRY,
    "spectral": spectral.ENTRY,
    "louvain": louvain.ENTRY,
    "leiden": leiden.ENTRY,
    # time series only (they read the series features)
    "ts_kmeans": ts_kmeans.ENTRY,
    "kshape": kshape.ENTRY,
    # graphs only (they read the adjacency features)
    "louvain_graph": louvain_graph.ENTRY,
    "leiden_graph": leiden_graph.ENTRY,
    "spectral_graph": spectral_graph.ENTRY,
    "label_propagation": label_propagation.ENTRY,
    "embedding_kmeans": embedding_kmeans.ENTRY,
}

ONLY_FOR = ("series", "graph")  # tags that limit a clusterer to one kind of data


def clusterers_for(kind: str) -> list[str]:
    """The clusterers that apply to a dataset kind: graphs get the graph methods only; time series get the
    general ones plus their own; images and tables the general ones."""
    if kind == "graph":
        return [name for name, entry in CLUSTERERS.items() if "graph" in entry.tags]
    return [name for name, entry in CLUSTERERS.items()
            if not any(tag in entry.tags for tag in ONLY_FOR) or kind in entry.tags]

# Extra arrays a fitted model can leave behind for the views (e.g. the dendrogram).
EXTRAS = {"agglomerative": lambda model: {"linkage": agglomerative.linkage_matrix(model)}}


@dataclass
class Clustering:
    """``params`` are the ones the model was fitted with (K filled in where it was auto); ``k_choice`` says how an
    auto K was chosen."""

    labels: np.ndarray
    params: dict
    extras: dict[str, np.ndarray] = field(default_factory=dict)
    k_choice: KChoice | None = None
    note: str = ""  # how it scaled, when it did (fitted on a sample), in a sentence


def choose_k(X: np.ndarray, name: str, seed: int = 0, reporter: Reporter | None = None) -> KChoice:
    """K for clusterer ``name`` on ``X``, by the entry's own rule (the eigengap for graphs) or the general one."""
    chooser = lookup(CLUSTERERS, name, "clusterer").choose_k or by_silhouette_and_stability
    if not isinstance(X, np.ndarray):  # a sparse graph: its eigengap is cheap next to loading it
        return chooser(X, seed=seed, reporter=reporter)
    # Kept on disk: the sweep's ~120 K-means fits are the longest step of a default run on a cached space.
    import sys

    from engine.cache import digest, kept_json, source_digest

    key = digest(X, seed, chooser.__module__, chooser.__qualname__, source_digest(sys.modules[chooser.__module__]),
                 source_digest(sys.modules["engine.cluster.auto_k"]))  # the rule and sweep every chooser shares
    return kept_json("k", key, lambda: chooser(X, seed=seed, reporter=reporter), KChoice.as_dict,
                     lambda fields: KChoice(**fields))


def cluster(X: np.ndarray, name: str, params: dict | None = None, seed: int = 0,
            reporter: Reporter | None = None) -> Clustering:
    """Fit clusterer ``name`` on ``X``; ``n_clusters=0`` chooses K first (:func:`choose_k`). Labels are renumbered
    0..K-1 by size (noise stays ``-1``)."""
    entry = lookup(CLUSTERERS, name, "clusterer")
    resolved = entry.resolve(params)
    k_choice = None
    if resolved.get("n_clusters") == AUTO:
        k_choice = choose_k(X, name, seed, ensure(reporter).stage(0.0, 0.7))
        resolved = {**resolved, "n_clusters": k_choice.k}
    if "n_clusters" in resolved and resolved["n_clusters"] > X.shape[0]:
        raise ValueError(f"asked for {resolved['n_clusters']} clusters but there are only {X.shape[0]} items")
    rows = None
    if entry.max_items and X.shape[0] > entry.max_items:  # too costly on all items: fit a sample, assign the rest
        from engine.scale import sample_indices

        rows = sample_indices(len(X), entry.max_items, seed)
    fit_on = X if rows is None else X[rows]
    model = entry.make(seed=seed, n_items=fit_on.shape[0], **resolved)
    if "reporter" in inspect.signature(model.fit_predict).parameters:  # it reports its own iterations
        fitted = model.fit_predict(fit_on, reporter=ensure(reporter).stage(0.7 if k_choice else 0.0, 1.0))
    else:
        fitted = model.fit_predict(fit_on)
    note = getattr(model, "note", "") or ""  # how the clusterer itself scaled (soft-DTW on averaged series)
    if rows is not None:
        from engine.scale import NEIGHBOURS, assign_from_sample

        ensure(reporter).update(0.95, f"{entry.label}: assigning the other {len(X) - len(rows):,} items")
        fitted = assign_from_sample(X, rows, np.asarray(fitted), seed)
        sampled = (f"{entry.label} was fitted on an even {len(rows):,}-item sample (its limit: past it, time or "
                   f"memory run out) and each of the other {len(X) - len(rows):,} items took the cluster most of its "
                   f"{NEIGHBOURS} nearest sampled items are in")
        note = f"{note}; {sampled}" if note else sampled
    labels = relabel_by_size(np.asarray(fitted))
    extras = EXTRAS[name](model) if name in EXTRAS else {}
    if rows is not None and extras:
        extras["fitted_items"] = rows
    return Clustering(labels=labels, params=resolved, extras=extras, k_choice=k_choice, note=note)


def own_scores(X: np.ndarray, labels: np.ndarray, name: str, params: dict) -> dict:
    """Internal scores under the clusterer's own distance, where it declares one (DTW silhouette)."""
    entry = CLUSTERERS[name]
    return entry.scores(X, labels, params) if entry.scores is not None else {}


def relabel_by_size(labels: np.ndarray) -> np.ndarray:
    """Cluster 0 is the largest; ``-1`` (noise) is kept."""
    out = np.full(len(labels), -1, dtype=np.int64)
    found, counts = np.unique(labels[labels >= 0], return_counts=True)
    for new, old in enumerate(found[np.argsort(-counts, kind="stable")]):
        out[labels == old] = new
    return out
