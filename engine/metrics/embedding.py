"""How good an embedding is when labels exist: kNN accuracy and K-means agreement."""

from __future__ import annotations

import numpy as np

from engine.metrics.scores import external_scores


def knn_accuracy(X: np.ndarray, labels: np.ndarray, k: int = 20, folds: int = 5, seed: int = 0,
                 metric: str = "cosine") -> float:
    """Mean accuracy of a k-nearest-neighbour vote (cosine: an embedding's usual reading) over stratified folds."""
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from sklearn.neighbors import KNeighborsClassifier

    folds = min(folds, int(np.bincount(labels).min()))
    if folds < 2:
        raise ValueError("kNN accuracy needs at least 2 items of every class")
    knn = KNeighborsClassifier(n_neighbors=min(k, len(X) - len(X) // folds - 1), metric=metric)
    cv = StratifiedKFold(folds, shuffle=True, random_state=seed)
    return float(cross_val_score(knn, X, labels, cv=cv).mean())


def embedding_scores(X: np.ndarray, labels: np.ndarray, seed: int = 0) -> dict[str, float]:
    """kNN accuracy (k=20, cosine, 5-fold) and K-means (K = classes) ACC / NMI / ARI."""
    from sklearn.cluster import KMeans

    k = len(np.unique(labels))
    found = KMeans(k, n_init=4, random_state=seed).fit_predict(X)
    kmeans = {f"kmeans_{name}": value for name, value in external_scores(labels, found).items()}
    return {"knn_acc": knn_accuracy(X, labels, seed=seed), **kmeans}


KNN_SAMPLE = 5000  # items the run's kNN accuracy reads past this many (as the silhouette): 0.2-1.1 s on 2 cores
KNN_MIN_CLASS = 5  # a class with fewer members in that sample cannot fill five folds: left out of the vote


def run_knn_accuracy(X: np.ndarray, labels: np.ndarray, seed: int = 0) -> float | None:
    """kNN accuracy (20 neighbours, euclidean as the clusterers read it, 5 folds) in the space a run clustered:
    how well that space keeps each class together whatever the clusterer makes of it (a high one beside a low ARI
    points at the clusterer or K, not the space). On an even sample of :data:`KNN_SAMPLE` past that size; classes with fewer than
    :data:`KNN_MIN_CLASS` sampled members are left out; ``None`` when under two classes remain or the space is a
    graph's sparse adjacency."""
    from scipy import sparse

    if sparse.issparse(X):
        return None
    X, labels = np.asarray(X), np.asarray(labels)
    if len(X) > KNN_SAMPLE:
        rows = np.sort(np.random.default_rng(seed).choice(len(X), KNN_SAMPLE, replace=False))
        X, labels = X[rows], labels[rows]
    counts = np.bincount(labels)
    keep = counts[labels] >= KNN_MIN_CLASS
    if len(np.unique(labels[keep])) < 2:
        return None
    _, codes = np.unique(labels[keep], return_inverse=True)
    return knn_accuracy(X[keep].reshape(keep.sum(), -1), codes, seed=seed, metric="euclidean")
