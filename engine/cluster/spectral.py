"""Spectral clustering (scikit-learn) on a k-nearest-neighbour affinity graph."""


from engine.params import Int
from engine.cluster.shared import N_CLUSTERS
from engine.registry import Entry


def make(seed: int, n_items: int, n_clusters: int = 10, n_neighbors: int = 15, **_: object):
    from sklearn.cluster import SpectralClustering

    return SpectralClustering(n_clusters=n_clusters, affinity="nearest_neighbors",
                              n_neighbors=min(n_neighbors, n_items - 1), assign_labels="cluster_qr",
                              random_state=seed)


ENTRY = Entry(
    name="spectral", label="Spectral", make=make,
    params=(N_CLUSTERS,
            Int("n_neighbors", 15, 2, 200, help="Neighbours in the affinity graph.")),
    description="Clusters the eigenvectors of a neighbour graph; finds non-convex shapes. Past 20,000 items, fitted "
                "on a sample.",
    tags=frozenset({"k"}),
    max_items=20_000,  # 20k items: 7 s on 2 cores; its eigen-solver grows faster than the items
)
