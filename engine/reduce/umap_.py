"""UMAP (umap-learn): the default map; keeps neighbourhoods, good input for density clustering."""

from __future__ import annotations

import warnings

import numpy as np

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
        # the cache this turned on cannot hold pynndescent's nn_descent (it reads ctypes globals): numba compiles it
        # as before, and says so to stderr in every process that builds an index (≥ SMALL rows) unless told not to
        warnings.filterwarnings("ignore", message="Cannot cache compiled function")
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


SMALL = 4096  # below this many rows umap-learn computes every pairwise distance itself


class UMAP:
    """umap-learn's UMAP; on fewer than :data:`SMALL` rows (euclidean) it is handed its exact nearest neighbours
    from FAISS (``engine.scale.nearest``). umap-learn's own path there calls a numba distance once per pair from
    Python (1.6 million calls on the 1,797 digits: ~4 s of a cold CLI run). The neighbours and their distances are
    the same to the last bit, so the graph and the map are the ones umap-learn gives (``tests/engine/test_reduce.py``).
    """

    def __init__(self, **options):
        self.options = options

    def fit_transform(self, X) -> np.ndarray:
        """The embedding of ``X``'s rows; repeated rows are embedded once and share their point (see
        :func:`engine.scale.distinct_rows`)."""
        from engine.scale import distinct_rows

        X = np.asarray(X, dtype=np.float32)
        first, inverse = distinct_rows(X)
        if len(first) < len(X) and len(first) > self.options["n_neighbors"] + 1:
            return self._fit(X[first])[inverse]
        return self._fit(X)

    def _fit(self, X: np.ndarray) -> np.ndarray:
        umap = imported()  # imported lazily: the first import and fit JIT-compile for ~30 s
        options = dict(self.options)
        k = options["n_neighbors"]
        if options["metric"] == "euclidean" and k < len(X) < SMALL:
            from engine.scale import nearest

            options["precomputed_knn"] = exact_neighbours(X, nearest(X, X, k)[1])
        with warnings.catch_warnings():
            # a fixed seed forces one thread, and precomputed neighbours without a search index rule out
            # ``transform`` (which nothing here calls): umap-learn warns about both every time
            warnings.filterwarnings("ignore", message="n_jobs value", category=UserWarning)
            warnings.filterwarnings("ignore", message=".*knn_search_index", category=UserWarning)
            return umap.UMAP(**options).fit_transform(X)


def exact_neighbours(X: np.ndarray, indices: np.ndarray, chunk: int = 256) -> tuple[np.ndarray, np.ndarray]:
    """The neighbours' distances computed from the rows themselves (FAISS's ‖x‖² + ‖y‖² − 2x·y leaves an item
    ~1e-3 from itself, and UMAP reads the first non-zero distance as the nearest neighbour's), each row sorted
    by them, the item itself first at distance 0, in float64 from float32 differences: as umap-learn's own
    exact path gives them."""
    distances = np.empty(indices.shape, dtype=np.float64)
    for start in range(0, len(X), chunk):
        rows = slice(start, start + chunk)
        squares = (X[indices[rows]] - X[rows, None, :]) ** 2  # float32 differences, summed in float64: as
        distances[rows] = np.sqrt(squares.sum(axis=-1, dtype=np.float64))  # umap-learn's numba euclidean does
    own = indices == np.arange(len(X))[:, None]
    distances[own] = 0.0
    order = np.argsort(distances - own, axis=1, kind="stable")  # the item itself (-1) first, then by distance
    return np.take_along_axis(indices, order, 1), np.take_along_axis(distances, order, 1)


def make(n_components: int, seed: int, n_neighbors: int = 15, min_dist: float = 0.1,
         metric: str = "euclidean", n_epochs: int | None = None, **_: object) -> UMAP:
    """``n_epochs``: None leaves umap-learn's own (500 below 10,000 rows, 200 above)."""
    return UMAP(n_components=n_components, n_neighbors=n_neighbors, min_dist=min_dist, metric=metric,
                random_state=seed, **({} if n_epochs is None else {"n_epochs": n_epochs}))


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
