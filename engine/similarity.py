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

BLOCK = 1024  # rows compared at a time: a 1,024 × n similarity block (n = 100,000: 400 MB of float32)
EXACT_PAIRS_LIMIT = 20_000  # all-pairs search on the full features up to here; past it, on a 64-D PCA first
CANDIDATES = 10  # neighbours looked at per item for near-duplicates
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
        first (at most ``limit``). Each item's :data:`CANDIDATES` nearest are looked at, so a group of more than
        that many copies of one image is found as overlapping pairs rather than all of its pairs."""
        reporter = ensure(reporter)
        n = len(self.vectors)
        search = self.vectors if n <= EXACT_PAIRS_LIMIT else prepared(_pca(self.vectors, 64))
        k = min(CANDIDATES + 1, n)
        found: dict[tuple[int, int], float] = {}
        for start in range(0, n, BLOCK):
            reporter.update(start / n, f"comparing items {start:,}/{n:,}")
            rows = slice(start, min(start + BLOCK, n))
            block = search[rows] @ search.T
            block[np.arange(block.shape[0]), np.arange(rows.start, rows.stop)] = -np.inf
            nearest = np.argpartition(-block, k - 1, axis=1)[:, :k - 1] if k > 1 else np.empty((len(block), 0), int)
            for offset, js in enumerate(nearest):
                i = rows.start + offset
                for j in js.tolist():
                    pair = (min(i, j), max(i, j))
                    if pair not in found:
                        similarity = float(self.vectors[i] @ self.vectors[j])  # confirmed on the full features
                        if similarity >= threshold:
                            found[pair] = similarity
        reporter.update(1.0, f"{len(found):,} near-duplicate pairs")
        pairs = sorted(((i, j, s) for (i, j), s in found.items()), key=lambda p: (-p[2], p[0], p[1]))
        return pairs[:limit]


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
