"""What changes with size: each threshold with the measurement behind it, and the tools that carry a fit made on a
sample over to every item.

Above :data:`FIT_SAMPLE` items a map (UMAP, t-SNE) or the clustering space is fitted on an even random sample and
every other item is placed at the distance-weighted mean of its :data:`NEIGHBOURS` nearest sampled items (found
in the features, cut to :data:`SEARCH_DIMS` principal components when wider). Clusterers that declare a
``max_items`` (agglomerative, spectral, DBSCAN, ...) are fitted on a sample of that size and every other item takes
the cluster most of its nearest sampled items have. Each strategy that ran is said in one sentence (kept with the
run and shown on its page).

Measured on this 2-core machine (1,000,000 × 16 blobs, a 20,000 sample): UMAP fit 36 s cold; nearest sampled
items for all 1M, exact 37 s / FAISS HNSW 9 s (recall 0.98); the placement 0.4 s; trustworthiness of the placed
items 0.960 against 0.958 for umap-learn's own ``transform`` (100 s for 1M) and 0.962 for the sampled items
themselves.
"""

from __future__ import annotations

import numpy as np

from engine.progress import Reporter, ensure

FIT_SAMPLE = 20_000  # a UMAP fit on 20,000 items takes ~15 s warm on 2 cores; what it shows a 1M-item fit would too
NEIGHBOURS = 10  # sampled neighbours an item is placed among / takes its cluster from
SEARCH_DIMS = 50  # the neighbour search runs on at most this many principal components
# Query × reference pairs searched exactly (FAISS flat: ~1 s a billion pairs on 2 cores, so 200,000 queries among
# a 20,000-item sample in ~3 s); beyond, HNSW. Counted in pairs, not queries: a 200,000-row table's own 16
# nearest rows (8-D; the map's trust, the kNN graph) took 55 s exactly, 11 s through HNSW at recall 0.999.
EXACT_PAIRS = 200_000 * 20_000
HNSW_LINKS, HNSW_SEARCH = 16, 64  # FAISS HNSW: M and efSearch (recall 0.996 against exact search on 1M blobs)
FAISS_KMEANS = 50_000_000  # items × K above this: K-means through FAISS (1M × K = 1,000: 3 s; scikit-learn's
#                            Lloyd took 8 s on 100k with 50 iterations and one start, so ~minutes at 1M)


def distinct_rows(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The first row of each distinct value of ``X``'s rows, in order, and each row's position among them.

    UMAP fitted on repeated rows tears their neighbourhoods apart: a row repeated more often than ``n_neighbors``
    finds only itself, and umap-learn's docs say such copies can land in different regions (its ``unique``
    option; ours is the same, done here because the FAISS neighbours are handed to it). A table of three groups
    in two columns, 300 rows and 100 of them repeated, was torn into 19 clusters (ARI 0.17) where the 300 alone
    gave 3 (ARI 0.77). The K sweep reads distinct rows too (``engine.cluster.auto_k``)."""
    rows = np.ascontiguousarray(X).view(np.dtype((np.void, X.dtype.itemsize * X.shape[1]))).ravel()
    _, first, inverse = np.unique(rows, return_index=True, return_inverse=True)
    rank = np.argsort(first)  # distinct values in order of their first row
    position = np.empty_like(rank)
    position[rank] = np.arange(len(rank))
    return first[rank], position[inverse.ravel()]


def sample_indices(n_items: int, size: int, seed: int = 0) -> np.ndarray:
    """An even random sample of ``size`` of ``range(n_items)``, sorted (all of them when there are not more)."""
    if n_items <= size:
        return np.arange(n_items)
    return np.sort(np.random.default_rng(seed).choice(n_items, size, replace=False))


def search_space(X: np.ndarray, fit_rows: np.ndarray, seed: int = 0, chunk: int = 65_536) -> np.ndarray:
    """``X`` as float32 for a neighbour search: its first :data:`SEARCH_DIMS` principal components (fitted on
    ``fit_rows``, projected in chunks) when it is wider, else itself."""
    X = np.asarray(X)
    if X.shape[1] <= SEARCH_DIMS:
        return np.ascontiguousarray(X, dtype=np.float32)
    from sklearn.decomposition import PCA

    with one_blas_thread():
        pca = PCA(SEARCH_DIMS, random_state=seed).fit(np.asarray(X[fit_rows], dtype=np.float32))
        out = np.empty((len(X), SEARCH_DIMS), dtype=np.float32)
        for start in range(0, len(X), chunk):
            out[start:start + chunk] = pca.transform(np.asarray(X[start:start + chunk], dtype=np.float32))
    return out


def one_blas_thread():
    """A context in which BLAS and LAPACK run on one thread, for the PCAs here: LAPACK's SVD ends in other last bits
    with two (up to 3e-4 on 200 × 625 pixels), the UMAP after it draws another map, and the feature probe scored
    the same images 0.324 or 0.357 as the threads went (what else ran in the process set them). It costs nothing:
    20,000 × 1,280 to 50 components took 0.85 s on one thread against 1.13 s on two (2 cores)."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(1, user_api="blas")


def components(X, dims: int, seed: int = 0) -> np.ndarray:
    """``X``'s first ``dims`` principal components as float32 (a sparse ``X``, a large graph's adjacency: its
    truncated SVD, which never makes it dense)."""
    from scipy import sparse
    from sklearn.decomposition import PCA, TruncatedSVD

    with one_blas_thread():  # the same components whatever the threads (see one_blas_thread)
        if sparse.issparse(X):
            return TruncatedSVD(dims, random_state=seed).fit_transform(X).astype(np.float32)
        return PCA(dims, random_state=seed).fit_transform(np.asarray(X, dtype=np.float32))


def nearest(reference: np.ndarray, queries: np.ndarray, k: int = NEIGHBOURS) -> tuple[np.ndarray, np.ndarray]:
    """For each query row, its ``k`` nearest reference rows: euclidean distances and indices (FAISS; exact up to
    :data:`EXACT_PAIRS` query × reference pairs, HNSW beyond)."""
    import faiss

    reference = np.ascontiguousarray(reference, dtype=np.float32)
    queries = np.ascontiguousarray(queries, dtype=np.float32)
    k = min(k, len(reference))
    if len(queries) * len(reference) <= EXACT_PAIRS:
        index = faiss.IndexFlatL2(reference.shape[1])
    else:
        index = faiss.IndexHNSWFlat(reference.shape[1], HNSW_LINKS)
        index.hnsw.efSearch = max(HNSW_SEARCH, k)
    index.add(reference)
    squared, found = index.search(queries, k)
    return np.sqrt(np.maximum(squared, 0.0)), found


def place(positions: np.ndarray, distances: np.ndarray, indices: np.ndarray) -> np.ndarray:
    """Each query at the inverse-distance-weighted mean of its neighbours' ``positions`` (on top of one it
    duplicates)."""
    weights = 1.0 / (distances + 1e-6 * (distances.max(initial=0.0) + 1e-12))
    weights /= weights.sum(axis=1, keepdims=True)
    return np.einsum("nk,nkd->nd", weights, positions[indices]).astype(np.float32)


def vote(labels: np.ndarray, indices: np.ndarray) -> np.ndarray:
    """Each query's label: the one most of its neighbours have (the nearest one's on a tie)."""
    neighbour_labels = labels[indices]
    shared = (neighbour_labels[:, :, None] == neighbour_labels[:, None, :]).sum(axis=2)  # per neighbour: how many
    first_best = np.argmax(shared == shared.max(axis=1, keepdims=True), axis=1)  # agree with it; nearest first
    return neighbour_labels[np.arange(len(indices)), first_best]


def fit_on_sample(X: np.ndarray, fit, seed: int = 0, size: int | None = None, what: str = "the map",
                  reporter: Reporter | None = None) -> tuple[np.ndarray, str]:
    """``fit`` (rows → positions) run on an even sample of ``size`` rows of ``X``; every other row placed among its
    nearest sampled rows (:func:`place`). Returns every row's position and a sentence saying what was done."""
    reporter = ensure(reporter)
    size = size or FIT_SAMPLE
    rows = sample_indices(len(X), size, seed)
    reporter.update(0.0, f"{what}: fitting on a {len(rows):,}-item sample of {len(X):,}")
    fitted = np.asarray(fit(np.asarray(X[rows])), dtype=np.float32)
    if len(rows) == len(X):
        return fitted, ""
    reporter.update(0.7, f"{what}: placing the other {len(X) - len(rows):,} items among their nearest sampled ones")
    out = np.empty((len(X), fitted.shape[1]), dtype=np.float32)
    out[rows] = fitted
    for part, distances, indices, done, total in _nearest_sampled(X, rows, seed):
        out[part] = place(fitted, distances, indices)
        reporter.update(0.7 + 0.3 * done / total, f"{what}: placed {done:,} of {total:,}")
    return out, sample_note(what, len(X), size)


def sample_note(what: str, n_items: int, size: int | None = None) -> str:
    """What :func:`fit_on_sample` does at this size, in a sentence."""
    size = size or FIT_SAMPLE
    return (f"{what} was fitted on an even {size:,}-item sample (past {size:,} items a full fit costs minutes) and "
            f"the other {n_items - size:,} items placed among their {NEIGHBOURS} nearest sampled items")


def assign_from_sample(X: np.ndarray, rows: np.ndarray, labels: np.ndarray, seed: int = 0) -> np.ndarray:
    """Labels for every row of ``X`` from ``labels`` of its sampled ``rows``: each other row takes the label most
    of its :data:`NEIGHBOURS` nearest sampled rows have (noise, ``-1``, included)."""
    out = np.empty(len(X), dtype=np.int64)
    out[rows] = labels
    for part, _, indices, _, _ in _nearest_sampled(X, rows, seed):
        out[part] = vote(np.asarray(labels), indices)
    return out


def _nearest_sampled(X: np.ndarray, rows: np.ndarray, seed: int, chunk: int = 262_144):
    """For the rows of ``X`` outside the sample ``rows``, chunk by chunk: the chunk's row indices, the distances and
    sample positions of their :data:`NEIGHBOURS` nearest sampled rows, and how many are done of how many."""
    rest = np.setdiff1d(np.arange(len(X)), rows, assume_unique=True)
    if not len(rest):
        return
    search = search_space(X, rows, seed)
    reference = search[rows]
    for start in range(0, len(rest), chunk):
        part = rest[start:start + chunk]
        distances, indices = nearest(reference, search[part])
        yield part, distances, indices, start + len(part), len(rest)
