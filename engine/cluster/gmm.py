"""Gaussian mixture (scikit-learn): soft, elliptical clusters."""

from __future__ import annotations

import numpy as np

from engine.cluster.shared import N_CLUSTERS
from engine.params import Choice
from engine.registry import Entry

REG_COVAR = 1e-6  # scikit-learn's own: added to each covariance's diagonal
RETRIES = 3  # a collapsed fit is tried again with 100× the regularisation, up to 1e-6 × 100³ = 1 (unit variances)


class GMM:
    """scikit-learn's ``GaussianMixture`` that does not give up on a collapsed component. With more dimensions
    than items in a cluster (50 rows of a 2,000-column table, or a 10-D clustering space cut into many small
    clusters) a full covariance is singular; scikit-learn then stops with advice about ``reg_covar``, a setting
    this app does not show. Here the fit is tried again with more regularisation (each covariance's diagonal
    raised), and ``note`` says how much was needed."""

    def __init__(self, seed: int, n_clusters: int, covariance_type: str):
        self.seed, self.n_clusters, self.covariance_type = seed, n_clusters, covariance_type
        self.note = ""

    def fit_predict(self, X: np.ndarray) -> np.ndarray:
        from sklearn.mixture import GaussianMixture

        reg = REG_COVAR
        for attempt in range(RETRIES + 1):
            model = GaussianMixture(n_components=self.n_clusters, covariance_type=self.covariance_type, n_init=2,
                                    reg_covar=reg, random_state=self.seed)
            try:
                labels = model.fit_predict(X)
            except ValueError as error:
                if "ill-defined empirical covariance" not in str(error) or attempt == RETRIES:
                    raise ValueError(f"the Gaussian mixture collapsed (a cluster with too few items for its "
                                     f"{X.shape[1]:,} dimensions) even with {reg:g} added to each variance: "
                                     "try fewer clusters, covariance_type 'diag', or K-means") from error
                reg *= 100
                continue
            if reg > REG_COVAR:
                self.note = (f"the Gaussian mixture's covariances were singular (clusters with fewer items than "
                             f"dimensions): it was fitted with {reg:g} added to each variance, not {REG_COVAR:g}")
            self.model_ = model
            return labels
        raise AssertionError("unreachable")


def make(seed: int, n_clusters: int = 10, covariance_type: str = "full", **_: object) -> GMM:
    return GMM(seed, n_clusters, covariance_type)


ENTRY = Entry(
    name="gmm", label="Gaussian mixture", make=make,
    params=(N_CLUSTERS,
            Choice("covariance_type", "full", ("full", "diag", "tied", "spherical"),
                   help="'full' fits ellipses; use 'diag' on wide features.")),
    description="Each cluster a Gaussian; handles elongated clusters that K-means splits.",
    tags=frozenset({"k"}),
)
