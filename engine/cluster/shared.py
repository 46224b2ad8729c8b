"""Parameters several clusterers declare alike."""

from engine.params import Int

AUTO = 0
N_CLUSTERS = Int("n_clusters", AUTO, 2, 100, auto=AUTO,
                 help="K: how many clusters; 0 = auto (chosen from the data; the Metrics page shows the evidence "
                      "and lets you pick another K).")
