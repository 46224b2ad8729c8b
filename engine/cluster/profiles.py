"""Which items to show for each cluster: size, representatives near the centre, outliers far from it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse


@dataclass
class ClusterProfile:
    label: int
    size: int
    representatives: np.ndarray
    outliers: np.ndarray

    @property
    def name(self) -> str:
        return "Noise" if self.label < 0 else f"Cluster {self.label}"


def by_typicality(X: np.ndarray, members: np.ndarray) -> np.ndarray:
    """``members`` ordered from nearest to farthest from their mean in ``X`` (ties keep their order); a sparse ``X``
    (a large graph's adjacency) is never made dense: |x - m|² = |x|² - 2 x·m + |m|²."""
    if sparse.issparse(X):
        rows = sparse.csr_matrix(X[members], dtype=np.float64)
        centre = np.asarray(rows.mean(axis=0)).ravel()
        squared = np.asarray(rows.multiply(rows).sum(axis=1)).ravel() - 2 * (rows @ centre) + centre @ centre
        distance = np.sqrt(np.maximum(squared, 0.0))
    else:
        distance = np.linalg.norm(X[members] - X[members].mean(axis=0), axis=1)
    return members[np.argsort(distance, kind="stable")]


def cluster_profiles(X: np.ndarray, labels: np.ndarray, n_representatives: int = 12,
                     n_outliers: int = 4, seed: int = 0) -> list[ClusterProfile]:
    """One profile per cluster, largest first, noise (``-1``) last.

    Representatives are the members nearest the cluster mean in ``X`` (the space the
    clustering ran on); outliers are the farthest. Noise has no centre, so it shows a
    random sample and no outliers.
    """
    rng = np.random.default_rng(seed)
    profiles = []
    found, counts = np.unique(labels, return_counts=True)
    order = sorted(zip(found, counts), key=lambda fc: (fc[0] < 0, -fc[1]))
    for label, size in order:
        members = np.flatnonzero(labels == label)
        if label < 0:
            sample = rng.choice(members, size=min(n_representatives, len(members)), replace=False)
            profiles.append(ClusterProfile(int(label), int(size), np.sort(sample), np.array([], dtype=np.int64)))
            continue
        ranked = by_typicality(X, members)
        n_out = min(n_outliers, max(len(members) - n_representatives, 0))
        profiles.append(ClusterProfile(int(label), int(size), ranked[:n_representatives],
                                       ranked[::-1][:n_out] if n_out else np.array([], dtype=np.int64)))
    return profiles
