"""Time series and graphs: loaders (with every bad input the issue lists), every method, scores, the CLI."""

import json
import threading

import networkx as nx
import numpy as np
import pytest

from engine import api
from engine.cli import main
from engine.cluster import CLUSTERERS, clusterers_for
from engine.data import DataError, load
from engine.metrics.graph import graph_scores
from engine.reduce import reducers_for
from engine.timeseries import barycentre


def waves(n_per_class: int = 8, length: int = 40, seed: int = 0) -> str:
    """Two labelled shapes of series (a sine and a shifted step), as CSV text, one series a row."""
    rng = np.random.default_rng(seed)
    t = np.linspace(0, 2 * np.pi, length)
    rows = []
    for i in range(n_per_class):
        rows.append("sine," + ",".join(f"{v:.4f}" for v in np.sin(t + rng.normal(0, 0.2)) + rng.normal(0, .05, length)))
        step = (t > np.pi + rng.normal(0, 0.3)).astype(float) + rng.normal(0, .05, length)
        rows.append("step," + ",".join(f"{v:.4f}" for v in step))
    return "label," + ",".join(f"t{i}" for i in range(length)) + "\n" + "\n".join(rows)


@pytest.fixture(scope="module")
def trace():
    return api.DEMOS["trace"]()


@pytest.fixture(scope="module")
def karate():
    return api.DEMOS["karate"]()


# -- time series ---------------------------------------------------------------------------------
def test_a_series_csv_loads_with_labels_and_ragged_rows(tmp_path):
    text = waves()
    lines = text.splitlines()
    lines[1] = ",".join(lines[1].split(",")[:30]) + "," * 10  # a shorter series: empty trailing cells
    data = api.load_series_csv("\n".join(lines).encode(), name="waves")
    assert data.kind == "series" and len(data) == 16 and data.class_names == ["sine", "step"]
    assert np.isnan(data.series[0, 29:]).all() and not np.isnan(data.series[1]).any()
    assert any("ragged" in note for note in data.report.notes)
    features = api.FEATURES["znorm"].make(data)
    assert features.shape == (16, 40) and np.allclose(features.mean(axis=1), 0, atol=1e-5)
    (tmp_path / "w.csv").write_text(text)
    assert len(load(tmp_path / "w.csv", csv_kind="series")) == 16


def test_rows_of_several_lengths_are_series_unless_the_file_is_said_to_be_a_table(tmp_path):
    rng = np.random.default_rng(3)
    def values(i: int) -> list[str]:
        return [f"{v:.3f}" for v in (1 if i % 2 else -1) * np.linspace(0, 1, 30 + i) + rng.normal(0, .05, 30 + i)]

    rows = [",".join([f"s{i}", "up" if i % 2 else "down", *values(i)]) for i in range(12)]  # 30-41 values a row
    text = "\n".join(rows).encode()
    (tmp_path / "ragged.csv").write_bytes(text)
    for data in (load(tmp_path / "ragged.csv"), api.load_bytes("ragged.csv", text)):
        assert data.kind == "series" and len(data) == 12 and data.item_names[:2] == ["s0", "s1"]
        assert data.class_names == ["down", "up"] and "different numbers of values" in data.report.notes[0]
    with pytest.raises(DataError, match="rows hold different numbers of cells.*load it as time series"):
        load(tmp_path / "ragged.csv", csv_kind="table")
    (tmp_path / "broken.csv").write_text("a,b,c\n1,2,3\n4,5,6,7\n")  # neither a table nor series
    with pytest.raises(DataError, match="not a table: its rows hold different numbers of cells"):
        load(tmp_path / "broken.csv")
    stray = "\n".join(f"{i},{i * 2},{i % 5}" for i in range(40)) + "\n7,8,9,10\n"  # a table with one stray comma
    with pytest.raises(DataError, match="Expected 3 fields in line 41, saw 4"):
        api.load_bytes("stray.csv", stray.encode())


def waveforms(per_class: int = 40, length: int = 150, seed: int = 7) -> bytes:
    """Sine, square and sawtooth waves (three periods each, a random phase, noise 0.2), as CSV, one a row."""
    rng = np.random.default_rng(seed)
    t = np.linspace(0, 1, length)
    shapes = {"sine": lambda s: np.sin(2 * np.pi * (3 * t + s)),
              "square": lambda s: np.sign(np.sin(2 * np.pi * (3 * t + s))),
              "saw": lambda s: 2 * ((3 * t + s) % 1) - 1}
    rows = [",".join([name] + [f"{v:.4f}" for v in shape(rng.uniform()) + rng.normal(0, 0.2, length)])
            for name, shape in shapes.items() for _ in range(per_class)]
    return ("label," + ",".join(f"t{i}" for i in range(length)) + "\n" + "\n".join(rows)).encode()


def test_the_spectrum_finds_waveforms_whatever_their_phase():
    """A shifted sine is still a sine to its Fourier magnitudes; DTW K-means, which aligns only within its band,
    and k-Shape mix the three shapes up at K = 3."""
    data = api.load_series_csv(waveforms(), name="waveforms")
    spectrum = api.FEATURES["spectrum"].make(data)
    assert spectrum.shape == (120, 75) and np.isfinite(spectrum).all()
    shifted = api.load_series_csv(waveforms(seed=8), name="shifted")  # other phases and noise, same shapes
    assert np.corrcoef(spectrum.mean(axis=0), api.FEATURES["spectrum"].make(shifted).mean(axis=0))[0, 1] > 0.99
    ari = {}
    for features, clusterer in (("spectrum", "kmeans"), ("znorm", "ts_kmeans")):
        config = api.default_config(data, features=features, clusterer=clusterer, cluster_on="features",
                                    clusterer_params={"n_clusters": 3})
        ari[features] = api.run(data, config).metrics["ari"]
    assert ari["spectrum"] > 0.95 and ari["znorm"] < 0.5, ari


@pytest.mark.parametrize("header", [True, False])
def test_a_first_column_of_ids_names_the_series_and_a_last_column_of_text_is_the_label(header):
    rows = [f"S{i:02d}," + ",".join(str(v) for v in ([0, 1, 0, 1, 0, 1] if i % 2 else [0, 0, 1, 1, 2, 2]))
            + f",{'ab'[i % 2]}" for i in range(8)]
    text = ("sensor_id," + ",".join(f"t{i}" for i in range(6)) + ",kind\n" if header else "") + "\n".join(rows)
    data = api.load_series_csv(text.encode())
    assert data.item_names[:2] == ["S00", "S01"] and data.series.shape == (8, 6)
    assert data.class_names == ["a", "b"] and data.labels.tolist() == [0, 1] * 4
    assert any("names the series" in note for note in data.report.notes)
    with pytest.raises(DataError, match="row 2, column 4: 'x' is not a number"):  # columns counted with the ids
        api.load_series_csv("S1,1,2,3,4,a\nS2,1,2,x,4,b\nS3,4,3,2,1,a\n".encode())


@pytest.mark.parametrize("text, message", [
    ("1,2,3,4,5\n1,2,x,4,5\n", "row 2, column 3: 'x' is not a number"),
    ("1,2,3,4,5\n1,,,,5\n", "3 of its 5 values are missing"),
    ("1,2,3,4,5\n", "at least 2 series"),
    ("", "empty"),
    ("1,2,3,4,5\n1,2\n", "at least 4 values"),
])
def test_bad_series_files_say_what_is_wrong(text, message):
    with pytest.raises(DataError, match=message.replace("(", r"\(")):
        api.load_series_csv(text.encode())


def test_trace_ships_with_tslearn(trace):
    assert trace.series.shape == (200, 275) and np.bincount(trace.labels).tolist() == [50, 50, 50, 50]


@pytest.mark.parametrize("params", [{"metric": "euclidean"}, {"metric": "dtw", "band": 0.1},
                                    {"metric": "softdtw", "max_iter": 5}])
def test_time_series_kmeans_separates_two_shapes(params):
    data = api.load_series_csv(waves().encode())
    config = api.Config(features="znorm", feature_params={"length": 40}, reducer="pca", clusterer="ts_kmeans",
                        clusterer_params={"n_clusters": 2, **params}, cluster_on="features")
    result = api.run(data, config)
    assert result.metrics["ari"] == 1.0 and result.space.shape == (16, 40)
    assert result.metrics["silhouette"] > 0.3  # under the run's own distance


@pytest.mark.parametrize("name, params", [("ts_kmeans", {"metric": "dtw", "band": 0.1}), ("kshape", {})])
def test_dtw_kmeans_and_kshape_report_each_start_and_iteration_and_stop_at_a_cancel(name, params):
    from engine.cluster import cluster
    from engine.progress import Cancelled, Reporter

    X = np.loadtxt(waves(n_per_class=10).splitlines()[1:], delimiter=",", usecols=range(1, 41))
    said = []
    cluster(X, name, {"n_clusters": 2, **params}, reporter=Reporter(lambda f, m: said.append((f, m))))
    assert any("start 1 of 2, choosing initial centres" in m for _, m in said)
    assert any("start 2 of 2, iteration 1 " in m for _, m in said)  # tslearn's two starts, each iteration
    fractions = [f for f, _ in said]
    assert fractions == sorted(fractions) and 0 <= fractions[0] < 0.5 <= fractions[-1] <= 1

    stop = threading.Event()  # what Cancel sets, here set by the first iteration's message
    reporter = Reporter(lambda fraction, message: stop.set() if "iteration 1 " in message else None, stop)
    with pytest.raises(Cancelled):
        cluster(X, name, {"n_clusters": 2, **params}, reporter=reporter)


def test_dtw_in_c_gives_tslearns_distances_and_finds_shifted_shapes(trace):
    from sklearn.metrics import adjusted_rand_score
    from tslearn.clustering import silhouette_score
    from tslearn.metrics import cdist_dtw

    from engine.cluster import dtw_c

    assert dtw_c.available()
    X = trace.series[:30]
    for radius in (None, 28):
        constraint = {"global_constraint": "sakoe_chiba", "sakoe_chiba_radius": radius} if radius else {}
        assert np.allclose(dtw_c.to_centres(X, X[:3], radius), cdist_dtw(X[:, :, None], X[:3, :, None], **constraint))
        assert np.allclose(dtw_c.pairwise(X[:10], radius), cdist_dtw(X[:10, :, None], **constraint))

    rng = np.random.default_rng(0)  # a bump and a dip, each anywhere in time: euclidean K-means mixes them up
    t = np.arange(60)
    shapes = [np.exp(-0.5 * ((t - rng.integers(10, 50)) / 3.0) ** 2) * sign + rng.normal(0, 0.05, 60)
              for sign in (1, -1) for _ in range(15)]
    X, truth = np.array(shapes), np.repeat([0, 1], 15)
    labels = dtw_c.DTWKMeans(2, radius=None, seed=0).fit_predict(X)
    assert adjusted_rand_score(truth, labels) == 1.0
    params = {"metric": "dtw", "band": 0.0}
    from engine.cluster.ts_kmeans import silhouette

    assert np.isclose(silhouette(X, labels, params)["silhouette"], silhouette_score(X[:, :, None], labels, "dtw"))


def test_soft_dtw_on_long_series_runs_on_averaged_series_and_says_so():
    from engine.cluster import cluster
    from engine.cluster.ts_kmeans import SOFT_DTW_LENGTH, piecewise_means

    X = np.loadtxt(waves(n_per_class=6, length=200).splitlines()[1:], delimiter=",", usecols=range(1, 201))
    averaged = piecewise_means(X, SOFT_DTW_LENGTH)
    assert averaged.shape == (12, SOFT_DTW_LENGTH) and np.isclose(averaged[0, 0], X[0, :3].mean(), atol=0.05)
    result = cluster(X, "ts_kmeans", {"n_clusters": 2, "metric": "softdtw", "max_iter": 5})
    assert f"averaged down to {SOFT_DTW_LENGTH} of their 200 steps" in result.note
    assert len(set(zip(result.labels.tolist(), [0, 1] * 6))) == 2  # sines and steps apart
    assert cluster(X[:, :SOFT_DTW_LENGTH], "ts_kmeans", {"n_clusters": 2, "metric": "softdtw",
                                                          "max_iter": 2}).note == ""  # short enough as it is


def test_kshape_and_umap_hdbscan_run_on_series():
    data = api.load_series_csv(waves().encode())
    kshape = api.run(data, api.Config(features="znorm", reducer="pca", clusterer="kshape",
                                      clusterer_params={"n_clusters": 2}, cluster_on="features"))
    assert kshape.metrics["ari"] == 1.0
    assert "series" in api.CLUSTERERS["kshape"].tags and "kshape" in clusterers_for("series")
    assert "kshape" not in clusterers_for("images") and "hdbscan" in clusterers_for("series")


def test_barycentres_follow_the_metric():
    t = np.linspace(0, 1, 30)
    X = np.stack([np.sin(2 * np.pi * (t - s)) for s in (0.0, 0.05, 0.1)])
    assert np.allclose(barycentre(X, "euclidean"), X.mean(axis=0))
    dba = barycentre(X, "dtw")
    assert dba.shape == (30,) and np.abs(dba).max() > 0.9  # DTW keeps the amplitude that the mean blurs
    assert np.abs(X.mean(axis=0)).max() < np.abs(dba).max()
    shape = barycentre(X, "sbd")  # k-Shape's centre: one of the members' shape, at some shift, not their blur
    assert shape.shape == (30,) and np.abs(shape).max() > np.abs(X.mean(axis=0)).max()
    assert api.centre_metric("kshape", {}) == "sbd" and api.centre_metric("ts_kmeans", {"metric": "dtw"}) == "dtw"
    assert api.centre_metric("kmeans", {}) == "euclidean" and "k-Shape" in api.CENTRE_NAMES["sbd"]
    assert api.silhouette_note("ts_kmeans", {"metric": "dtw"}).startswith("the silhouette under DTW")
    assert api.silhouette_note("ts_kmeans", {"metric": "euclidean"}) == api.silhouette_note("hdbscan", {}) == ""


def test_kshape_distances_are_the_best_correlation_over_every_shift():
    from tslearn.metrics import cdist_normalized_cc

    from engine.cluster.kshape import cross_correlations, sbd, shifted

    rng = np.random.default_rng(0)
    X, centres = rng.normal(size=(7, 20)), rng.normal(size=(3, 20))
    best, shift = cross_correlations(X, centres)
    for i in range(7):  # by brute force: each series moved by each shift, zeros where it moved from
        for k in range(3):
            moved = {s: shifted(X[[i]], np.array([s]))[0] @ centres[k] for s in range(-19, 20)}
            s = max(moved, key=moved.get)
            assert shift[i, k] == s
            assert best[i, k] == pytest.approx(moved[s] / np.linalg.norm(X[i]) / np.linalg.norm(centres[k]))
    theirs = 1 - cdist_normalized_cc(X[:, :, None], centres[:, :, None], norms1=np.linalg.norm(X, axis=1),
                                     norms2=np.linalg.norm(centres, axis=1), self_similarity=False)
    assert np.allclose(sbd(X, centres), theirs)
    assert np.allclose(np.diag(sbd(centres, np.roll(np.pad(centres, ((0, 0), (0, 5))), 3, axis=1))), 0.0)


def test_kshape_groups_shapes_wherever_they_sit_and_finds_them_by_shape_later(monkeypatch):
    from sklearn.metrics import adjusted_rand_score, silhouette_score

    from engine.cluster import cluster, kshape, own_scores

    rng = np.random.default_rng(1)  # a bump, a dip and a wiggle, each anywhere in time: euclidean K-means mixes them
    t = np.arange(80)
    bump = lambda at: np.exp(-0.5 * ((t - at) / 4.0) ** 2)  # noqa: E731
    shapes = [bump, lambda at: -bump(at), lambda at: bump(at) * np.sin((t - at) / 2.0)]
    X = np.array([make(rng.integers(15, 65)) + rng.normal(0, 0.05, 80) for make in shapes for _ in range(20)])
    truth = np.repeat([0, 1, 2], 20)
    found = cluster(X, "kshape", {"n_clusters": 3})
    assert adjusted_rand_score(truth, found.labels) == 1.0
    assert adjusted_rand_score(truth, cluster(X, "kmeans", {"n_clusters": 3}).labels) < 0.6
    own = own_scores(X, found.labels, "kshape", {})["silhouette"]  # under the shape-based distance
    assert own > 0.3 and own > silhouette_score(X, found.labels)  # euclidean reads shifted copies as far apart
    monkeypatch.setattr(kshape, "SILHOUETTE_VALUES", 30 ** 2 * kshape._fft_length(80))  # 60 cost more: 30 of them
    assert kshape.silhouette_items(80) == 30 and own_scores(X, found.labels, "kshape", {})["silhouette"] > 0.3
    index = api.similarity_for(api.Dataset(name="shapes", item_names=[str(i) for i in range(60)], series=X),
                               api.Config(features="znorm", clusterer="kshape", cluster_on="features"))
    assert isinstance(index, api.ShapeIndex) and index.column == "shape distance"
    order, distances = index.more_like(25, k=10)  # a dip: the nine nearest are dips, at other places
    assert order[0] == 25 and distances[0] == 0.0 and (np.diff(distances) >= 0).all()
    assert set(truth[order]) == {1}
    centre = api.barycentre(X[truth == 1], "sbd")  # the dips' shared shape: the dips nearest it, wherever they sit
    nearest = api.nearest_to_centre(X, centre, "sbd", 12)
    assert len(nearest) == 12 and set(truth[nearest]) == {1}
    t = np.arange(60)  # under DTW in a band: the sines nearest a sine's barycentre, not the squares
    waves = np.array([np.sin(t / 4 + phase) for phase in np.linspace(0, 0.5, 8)]
                     + [np.sign(np.sin(t / 4 + phase)) for phase in np.linspace(0, 0.5, 8)])
    assert set(api.nearest_to_centre(waves, api.barycentre(waves[:8], "dtw"), "dtw", 8, band=0.1)) == set(range(8))
    plain = api.nearest_to_centre(X, X.mean(axis=0), "euclidean", 5)
    assert list(plain) == list(np.argsort(np.linalg.norm(X - X.mean(axis=0), axis=1))[:5])


# -- graphs --------------------------------------------------------------------------------------
def test_karate_has_the_club_split(karate):
    assert karate.kind == "graph" and len(karate) == 34 and karate.class_names == ["Mr. Hi", "Officer"]
    assert karate.graph.number_of_edges() == 78


@pytest.mark.parametrize("name", [n for n in CLUSTERERS if "graph" in CLUSTERERS[n].tags])
def test_every_graph_method_finds_the_planted_communities(name):
    graph = nx.planted_partition_graph(3, 12, 0.9, 0.02, seed=1)
    truth = np.array([graph.nodes[n]["block"] for n in graph.nodes()])
    nx.set_node_attributes(graph, {n: str(graph.nodes[n]["block"]) for n in graph.nodes()}, "group")
    for n in graph.nodes():
        del graph.nodes[n]["block"]
    graph.graph.clear()  # the generator's own graph attributes (lists) are not GraphML
    data = api.load_graphml(_graphml(graph))
    assert data.class_names == ["0", "1", "2"]
    params = {"n_clusters": 3} if "k" in CLUSTERERS[name].tags else {}
    result = api.run(data, api.default_config(data, clusterer=name, clusterer_params=params))
    assert result.metrics["ari"] > 0.9, result.metrics
    assert result.metrics["modularity"] > 0.5 and result.metrics["conductance"] < 0.2
    assert np.array_equal(np.sort(np.unique(truth)), np.arange(3))


def _graphml(graph: nx.Graph) -> bytes:
    import io

    buffer = io.BytesIO()
    nx.write_graphml(graph, buffer)
    return buffer.getvalue()


def test_an_edge_list_merges_duplicates_drops_self_loops_and_keeps_components():
    text = "source,target,weight\na,b,1\nb,a,2\nb,c,1\nc,c,5\nx,y,1\ny,z,1\n"
    data = api.load_edge_list(text.encode(), name="toy")
    assert sorted(data.item_names) == ["a", "b", "c", "x", "y", "z"] and data.graph["a"]["b"]["weight"] == 3.0
    notes = " ".join(data.report.notes)
    assert "1 duplicate edge(s) merged" in notes and "1 self-loop(s) dropped" in notes
    assert "2 connected components" in notes
    result = api.run(data, api.default_config(data))
    assert result.metrics["n_clusters"] == 2  # one community per component


@pytest.mark.parametrize("text", [
    "from;to\nann smith;bob\nbob;cy\n",  # semicolons, a name with a space
    "person1|person2|strength|since\nann smith|bob|2|2020\nbob|cy|1|2021\n",  # bars, a header by its weight
    "source,target,weight,time\nann smith,bob,2,2020-01-01\nbob,cy,1,2020-01-02\n",  # a column more, ignored
])
def test_edge_lists_as_they_come_are_read_as_written(text):
    data = api.load_edge_list(text.encode())
    assert sorted(data.item_names) == ["ann smith", "bob", "cy"] and data.graph.number_of_edges() == 2
    assert data.graph["ann smith"]["bob"]["weight"] in (1.0, 2.0)


@pytest.mark.parametrize("text, message", [
    ("", "empty"), ("a,b,heavy\n", "not a number"), ("a,b,-1\n", "no edges"), ("a\n", "expected 'source, target"),
    ("a,a\n", "no edges"),
])
def test_bad_edge_lists_say_what_is_wrong(text, message):
    with pytest.raises(DataError, match=message):
        api.load_edge_list(text.encode())


def test_bad_graphml_says_so():
    with pytest.raises(DataError, match="GraphML"):
        api.load_graphml(b"<graphml><broken")


def test_modularity_and_conductance_of_the_club_split(karate):
    scores = graph_scores(karate.graph, karate.item_names, karate.labels)
    assert scores["modularity"] == pytest.approx(nx.community.modularity(
        karate.graph, [{n for n, k in zip(karate.item_names, karate.labels) if k == c} for c in (0, 1)]))
    assert 0 < scores["conductance"] < 0.3


def test_each_community_of_the_club_split_has_its_links_its_conductance_and_its_leader_as_hub(karate):
    labels = karate.labels.copy()
    profiles = api.community_profiles(karate.graph, karate.item_names, labels)
    for club in (0, 1):
        members = {n for n, k in zip(karate.item_names, labels) if k == club}
        inside = karate.graph.subgraph(members)
        found = profiles[club]
        assert found["members"] == len(members) and found["edges_inside"] == inside.number_of_edges()
        assert found["conductance"] == pytest.approx(nx.conductance(karate.graph, members, weight="weight"))
        assert found["density"] == pytest.approx(nx.density(inside))
        strongest = max(members, key=lambda n: inside.degree(n, weight="weight"))
        assert karate.item_names[found["hubs"][0][0]] == strongest
    assert {karate.item_names[profiles[c]["hubs"][0][0]] for c in (0, 1)} == {"0", "33"}  # instructor, administrator
    labels[0] = -1  # noise is no community, and its edges leave none
    assert set(api.community_profiles(karate.graph, karate.item_names, labels)) == {0, 1}


def test_graphs_use_the_spring_layout_and_their_own_methods(karate):
    assert reducers_for("graph") == ["spring"] and "spring" not in reducers_for("images")
    with pytest.raises(DataError, match="does not apply to graph data"):
        api.run(karate, api.default_config(karate, clusterer="hdbscan"))


def test_graph_datasets_round_trip_through_the_dataset_store(karate, tmp_path):
    store = api.RunStore(tmp_path)
    back = store.datasets.get(store.datasets.put(karate))
    assert back.kind == "graph" and back.fingerprint() == karate.fingerprint()
    assert nx.utils.graphs_equal(back.graph, karate.graph) or sorted(back.graph.edges()) == sorted(karate.graph.edges())


def test_a_nodes_neighbourhood_lists_its_heaviest_edges_first_and_the_edges_among_them(tmp_path):
    star = nx.Graph()
    star.add_edges_from(("hub", f"leaf{i}", {"weight": float(i + 1)}) for i in range(100))
    star.add_edge("leaf98", "leaf99", weight=1.0)
    star.nodes["hub"]["role"] = "centre"
    data = api.load_edge_list("\n".join(f"{u} {v} {d['weight']}" for u, v, d in star.edges(data=True)).encode())
    hub = data.item_names.index("hub")
    hood = api.neighbourhood(data, hub)
    assert hood["focus"] == hub and hood["degree"] == 100 and len(hood["neighbours"]) == api.NEIGHBOURS_SHOWN
    assert [data.item_names[i] for i in hood["neighbours"][:3]] == ["leaf99", "leaf98", "leaf97"]
    members = [hub] + hood["neighbours"]
    drawn = {frozenset((data.item_names[members[a]], data.item_names[members[b]])) for a, b in hood["edges"]}
    assert len(drawn) == api.NEIGHBOURS_SHOWN + 1 and frozenset(("leaf98", "leaf99")) in drawn
    graphml = tmp_path / "star.graphml"
    nx.write_graphml(star, graphml)
    read = api.load(str(graphml))
    assert api.neighbourhood(read, read.item_names.index("hub"))["attributes"] == {"role": "centre"}
    leaf = data.item_names.index("leaf3")
    assert api.neighbourhood(data, leaf)["neighbours"] == [hub]

    labels = np.zeros(len(data), dtype=int)
    figure = api.ego_network(np.random.default_rng(0).normal(size=(len(data), 2)), labels, hood, {0: "cluster 0"},
                             data.item_names)
    clicked = np.concatenate([np.asarray(t.customdata) for t in figure.data if t.customdata is not None])
    assert sorted(clicked.tolist()) == sorted(members)  # a click gives the item's index in the dataset


# -- the CLI, runs and comparisons ---------------------------------------------------------------
def test_the_cli_clusters_karate_and_a_series_csv(tmp_path, capsys):
    assert main(["cluster", "--data", "karate", "--json"]) == 0
    karate_run = json.loads(capsys.readouterr().out)
    assert karate_run["modularity"] > 0.4 and karate_run["n_clusters"] >= 2
    assert karate_run["clustered"] == "the graph's edges themselves"
    (tmp_path / "w.csv").write_text(waves())
    assert main(["cluster", "--data", str(tmp_path / "w.csv"), "--csv-kind", "series", "--reduce", "pca",
                 "--param", "n_clusters=2", "--json"]) == 0
    series_run = json.loads(capsys.readouterr().out)
    assert series_run["ari"] == 1.0 and series_run["clustered"] == "the series themselves"
    record = api.RunStore().get(series_run["run_id"])
    assert record.config["clusterer"] == "kshape" and record.config["clusterer_params"]["n_clusters"] == 2
    assert main(["cluster", "--data", str(tmp_path / "w.csv"), "--csv-kind", "series", "--reduce", "pca",
                 "--method", "ts_kmeans", "--param", "n_clusters=2", "--param", "metric=euclidean", "--json"]) == 0
    record = api.RunStore().get(json.loads(capsys.readouterr().out)["run_id"])
    assert record.config["clusterer"] == "ts_kmeans" and record.config["clusterer_params"]["metric"] == "euclidean"


def test_graph_methods_compare_side_by_side(karate):
    results = api.compare(karate, api.default_config(karate), [("louvain_graph", {}), ("label_propagation", {}),
                                                               ("spectral_graph", {"n_clusters": 2})])
    assert [r.config.clusterer for r in results] == ["louvain_graph", "label_propagation", "spectral_graph"]
    assert all("modularity" in r.metrics for r in results)


def test_series_written_a_row_per_time_step_become_one_series_per_id_in_time_order():
    rng = np.random.default_rng(1)
    rows = []
    for i in range(8):
        steps = np.arange(12 + i % 2)
        rng.shuffle(steps)  # the rows in any order: the time column orders them
        rows += [f"m{i},{t},{(t if i % 2 else -t) + 0.01 * i},{'up' if i % 2 else 'down'}" for t in steps]
    data = api.load_series_csv(("sensor,time,reading,label\n" + "\n".join(rows)).encode())
    assert data.item_names == [f"m{i}" for i in range(8)] and data.class_names == ["down", "up"]
    assert data.series[1, :12].tolist() == pytest.approx([t + 0.01 for t in range(12)])  # in time order
    assert np.isnan(data.series[0, 12]) and not np.isnan(data.series[1, 12])  # 12 and 13 steps: ragged
    said = "one row per time step: a series per “sensor”, its values “reading” in “time” order, its label “label”"
    assert said in data.report.notes
    with pytest.raises(DataError, match="a label belongs to a whole series"):
        api.load_series_csv(b"id,t,v,label\n" + "\n".join(f"a,{t},{t},{'xy'[t % 2]}" for t in range(6)).encode()
                            + b"\n" + "\n".join(f"b,{t},{t},x" for t in range(6)).encode())
    wide = api.load_series_csv(b"label,v1,v2,v3,v4\na,1,2,3,4\na,2,3,4,5\na,1,1,1,1\nb,4,3,2,1\nb,5,4,3,2\nb,1,2,1,2\n")
    assert wide.series.shape == (6, 4)  # a label first, one series a row: not a row per time step


def test_series_a_row_per_time_step_keep_the_files_order_of_ids_and_ignore_extra_cells():
    rows = [f"{sid},{t},{t * (1 if sid == 'b10' else -1)}" + (",extra" if t == 0 else "")
            for sid in ("b10", "b2") for t in (3, 1, 0, 2, 4)]
    data = api.load_series_csv(("id,time,value\n" + "\n".join(rows)).encode())
    assert data.item_names == ["b10", "b2"] and data.series[0].tolist() == [0, 1, 2, 3, 4]
    kinds = [f"{sid},{t},{t},{sid[0]}" for sid in ("x1", "x2", "y1") for t in range(5)]
    named = api.load_series_csv(("id,time,value,kind\n" + "\n".join(kinds)).encode())
    assert named.class_names == ["x", "y"] and named.labels.tolist() == [0, 0, 1]  # a column of text: the label


def test_series_and_edge_lists_in_windows_1252_read_as_written(tmp_path):
    series = tmp_path / "series.csv"
    rows = [f"Messung {i} ä,{','.join(str(round(np.sin(t / 3 + i % 2 * 3), 3)) for t in range(30))}"
            for i in range(12)]
    series.write_bytes(("\n".join(rows) + "\n").encode("cp1252"))
    data = api.load_series_csv(series)
    assert data.item_names[0] == "Messung 0 ä" and data.series.shape[0] == 12
    edges = tmp_path / "edges.csv"
    edges.write_bytes("source,target\nJürgen,Ölaf\nÖlaf,Zoë\nZoë,Jürgen\n".encode("cp1252"))
    graph = api.load_edge_list(edges)
    assert sorted(graph.item_names) == ["Jürgen", "Zoë", "Ölaf"]


def _ucr_text(rows: int = 40, length: int = 60) -> str:
    """The UCR archive's layout: no header, the class code, then the series' values, tab-separated."""
    rng = np.random.default_rng(1)
    t = np.linspace(0, 6, length)
    lines = []
    for i in range(rows):
        code = i % 2 + 1
        values = (np.sin(t) if code == 1 else np.sign(np.sin(t))) + rng.normal(0, 0.1, length)
        lines.append("\t".join([str(code)] + [f"{v:.4f}" for v in values]))
    return "\n".join(lines) + "\n"


def test_the_ucr_layout_reads_its_first_column_as_the_class(tmp_path):
    path = tmp_path / "Waves_TRAIN.tsv"
    path.write_text(_ucr_text())
    series = load(path, csv_kind="series")
    assert series.series.shape == (40, 60) and series.class_names == ["1", "2"]
    assert any("UCR archive" in n for n in series.report.notes)
    table = load(path, csv_kind="table")  # a table of many columns, its class not a feature, and a hint
    assert table.kind == "table" and table.table.shape == (40, 60) and table.class_names == ["1", "2"]
    assert any("--csv-kind series" in n for n in table.report.notes)
    guessed = load(path)  # auto: its rows change smoothly along its columns, as series do
    assert guessed.kind == "series" and guessed.class_names == ["1", "2"]
    assert np.array_equal(guessed.series, series.series) and np.array_equal(guessed.labels, series.labels)


def test_a_table_of_columns_numbered_as_time_steps_whose_rows_are_smooth_reads_as_series(tmp_path):
    from engine.data import variants
    from engine.data.series import dated_columns
    from engine.data.tables import SERIES_SMOOTH, smoothness

    values, kinds = variants.cylinder_bell_funnel(60, seed=3)
    header = ",".join(f"t{i + 1}" for i in range(values.shape[1])) + ",label\n"

    def write(name: str, rows: np.ndarray, head: str = header) -> bytes:
        text = head + "".join(",".join(f"{v:.4f}" for v in row) + f",{k}\n" for row, k in zip(rows, kinds))
        (tmp_path / name).write_text(text)
        return text.encode()

    data = write("cbf.csv", values)
    for read in (load(tmp_path / "cbf.csv"), api.load_bytes("cbf.csv", data)):  # the CLI's path, the app's upload
        assert read.kind == "series" and read.series.shape == (60, 128)
        assert read.class_names == ["bell", "cylinder", "funnel"] and np.allclose(read.series, values, atol=1e-4)
        assert read.report.notes[0].startswith("read as time series, one a row: its 128 columns are numbered like "
                                               "time steps (t1 … t128) and each row changes smoothly along them")
    assert load(tmp_path / "cbf.csv", csv_kind="table").kind == "table"  # told, it is a table
    # the same values in no order under the same header: numbered, but no row is a series, so a table with a hint
    shuffled = values[:, np.random.default_rng(0).permutation(values.shape[1])]
    assert smoothness(shuffled) < 0.1 < SERIES_SMOOTH <= smoothness(values)
    write("shuffled.csv", shuffled)
    table = load(tmp_path / "shuffled.csv")
    assert table.kind == "table" and any("--csv-kind series" in n for n in table.report.notes)
    # features numbered f0…f63 (embeddings written out by another tool) and a headless table of measurements
    rng = np.random.default_rng(1)
    embeddings = rng.normal(size=(60, 64)) @ rng.normal(size=(64, 64))
    write("embeddings.csv", embeddings, ",".join(f"f{j}" for j in range(64)) + ",label\n")
    assert load(tmp_path / "embeddings.csv").kind == "table"
    blobs = np.repeat(rng.normal(0, 5, (3, 30)), 20, axis=0) + rng.normal(size=(60, 30))
    (tmp_path / "blobs.csv").write_text("".join(",".join(f"{v:.3f}" for v in row) + "\n" for row in blobs))
    assert load(tmp_path / "blobs.csv").kind == "table"
    # a spectrum's columns: wavenumbers, falling, a header of numbers alone (the first row is no series)
    write("spectra.csv", values, "sample," + ",".join(f"{4000 - 2.5 * j:.1f}" for j in range(128)) + ",label\n")
    text = (tmp_path / "spectra.csv").read_text().splitlines()
    (tmp_path / "spectra.csv").write_text("\n".join([text[0]] + [f"s{i},{line}" for i, line in enumerate(text[1:])]))
    spectra = load(tmp_path / "spectra.csv")
    assert spectra.kind == "series" and np.allclose(spectra.series, values, atol=1e-4)
    assert spectra.item_names[:2] == ["s0", "s1"] and "(4000.0 … 3682.5)" in spectra.report.notes[0]
    # a survey's answers, Q1…Q30 on a scale of 1-5 in blocks of 5 questions on one trait: smooth rows, no series
    traits = np.repeat(rng.normal(size=(60, 6)), 5, axis=1) + rng.normal(0, 0.4, (60, 30))
    likert = np.clip(np.round(3 + traits), 1, 5)
    assert smoothness(likert) >= SERIES_SMOOTH
    (tmp_path / "survey.csv").write_text(",".join(f"Q{j + 1}" for j in range(30)) + "\n" + "".join(
        ",".join(f"{v:.0f}" for v in row) + "\n" for row in likert))
    assert load(tmp_path / "survey.csv").kind == "table"
    # t1…t30 are no dates (pandas' mixed parser reads them as days of January in the year 1)
    assert not dated_columns(["id"] + [f"t{i}" for i in range(1, 31)])
    assert dated_columns(["page"] + [f"2021-01-{d:02d}" for d in range(1, 31)])
    assert dated_columns(["page"] + [f"May {d}" for d in range(1, 31)])


def test_rows_padded_with_empty_cells_to_one_width_are_series_of_several_lengths(tmp_path):
    rng = np.random.default_rng(4)
    rows = []
    for i in range(12):  # 20-31 values, padded with empty cells to 31, no header (the first row is padded too)
        values = np.sin(np.linspace(0, (1 + i % 2) * 6, 20 + i)) + rng.normal(0, .05, 20 + i)
        rows.append(",".join(f"{v:.3f}" for v in values) + "," * (11 - i))
    (tmp_path / "padded.csv").write_text("\n".join(rows) + "\n")
    data = load(tmp_path / "padded.csv")
    assert data.kind == "series" and len(data) == 12 and "end in empty cells" in data.report.notes[0]
    assert np.isnan(data.series[0, 20:]).all() and not np.isnan(data.series[11]).any()
    table = load(tmp_path / "padded.csv", csv_kind="table")  # said to be a table: one, its first row data
    assert table.kind == "table" and len(table) == 12 and table.report.notes[0] == "no header row: its columns are " \
        "numbered"
    assert table.report.notes[1] == ("5 columns left out, empty or over 50% empty (“column 27” (58%), “column 28” "
                                     "(67%), “column 29” (75%) and 2 more)")  # one note for many such columns
    assert table.report.notes[3].startswith("6 columns had empty or non-finite cells (21 in all), filled from")
    gaps = "\n".join(",".join("" if (i + j) % 7 == 0 else f"{i + j}.5" for j in range(12)) for i in range(12))
    (tmp_path / "gaps.csv").write_text(gaps + "\n")  # empty cells between numbers: a table with gaps, not series
    assert load(tmp_path / "gaps.csv").kind == "table"


def test_a_long_edge_list_sorted_by_its_first_node_is_still_seen_as_one(tmp_path):
    from engine.data.graphs import pairs_of_ids

    graph = nx.planted_partition_graph(4, 500, 0.01, 0.0005, seed=2)
    pairs = "".join(f"{u},{v}\n" for u, v in sorted(graph.edges()))  # written u < v, sorted by u
    first = [line.split(",") for line in pairs.splitlines()[:200]]  # few of its first nodes are in column two yet
    assert not pairs_of_ids(first)
    (tmp_path / "sorted.csv").write_text(pairs)
    linked = {node for edge in graph.edges() for node in edge}
    assert load(tmp_path / "sorted.csv").kind == "graph" and len(load(tmp_path / "sorted.csv")) == len(linked)
    table = load(tmp_path / "sorted.csv", csv_kind="table")
    assert table.report.notes[0].startswith("its rows look like an edge list's")


def test_a_tab_separated_edge_list_of_names_with_spaces_is_an_edge_list(tmp_path):
    (tmp_path / "people.tsv").write_text("Ada Lovelace\tCharles Babbage\nCharles Babbage\tMary Somerville\n"
                                         "Mary Somerville\tAda Lovelace\nAda Lovelace\tLord Byron\n")
    data = load(tmp_path / "people.tsv")
    assert data.kind == "graph" and data.graph.degree["Ada Lovelace"] == 3


def test_a_csv_of_node_id_pairs_is_an_edge_list_and_a_table_of_two_counts_is_not(tmp_path):
    graph = nx.planted_partition_graph(3, 20, 0.4, 0.02, seed=1)
    pairs = "".join(f"{u},{v}\n" for u, v in graph.edges())
    (tmp_path / "edges.csv").write_text(pairs)  # no header, no .edges suffix
    data = load(tmp_path / "edges.csv")
    assert data.kind == "graph" and len(data) == 60 and data.report.notes[0].startswith("an edge list: its rows are "
                                                                                       "pairs of node ids")
    assert api.load_bytes("edges.csv", pairs.encode()).kind == "graph"
    table = load(tmp_path / "edges.csv", csv_kind="table")  # said to be a table: one, with a hint
    assert table.kind == "table" and table.report.notes[0].startswith("its rows look like an edge list's")
    (tmp_path / "musae.csv").write_text("id_1,id_2\n" + pairs)  # headers naming one thing twice, numbered
    (tmp_path / "string.csv").write_text("protein1,protein2,combined_score\n"
                                         + "".join(f"P{u},P{v},{500 + u}\n" for u, v in graph.edges()))
    for name in ("musae.csv", "string.csv"):
        assert load(tmp_path / name).kind == "graph" and len(load(tmp_path / name)) == 60
    assert load(tmp_path / "string.csv").graph["P0"]["P1"]["weight"] >= 500
    rng = np.random.default_rng(0)
    visits = rng.integers(0, 30, (80, 2))
    visits[::5, 1] = visits[::5, 0]  # some rows alike in both columns: counts, not links
    (tmp_path / "visits.csv").write_text("".join(f"{a},{b}\n" for a, b in visits))
    measured = rng.normal(0, 1, (40, 2))
    (tmp_path / "features.csv").write_text("x1,x2\n" + "".join(f"{a:.2f},{b:.2f}\n" for a, b in measured))
    assert load(tmp_path / "visits.csv").kind == "table" and load(tmp_path / "features.csv").kind == "table"


def test_a_first_column_of_whole_numbers_stays_in_series_of_whole_numbers(tmp_path):
    counts = "\n".join(",".join(str(v) for v in [i % 2 + 1, *np.arange(10) * (i + 1)]) for i in range(12))
    (tmp_path / "counts.csv").write_text(counts + "\n")
    data = load(tmp_path / "counts.csv", csv_kind="series")
    assert data.labels is None and data.series.shape == (12, 11)


def test_a_tsv_of_two_or_three_columns_is_an_edge_list(tmp_path):
    (tmp_path / "g.tsv").write_text("a\tb\t1\nb\tc\t2\nc\ta\t1\n")
    (tmp_path / "g.txt").write_text("a b\nb c\nc a\n")
    assert load(tmp_path / "g.tsv").kind == "graph" and load(tmp_path / "g.txt").kind == "graph"
    assert load(tmp_path / "g.tsv", csv_kind="table").kind == "table"


def test_a_tsv_of_two_or_three_columns_of_measurements_is_a_table(tmp_path):
    from sklearn.datasets import make_blobs

    X, y = make_blobs(300, 2, centers=3, random_state=3)  # points with their group: x, y, group
    rows = "".join(f"{a:.4f}\t{b:.4f}\t{c}\n" for (a, b), c in zip(X, y))
    (tmp_path / "points.tsv").write_text("x\ty\tgroup\n" + rows)
    (tmp_path / "points.txt").write_text("".join(f"{a:.4f} {b:.4f}\n" for a, b in X))  # no header, no group
    points = load(tmp_path / "points.tsv")  # read as an edge list, these were 600 nodes in ~300 components
    assert points.kind == "table" and points.table.shape == (300, 2) and (points.labels == y).all()
    assert load(tmp_path / "points.txt").kind == "table" and load(tmp_path / "points.txt").table.shape == (300, 2)
    (tmp_path / "ids.tsv").write_text("1.0\t2.0\t0.5\n2.0\t3.0\t1.5\n3.0\t1.0\t2\n")  # whole ids written as floats
    assert load(tmp_path / "ids.tsv").kind == "graph"


def test_a_csv_whose_header_names_two_endpoints_is_an_edge_list_with_its_weight_column(tmp_path):
    gephi = ("Source,Target,Type,Id,Label,Weight\nann,bob,Undirected,0,,2.5\nbob,cy,Undirected,1,,1\n"
             "cy,di,Directed,2,,1\n")
    (tmp_path / "gephi.csv").write_text(gephi)  # Gephi's export: the weight is the sixth column, "Type" is text
    data = load(tmp_path / "gephi.csv")
    assert data.kind == "graph" and data.graph["ann"]["bob"]["weight"] == 2.5 and data.graph.number_of_edges() == 3
    assert "an edge list: its header names the endpoints “Source” and “Target”, the weights “Weight”" in \
        data.report.notes[0]
    (tmp_path / "plain.csv").write_text('"from","to"\nann,bob\nbob,cy\n')  # quoted names, no weights
    assert load(tmp_path / "plain.csv").kind == "graph"
    assert "no weights (each edge counts 1)" in load(tmp_path / "plain.csv").report.notes[0]
    asked = load(tmp_path / "gephi.csv", csv_kind="table")  # named, it is read as asked, with a hint
    assert asked.kind == "table" and "if each row is an edge, load it as an edge list" in asked.report.notes[0]
    (tmp_path / "table.csv").write_text("a,b\n1,2\n3,4\n5,6\n7,8\n")  # a two-column table stays one
    assert load(tmp_path / "table.csv").kind == "table"
    (tmp_path / "temporal.csv").write_text("from,to,timestamp\nann,bob,1600000000\nbob,cy,1600000300\n"
                                           "ann,bob,1600000900\n")  # SNAP's temporal networks: when, not how strong
    timed = load(tmp_path / "temporal.csv")
    assert timed.graph["ann"]["bob"]["weight"] == 2 and timed.graph["bob"]["cy"]["weight"] == 1
    assert "no weights (each edge counts 1; “timestamp” holds times, not strengths)" in timed.report.notes[0]
    assert load(tmp_path / "table.csv").kind == "table"


def test_edges_of_zero_or_negative_weight_are_dropped_and_said():
    signed = "a,b,1\nb,c,-1\nc,a,0.5\nc,d,0\nd,a,2\n"  # a signed network: distrust is not a link
    data = api.load_edge_list(signed.encode())
    assert data.graph.number_of_edges() == 3 and len(data) == 4
    assert any(n.startswith("2 edge(s) with a weight of zero or less") for n in data.report.notes)
    with pytest.raises(api.DataError, match=r"no edges between distinct nodes.*\(4 edge\(s\) with a weight of zero "
                                            r"or less"):  # every weight zero: the error said only "no edges"
        api.load_edge_list(b"a,b,0\nb,c,0\nc,d,0\nd,a,0\n")


def test_missing_values_inside_a_series_are_filled_from_their_neighbours():
    data = api.load_series_csv(b"1,2,3,4,5,6\n1,2,,4,nan,6\n1,?,3,4,5,NA\n")
    # a gap on a line is filled on it; a missing end takes its neighbour's value
    assert data.series.tolist() == [[1, 2, 3, 4, 5, 6], [1, 2, 3, 4, 5, 6], [1, 2, 3, 4, 5, 5]]
    assert any(n.startswith("4 missing value(s) (empty cells, NaN) inside 2 series filled") for n in data.report.notes)


def test_a_column_per_series_file_is_read_down_its_columns_in_time_order():
    rng = np.random.default_rng(0)
    days = [f"2024-01-{d:02d}" for d in range(1, 31)]
    columns = {f"{kind}{i}": (np.sin(np.arange(30) / 3) if kind == "wave" else np.arange(30) / 10)
               + rng.normal(0, 0.05, 30) for kind in ("wave", "ramp") for i in range(3)}
    order = rng.permutation(30)  # rows out of date order
    text = "Date," + ",".join(columns) + "\n" + "".join(
        days[i] + "," + ",".join(f"{columns[c][i]:.4f}" for c in columns) + "\n" for i in order)
    data = api.load_series_csv(text.encode(), name="stocks")
    assert data.item_names == list(columns) and data.series.shape == (6, 30)
    assert np.allclose(data.series[3], columns["ramp0"], atol=1e-4)  # put back in date order
    assert data.report.notes == ["one column per series: 6 series of 30 steps, in “Date” order"]
    result = api.run(data, api.Config(features="znorm", clusterer="ts_kmeans", cluster_on="features",
                                      clusterer_params={"n_clusters": 2}))
    assert len(set(result.labels[:3])) == 1 and result.labels[0] != result.labels[3]


def test_a_long_file_with_its_time_first_is_a_series_per_id():
    rows = ["date,store,sales"] + [f"2024-02-{d + 1:02d},store{s},{d * (s + 1)}" for d in range(10) for s in range(4)]
    data = api.load_series_csv("\n".join(rows).encode())
    assert data.item_names == ["store0", "store1", "store2", "store3"] and data.series.shape == (4, 10)
    assert data.series[1].tolist() == [2.0 * d for d in range(10)]


def test_the_ucr_archives_older_space_separated_txt_reads_as_written(tmp_path):
    from engine.data import variants

    values, kinds = variants.cylinder_bell_funnel(30)
    codes = {"cylinder": 1, "bell": 2, "funnel": 3}
    path = tmp_path / "CBF_TRAIN.txt"  # scientific notation, two spaces apart, the class as a float first
    path.write_text("".join("  " + "  ".join(f"{v:.7e}" for v in [float(codes[k]), *row]) + "\n"
                            for row, k in zip(values, kinds)))
    series = load(path, csv_kind="series")
    assert series.series.shape == (30, 128) and series.class_names == ["1", "2", "3"]
    assert np.allclose(series.series[0], values[0], atol=1e-6)
    table = load(path, csv_kind="table")
    assert table.table.shape == (30, 128) and table.report.notes[0] == "read as space-separated"
    guessed = load(path)  # not told: 128 columns of numbers, each row smooth along them
    assert guessed.kind == "series" and np.allclose(guessed.series, series.series)
    assert guessed.report.notes[0].startswith("read as time series, one a row: its 128 columns of numbers (no header)")
    for words in (b"alpha\nbeta\ngamma\ndelta\n", b"1\nalpha\nbeta\ngamma\n"):  # names, no values: said, not a crash
        with pytest.raises(DataError, match="no values after its name|at least 4 values"):
            api.load_series_csv(words)


def test_kshape_chooses_k_with_its_own_fits_and_distance_where_kmeans_sweep_reads_phase_as_shape():
    from sklearn.metrics import adjusted_rand_score

    from engine.cluster import cluster
    from engine.cluster.auto_k import by_silhouette_and_stability, k_sentence
    from engine.cluster.kshape import znormalise

    rng = np.random.default_rng(0)  # sines of 3 frequencies, each at any phase
    truth, t = np.repeat([0, 1, 2], 40), np.arange(100)
    X = np.sin(2 * np.pi * np.array([2, 4, 7])[truth][:, None] * t / 100 + rng.uniform(0, 2 * np.pi, (120, 1)))
    X += rng.normal(0, 0.4, X.shape)
    found = cluster(X, "kshape", {"n_clusters": 0})
    assert found.params["n_clusters"] == 3 and adjusted_rand_score(truth, found.labels) == 1.0
    said = k_sentence(found.k_choice.as_dict())
    assert said.endswith("(k-Shape fits, the silhouette under the shape-based distance)")
    assert by_silhouette_and_stability(znormalise(X)).k > 6  # the euclidean sweep splits each frequency by phase


def test_a_zip_of_an_edge_list_and_a_node_table_labels_the_nodes(tmp_path):
    """SNAP's MUSAE sets ship so: musae_git_edges.csv, musae_git_target.csv (id, name, ml_target) and a larger
    features JSON; the edge list is read, and the target table's classes label the nodes."""
    import json
    import zipfile

    graph = nx.planted_partition_graph(2, 20, 0.5, 0.02, seed=3)
    with zipfile.ZipFile(tmp_path / "musae.zip", "w") as archive:
        archive.writestr("git/musae_git_edges.csv", "id_1,id_2\n" + "".join(f"{u},{v}\n" for u, v in graph.edges()))
        archive.writestr("git/musae_git_target.csv", "id,name,ml_target\n" + "".join(
            f"{n},user{n},{n // 20}\n" for n in sorted(graph, reverse=True)))  # any order, a name each
        archive.writestr("git/musae_git_features.json", json.dumps({str(n): list(range(200)) for n in graph}))
        archive.writestr("git/citing.txt", "Rozemberczki et al. 2019\n")
    data = load(tmp_path / "musae.zip")
    assert data.kind == "graph" and len(data) == 40
    assert data.class_names == ["0", "1"] and [int(data.class_names[i]) for i in data.labels] == \
        [int(n) // 20 for n in data.item_names]
    assert data.graph.nodes["7"]["name"] == "user7"  # every column is an attribute the Similar page lists
    assert data.report.notes[0].startswith("read git/musae_git_edges.csv from the archive (its edge list; also there")
    assert "node attributes read from git/musae_git_target.csv (its “id” names the nodes); 'ml_target' used as the " \
           "true labels" in data.report.notes
    with zipfile.ZipFile(tmp_path / "partial.zip", "w") as archive:  # a table that misses nodes names none
        archive.writestr("edges.csv", "source,target\n" + "".join(f"{u},{v}\n" for u, v in graph.edges()))
        archive.writestr("nodes.csv", "id,block\n" + "".join(f"{n},{n // 20}\n" for n in range(30)))
    partial = load(tmp_path / "partial.zip")
    assert partial.labels is None and not any("node attributes" in note for note in partial.report.notes)
