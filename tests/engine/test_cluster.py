import re

import networkx as nx
import numpy as np
import pytest
from scipy.cluster.hierarchy import fcluster
from sklearn.metrics import adjusted_rand_score

from engine.cluster import CLUSTERERS, cluster, clusterers_for, relabel_by_size
from engine.params import resolve


@pytest.mark.parametrize("name", clusterers_for("table"))  # graph methods: tests/engine/test_series_graphs.py
def test_every_clusterer_finds_four_separated_blobs(name, blobs):
    X, y = blobs
    params = {"n_clusters": 4} if "n_clusters" in {p.name for p in CLUSTERERS[name].params} else {}
    result = cluster(X, name, params, seed=0)
    assert result.labels.shape == (len(X),) and result.labels.dtype == np.int64
    assert adjusted_rand_score(y, result.labels) > 0.9
    assert set(np.unique(result.labels)) <= set(range(-1, 4))


@pytest.mark.parametrize("name", list(CLUSTERERS))
def test_every_entry_declares_valid_defaults_for_the_ui(name):
    entry = CLUSTERERS[name]
    assert entry.label and entry.description
    defaults = resolve(entry.params, {})
    for p in entry.params:
        if p.kind in ("int", "float"):
            assert p.low <= defaults[p.name] <= p.high or defaults[p.name] == p.auto


def test_louvain_and_leiden_on_the_knn_graph_are_offered_for_every_kind_of_items():
    """Leiden was registered only where networkx could run it, and networkx 3.x dispatches it to backends it does
    not ship: it was on no menu. Both now run on igraph."""
    for kind in ("table", "images", "series"):
        assert {"louvain", "leiden"} <= set(clusterers_for(kind)), kind
    assert {"louvain_graph", "leiden_graph"} <= set(clusterers_for("graph"))


def test_leiden_on_the_knn_graph_keeps_each_community_connected_in_that_graph(blobs):
    from engine.cluster.graph_shared import knn_graph

    X, _ = blobs
    labels = cluster(X, "leiden", {"n_neighbors": 10}, seed=1).labels
    graph = nx.from_scipy_sparse_array(knn_graph(X, 10))
    assert len(set(labels)) >= 4
    for community in np.unique(labels):
        assert nx.is_connected(graph.subgraph(np.flatnonzero(labels == community).tolist()))


def test_labels_are_renumbered_largest_first_keeping_noise():
    assert relabel_by_size(np.array([5, 5, -1, 2, 2, 2, 9])).tolist() == [1, 1, -1, 0, 0, 0, 2]


def test_agglomerative_keeps_a_merge_tree_that_cuts_like_its_labels(blobs):
    X, _ = blobs
    result = cluster(X[:120], "agglomerative", {"n_clusters": 4, "linkage": "ward"})
    tree = result.extras["linkage"]
    assert tree.shape == (119, 4) and tree[-1, 3] == 120
    assert np.all(np.diff(tree[:, 2]) >= -1e-9)  # merge heights never decrease for ward
    assert adjusted_rand_score(result.labels, fcluster(tree, 4, criterion="maxclust")) == 1.0


def test_noise_methods_mark_outliers():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(0, 0.2, (100, 2)), rng.normal(8, 0.2, (100, 2)), [[30.0, -30.0]]])
    for name in ("hdbscan", "dbscan"):
        labels = cluster(X, name).labels
        assert labels[-1] == -1, name
        assert len(set(labels[:200]) - {-1}) == 2, name
        assert np.mean(labels[:200] == -1) < 0.05, name


def test_too_many_clusters_and_unknown_names_are_clear_errors(blobs):
    X, _ = blobs
    with pytest.raises(ValueError, match="only 10 items"):
        cluster(X[:10], "kmeans", {"n_clusters": 20})
    with pytest.raises(ValueError, match="unknown clusterer"):
        cluster(X, "optics")
    with pytest.raises(ValueError, match="unknown parameter"):
        cluster(X, "kmeans", {"k": 3})


def test_the_columns_that_set_a_cluster_apart_are_named_with_their_means():
    from engine.cluster.profiles import columns_sentence, distinguishing_columns

    rng = np.random.default_rng(0)
    labels = np.repeat([0, 1], 200)
    table = np.column_stack([rng.normal(0, 1, 400),  # the same in both: never named
                             np.where(labels == 0, 1500.0, 500.0) + rng.normal(0, 50, 400),  # cluster 0 high
                             np.where(labels == 0, 0.2, 0.9) + rng.normal(0, 0.05, 400),  # cluster 0 low
                             np.full(400, 7.0)])  # constant: no spread, never named
    found = distinguishing_columns(table, labels, ["noise", "proline", "hue", "constant"])[0]
    assert [f["column"] for f in found] == ["proline", "hue"] or [f["column"] for f in found] == ["hue", "proline"]
    by = {f["column"]: f for f in found}
    assert by["proline"]["effect"] > 0.9 and by["hue"]["effect"] < -0.9
    assert abs(by["proline"]["mean"] - 1500) < 10 and abs(by["proline"]["overall"] - 1000) < 10
    said = columns_sentence(found)
    assert re.search(r"high proline \(1,[45]\d\d against (99\d|1,00\d)( overall)?\)", said), said
    assert re.search(r"low hue \(0\.[12]\d* against 0\.5\d*( overall)?\)", said), said
    assert said.count("overall") == 1  # said once, after the first column's means
    assert distinguishing_columns(table, np.zeros(400, dtype=int)) == {0: []}  # one cluster holding all: nothing
    assert "no column" in columns_sentence([])


def test_a_gaussian_mixture_on_more_dimensions_than_items_is_regularised_and_says_so():
    """50 rows of 500 columns (float32, as features are): each full covariance is singular, and scikit-learn
    stopped with advice about a setting the app does not show. The fit is tried again with more added to each
    variance, and the note says so."""
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], 25)
    X = (rng.normal(size=(50, 500)) + 4.0 * y[:, None]).astype(np.float32)
    result = cluster(X, "gmm", {"n_clusters": 2}, seed=0)
    assert adjusted_rand_score(y, result.labels) == 1.0
    assert re.search(r"fitted with 0\.0001 added to each variance", result.note), result.note
    assert cluster(X[:, :3], "gmm", {"n_clusters": 2}, seed=0).note == ""  # a well-posed fit is left as it was
