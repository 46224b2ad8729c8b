"""Parameters several clusterers declare alike."""

from engine.params import Int

AUTO = 0
K_LARGE = 5000  # the largest K of methods that cope with thousands of clusters (over-clustering for curation)


def n_clusters(high: int = 100) -> Int:
    """The K parameter, 0 = auto, up to ``high``."""
    return Int("n_clusters", AUTO, 2, high, auto=AUTO,
               help="K: how many clusters; 0 = auto (chosen from the data; the Metrics page shows the evidence "
                    "and lets you pick another K).")


N_CLUSTERS = n_clusters()


class Estimator:
    """scikit-learn's clusterer contract (``fit`` sets ``labels_``, ``fit_predict`` returns them), declared without
    importing scikit-learn: the registry reads the modules that define these, and scikit-learn costs ~2 s of a cold
    process (``python -m engine methods`` answers without it)."""

    def fit_predict(self, X, y=None, **kwargs):
        return self.fit(X, **kwargs).labels_
