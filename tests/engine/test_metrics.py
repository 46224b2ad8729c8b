import numpy as np
import pytest

from engine.metrics import clustering_accuracy, elbow, external_scores, k_sweep, score
from engine.progress import Reporter


def test_accuracy_is_invariant_to_cluster_names_and_counts_unmatched_groups_wrong():
    truth = np.array([0, 0, 0, 1, 1, 1, 2, 2])
    assert clustering_accuracy(truth, np.array([7, 7, 7, 3, 3, 3, 5, 5])) == 1.0
    # the best one-to-one matching 7→0, 3→1, 5→2 gets 2 + 2 + 2 of 8 right
    assert clustering_accuracy(truth, np.array([7, 7, 3, 3, 3, 5, 5, 5])) == pytest.approx(6 / 8)


def test_noise_counts_against_external_scores():
    truth = np.repeat([0, 1], 50)
    perfect = external_scores(truth, truth.copy())
    noisy = truth.copy()
    noisy[:10] = -1
    assert perfect["ari"] == 1.0 and external_scores(truth, noisy)["ari"] < 1.0
    assert external_scores(truth, noisy)["acc"] == pytest.approx(0.9)


def test_internal_scores_skip_noise_and_need_two_clusters(blobs):
    X, y = blobs
    full = score(X, y)
    assert full["silhouette"] > 0.7 and full["davies_bouldin"] < 0.5 and full["n_clusters"] == 4
    one = score(X, np.zeros(len(X), dtype=int))
    assert one["silhouette"] is None and one["n_clusters"] == 1
    labels = y.copy()
    labels[:40] = -1
    partial = score(X, labels, truth=y)
    assert partial["noise_fraction"] == pytest.approx(0.1) and partial["ari"] < 1


def test_k_sweep_suggests_the_true_k_on_blobs(blobs):
    X, _ = blobs
    sweep = k_sweep(X, k_max=8)
    assert sweep.ks == list(range(2, 9))
    assert sweep.best_silhouette_k == 4 and sweep.elbow_k == 4
    assert all(a >= b for a, b in zip(sweep.inertia, sweep.inertia[1:]))


def test_elbow_of_a_synthetic_curve():
    ks = list(range(1, 11))
    assert elbow(ks, [100, 50, 12, 10, 9, 8, 7, 6, 5, 4]) == 3


def test_the_k_sweep_cuts_wide_data_to_principal_components_and_finds_the_same_k():
    from sklearn.datasets import make_blobs

    X, _ = make_blobs(n_samples=400, centers=4, n_features=800, cluster_std=2.0, random_state=3)
    seen = []
    wide = k_sweep(X, k_max=8, reporter=Reporter(lambda f, m: seen.append(m)))
    assert wide.reduced_from == 800 and wide.best_silhouette_k == 4 and wide.elbow_k == 4
    assert seen[0].startswith("PCA of 800 dimensions") and "K = 8 of 8" in seen[-2]
    assert k_sweep(X[:, :20], k_max=8).reduced_from == 0
