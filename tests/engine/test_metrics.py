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


def test_a_run_s_knn_accuracy_reads_how_well_its_space_keeps_classes_together():
    from engine.metrics.embedding import KNN_SAMPLE, run_knn_accuracy

    rng = np.random.default_rng(0)
    y = np.repeat([0, 1, 2], 200)
    apart = rng.normal(0, 1, (600, 4)) + 8 * np.eye(3, 4)[y]
    mixed = rng.normal(0, 1, (600, 4))
    assert run_knn_accuracy(apart, y) > 0.97
    assert 0.2 < run_knn_accuracy(mixed, y) < 0.45  # chance is 1/3
    # a class of 3 members cannot fill five folds: left out, not an error; one class left: no score
    odd = np.concatenate([y, [3, 3, 3]])
    assert run_knn_accuracy(np.vstack([apart, rng.normal(0, 1, (3, 4))]), odd) > 0.97
    assert run_knn_accuracy(apart[:200], y[:200]) is None
    # past the sample size it reads an even sample of it
    big = np.repeat([0, 1], KNN_SAMPLE)
    assert run_knn_accuracy(rng.normal(0, 1, (2 * KNN_SAMPLE, 2)) + 6 * big[:, None], big) > 0.99


def test_labelled_runs_carry_knn_accuracy_but_graph_and_dtw_runs_none(digits_result):
    from engine import api

    karate = api.DEMOS["karate"]()
    assert 0.9 < digits_result.metrics["knn_acc"] <= 1.0
    assert "kNN accuracy" in api.score_table(digits_result.metrics)["Score"].tolist()
    graph_run = api.run(karate, api.default_config(karate))
    assert "knn_acc" not in graph_run.metrics and graph_run.metrics["ari"] is not None
    trace = api.DEMOS["trace"]()  # DTW K-means: its neighbours are not euclidean ones
    dtw_run = api.run(trace, api.default_config(trace, features="znorm", clusterer="ts_kmeans",
                                                clusterer_params={"n_clusters": 4}))
    assert "knn_acc" not in dtw_run.metrics
    euclidean_run = api.run(trace, api.default_config(trace, features="znorm", clusterer="kmeans",
                                                      cluster_on="features", clusterer_params={"n_clusters": 4}))
    assert 0.0 < euclidean_run.metrics["knn_acc"] <= 1.0
