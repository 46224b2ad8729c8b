"""Scores for a clustering and the K sweep."""

from engine.metrics.scores import clustering_accuracy, external_scores, internal_scores, score
from engine.metrics.sweep import Sweep, elbow, k_sweep

__all__ = ["score", "internal_scores", "external_scores", "clustering_accuracy", "k_sweep", "elbow", "Sweep"]
from engine.metrics.embedding import embedding_scores, knn_accuracy  # noqa: E402

__all__ += ["embedding_scores", "knn_accuracy"]
