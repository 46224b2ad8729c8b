"""Large graphs (issue 14): past ``DENSE_NODES`` the adjacency is a sparse matrix and every graph method, the map
and the scores read it as such. Exercised on a small planted partition with the limit lowered."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from scipy import sparse
from sklearn.metrics import adjusted_rand_score

from engine import api
from engine.cluster import cluster
from engine.cluster.auto_k import by_eigengap
from engine.data import graphs
from engine.viz.figures import edge_index


@pytest.fixture
def planted(monkeypatch):
    """4 communities of 60 nodes, loaded as an edge list with the dense limit at 100 nodes; true blocks as labels."""
    monkeypatch.setattr(graphs, "DENSE_NODES", 100)
    g = nx.planted_partition_graph(4, 60, 0.25, 0.005, seed=3)
    data = api.load_edge_list("\n".join(f"{u},{v}" for u, v in g.edges()).encode(), "planted")
    block = {str(v): i for i, members in enumerate(g.graph["partition"]) for v in members}
    data.labels = np.array([block[name] for name in data.item_names])
    return data


def test_past_the_dense_limit_the_adjacency_is_sparse_and_said(planted):
    A = api.adjacency_features(planted)
    assert sparse.issparse(A) and A.shape == (240, 240)
    assert any("sparse matrix" in note for note in planted.report.notes)


def test_the_default_run_on_a_sparse_graph_finds_the_blocks(planted):
    config = api.default_config(planted)
    assert config.clusterer == "louvain_graph"
    result = api.run(planted, config)
    assert result.embedding.shape == (240, 2) and np.isfinite(result.embedding).all()
    assert result.metrics["ari"] > 0.9 and result.metrics["modularity"] > 0.5
    assert result.metrics["silhouette"] is not None and result.metrics["calinski_harabasz"] is None
    assert "spectral node embedding" in api.decide(planted).reasons["map"]
    assert any(note.startswith("the map is a UMAP of a 16-D spectral node embedding")
               for note in result.metrics["scaled"])
    shown = api.score_table(result.metrics).set_index("Score")["Value"]
    assert shown["Calinski-Harabasz"] == "n/a (not defined for this data)"


@pytest.mark.parametrize("name", ["louvain_graph", "leiden_graph", "label_propagation", "spectral_graph",
                                  "embedding_kmeans"])
def test_every_graph_method_reads_the_sparse_adjacency(planted, name):
    A = api.adjacency_features(planted)
    found = cluster(A, name, seed=0)
    assert adjusted_rand_score(planted.labels, found.labels) > 0.9


def test_leiden_gives_a_small_graph_the_connected_communities_it_gives_a_large_one(planted):
    """networkx ships no Leiden of its own (it dispatches to backends), so the dense adjacency goes to igraph too:
    the same communities from either, each one connected."""
    A = api.adjacency_features(planted)
    on_sparse, on_dense = cluster(A, "leiden_graph", seed=0).labels, cluster(A.toarray(), "leiden_graph", seed=0).labels
    assert np.array_equal(on_sparse, on_dense)
    graph = nx.from_scipy_sparse_array(A)
    for community in np.unique(on_dense):
        assert nx.is_connected(graph.subgraph(np.flatnonzero(on_dense == community).tolist()))


def test_the_eigengap_on_a_sparse_adjacency_agrees_with_the_dense_one(planted):
    A = api.adjacency_features(planted)
    sparse_choice, dense_choice = by_eigengap(A), by_eigengap(A.toarray())
    assert sparse_choice.k == dense_choice.k == 4
    assert np.allclose(sparse_choice.evidence["eigenvalue"], dense_choice.evidence["eigenvalue"], atol=1e-6)


def test_a_large_graph_draws_a_sample_of_its_edges():
    g = nx.gnm_random_graph(3000, 30_000, seed=1)
    nodes = list(g.nodes())
    drawn = edge_index(g, nodes, limit=5000)
    assert drawn.shape == (5000, 2) and len({tuple(e) for e in drawn.tolist()}) == 5000
    assert edge_index(g, nodes).shape == (20_000, 2)
    assert edge_index(nx.path_graph(10), list(range(10))).shape == (9, 2)


def test_galleries_and_the_k_sweep_read_a_sparse_adjacency_without_making_it_dense(planted):
    A = api.adjacency_features(planted)
    dense = api.cluster_profiles(A.toarray(), planted.labels)
    found = api.cluster_profiles(A, planted.labels)
    D = A.toarray()
    for sparse_profile, dense_profile in zip(found, dense):  # the same members as near the centre (ties may swap)
        members = np.flatnonzero(planted.labels == sparse_profile.label)
        centre = D[members].mean(axis=0)
        near = lambda picked: np.sort(np.linalg.norm(D[picked] - centre, axis=1))  # noqa: E731
        assert np.allclose(near(sparse_profile.representatives), near(dense_profile.representatives), atol=1e-6)
    sweep = api.k_sweep(A, k_max=6)
    assert sweep.reduced_from == 240 and sweep.ks == [2, 3, 4, 5, 6]


def test_edge_dropping_for_stability_keeps_a_sparse_graph_sparse_and_in_one_piece(planted):
    from scipy.sparse.csgraph import connected_components

    from engine.cluster.stability import drop_edges

    A = api.adjacency_features(planted)
    dropped = drop_edges(A, 0.2, np.random.default_rng(0))
    assert sparse.issparse(dropped) and (dropped != dropped.T).nnz == 0
    assert abs(dropped.nnz - 0.8 * A.nnz) <= 2
    assert connected_components(dropped)[0] == connected_components(A)[0]
    result = api.run(planted)
    found = api.stability(planted, result, runs=4)
    assert found.runs == 4 and found.perturbation == "edges" and len(found.ambiguity) == 240
    assert all(c["reading"] == "stable" for c in found.clusters) and found.agreement > 0.9


def _blocks(blocks: int = 3, size: int = 20):
    import networkx as nx

    graph = nx.planted_partition_graph(blocks, size, 0.5, 0.02, seed=3)
    return graph, [n // size for n in graph]


NEWMAN_GML = """Creator "as Newman's football.gml ships: ids, quoted labels, a class 'value', a repeated edge"
graph
[
  directed 0
{nodes}
{edges}
]
"""


def test_graph_files_in_gml_gexf_pajek_and_matrix_market_load_with_their_classes(tmp_path):
    import networkx as nx

    from engine.data import load

    graph, blocks = _blocks()
    nodes = "\n".join(f'  node\n  [\n    id {n}\n    label "team {n}"\n    value {blocks[n]}\n  ]' for n in graph)
    edges = list(graph.edges()) + [next(iter(graph.edges()))]  # one edge twice, as football.gml has
    (tmp_path / "football.gml").write_text(NEWMAN_GML.format(
        nodes=nodes, edges="\n".join(f"  edge\n  [\n    source {u}\n    target {v}\n  ]" for u, v in edges)))
    gml = load(tmp_path / "football.gml")
    assert len(gml) == 60 and gml.item_names[0] == "team 0" and gml.class_names == ["0", "1", "2"]
    assert any("1 repeated edge" in n for n in gml.report.notes)
    assert gml.graph.number_of_edges() == graph.number_of_edges()

    labelled = nx.Graph()
    labelled.add_nodes_from((n, {"block": blocks[n]}) for n in graph)
    labelled.add_edges_from(graph.edges())
    nx.write_gexf(labelled, tmp_path / "g.gexf")
    nx.write_pajek(nx.Graph(graph.edges()), tmp_path / "g.net")
    with open(tmp_path / "g.mtx", "w") as handle:
        handle.write("%%MatrixMarket matrix coordinate pattern symmetric\n% from a sparse collection\n")
        handle.write(f"60 60 {graph.number_of_edges()}\n")
        handle.writelines(f"{max(u, v) + 1} {min(u, v) + 1}\n" for u, v in graph.edges())
    gexf, pajek, market = load(tmp_path / "g.gexf"), load(tmp_path / "g.net"), load(tmp_path / "g.mtx")
    assert gexf.class_names == ["0", "1", "2"] and len(gexf) == 60
    for data in (gexf, pajek, market):
        assert data.graph.number_of_edges() == graph.number_of_edges()
    assert market.item_names[:2] == ["1", "2"]  # counted from 1, as the file counts


def test_a_broken_graph_file_says_which_format_failed(tmp_path):
    from engine.data import DataError, load

    (tmp_path / "bad.gexf").write_text("<gexf><graph>")
    with pytest.raises(DataError, match="not a readable GEXF"):
        load(tmp_path / "bad.gexf")
    (tmp_path / "wide.mtx").write_text("%%MatrixMarket matrix coordinate real general\n3 4 1\n1 2 1.0\n")
    with pytest.raises(DataError, match="must be square"):
        load(tmp_path / "wide.mtx")
