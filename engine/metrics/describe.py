"""What each score means, which way is better, and how to print it: for the app, the CLI and reports."""

from __future__ import annotations

from typing import Any

import pandas as pd

SCORES = {  # key: (label, direction, what it says)
    "n_clusters": ("Clusters", "", "Groups found (noise excluded)."),
    "noise_fraction": ("Noise", "lower", "Share of items left unassigned (-1)."),
    "silhouette": ("Silhouette", "higher", "−1..1: how much closer items are to their own cluster than the next."),
    "calinski_harabasz": ("Calinski-Harabasz", "higher", "Between- over within-cluster dispersion."),
    "davies_bouldin": ("Davies-Bouldin", "lower", "Average similarity of each cluster to its closest one; 0 is best."),
    "ari": ("ARI", "higher", "Agreement with the true labels, corrected for chance; 1 is perfect."),
    "nmi": ("NMI", "higher", "Shared information with the true labels, 0..1."),
    "acc": ("Accuracy", "higher", "Share correct after the best one-to-one matching of clusters to classes."),
    "knn_acc": ("kNN accuracy", "higher", "Share of items their 20 nearest neighbours vote into their own class."),
    "modularity": ("Modularity", "higher", "Graphs: edges inside communities beyond what chance would give; −0.5..1."),
    "conductance": ("Conductance", "lower", "Graphs: mean share of a community's edge weight that leaves it, 0..1."),
    "seconds": ("Seconds", "lower", "Wall time of the whole pipeline."),
}


def format_score(key: str, value: Any, n_clusters: int | None = None) -> str:
    """A score for display; a missing one says why where the cluster count tells (fewer than 2 clusters), else
    that it is not defined for this data (a large graph's sparse adjacency has no Calinski-Harabasz)."""
    if value is None:
        return "n/a (fewer than 2 clusters)" if n_clusters is None or n_clusters < 2 else \
            "n/a (not defined for this data)"
    if key == "noise_fraction":
        return f"{value:.1%}"
    if isinstance(value, float):
        return f"{value:,.3f}"
    return str(value)


def score_frame(rows: dict[str, dict]) -> pd.DataFrame:
    """Rows = runs / methods, columns = the scores that any row has."""
    keys = [k for k in SCORES if any(r.get(k) is not None for r in rows.values())]
    frame = pd.DataFrame({SCORES[k][0]: [r.get(k) for r in rows.values()] for k in keys}, index=list(rows))
    return frame


def score_table(metrics: dict) -> pd.DataFrame:
    """One column of values with what each score means and which way is better."""
    rows = [(SCORES[k][0], format_score(k, metrics[k], metrics.get("n_clusters")), SCORES[k][1] or "—",
             SCORES[k][2])
            for k in SCORES if k in metrics]
    return pd.DataFrame(rows, columns=["Score", "Value", "Better", "Meaning"])
