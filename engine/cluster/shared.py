"""Parameters several clusterers declare alike."""

from dataclasses import replace

from engine.params import Int, Param

N_CLUSTERS = Int("n_clusters", 10, 2, 100, help="K: how many clusters. The Metrics page suggests a K.")


def n_clusters_param(default: int) -> Param:
    """:data:`N_CLUSTERS` with another default (4 for time series, 2 for graphs)."""
    return replace(N_CLUSTERS, default=default)
