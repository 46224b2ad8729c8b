"""The Dask path on a 2-worker local cluster started here: the same answers as the local path, from partitions."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score

from engine import api, distributed
from engine.scale import nearest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def client():
    with distributed.using("local:2") as client:
        yield client


@pytest.fixture(scope="module")
def blobs():
    X, y = make_blobs(12_000, 16, centers=5, cluster_std=1.0, random_state=0)
    return X.astype(np.float32), y


def test_the_local_cluster_has_two_workers(client):
    assert len(client.scheduler_info()["workers"]) == 2 and distributed.active() is client


def test_neighbour_search_in_partitions_matches_the_local_search(client, blobs, monkeypatch):
    X, _ = blobs
    monkeypatch.setattr(distributed, "ROWS_PER_PARTITION", 2_500)  # five partitions
    distances, found = distributed.nearest(client, X, X, 10)
    local_distances, local_found = nearest(X, X, 10)
    assert found.shape == (12_000, 10) and (found[:, 0] == np.arange(12_000)).all()  # each row finds itself first
    assert (found == local_found).mean() > 0.999 and np.allclose(distances, local_distances, atol=0.05)


def test_kmeans_in_partitions_finds_the_blobs_as_scikit_learn_does(client, blobs, monkeypatch):
    from sklearn.cluster import KMeans

    X, y = blobs
    monkeypatch.setattr(distributed, "ROWS_PER_PARTITION", 3_000)
    model = distributed.DaskKMeans(client, 5, random_state=0)
    labels = model.fit_predict(X)
    local = KMeans(5, n_init=4, random_state=0).fit(X)
    assert adjusted_rand_score(y, labels) == 1.0 and adjusted_rand_score(local.labels_, labels) == 1.0
    assert np.isclose(model.inertia_, local.inertia_, rtol=1e-3)


def test_image_features_in_partitions_equal_the_local_ones(client, digits, monkeypatch):
    monkeypatch.setattr(distributed, "ITEMS_PER_PARTITION", 400)  # five partitions of the 1,797 digits
    said = []
    features = distributed.features(client, digits, "pixels", {"size": 8},
                                    api.Reporter(lambda f, m: said.append(m)))
    assert np.array_equal(features, api.FEATURES["pixels"].make(digits, size=8))
    assert any("5 of 5 partitions" in m for m in said)


def test_a_run_sends_kmeans_and_the_knn_graph_to_the_cluster_and_says_so(client, blobs):
    X, y = blobs
    data = api.Dataset(name="blobs", item_names=[str(i) for i in range(len(X))], table=X, labels=y,
                       class_names=[str(c) for c in range(5)])
    result = api.run(data, api.Config(features="columns", reducer="pca", clusterer="kmeans",
                                      clusterer_params={"n_clusters": 5}, cluster_on="features"))
    assert result.metrics["ari"] == 1.0
    assert result.metrics["ran_on"] == ["K-means ran on the Dask cluster local:2 (2 workers)"]
    assert "**Where it ran**: K-means ran on the Dask cluster local:2 (2 workers)." in api.run_reasons(result)
    louvain = api.run(data.subset(np.arange(3_000)), api.Config(features="columns", reducer="pca",
                                                                 clusterer="louvain", cluster_on="features"))
    assert "the kNN graph's neighbour search ran on the Dask cluster" in louvain.metrics["ran_on"][0]
    assert louvain.metrics["ari"] > 0.9


def test_the_cli_runs_on_a_cluster_it_starts_and_refuses_an_unreachable_one(tmp_path, blobs, capsys, client,
                                                                             monkeypatch):
    from engine.cli import main

    monkeypatch.setattr(distributed, "CONNECT_TIMEOUT", "2s")
    X, y = blobs
    np.savez(tmp_path / "blobs.npz", X=X[:3_000], y=y[:3_000])
    code = main(["cluster", "--data", str(tmp_path / "blobs.npz"), "--method", "kmeans", "--param", "n_clusters=5",
                 "--cluster", "local:2", "--json", "--no-save"])
    payload = json.loads(capsys.readouterr().out)
    assert code == 0 and payload["ari"] == 1.0
    assert any("K-means ran on the Dask cluster local:2" in note for note in payload["ran_on"])
    assert distributed.active() is client  # the fixture's cluster is active again after the command's own closed

    assert main(["cluster", "--data", str(tmp_path / "blobs.npz"), "--cluster", "tcp://127.0.0.1:9",
                 "--no-save"]) == 2
    assert "could not reach the Dask scheduler at tcp://127.0.0.1:9" in capsys.readouterr().err

    with pytest.raises(ValueError, match="could not reach"):
        distributed.use("tcp://127.0.0.1:9")
    assert distributed.active() is client  # a failed switch leaves the cluster that was on
    with pytest.raises(ValueError, match="local:N wants a number"):
        distributed.use("local:two")
