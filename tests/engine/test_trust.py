"""How far to trust the map: kNN recall, trustworthiness, continuity and the cluster pairs a map misdraws."""

import json

import numpy as np
import pytest

from engine import api
from engine.cli import main
from engine.data.tables import _table_dataset
from engine.metrics.trust import (GRAPH_REFERENCE, flag_sentence, graph_map_trust, graph_neighbours, map_trust,
                                  rank_trustworthiness, recall, trust_sentence)


def three_clusters(n=150, seed=0):
    """Three tight, far-apart 5-D clusters of ``n`` points each."""
    rng = np.random.default_rng(seed)
    centres = np.array([[0, 0, 0, 0, 0], [30, 0, 0, 0, 0], [0, 30, 0, 0, 0]], dtype=float)
    X = np.concatenate([c + rng.normal(size=(n, 5)) for c in centres])
    return X.astype(np.float32), np.repeat(np.arange(3), n)


def test_a_faithful_map_scores_one_and_a_random_one_scores_chance():
    X, y = three_clusters()
    same = map_trust(X, X[:, :2], y, k=10)  # the first 2 of 5 dims: near-faithful, not exact
    exact = map_trust(X, X.copy(), y, k=10)
    assert exact.knn_recall == pytest.approx(1.0) and exact.trustworthiness == pytest.approx(1.0)
    assert exact.continuity == pytest.approx(1.0) and exact.torn == 0 and exact.flags == []
    assert same.knn_recall < 1.0
    shuffled = map_trust(X, np.random.default_rng(1).normal(size=(len(X), 2)), y, k=10)
    assert shuffled.knn_recall < 0.05  # chance: k / n = 0.02
    assert 0.4 < shuffled.trustworthiness < 0.6 and 0.4 < shuffled.continuity < 0.6
    assert shuffled.torn > 0.95 * len(X)


def test_pca_of_a_plane_is_trusted_and_pca_of_a_swiss_roll_is_not():
    from sklearn.datasets import make_swiss_roll
    from sklearn.decomposition import PCA

    rng = np.random.default_rng(0)
    plane = rng.normal(size=(800, 2)) @ rng.normal(size=(2, 6)) + 0.01 * rng.normal(size=(800, 6))
    flat = map_trust(plane, PCA(2).fit_transform(plane), np.zeros(800, int))
    assert flat.trustworthiness > 0.99 and flat.knn_recall > 0.95
    roll, _ = make_swiss_roll(800, noise=0.05, random_state=0)
    squashed = map_trust(roll, PCA(2).fit_transform(roll), np.zeros(800, int))  # its layers pressed together
    assert squashed.trustworthiness < 0.92 and squashed.knn_recall < 0.7


def test_per_item_trust_finds_the_points_the_map_misplaces():
    X, y = three_clusters()
    drawn = X[:, :2].copy()
    moved = np.arange(0, 150, 10)  # 15 points of cluster 0 drawn inside cluster 1
    drawn[moved] = drawn[moved] + [30, 0]
    trust = map_trust(X, drawn, y, k=10)
    others = np.setdiff1d(np.arange(len(X)), moved)
    assert trust.per_item[moved].max() < 0.2 < trust.per_item[others].mean()


def test_recall_counts_shared_neighbours_per_item():
    space = np.array([[1, 2], [0, 2], [0, 1]])
    drawn = np.array([[2, 1], [0, 3], [3, 0]])
    assert recall(space, drawn).tolist() == [1.0, 0.5, 0.5]


def test_cluster_pairs_drawn_together_or_apart_are_flagged():
    X, y = three_clusters()
    merged = X[:, :2].copy()
    merged[y == 1] -= [30, 0]  # clusters 0 and 1 drawn on top of each other; far apart in the data
    close = map_trust(X, merged, y, k=10)
    assert [(f["clusters"], f["kind"]) for f in close.flags] == [([0, 1], "drawn_close")]
    assert "cluster 0 and cluster 1 are drawn touching" in flag_sentence(close.flags[0], api.group_name)

    # one elongated group cut in two by the clusterer, its halves drawn far apart
    rng = np.random.default_rng(2)
    line = (rng.uniform(size=(400, 2)) * [20, 4]).astype(np.float32)
    halves = (line[:, 0] > 10).astype(int)
    torn = line.copy()
    torn[halves == 1, 0] += 100
    apart = map_trust(line, torn, halves, k=10)
    assert [(f["clusters"], f["kind"]) for f in apart.flags] == [([0, 1], "drawn_apart")]
    assert map_trust(line, line, halves, k=10).flags == []  # drawn as it is: nothing to flag


def test_large_sets_sample_trustworthiness_and_say_so(monkeypatch):
    from engine.metrics import trust as module

    monkeypatch.setattr(module, "SAMPLE", 200)
    X, y = three_clusters()
    result = map_trust(X, X[:, :2], y, k=10)
    assert result.sampled == 200 and len(result.per_item) == len(X)
    assert "on a 200-item sample" in trust_sentence(result.summary(), len(X))


def test_trust_colouring_bins_from_kept_to_torn():
    groups, names, colours = api.trust_colouring(np.array([1.0, 0.8, 0.79, 0.5, 0.3, 0.1, 0.0]))
    assert groups.tolist() == [0, 0, 1, 1, 2, 3, 3]
    assert names[0].startswith("keeps ≥ 80") and set(colours) == {0, 1, 2, 3}


def test_every_run_measures_its_map_and_keeps_it(blobs):
    X, y = blobs
    dataset = _table_dataset("blobs", X, [str(v) for v in y])
    store = api.RunStore()
    result = api.run(dataset, api.Config(features="columns", reducer="pca", clusterer="kmeans",
                                         clusterer_params={"n_clusters": 4}, cluster_on="features"), store=store)
    trust = result.metrics["map_trust"]
    assert trust["reference"] == "the features (table columns)" and 0 < trust["knn_recall"] <= 1
    assert result.extras["map_trust"].shape == (len(X),)
    assert trust["knn_recall"] == pytest.approx(float(result.extras["map_trust"].mean()), abs=1e-6)
    _, reopened = api.reopen(store, result.run_id)
    assert np.allclose(reopened.extras["map_trust"], result.extras["map_trust"])
    frame = api.labels_frame(api.RunContext.load(store, result.run_id))
    assert np.allclose(frame["map_trust"], result.extras["map_trust"], atol=1e-4)
    cut = api.adopt(dataset, result, (X[:, 0] > np.median(X[:, 0])).astype(int), "kmeans", {"n_clusters": 2})
    assert cut.metrics["map_trust"]["knn_recall"] == trust["knn_recall"]  # the same map and space


def test_cli_cluster_json_reports_the_maps_trust(capsys, digits_result):
    code = main(["cluster", "--data", "digits", "--features", "pixels", "--method", "kmeans", "--no-save", "--json"])
    payload = json.loads(capsys.readouterr().out)
    assert code == 0
    assert 0.5 < payload["trustworthiness"] <= 1 and 0 < payload["knn_recall"] <= 1
    assert payload["map_trust_against"] == "the clustering space" and isinstance(payload["map_flags"], list)


def test_trustworthiness_from_two_distance_matrices_is_scikit_learns():
    from scipy.spatial.distance import cdist
    from sklearn.manifold import trustworthiness

    X, _ = three_clusters(n=40)
    mapped = X[:, :2] + np.random.default_rng(2).normal(scale=3.0, size=(len(X), 2))
    d_data, d_map = cdist(X, X), cdist(mapped, mapped)
    assert rank_trustworthiness(d_data, d_map, 7) == pytest.approx(trustworthiness(X, mapped, n_neighbors=7))
    assert rank_trustworthiness(d_map, d_data, 7) == pytest.approx(trustworthiness(mapped, X, n_neighbors=7))
    assert rank_trustworthiness(d_data, d_map, 7) < 1.0 and rank_trustworthiness(d_data, d_data, 7) == 1.0


def test_a_graphs_neighbours_are_its_links_strongest_first_then_two_links_away():
    from scipy import sparse

    # 0 links to 1 (weight 3) and 2 (weight 1); 1 and 2 both link to 3, 2 also to 4; 5-6 is a component of two
    edges = [(0, 1, 3.0), (0, 2, 1.0), (1, 3, 1.0), (2, 3, 1.0), (2, 4, 1.0), (5, 6, 1.0)]
    rows, cols, weights = zip(*edges)
    A = sparse.coo_matrix((weights, (rows, cols)), shape=(7, 7))
    found = graph_neighbours(A + A.T, 4)
    assert found[0].tolist() == [1, 2, 3, 4]  # 3 shares two of 0's neighbours, 4 one
    assert found[5].tolist() == [6, -1, -1, -1]  # nothing else within two links
    assert recall(found, np.array([[1, 2, 3, 4]] * 7))[0] == 1.0
    assert recall(found, np.array([[6, 1, 2, 3]] * 7))[5] == 1.0  # its one neighbour kept: all it has


def test_a_graphs_map_is_measured_against_its_links_not_its_adjacency_rows():
    import networkx as nx

    # four blocks of 30, no link at all between blocks 0 and 3: a map that draws those two far apart is right
    sizes, p = [30] * 4, [[0.3, 0.02, 0.02, 0.0], [0.02, 0.3, 0.02, 0.02], [0.02, 0.02, 0.3, 0.02],
                          [0.0, 0.02, 0.02, 0.3]]
    graph = nx.stochastic_block_model(sizes, p, seed=3)
    A = nx.to_scipy_sparse_array(graph, nodelist=sorted(graph), format="csr")
    y = np.repeat(np.arange(4), 30)
    layout = nx.spring_layout(graph, seed=0)
    drawn = np.array([layout[v] for v in sorted(graph)])
    trust = graph_map_trust(A, drawn, y, seed=0)
    assert trust.reference == GRAPH_REFERENCE and trust.sampled == 120
    assert not any(sorted(f["clusters"]) == [0, 3] and f["kind"] == "drawn_apart" for f in trust.flags)
    from engine.metrics import trust as module

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(module, "GRAPH_CELLS", 7 * 120)  # hop counts searched 7 sources at a time: the same
        chunked = graph_map_trust(A, drawn, y, seed=0)
    assert (chunked.trustworthiness, chunked.continuity) == (trust.trustworthiness, trust.continuity)
    shuffled = graph_map_trust(A, np.random.default_rng(0).normal(size=(120, 2)), y, seed=0)
    assert trust.knn_recall > 2 * shuffled.knn_recall and trust.trustworthiness > shuffled.trustworthiness + 0.2
    assert trust.continuity > shuffled.continuity + 0.2


def test_a_graph_runs_map_trust_reads_the_graph():
    result = api.run(api.DEMOS["karate"]())
    trust = result.metrics["map_trust"]
    assert trust["reference"] == GRAPH_REFERENCE and 0 < trust["knn_recall"] <= 1 and trust["sampled"] == 34
    assert len(result.extras["map_trust"]) == 34
