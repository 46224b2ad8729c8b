"""Against structureless data: are a run's clusters better separated than the pieces the same pipeline cuts data
with no clusters into?

Stability and the silhouette cannot tell. A UMAP clustering space tears even one Gaussian cloud into tight, well
separated pieces that come back on every rerun: 300 points of a 2-D Gaussian got K = 17 at a silhouette of 0.53,
every cluster stable. So the run's features are replaced by Gaussian data with their mean and covariance (the
same spread along every principal axis, and no clusters; Tibshirani, Walther and Hastie's gap statistic also draws
its reference along the principal axes, uniform there), which goes through the same space, clusterer and K; the
silhouette each gives is set against the run's. Measured on 11 generated and scikit-learn sets (through a 10-D
UMAP clustering space, K by the run's rule; the run's silhouette against the mean of two structureless draws):

* with clusters: digits pixels 0.82 against 0.25 (gap 0.57); 8 blobs in 10-D 0.97 / 0.29 (0.68); wine 0.71 /
  0.36 (0.35); iris 0.90 / 0.54 (0.36); breast cancer 0.63 / 0.47 (0.16); 3 touching 2-D blobs 0.70 / 0.58
  (0.12); two moons cut by K-means into 31 0.63 / 0.53 (0.10);
* without: a 2-D Gaussian 0.53 / 0.53 (0.00, K = 17, every cluster stable); a 10-D Gaussian 0.28 / 0.24 (0.03); a
  correlated 20-D one 0.30 / 0.26 (0.04); a uniform cube 0.47 / 0.42 (0.05).

Every set with clusters cleared 0.1; none without passed 0.05. Between the two the reading is "weak".
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from engine.progress import Reporter, ensure

CLEAR, WEAK = 0.1, 0.05  # silhouette gaps: see the table above
SAMPLE = 2000  # items the comparison runs on (the run's silhouette is read on the same sample)
DRAWS = 2  # structureless data sets drawn (their silhouettes varied by 0.002-0.025 on the sets above)


def structureless_like(X: np.ndarray, seed: int) -> np.ndarray:
    """Gaussian data with ``X``'s mean and covariance: its principal axes and the spread along each, no clusters."""
    X = np.asarray(X, dtype=np.float64)
    mean = X.mean(axis=0)
    _, spread, axes = np.linalg.svd(X - mean, full_matrices=False)
    draws = np.random.default_rng(seed).normal(size=(len(X), len(spread))) * (spread / np.sqrt(max(len(X) - 1, 1)))
    return (draws @ axes + mean).astype(np.float32)


def silhouette(X: np.ndarray, labels: np.ndarray, seed: int = 0) -> float:
    """The run's own silhouette (:func:`engine.metrics.scores.internal_scores`: noise left out); 0 where it has none
    (fewer than two clusters, or as many as items)."""
    from engine.metrics.scores import internal_scores

    found = internal_scores(np.asarray(X), np.asarray(labels), seed)["silhouette"]
    return 0.0 if found is None else found


def against_structureless(features: np.ndarray, space: np.ndarray, labels: np.ndarray,
                          clustered: Callable[[np.ndarray, int], tuple[np.ndarray, np.ndarray]], seed: int = 0,
                          reporter: Reporter | None = None) -> dict:
    """``features`` → ``space`` → ``labels`` is the run; ``clustered(X, seed)`` puts other features through the same
    space and clusterer (K fixed) and returns that space and its labels. On a sample of up to :data:`SAMPLE` items."""
    reporter = ensure(reporter)
    rng = np.random.default_rng(seed)
    rows = np.sort(rng.choice(len(features), SAMPLE, replace=False)) if len(features) > SAMPLE else \
        np.arange(len(features))
    real = silhouette(np.asarray(space)[rows], np.asarray(labels)[rows], seed)
    nulls = []
    for draw in range(DRAWS):
        reporter.update(draw / DRAWS, f"structureless data {draw + 1} of {DRAWS}: through the same space and "
                                      "clusterer")
        null_space, null_labels = clustered(structureless_like(np.asarray(features)[rows], seed + 1 + draw), seed)
        nulls.append(silhouette(null_space, null_labels, seed))
    reporter.update(1.0, "compared with structureless data")
    gap = real - float(np.mean(nulls))
    return {"silhouette": real, "null_silhouette": float(np.mean(nulls)), "null_spread": float(np.std(nulls)),
            "gap": gap, "reading": "clear" if gap >= CLEAR else "weak" if gap >= WEAK else "none",
            "items": int(len(rows)), "draws": DRAWS, "clear_at": CLEAR, "weak_at": WEAK}


def null_sentence(found: dict) -> str:
    """What the comparison says, in a sentence or two (from :func:`against_structureless`)."""
    head = (f"Against structureless data: these clusters' silhouette is {found['silhouette']:.2f}; the same space "
            "and clusterer on Gaussian data of this data's spread (no clusters in it) give "
            f"{found['null_silhouette']:.2f} (gap {found['gap']:+.2f}). ")
    if found["reading"] == "clear":
        return head + "The clusters are clearly better separated than the pieces noise is cut into."
    if found["reading"] == "weak":
        return head + (f"Only a little better separated than noise (a gap under {found['clear_at']}): treat the "
                       "clusters with care.")
    return head + ("They are no better separated than the pieces noise is cut into: read them as a partition of "
                   "the data, not as groups it holds.")
