"""Reducers: ``n×d`` features → ``n×k`` embedding (k = 2 or 3), each with ``fit_transform``."""

from __future__ import annotations

import numpy as np

from engine.reduce import pca, spring, tsne, umap_
from engine.progress import Reporter
from engine.registry import Entry, lookup
from engine import scale

REDUCERS: dict[str, Entry] = {
    "umap": umap_.ENTRY,
    "pca": pca.ENTRY,
    "tsne": tsne.ENTRY,
    "spring": spring.ENTRY,
}


def reducers_for(kind: str) -> list[str]:
    """Graphs are laid out by their edges; everything else by its features."""
    return [name for name, entry in REDUCERS.items() if ("graph" in entry.tags) == (kind == "graph")]


def reduce(features: np.ndarray, name: str, params: dict | None = None, n_components: int = 2,
           seed: int = 0, reporter: Reporter | None = None, notes: list[str] | None = None) -> np.ndarray:
    """Fit reducer ``name`` on ``features`` and return the float32 embedding. Reducers tagged ``sampled`` (UMAP,
    t-SNE) are fitted on :data:`engine.scale.FIT_SAMPLE` items when there are more, the rest placed among their
    nearest sampled items; the sentence saying so is appended to ``notes``."""
    if n_components not in (2, 3):
        raise ValueError("n_components must be 2 or 3")
    entry = lookup(REDUCERS, name, "reducer")
    resolved = entry.resolve(params)
    n_items, n_features = features.shape
    if n_items <= n_components + 1:
        raise ValueError(f"need more than {n_components + 1} items to reduce to {n_components}-D")

    def fit(rows: np.ndarray) -> np.ndarray:
        model = entry.make(n_components=min(n_components, n_features), seed=seed, n_items=rows.shape[0],
                           n_features=n_features, **resolved)
        return np.asarray(model.fit_transform(rows), dtype=np.float32)

    if "sampled" in entry.tags and n_items > scale.FIT_SAMPLE:
        embedding, note = scale.fit_on_sample(features, fit, seed, what=f"the {entry.label} map", reporter=reporter)
        if notes is not None:
            notes.append(note)
    else:
        embedding = fit(features)
    if embedding.shape[1] < n_components:  # a 1-column table under PCA: pad so plots still work
        embedding = np.pad(embedding, ((0, 0), (0, n_components - embedding.shape[1])))
    return embedding
