"""More like this, and near-duplicates: exact nearest neighbours by cosine similarity.

*More like this* searches a run's features (what the clusterer's space was made from), centred on their mean before
the cosine (raw pixels and ReLU features are all positive, so uncentred any two images look alike).

*Near-duplicates* (the same picture saved twice, resized, re-encoded, a little brighter) are found on a
different description of each image: its 16 × 16 colour thumbnail, less its own mean and then less the collection's
mean thumbnail (:func:`duplicate_descriptors`, :meth:`SimilarityIndex.of_images`); the collection's mean takes away
what all its pictures share (a horizon, a white page), which otherwise made unrelated photos look alike. Measured
with 40 near-copies (resized to 90 % and back, 6 % brighter, JPEG at quality 60) on each of: the digits, 2,000 MNIST
digits, the shapes demo, scikit-image's photos and 2,000 generated landscape-like photos (``bench/images.py``,
one layout for all): a copy's similarity to its original was at least 0.960 (MNIST; 0.985-0.991 elsewhere; 10th
percentile 0.969-0.997), while an unrelated nearest neighbour reached 0.97 for 4.3 % of MNIST digits (distinct
strokes nearly identical at 16 px), 1.1 % of the digits, 0.1 % of the photos and none of the shapes, hence
:data:`DUPLICATE_THRESHOLD`. (Grayscale thumbnails without the collection's mean put 62 % of the generated photos
within 0.97 of an unrelated one.) The pretrained encoder's features put copies at 0.18-0.71, below unrelated
neighbours (0.75-0.81): what an image shows is not how it was saved. Crops are not near-copies here (5 % off each side
dropped a photo's similarity to 0.34-0.91): a cropped copy is "more like this".

Both search exactly, in blocks of rows, with NumPy: on this 2-core CPU a query over 100,000 × 1,280 features takes a
fraction of a second, and a whole set's near-duplicates up to :data:`EXACT_PAIRS_LIMIT` items take seconds. Past
that the candidates come from a 64-dimensional PCA and are confirmed on the full description.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.progress import Reporter, ensure

BLOCK = 512  # rows compared at a time: a 512 × n similarity block (n = 100,000: 200 MB of float32)
EXACT_PAIRS_LIMIT = 20_000  # all-pairs search on the full vectors up to here; past it, on a PCA first
SEARCH_DIMS, SEARCH_MARGIN = 64, 0.05  # that PCA's dimensions, and how much lower its bar is before confirming
CANDIDATES = 10  # near-duplicate candidates kept per item on average where a block holds more
DUPLICATE_LIMIT = 10_000  # pairs returned at most (the most similar)
DUPLICATE_SIZE = 16  # px: the colour thumbnail that describes an image for near-duplicates
DUPLICATE_THRESHOLD = 0.97  # similarity of near-copies (see the module's note); the page's slider starts here


def duplicate_descriptors(images: np.ndarray, size: int = DUPLICATE_SIZE) -> np.ndarray:
    """Each ``H×W×3`` image as its ``size``×``size`` colour thumbnail (box-filtered), less its own mean, unit
    length: a copy resized, re-encoded or brightened stays close; a flat image matches nothing."""
    from PIL import Image

    out = np.empty((len(images), size * size * 3), dtype=np.float32)
    for i, image in enumerate(images):
        small = np.asarray(Image.fromarray(image).resize((size, size), Image.Resampling.BOX), dtype=np.float32).ravel()
        small -= small.mean()
        norm = np.linalg.norm(small)
        out[i] = small / norm if norm > 1e-6 else 0.0
    return out


def prepared(features: np.ndarray) -> np.ndarray:
    """Centred, unit-length float32 rows (an all-zero row stays zero and matches nothing)."""
    x = np.asarray(features, dtype=np.float32)
    x = x - x.mean(axis=0, keepdims=True)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.where(norms > 0, norms, 1.0)


@dataclass
class SimilarityIndex:
    """Exact cosine search over ``vectors`` (rows made by :func:`prepared`)."""

    vectors: np.ndarray
    measure = "cosine similarity, 1 = the same direction"  # what :meth:`more_like`'s scores are, for a caption
    column = "similarity"

    @classmethod
    def build(cls, features: np.ndarray) -> "SimilarityIndex":
        """An index of a run's features (centred, unit length)."""
        return cls(prepared(features))

    @classmethod
    def of_images(cls, images: np.ndarray) -> "SimilarityIndex":
        """An index for near-duplicates: :func:`duplicate_descriptors` less the collection's mean, unit length."""
        return cls(prepared(duplicate_descriptors(images)))

    def __len__(self) -> int:
        return len(self.vectors)

    def more_like(self, index: int, k: int = 12) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` items most like item ``index``, itself first, with their cosine similarities."""
        scores = self.vectors @ self.vectors[index]
        scores[index] = np.inf  # itself first, even beside an exact copy
        order = _top(scores, min(k, len(scores)))
        scores[index] = float(self.vectors[index] @ self.vectors[index])
        return order, scores[order]

    def near_duplicates(self, threshold: float, reporter: Reporter | None = None,
                        limit: int = DUPLICATE_LIMIT) -> list[tuple[int, int, float]]:
        """Pairs ``(i, j, similarity)`` with ``i < j`` and cosine similarity at least ``threshold``, most similar
        first (at most ``limit``). Each block of rows is compared with the items after it only (every pair once);
        past :data:`EXACT_PAIRS_LIMIT` items the comparison runs on a :data:`SEARCH_DIMS`-D PCA with a
        :data:`SEARCH_MARGIN` lower bar, and every candidate is confirmed on the full vectors. Where a block holds
        more than :data:`CANDIDATES` candidates an item on average (a collection of look-alikes), its most similar
        ones are kept."""
        reporter = ensure(reporter)
        n = len(self.vectors)
        exact = n <= EXACT_PAIRS_LIMIT
        search = self.vectors if exact else prepared(_pca(self.vectors, SEARCH_DIMS))
        floor = threshold if exact else threshold - SEARCH_MARGIN
        found_i, found_j, found_s = [], [], []
        work = n * (n + 1) / 2
        for start in range(0, n, BLOCK):
            done = work - (n - start) * (n - start + 1) / 2
            reporter.update(done / work, f"comparing items {start:,}/{n:,}")
            stop = min(start + BLOCK, n)
            block = search[start:stop] @ search[start:].T  # rows: items start..stop-1; columns: items start..n-1
            rows, columns = np.nonzero(block >= floor)
            later = columns > rows  # j > i: each pair once, never an item with itself
            rows, columns = rows[later], columns[later]
            cap = CANDIDATES * (stop - start)
            if len(rows) > cap:
                best = np.argpartition(-block[rows, columns], cap - 1)[:cap]
                rows, columns = rows[best], columns[best]
            i, j = rows + start, columns + start
            similarity = np.einsum("ij,ij->i", self.vectors[i], self.vectors[j])  # confirmed on the full vectors
            keep = similarity >= threshold
            found_i.append(i[keep])
            found_j.append(j[keep])
            found_s.append(similarity[keep])
        i, j, similarity = (np.concatenate(parts) if parts else np.zeros(0) for parts in (found_i, found_j, found_s))
        order = np.lexsort((j, i, -similarity))[:limit]
        reporter.update(1.0, f"{len(similarity):,} near-duplicate pairs")
        return [(int(a), int(b), float(c)) for a, b, c in zip(i[order], j[order], similarity[order])]


@dataclass
class DTWIndex:
    """More like this for series a run clustered under DTW: the same distance, with the run's Sakoe-Chiba
    ``radius``, from the item to every series (dtaidistance's C, in parallel), nearest first."""

    series: np.ndarray
    radius: int | None = None
    measure = "DTW distance, 0 = the same shape: the distance the clusters were found with"
    column = "DTW distance"

    def __len__(self) -> int:
        return len(self.series)

    def more_like(self, index: int, k: int = 12) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` series nearest to series ``index`` under DTW, itself first, with their distances."""
        from engine.cluster import dtw_c

        return _nearest_first(dtw_c.to_centres(self.series, self.series[[index]], self.radius)[:, 0], index, k)


@dataclass
class ShapeIndex:
    """More like this for series a run clustered with k-Shape: the same shape-based distance (1 - the best
    normalised cross-correlation over shifts), from the item to every series by FFT, nearest first."""

    series: np.ndarray
    measure = ("shape-based distance (k-Shape's), 0 = the same shape at some shift: the distance the clusters were "
               "found with")
    column = "shape distance"

    def __len__(self) -> int:
        return len(self.series)

    def more_like(self, index: int, k: int = 12) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` series nearest to series ``index`` by shape, itself first, with their distances."""
        from engine.cluster.kshape import sbd

        return _nearest_first(sbd(self.series, self.series[[index]])[:, 0], index, k)


def _nearest_first(distances: np.ndarray, index: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` nearest by ``distances`` (each item's to item ``index``), that item first, and their distances."""
    distances[index] = -np.inf  # itself first, even beside an exact copy
    order = _top(-distances, min(k, len(distances)))
    distances[index] = 0.0
    return order, distances[order]


# DTW from one series to every other fills n × length × band-width cells: ~2e8 a second on this 2-core CPU
# (5,000 series of 500 steps, no band: 5.5 s a query). Past DTW_SEARCH_CELLS a query would keep a click waiting
# over ~5 s, so the search is by cosine, and says why.
DTW_SEARCH_CELLS = 1e9


def index_for(features: np.ndarray, clusterer: str, params: dict) -> SimilarityIndex | DTWIndex | ShapeIndex:
    """The search behind *more like this* for a run: under DTW where the run clustered series under DTW (and
    dtaidistance's C code is here, and a query fills at most :data:`DTW_SEARCH_CELLS`), by shape where k-Shape
    clustered them, else cosine over its features."""
    from engine.cluster import dtw_c
    from engine.timeseries import centre_metric

    metric = centre_metric(clusterer, params)
    if metric == "sbd":  # a query costs one FFT cross-correlation per series: milliseconds for thousands
        from engine.cluster.kshape import znormalise

        return ShapeIndex(znormalise(features))

    if metric == "dtw" and dtw_c.available():
        from engine.cluster.ts_kmeans import dtw_cells, radius

        n, length = np.asarray(features).shape
        cells = dtw_cells(n, 1, length, params.get("band", 0.0))[0]
        if cells <= DTW_SEARCH_CELLS:
            return DTWIndex(np.ascontiguousarray(features, dtype=np.double), radius(params.get("band", 0.0), length))
        index = SimilarityIndex.build(features)
        index.measure = (f"{SimilarityIndex.measure}; not DTW, which the clusters were found with: from one series "
                         f"to all {n:,} it would fill {cells:.1e} cells, seconds a click (a narrower band is faster)")
        return index
    return SimilarityIndex.build(features)


def _top(scores: np.ndarray, k: int) -> np.ndarray:
    if k >= len(scores):
        return np.argsort(-scores, kind="stable")
    top = np.argpartition(-scores, k - 1)[:k]
    return top[np.argsort(-scores[top], kind="stable")]


def _pca(x: np.ndarray, dims: int) -> np.ndarray:
    if x.shape[1] <= dims:
        return x
    from sklearn.decomposition import PCA

    return PCA(n_components=dims, svd_solver="randomized", random_state=0).fit_transform(x)


def duplicate_groups(pairs: list[tuple[int, int, float]]) -> list[list[int]]:
    """Near-duplicate pairs joined into groups (connected components), largest first."""
    parent: dict[int, int] = {}

    def root(i: int) -> int:
        while parent.setdefault(i, i) != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j, _ in pairs:
        parent[root(i)] = root(j)
    groups: dict[int, list[int]] = {}
    for i in list(parent):
        groups.setdefault(root(i), []).append(i)
    return sorted((sorted(g) for g in groups.values()), key=lambda g: (-len(g), g[0]))
