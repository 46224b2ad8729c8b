"""A spectral node embedding (Laplacian eigenmaps of the adjacency, rows normalised), then K-means on it."""

import numpy as np
from scipy import sparse

from engine.cluster.auto_k import by_eigengap
from engine.cluster.graph_shared import GRAPH
from engine.cluster.shared import N_CLUSTERS, Estimator
from engine.params import Int
from engine.registry import Entry


class EmbeddingKMeans(Estimator):
    def __init__(self, n_clusters: int = 2, dims: int = 0, random_state: int | None = None):
        self.n_clusters, self.dims, self.random_state = n_clusters, dims, random_state

    def fit(self, X, y=None):
        dims = max(1, min(self.dims or self.n_clusters, X.shape[0] - 2))
        from sklearn.cluster import KMeans
        from sklearn.manifold import SpectralEmbedding

        embedding = SpectralEmbedding(n_components=dims, affinity="precomputed",
                                      random_state=self.random_state).fit_transform(
            X.astype(np.float64) if sparse.issparse(X) else np.asarray(X, dtype=np.float64))
        # rows onto the unit sphere (Ng, Jordan & Weiss): high- and low-degree nodes of a community then agree
        embedding = embedding / np.maximum(np.linalg.norm(embedding, axis=1, keepdims=True), 1e-12)
        self.labels_ = KMeans(self.n_clusters, n_init=10, random_state=self.random_state).fit_predict(embedding)
        return self


def make(seed: int, n_clusters: int = 2, dims: int = 0, **_: object) -> EmbeddingKMeans:
    return EmbeddingKMeans(n_clusters, dims, seed)


ENTRY = Entry(
    name="embedding_kmeans", label="Node embedding + K-means (graph)", make=make,
    params=(N_CLUSTERS,
            Int("dims", 0, 0, 64, help="Size of the spectral node embedding (0: as many as clusters).")),
    description="Embeds every node by the Laplacian's eigenvectors, then K-means on those vectors.",
    tags=GRAPH | {"k"}, choose_k=by_eigengap)
