"""The HTML report and the exports of a stored run: every section, nothing external, one CSV row per item."""

import io
import re

import numpy as np
import pandas as pd
import pytest

from engine import api, report
from engine.cli import main


@pytest.fixture(scope="module")
def stored_run(digits, digits_result):
    """The session's digits run (UMAP is cached), stored, with a K-means run beside it and a named selection."""
    store = api.RunStore()
    result = api.run(digits, digits_result.config, store=store)
    api.run(digits, api.Config(**{**digits_result.config.as_dict(), "clusterer": "kmeans",
                                  "clusterer_params": {"n_clusters": 10}}), store=store)
    store.name_selection(result.run_id, "curly ones", [5, 7, 11])
    return store, result


@pytest.fixture(scope="module")
def context(stored_run):
    store, result = stored_run
    return report.RunContext.load(store, result.run_id)


@pytest.fixture(scope="module")
def html(context):
    return report.build(context)


def test_the_report_has_every_section(html, context):
    for section in report.SECTIONS:
        assert f'<section id="{section}">' in html
    assert "curly ones" in html and "Ward linkage" in html and "kmeans" in html  # selection, tree, comparison
    assert "why this K" in html and "10-D clustering space" in html  # how the default run chose K, and where
    galleries = min(context.record.metrics["n_clusters"], 12)
    assert html.count("<img") >= galleries + 2  # the sample, one gallery per cluster, the named selection
    assert html.count("png;base64,iVBOR") >= galleries + 2 + 48  # and a thumbnail under each of 48 dendrogram leaves
    assert "Plotly.newPlot" in html


def test_the_report_loads_nothing_from_outside(html):
    """No tag or style points outside the file. Plotly's inlined bundle is set aside: it holds links (its logo,
    map tiles) that only its unused features would follow; the browser test watches the network instead."""
    scripts = re.findall(r"<script[^>]*>(.*?)</script>", html, flags=re.S)
    bundles = [s for s in scripts if s.lstrip().startswith("/**") and "plotly.js v" in s[:200]]
    assert len(bundles) == 1  # inlined, once
    ours = html.replace(bundles[0], "")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", ours)
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", ours)
    assert not re.search(r"https?://", ours)
    assert "<link" not in ours and "<script src" not in ours


def test_a_large_map_goes_into_the_report_as_a_picture_of_every_point(context, monkeypatch):
    from engine.viz import figures

    def map_section() -> str:
        return report.build(context, with_attention=False).split('<section id="map">')[1].split("</section>")[0]

    picture = '"sizing":"stretch"'  # the figure's layout image, stretched over the map's ranges
    assert picture not in map_section()  # 1,797 points: drawn as points
    monkeypatch.setattr(figures, "RASTER_POINTS", 1_000)  # now they count as many
    monkeypatch.setattr(figures, "SAMPLE_POINTS", 500)
    section = map_section()
    assert section.count(picture) == 1 and '"layer":"below"' in section


def test_the_labels_csv_has_one_row_per_item_with_cluster_label_and_selection(context, digits):
    frame = pd.read_csv(io.StringIO(report.labels_csv(context)), keep_default_na=False)
    assert len(frame) == len(digits)
    assert frame["cluster"].tolist() == context.labels.tolist()
    assert frame["true_label"].astype(str).tolist() == [str(k) for k in digits.labels]
    assert frame.index[frame["selection"] == "curly ones"].tolist() == [5, 7, 11]


def test_stability_joins_the_report_and_the_csv_once_measured(digits, digits_result):
    store = api.RunStore()
    result = api.run(digits, digits_result.config, store=store)
    before = report.RunContext.load(store, result.run_id)
    assert "Not measured for this run" in report.build(before, with_attention=False).split('id="stability"')[1][:400]
    assert "ambiguity" not in report.labels_frame(before).columns
    found = api.stability(digits, result, store=store, runs=3)
    after = report.RunContext.load(store, result.run_id)
    page = report.build(after, with_attention=False).split('<section id="stability">')[1].split("</section>")[0]
    assert "rerun 3 times on 80% subsamples" in page and page.count("<tr>") == 1 + result.metrics["n_clusters"]
    assert ("most contested" in page) == bool((found.ambiguity > 0).any())
    frame = report.labels_frame(after)
    assert np.allclose(frame["ambiguity"], found.ambiguity, atol=1e-4)
    assert frame["consensus_cluster"].tolist() == found.consensus.tolist()


def test_a_run_on_learned_features_shows_its_training_checkpoints(digits, tmp_path, monkeypatch):
    monkeypatch.setenv("CLUSTERSCOPE_HOME", str(tmp_path))  # its made-up training run stays out of the session's
    store = api.RunStore()
    checkpoints = [{"epoch": e, "step": 0, "progress": p, "time": 10.0 * p, "silhouette": s, "agreement": None,
                    "seconds": 0.1} for e, (p, s) in enumerate([(0.0, 0.1), (0.5, 0.4), (1.0, 0.3)])]
    sample = np.arange(0, 300)
    trained = store.save("train", {"name": digits.name, "fingerprint": digits.fingerprint(), "n_items": len(digits)},
                         {"method": "simclr", "encoder": "small_cnn"},
                         {"checkpoints": checkpoints, "best_checkpoint": 1, "watch_seconds": 0.3}, {},
                         {"embeddings": digits.images.reshape(len(digits), -1)[:, :16].astype(np.float32),
                          "checkpoint_maps": np.random.default_rng(0).normal(size=(3, 300, 2)).astype(np.float32),
                          "checkpoint_sample": sample})
    config = api.Config(features="learned", feature_params={"run_id": trained.run_id, "checkpoint": "best"},
                        reducer="pca", clusterer="kmeans", clusterer_params={"n_clusters": 10})
    result = api.run(digits, config, store=store)
    page = report.build(report.RunContext.load(store, result.run_id), with_attention=False)
    section = page.split('<section id="training">')[1].split("</section>")[0]
    assert trained.run_id in section and "at its best checkpoint" in section and "3 checkpoints" in section
    assert "the best by the label-free silhouette was checkpoint 1" in section and section.count("Plotly.newPlot") == 2
    frame = pd.read_csv(io.StringIO(report.checkpoints_csv(report.RunContext.load(store, result.run_id))))
    assert frame["checkpoint"].tolist() == [0, 1, 2] and frame["best"].tolist() == [False, True, False]
    assert frame["silhouette"].tolist() == [0.1, 0.4, 0.3]
    plain = report.RunContext.load(*stored_plain(store, digits))
    assert "Not applicable: this run's features were not trained here" in report.build(plain, with_attention=False)
    assert report.checkpoints_csv(plain) is None


def stored_plain(store, digits):
    result = api.run(digits, api.Config(features="pixels", reducer="pca", clusterer="kmeans",
                                        clusterer_params={"n_clusters": 10}), store=store)
    return store, result.run_id


def test_embeddings_export_as_numpy_and_parquet(context, digits):
    array = np.load(io.BytesIO(report.embedding_npy(context)))
    assert array.shape == (len(digits), 2) and np.allclose(array, context.embedding)
    frame = pd.read_parquet(io.BytesIO(report.embedding_parquet(context)))
    assert len(frame) == len(digits) and list(frame.columns) == ["item", "dim0", "dim1", "cluster"]


def test_figures_export_as_png(context):
    pngs = report.figures(context)
    assert set(pngs) == {"map.png", "k-sweep.png", "dendrogram.png"}
    assert all(data.startswith(b"\x89PNG") and len(data) > 5000 for data in pngs.values())


def test_the_cli_writes_the_report_and_exports(stored_run, tmp_path, capsys):
    _, result = stored_run
    assert main(["report", result.run_id, "--out", str(tmp_path), "--no-attention"]) == 0
    names = sorted(p.name.split("-")[0] for p in tmp_path.iterdir())
    assert names == ["dendrogram", "embedding", "embedding", "k", "labels", "map", "report"]
    assert str(tmp_path) in capsys.readouterr().out


def test_a_training_run_gets_a_clear_message(stored_run):
    store, _ = stored_run
    record = store.save("train", {"name": "d", "fingerprint": "f"}, {}, {}, {}, {"x": np.zeros(2)})
    with pytest.raises(ValueError, match="clustering runs"):
        report.RunContext.load(store, record.run_id)
    assert main(["report", "no-such-run"]) == 2


def test_a_tables_report_names_its_rows_and_the_columns_that_set_each_cluster_apart(tmp_path):
    from sklearn.datasets import make_blobs

    X, y = make_blobs(300, 3, centers=3, random_state=2)
    text = "name,height,weight,age,label\n" + "\n".join(f"p{i},{a:.3f},{b:.3f},{c:.3f},{'abc'[k]}"
                                                         for i, ((a, b, c), k) in enumerate(zip(X, y)))
    data = api.load_csv(io.StringIO(text), name="people")
    store = api.RunStore(tmp_path / "runs")
    result = api.run(data, api.default_config(data, reducer="pca", clusterer="kmeans",
                                              clusterer_params={"n_clusters": 3}), store=store)
    gallery = report.build(report.RunContext.load(store, result.run_id), with_attention=False)
    assert gallery.count("sets it apart: ") == 3 and re.search(r"sets it apart: (high|low) (height|weight|age) \(",
                                                              gallery)
    assert "last row: outliers" not in gallery  # a table's card lists its typical rows' names, no outliers row
    assert re.search(r"<br>p\d+<br>", gallery)


def test_a_series_report_draws_its_clusters_series_and_a_graph_report_gives_each_community_its_links(tmp_path):
    store = api.RunStore(tmp_path / "runs")
    trace = api.DEMOS["trace"]()
    result = api.run(trace, api.default_config(trace, features="znorm", reducer="pca", clusterer="ts_kmeans",
                                               clusterer_params={"n_clusters": 4}), store=store)
    page = report.build(report.RunContext.load(store, result.run_id), with_attention=False)
    drawn = re.findall(r"<img src='data:image/png;base64,[^']+' alt='(trace \d+)' title='\1' style", page)
    assert len(drawn) == 4 * 12  # each cluster's 12 most typical series, drawn
    assert "The silhouette under DTW, the distance the clusters were found with." in page  # not euclidean's

    karate = api.DEMOS["karate"]()
    result = api.run(karate, api.default_config(karate, clusterer="louvain_graph"), store=store)
    page = report.build(report.RunContext.load(store, result.run_id), with_attention=False)
    assert page.count(" edges inside, conductance ") == result.metrics["n_clusters"]
    assert re.search(r"hubs: (0|33),", page)  # the instructor or the administrator heads a community
    assert "The silhouette under" not in page


def test_a_run_on_copies_of_one_image_has_one_cluster_a_report_and_a_clear_stability_answer():
    """Ten copies of one image: the K sweep said "K = 3" (silhouettes of -1) while K-means found one cluster, the
    report failed in its K sweep ("Number of labels is 1") and stability failed on n_clusters = 1."""
    from engine.cluster.stability import stability
    from tests.conftest import png

    data = api.load_files([(f"same{i}.png", png()) for i in range(10)], image_size=8)
    store = api.RunStore()
    result = api.run(data, api.default_config(data), store=store)
    assert result.metrics["n_clusters"] == 1
    assert api.k_sentence(result.metrics["k_choice"]).startswith("K = 1: every item has the same features")
    page = report.build(report.RunContext.load(store, result.run_id), with_attention=False)
    assert "<html" in page and "Number of labels" not in page
    with pytest.raises(ValueError, match="the run found one cluster .* there is no split to test"):
        stability(result.space, result.labels, result.config.clusterer, result.config.clusterer_params)
