"""Gaussian mixture (scikit-learn): soft, elliptical clusters."""


from engine.params import Choice, Int
from engine.cluster.shared import N_CLUSTERS
from engine.registry import Entry


def make(seed: int, n_clusters: int = 10, covariance_type: str = "full", **_: object):
    from sklearn.mixture import GaussianMixture

    return GaussianMixture(n_components=n_clusters, covariance_type=covariance_type, n_init=2, random_state=seed)


ENTRY = Entry(
    name="gmm", label="Gaussian mixture", make=make,
    params=(N_CLUSTERS,
            Choice("covariance_type", "full", ("full", "diag", "tied", "spherical"),
                   help="'full' fits ellipses; use 'diag' on wide features.")),
    description="Each cluster a Gaussian; handles elongated clusters that K-means splits.",
    tags=frozenset({"k"}),
)
