"""Spectral clustering (scikit-learn) on the graph's adjacency as the affinity."""


from engine.cluster.auto_k import by_eigengap
from engine.cluster.graph_shared import GRAPH
from engine.cluster.shared import N_CLUSTERS
from engine.registry import Entry


def make(seed: int, n_clusters: int = 2, **_: object):
    from sklearn.cluster import SpectralClustering

    return SpectralClustering(n_clusters=n_clusters, affinity="precomputed", assign_labels="cluster_qr",
                              random_state=seed)


ENTRY = Entry(
    name="spectral_graph", label="Spectral (graph adjacency)", make=make,
    params=(N_CLUSTERS,),
    description="Clusters the eigenvectors of the graph Laplacian of the adjacency itself.",
    tags=GRAPH | {"k"}, choose_k=by_eigengap)
