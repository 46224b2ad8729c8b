"""Clusters against structureless data: the run's space and clusterer on Gaussian data of its spread."""

import numpy as np
from sklearn.datasets import make_blobs

from engine import api
from engine.data.tables import _table_dataset
from engine.metrics.null import against_structureless, structureless_like


def test_structureless_data_has_the_mean_and_spread_of_the_data_and_no_clusters():
    X, _ = make_blobs(3000, n_features=3, centers=4, random_state=0)
    X = X * [1.0, 5.0, 0.2]
    null = structureless_like(X, seed=0)
    assert null.shape == X.shape and null.dtype == np.float32
    assert np.allclose(null.mean(axis=0), X.mean(axis=0), atol=0.3)
    assert np.allclose(np.cov(null.T), np.cov(X.T), rtol=0.15, atol=0.3)  # the same spread along each axis
    assert not np.array_equal(null, structureless_like(X, seed=1))


def _table(X):
    return _table_dataset("t", X, None)


def test_a_gaussian_cloud_cut_into_stable_pieces_is_said_to_hold_no_groups():
    """A UMAP space cuts one 2-D Gaussian into well separated pieces that every rerun finds again: stability
    alone read them as stable clusters. Against structureless data their silhouette gains nothing."""
    cloud = _table(np.random.default_rng(0).normal(size=(300, 2)))
    result = api.run(cloud, api.Config(features="columns", reducer="pca", clusterer="kmeans", cluster_on="space"))
    api.stability(cloud, result, runs=4)
    found = result.metrics["stability"]["null"]
    assert result.metrics["n_clusters"] > 2 and found["reading"] == "none" and abs(found["gap"]) < 0.05
    sentence = api.stability_sentence(result.metrics["stability"])
    assert "no better separated than the pieces noise is cut into" in sentence
    assert "Against structureless" not in api.stability_sentence(result.metrics["stability"], with_null=False)


def test_separated_blobs_are_clearly_better_separated_than_structureless_data():
    X, _ = make_blobs(600, n_features=6, centers=4, random_state=2)
    blobs = _table(X)
    for cluster_on in ("space", "features", "embedding"):
        result = api.run(blobs, api.Config(features="columns", reducer="pca", clusterer="kmeans",
                                           cluster_on=cluster_on, clusterer_params={"n_clusters": 4}))
        found = api.stability(blobs, result, runs=4) and result.metrics["stability"]["null"]
        assert found["reading"] == "clear" and found["gap"] > 0.3, (cluster_on, found)


def test_the_comparison_runs_on_a_sample_and_uses_the_given_pipeline():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(5000, 3)).astype(np.float32)
    seen = []

    def clustered(data, seed):
        seen.append(data.shape)
        return data, (data[:, 0] > 0).astype(int)

    found = against_structureless(X, X, (X[:, 0] > 0).astype(int), clustered, seed=0)
    assert seen == [(2000, 3), (2000, 3)] and found["items"] == 2000
    assert abs(found["gap"]) < 0.05 and found["reading"] == "none"  # the same split of the same cloud: no gap
