"""How good an embedding is when labels exist: kNN accuracy and K-means agreement."""

from __future__ import annotations

import numpy as np

from engine.metrics.scores import external_scores


def knn_accuracy(X: np.ndarray, labels: np.ndarray, k: int = 20, folds: int = 5, seed: int = 0) -> float:
    """Mean accuracy of a cosine k-nearest-neighbour vote over stratified folds."""
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from sklearn.neighbors import KNeighborsClassifier

    folds = min(folds, int(np.bincount(labels).min()))
    if folds < 2:
        raise ValueError("kNN accuracy needs at least 2 items of every class")
    knn = KNeighborsClassifier(n_neighbors=min(k, len(X) - len(X) // folds - 1), metric="cosine")
    cv = StratifiedKFold(folds, shuffle=True, random_state=seed)
    return float(cross_val_score(knn, X, labels, cv=cv).mean())


def embedding_scores(X: np.ndarray, labels: np.ndarray, seed: int = 0) -> dict[str, float]:
    """kNN accuracy (k=20, cosine, 5-fold) and K-means (K = classes) ACC / NMI / ARI."""
    from sklearn.cluster import KMeans

    k = len(np.unique(labels))
    found = KMeans(k, n_init=4, random_state=seed).fit_predict(X)
    kmeans = {f"kmeans_{name}": value for name, value in external_scores(labels, found).items()}
    return {"knn_acc": knn_accuracy(X, labels, seed=seed), **kmeans}
