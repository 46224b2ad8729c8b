"""K-means (scikit-learn): K compact, roughly spherical clusters."""

from sklearn.cluster import KMeans

from engine.params import Int
from engine.cluster.shared import N_CLUSTERS
from engine.registry import Entry


def make(seed: int, n_clusters: int = 10, n_init: int = 4, **_: object) -> KMeans:
    return KMeans(n_clusters=n_clusters, n_init=n_init, random_state=seed)


ENTRY = Entry(
    name="kmeans", label="K-means", make=make,
    params=(N_CLUSTERS,
            Int("n_init", 4, 1, 20, help="Restarts; the best is kept.")),
    description="Minimises within-cluster variance; every point gets a cluster.",
    tags=frozenset({"k"}),
)
