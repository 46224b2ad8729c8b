"""t-SNE through openTSNE (FFT-accelerated; 20,000 items in ~40 s on 2 cores), with a PCA step first for wide inputs
as the original paper advises."""

from __future__ import annotations

import numpy as np

from engine.params import Float
from engine.registry import Entry

PCA_DIMS = 50


class TSNE:
    """openTSNE's t-SNE with a scikit-learn ``fit_transform``: PCA initialisation, the FFT gradient in 2-D
    (Barnes-Hut in 3-D, which the FFT does not support)."""

    def __init__(self, n_components: int, perplexity: float, seed: int, pca_dims: int | None):
        self.n_components, self.perplexity, self.seed, self.pca_dims = n_components, perplexity, seed, pca_dims

    def fit_transform(self, X: np.ndarray) -> np.ndarray:
        """The embedding of ``X``'s rows; repeated rows are embedded once and share their point, as UMAP's are
        (:func:`engine.scale.distinct_rows`). Rows that are all one value are placed at the origin: openTSNE scales
        its PCA start by the spread of the first component, divides by zero, and its FFT gradient then crashed the
        whole process (a segmentation fault, taking the app's server with it) on a zip of ten copies of one image."""
        from engine.scale import distinct_rows

        X = np.asarray(X, dtype=np.float32)
        first, inverse = distinct_rows(X)
        if len(first) == 1:
            return np.zeros((len(X), self.n_components), dtype=np.float32)
        return self._fit(X[first])[inverse]

    def _fit(self, X: np.ndarray) -> np.ndarray:
        import openTSNE
        from sklearn.decomposition import PCA

        if self.pca_dims and len(X) > self.pca_dims:
            X = PCA(self.pca_dims, random_state=self.seed).fit_transform(X).astype(np.float32)
        model = openTSNE.TSNE(n_components=self.n_components, perplexity=perplexity_for(len(X), self.perplexity),
                              initialization="pca", negative_gradient_method="fft" if self.n_components <= 2 else "bh",
                              random_state=self.seed, n_jobs=-1, verbose=False)
        return np.asarray(model.fit(X), dtype=np.float32)


def perplexity_for(n_items: int, perplexity: float) -> float:
    """At most (n - 1) / 3 - 1 (openTSNE needs 3 × perplexity neighbours), at least 1."""
    return min(perplexity, max((n_items - 1) / 3 - 1, 1.0))


def make(n_components: int, seed: int, n_items: int = 0, n_features: int = 0, perplexity: float = 30.0,
         **_: object) -> TSNE:
    wide = n_features > PCA_DIMS and n_items > PCA_DIMS
    return TSNE(n_components, perplexity_for(n_items, perplexity), seed, PCA_DIMS if wide else None)


ENTRY = Entry(
    name="tsne", label="t-SNE", make=make,
    params=(Float("perplexity", 30.0, 2.0, 100.0, step=1.0, help="Roughly the number of neighbours each point sees."),),
    description="Non-linear map of local neighbourhoods; distances between clusters are not meaningful.",
    tags=frozenset({"sampled"}),  # fitted on a sample past engine.scale.FIT_SAMPLE items
)
