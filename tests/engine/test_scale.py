"""Size switches (engine.scale): a fit on a sample carried over to every item gives what the full fit gives, on
data small enough for both; K in the thousands; the strategy said with the run."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score

from engine import api, scale
from engine.cluster import CLUSTERERS, cluster
from engine.cluster import kmeans as kmeans_module
from engine.data.tables import _table_dataset
from engine.reduce import reduce

AGREE = 0.9  # the stated bar: sampled and full fits agree at ARI ≥ 0.9 on separated blobs


@pytest.fixture(scope="module")
def blobs3k():
    X, y = make_blobs(3000, 8, centers=6, cluster_std=1.5, random_state=3)
    return X.astype(np.float32), y


def test_vote_takes_the_majority_and_the_nearest_on_a_tie():
    labels = np.array([0, 1, 2, 1, 0, -1])
    indices = np.array([[0, 1, 3],   # 0, 1, 1: the majority, 1
                        [2, 0, 1],   # 2, 0, 1: all tied, the nearest (2)
                        [5, 5, 4],   # noise twice: noise
                        [4, 1, 3]])  # 0, 1, 1: 1
    assert scale.vote(labels, indices).tolist() == [1, 2, -1, 1]


def test_place_puts_a_copy_on_its_original_and_others_between_neighbours():
    positions = np.array([[0.0, 0.0], [10.0, 0.0]], dtype=np.float32)
    placed = scale.place(positions, np.array([[0.0, 5.0], [1.0, 1.0]]), np.array([[1, 0], [0, 1]]))
    assert np.allclose(placed[0], [10.0, 0.0], atol=1e-3)  # at distance 0 from item 1
    assert np.allclose(placed[1], [5.0, 0.0])  # halfway between two equally near


def test_nearest_finds_each_item_itself_first_exact_and_through_hnsw(monkeypatch):
    X = np.random.default_rng(0).normal(size=(2000, 12)).astype(np.float32)
    distances, found = scale.nearest(X, X, 5)
    assert (found[:, 0] == np.arange(len(X))).all() and np.allclose(distances[:, 0], 0.0, atol=1e-3)
    monkeypatch.setattr(scale, "EXACT_PAIRS", 100_000)  # 2,000 × 2,000 pairs: the approximate index
    _, approximate = scale.nearest(X, X, 5)
    recall = np.mean([len(set(a) & set(b)) / 5 for a, b in zip(found, approximate)])
    assert recall > 0.9


def test_a_map_fitted_on_a_sample_keeps_the_clusters_of_the_full_fit(monkeypatch, blobs3k):
    X, y = blobs3k
    monkeypatch.setattr(scale, "FIT_SAMPLE", 800)
    notes: list[str] = []
    sampled = reduce(X, "umap", n_components=2, seed=0, notes=notes)
    assert sampled.shape == (3000, 2) and np.isfinite(sampled).all()
    assert notes and "800-item sample" in notes[0] and "2,200 items placed" in notes[0]
    from sklearn.cluster import KMeans

    found = KMeans(6, n_init=4, random_state=0).fit_predict(sampled)
    assert adjusted_rand_score(y, found) > AGREE


def test_the_pipeline_at_scale_agrees_with_the_full_run_and_says_what_it_sampled(monkeypatch, blobs3k):
    X, y = blobs3k
    data = _table_dataset("blobs", X, [str(v) for v in y])
    config = api.Config(features="columns", clusterer="kmeans", clusterer_params={"n_clusters": 6},
                        cluster_on="space")
    full = api.run(data, config)
    assert "scaled" not in full.metrics
    monkeypatch.setattr(scale, "FIT_SAMPLE", 1000)
    sampled = api.run(_table_dataset("blobs, sampled", X, [str(v) for v in y]), config)  # another name: not cached
    assert adjusted_rand_score(full.labels, sampled.labels) > AGREE
    assert sampled.metrics["ari"] > AGREE
    notes = sampled.metrics["scaled"]
    assert any(n.startswith("the UMAP map was fitted on an even 1,000-item sample") for n in notes)
    assert any(n.startswith("the clustering space was fitted") for n in notes)
    assert any("At this size" in line for line in api.run_reasons(sampled))


def test_a_clusterer_past_its_limit_is_fitted_on_a_sample_and_assigns_the_rest(monkeypatch, blobs3k):
    X, y = blobs3k
    full = cluster(X, "agglomerative", {"n_clusters": 6})
    assert full.note == ""
    monkeypatch.setitem(CLUSTERERS, "agglomerative", dataclasses.replace(CLUSTERERS["agglomerative"], max_items=500))
    sampled = cluster(X, "agglomerative", {"n_clusters": 6})
    assert sampled.labels.shape == (3000,) and set(sampled.labels) == set(range(6))
    assert adjusted_rand_score(full.labels, sampled.labels) > AGREE
    assert "500-item sample" in sampled.note and "2,500 items" in sampled.note
    assert len(sampled.extras["fitted_items"]) == 500 and len(sampled.extras["linkage"]) == 499


def test_every_costly_clusterer_declares_its_limit():
    for name in ("agglomerative", "spectral", "dbscan", "hdbscan", "louvain"):
        assert CLUSTERERS[name].max_items, name
    assert CLUSTERERS["kmeans"].max_items is None  # K-means scales by itself (FAISS past 50M items × K)


@pytest.mark.parametrize("through_faiss", [False, True])
def test_k_of_one_thousand(monkeypatch, through_faiss):
    X, _ = make_blobs(20_000, 8, centers=40, random_state=1)
    if through_faiss:
        monkeypatch.setattr(scale, "FAISS_KMEANS", 1000)
    assert kmeans_module.use_faiss(len(X), 1000) == through_faiss
    found = cluster(X.astype(np.float32), "kmeans", {"n_clusters": 1000, "n_init": 1})
    sizes = np.bincount(found.labels)
    assert len(sizes) == 1000 and sizes.min() >= 1 and sizes.sum() == 20_000
    # each cluster is compact: its items are far closer to its centre than the data's spread
    centres = np.stack([X[found.labels == c].mean(axis=0) for c in range(1000)])
    within = np.linalg.norm(X - centres[found.labels], axis=1).mean()
    assert within < 0.25 * np.linalg.norm(X - X.mean(axis=0), axis=1).mean()


def test_k_up_to_5000_where_the_method_allows_it():
    for name in ("kmeans", "minibatch_kmeans", "agglomerative"):
        assert CLUSTERERS[name].resolve({"n_clusters": 5000})["n_clusters"] == 5000
    with pytest.raises(ValueError, match=r"outside \[2, 100\]"):
        CLUSTERERS["gmm"].resolve({"n_clusters": 1000})


def test_the_cli_says_what_it_fitted_on_a_sample(monkeypatch, blobs3k, tmp_path, capsys):
    import json

    from engine.cli import main

    X, y = blobs3k
    table = tmp_path / "blobs.csv"
    np.savetxt(table, np.column_stack([X, y]), fmt=["%.5f"] * 8 + ["%d"], delimiter=",",
               header=",".join([f"x{i}" for i in range(8)] + ["label"]), comments="")
    monkeypatch.setattr(scale, "FIT_SAMPLE", 1000)
    assert main(["cluster", "--data", str(table), "--json", "--no-save"]) == 0
    said = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert said["n_items"] == 3000 and said["ari"] > AGREE
    assert [n.split(" was ")[0] for n in said["scaled"]] == ["the UMAP map", "the clustering space"]


def test_principal_components_are_the_same_whatever_threads_blas_was_given():
    """LAPACK's SVD ended in other last bits on two threads than on one (here up to 8e-3), the UMAP after it drew
    another map, and the feature probe scored the same faces 0.324 or 0.357 as the process's threads went."""
    from threadpoolctl import threadpool_limits

    from engine.scale import components, search_space

    X = np.random.default_rng(0).normal(size=(200, 625)).astype(np.float32) ** 2
    found = []
    for threads in (2, 1):
        with threadpool_limits(threads, user_api="blas"):
            found.append((components(X, 50), search_space(X, np.arange(200))))
    assert np.array_equal(found[0][0], found[1][0]) and np.array_equal(found[0][1], found[1][1])
