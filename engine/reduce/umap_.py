"""UMAP (umap-learn): the default map; keeps neighbourhoods, good input for density clustering."""

from __future__ import annotations

import warnings

from engine.params import Choice, Float, Int
from engine.registry import Entry


def imported():
    """``umap``, with its and pynndescent's numba functions compiled once per machine, not once per process.

    umap-learn JIT-compiles most of its functions without numba's on-disk cache, so every cold process (each
    CLI call, each app start) spent ~12 s of a 17 s first fit on 1,797 digits compiling them again. Turning the
    cache on for those functions (``Dispatcher.enable_caching``, where numba keeps the rest: beside the
    package, or its user-wide cache when that is read-only) leaves ~5 s; ``bench/cold_start.py`` measures it.
    The few functions umap builds inside its own calls stay uncached."""
    import umap

    global _CACHING
    if not _CACHING:
        _CACHING = True
        _cache_jitted(("umap", "pynndescent"))
    return umap


_CACHING = False


def _cache_jitted(packages: tuple[str, ...]) -> None:
    import sys

    from numba.core.caching import NullCache
    from numba.core.registry import CPUDispatcher

    for name, module in list(sys.modules.items()):
        if module is None or name.split(".")[0] not in packages:
            continue
        for value in list(vars(module).values()):
            if isinstance(value, CPUDispatcher) and isinstance(value._cache, NullCache):
                try:
                    value.enable_caching()
                except Exception:  # noqa: BLE001 (a function numba cannot cache is compiled as before)
                    pass


def make(n_components: int, seed: int, n_neighbors: int = 15, min_dist: float = 0.1,
         metric: str = "euclidean", **_: object):
    umap = imported()  # imported lazily: the first import and fit JIT-compile for ~30 s

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
