"""Cluster quality scores.

Internal scores (silhouette, Calinski-Harabasz, Davies-Bouldin) need no labels and
are computed on the clustered points without noise. External scores (ARI, NMI,
accuracy after Hungarian matching) compare with known labels over *all* points:
noise counts as one more predicted group, so calling points noise is not free.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

SILHOUETTE_SAMPLE = 5000


def n_clusters(labels: np.ndarray) -> int:
    return int(len(np.unique(labels[labels >= 0])))


def noise_fraction(labels: np.ndarray) -> float:
    return float(np.mean(labels < 0)) if len(labels) else 0.0


def internal_scores(X: np.ndarray, labels: np.ndarray, seed: int = 0) -> dict[str, float | None]:
    """Silhouette (sampled above 5,000 points), CH and DB on non-noise points; ``None`` if under 2 clusters."""
    from sklearn import metrics

    keep = labels >= 0
    X, labels = X[keep], labels[keep]
    k = n_clusters(labels)
    if k < 2 or k >= len(labels):
        return {"silhouette": None, "calinski_harabasz": None, "davies_bouldin": None}
    sample = SILHOUETTE_SAMPLE if len(labels) > SILHOUETTE_SAMPLE else None
    if sparse.issparse(X):  # a large graph's adjacency rows: the silhouette reads them sparse; CH and DB cannot
        return {"silhouette": float(metrics.silhouette_score(X, labels, sample_size=sample, random_state=seed)),
                "calinski_harabasz": None, "davies_bouldin": None}
    return {
        "silhouette": float(metrics.silhouette_score(X, labels, sample_size=sample, random_state=seed)),
        "calinski_harabasz": float(metrics.calinski_harabasz_score(X, labels)),
        "davies_bouldin": float(metrics.davies_bouldin_score(X, labels)),
    }


def clustering_accuracy(truth: np.ndarray, predicted: np.ndarray) -> float:
    """Best one-to-one matching of predicted groups to classes (Hungarian), as a fraction correct."""
    from scipy.optimize import linear_sum_assignment

    classes, truth_idx = np.unique(truth, return_inverse=True)
    groups, pred_idx = np.unique(predicted, return_inverse=True)
    contingency = np.zeros((len(groups), len(classes)), dtype=np.int64)
    np.add.at(contingency, (pred_idx, truth_idx), 1)
    rows, cols = linear_sum_assignment(contingency, maximize=True)
    return float(contingency[rows, cols].sum() / len(truth))


def external_scores(truth: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    from sklearn import metrics

    return {
        "ari": float(metrics.adjusted_rand_score(truth, predicted)),
        "nmi": float(metrics.normalized_mutual_info_score(truth, predicted)),
        "acc": clustering_accuracy(truth, predicted),
    }


def score(X: np.ndarray, labels: np.ndarray, truth: np.ndarray | None = None, seed: int = 0) -> dict:
    """Every score that applies: cluster count, noise share, internal scores, and external ones with labels."""
    out: dict = {"n_clusters": n_clusters(labels), "noise_fraction": noise_fraction(labels)}
    out.update(internal_scores(X, labels, seed))
    if truth is not None:
        out.update(external_scores(truth, labels))
    return out
