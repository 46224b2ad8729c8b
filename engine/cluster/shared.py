"""Parameters several clusterers declare alike."""

from engine.params import Int

N_CLUSTERS = Int("n_clusters", 10, 2, 100, help="K: how many clusters. The Metrics page suggests a K.")
