"""UMAP (umap-learn): the default map; keeps neighbourhoods, good input for density clustering."""

from __future__ import annotations

import warnings

from engine.params import Choice, Float, Int
from engine.registry import Entry


def make(n_components: int, seed: int, n_neighbors: int = 15, min_dist: float = 0.1,
         metric: str = "euclidean", **_: object):
    import umap  # imported lazily: the first import and fit JIT-compile for ~30 s

    # A fixed seed forces one thread; umap warns about it every time.
    warnings.filterwarnings("ignore", message="n_jobs value", category=UserWarning)
    return umap.UMAP(n_components=n_components, n_neighbors=n_neighbors, min_dist=min_dist,
                     metric=metric, random_state=seed)


ENTRY = Entry(
    name="umap", label="UMAP", make=make,
    params=(
        Int("n_neighbors", 15, 2, 200, help="Larger values keep more global structure."),
        Float("min_dist", 0.1, 0.0, 0.99, step=0.05, help="How tightly points may pack; 0 suits clustering."),
        Choice("metric", "euclidean", ("euclidean", "cosine", "manhattan", "correlation")),
    ),
    description="Non-linear map preserving local neighbourhoods; the usual input to HDBSCAN.",
    tags=frozenset({"sampled"}),  # fitted on a sample past engine.scale.FIT_SAMPLE items
)
