"""Helpers for time-series views: the centre of a cluster under the run's distance."""

from __future__ import annotations

import numpy as np

# What each distance calls its centre, for a caption ("bold: the DTW barycentre")
CENTRE_NAMES = {"dtw": "DTW barycentre", "softdtw": "soft-DTW barycentre",
                "sbd": "k-Shape centre (the shape they share, at any shift)", "euclidean": "mean"}


# The distance a series clusterer's own silhouette is under, in words (euclidean needs no note)
DISTANCE_NAMES = {"dtw": "DTW", "softdtw": "soft-DTW", "sbd": "the shape-based distance (k-Shape's)"}


def silhouette_note(clusterer: str, params: dict) -> str:
    """"the silhouette under DTW, the distance the clusters were found with", or "" where it is euclidean."""
    name = DISTANCE_NAMES.get(centre_metric(clusterer, params))
    return f"the silhouette under {name}, the distance the clusters were found with" if name else ""


def centre_metric(clusterer: str, params: dict) -> str:
    """The distance a run's series clusters were found with, which their centres, their silhouette and *more like
    this* follow: the time-series K-means' metric, k-Shape's shape-based distance ("sbd"), else euclidean."""
    if clusterer == "ts_kmeans":
        return params.get("metric", "euclidean")
    return "sbd" if clusterer == "kshape" else "euclidean"


def barycentre(X: np.ndarray, metric: str = "euclidean", max_members: int = 100, seed: int = 0) -> np.ndarray:
    """The centre of series ``X`` (``n×T``): DTW barycentre averaging for DTW, soft-DTW's barycentre for soft-DTW,
    k-Shape's shape extraction for SBD, the mean otherwise. Large clusters are sampled to ``max_members`` (DBA costs
    a DTW per member per step)."""
    if len(X) > max_members:
        X = X[np.random.default_rng(seed).choice(len(X), max_members, replace=False)]
    if metric == "dtw":
        from tslearn.barycenters import dtw_barycenter_averaging

        return dtw_barycenter_averaging(X[:, :, None], max_iter=10)[:, 0]
    if metric == "softdtw":
        from tslearn.barycenters import softdtw_barycenter

        return softdtw_barycenter(X[:, :, None], gamma=0.1, max_iter=20)[:, 0]
    if metric == "sbd":
        from engine.cluster.kshape import shape_of

        return shape_of(X)
    return X.mean(axis=0)


def nearest_to_centre(X: np.ndarray, centre: np.ndarray, metric: str, count: int, band: float = 0.0) -> np.ndarray:
    """The rows of ``X`` (series) nearest to their ``centre`` under ``metric``, nearest first, ``count`` at most:
    the members a view draws beside the centre, so that the thin lines are the ones the bold one stands for (by
    the shape-based distance for k-Shape, DTW in the run's band for DTW, euclidean otherwise)."""
    from engine.cluster import dtw_c

    if metric == "sbd":
        from engine.cluster.kshape import sbd

        distances = sbd(X, centre[None])[:, 0]
    elif metric == "dtw" and dtw_c.available():
        from engine.cluster.ts_kmeans import radius

        distances = dtw_c.to_centres(np.asarray(X, np.float64), np.asarray(centre, np.float64)[None],
                                     radius(band, X.shape[1]))[:, 0]
    else:  # euclidean (and DTW without dtaidistance's C code, as more like this falls back)
        distances = np.linalg.norm(X - centre, axis=1)
    return np.argsort(distances, kind="stable")[:count]
