"""Every page through Streamlit's AppTest: no exceptions, the expected elements, nothing recomputed."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from engine import api
from engine.cache import ARRAYS
from tests.conftest import make_zip, png

MAIN = str(Path(__file__).resolve().parents[2] / "app" / "main.py")
PAGES = ["views/data.py", "views/explore.py", "views/clusters.py", "views/similar.py", "views/metrics.py",
         "views/compare.py", "views/dendrogram.py", "views/report.py"]


def fresh_app() -> AppTest:
    at = AppTest.from_file(MAIN, default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    return at


def run_pipeline(at: AppTest) -> AppTest:
    before = at.session_state["result"] if "result" in at.session_state else None
    at.button(key="run").click().run()
    if "job" in at.session_state:  # else it finished before the rerun that follows Run, which collected it
        assert at.session_state["job"].wait(300), "the clustering job did not finish"
        at.run()
    assert not at.exception, at.exception
    assert at.session_state["result"] is not before, "Run made no new result"
    return at


@pytest.fixture(scope="module")
def ran(digits_result) -> AppTest:
    """The app after pressing Run with the defaults (features by the probe, K-means with K = auto on a 10-D clustering
    space, a UMAP map) on digits; UMAP is already warm."""
    return run_pipeline(fresh_app())


def texts(at: AppTest) -> str:
    parts = [e.value for kind in ("markdown", "caption", "success", "info", "error", "warning", "title",
                                  "subheader") for e in getattr(at, kind)]
    return "\n".join(str(p) for p in parts)


def test_data_page_opens_on_the_demo_with_preview_and_report():
    at = fresh_app()
    assert at.title[0].value == "Data"
    assert [m.value for m in at.metric][:1] == ["1,797"]
    assert "1,797 of 1,797 usable items found." in texts(at)
    assert len(at.get("image")) == 1  # the preview grid
    assert at.selectbox(key="reducer").value == "umap" and at.selectbox(key="clusterer").value == "kmeans"
    assert at.selectbox(key="features").value == "auto" and at.radio(key="cluster_on").value == "space"
    assert at.number_input(key="cp.kmeans.n_clusters").value == 0  # K = auto
    assert "a 1,000-item probe (first 500, enough when one clearly leads) compares raw pixels, EfficientNet-Lite0" \
        in texts(at)


def test_the_data_page_says_where_work_runs_and_why_a_dask_scheduler_was_not_used(monkeypatch):
    from engine import distributed

    monkeypatch.setattr(distributed, "CONNECT_TIMEOUT", "2s")
    at = fresh_app()
    assert "K-means, kNN graphs and image features run here, in this process." in texts(at)
    at.text_input(key="dask_address").input("tcp://127.0.0.1:9").run()
    at.button(key="dask_connect").click().run()
    assert not at.exception
    assert "could not reach the Dask scheduler at tcp://127.0.0.1:9" in "\n".join(e.value for e in at.error)
    assert distributed.active() is None  # nothing half-connected: the next run runs here


@pytest.mark.parametrize("page", PAGES[1:])
def test_result_pages_point_to_the_data_page_before_any_run(page):
    at = fresh_app()
    at.switch_page(page).run()
    assert not at.exception
    assert "No clustering yet" in texts(at)


def test_run_from_the_data_page_stores_a_result(ran):
    result = ran.session_state["result"]
    # 0.80 with raw pixels, 0.796 with pixels and the encoder side by side: the probe scores the two within its noise,
    # and which leads differs from one CPU to another
    assert result.metrics["ari"] >= 0.75 and result.run_id and 5 <= result.metrics["n_clusters"] <= 20
    assert "finished in" in texts(ran)
    said = texts(ran)  # why: the features the probe chose, the space clustered, and how K was chosen
    assert result.config.features in ("pixels", "combined")  # raw pixels, alone or beside the encoder
    assert "your 8 px grayscale images clustered most clearly" in said
    assert "10-D clustering space" in said and f"K = {result.metrics['n_clusters']}: the largest K" in said
    sidebar = "\n".join(str(m.value) for m in ran.sidebar.markdown) + "\n".join(c.value for c in ran.sidebar.caption)
    assert "Running" not in sidebar and f"{result.metrics['n_clusters']} clusters" in sidebar
    assert any(df.value.shape[0] >= 8 for df in ran.dataframe)  # the score table


def test_explore_page_shows_the_map(ran):
    ran.switch_page("views/explore.py").run()
    assert not ran.exception
    charts = ran.get("plotly_chart")
    assert len(charts) == 1
    ran.radio(key="colour_by").set_value("True label").run()
    assert not ran.exception


def test_a_selection_made_on_the_map_outlives_a_new_colouring(ran):
    from app.state import run_key

    ran.switch_page("views/explore.py").run()
    ran.radio(key="colour_by").set_value("Cluster").run()
    # what the page keeps when a lasso on the map coloured by cluster picked three items
    ran.session_state["map_selection"] = (run_key(ran.session_state["result"]), "Cluster", [0, 1, 2])
    ran.radio(key="colour_by").set_value("True label").run()
    assert not ran.exception
    assert "Kept from the map coloured by cluster." in texts(ran) and "3 items selected" in texts(ran)
    import base64

    import numpy as np

    def items(trace: dict) -> np.ndarray:  # plotly sends numpy arrays as typed binary
        data = trace["customdata"]
        return np.frombuffer(base64.b64decode(data["bdata"]), data["dtype"]) if isinstance(data, dict) else data

    traces = json.loads(ran.get("plotly_chart")[0].proto.spec)["data"]
    drawn = [int(items(t)[j]) for t in traces if "customdata" in t for j in t.get("selectedpoints", [])]
    assert sorted(drawn) == [0, 1, 2]  # and drawn as selected on the new map
    ran.button(key="clear_selection").click().run()
    assert "Nothing selected yet." in texts(ran) and "map_selection" not in ran.session_state


def test_the_map_drawn_as_a_picture_of_every_point(ran):

    ran.switch_page("views/explore.py").run()
    spec = json.loads(ran.get("plotly_chart")[0].proto.spec)
    assert not spec["layout"].get("images")  # 1,797 points: drawn as points by default
    ran.selectbox(key="map_drawing").set_value("picture").run()
    assert not ran.exception
    spec = json.loads(ran.get("plotly_chart")[0].proto.spec)
    (image,) = spec["layout"]["images"]
    assert image["source"].startswith("data:image/png;base64,") and image["layer"] == "below"
    assert "drawn as one picture of every point" in texts(ran)
    ran.selectbox(key="map_drawing").set_value("auto").run()


def test_a_picture_greys_out_all_but_the_selection_and_zooms_in_on_it(ran):

    from app.state import run_key

    ran.switch_page("views/explore.py").run()
    ran.radio(key="colour_by").set_value("Cluster").run()
    ran.selectbox(key="map_drawing").set_value("picture").run()
    plain = json.loads(ran.get("plotly_chart")[0].proto.spec)["layout"]["images"][0]["source"]
    result = ran.session_state["result"]
    members = np.flatnonzero(result.labels == result.labels[0])[:30].tolist()
    # what the page keeps when a lasso on the picture picked these items
    ran.session_state["map_selection"] = (run_key(result), "Cluster", members)
    ran.run()
    assert not ran.exception and f"{len(members)} items selected" in texts(ran)
    greyed = json.loads(ran.get("plotly_chart")[0].proto.spec)["layout"]["images"][0]["source"]
    assert greyed != plain  # drawn again, the selection over the rest in grey
    ran.button(key="map_zoom_in").click().run()
    assert not ran.exception
    spec = json.loads(ran.get("plotly_chart")[0].proto.spec)
    (x0, x1) = spec["layout"]["xaxis"]["range"]
    xs = result.embedding[members, 0]
    assert x0 < xs.min() and xs.max() < x1 and x1 - x0 < np.ptp(result.embedding[:, 0])
    assert "Zoomed in:" in texts(ran)
    ran.button(key="map_zoom_out").click().run()
    assert "map_zoom" not in ran.session_state and "Zoomed in:" not in texts(ran)
    ran.button(key="clear_selection").click().run()
    ran.selectbox(key="map_drawing").set_value("auto").run()


def test_a_box_or_lasso_on_a_picture_selects_items_not_drawn():
    from types import SimpleNamespace

    import numpy as np

    from app.widgets import selected_items

    embedding = np.array([[0.0, 0.0], [1.0, 1.0], [5.0, 5.0], [9.0, 9.0]])
    event = SimpleNamespace(selection=SimpleNamespace(points=[{"customdata": 3}], box=[{"x": [-1, 2], "y": [-1, 2]}],
                                                      lasso=[]))
    assert selected_items(event) == [3]  # points: what plotly reports is every item selected
    assert selected_items(event, embedding) == [0, 1, 3]  # a picture: the box's items too, drawn or not


def test_clusters_page_shows_a_gallery_per_cluster(ran):
    ran.switch_page("views/clusters.py").run()
    assert not ran.exception
    result = ran.session_state["result"]
    table = ran.dataframe[0].value
    assert table["Items"].sum() == 1797 and len(table) >= result.metrics["n_clusters"]
    captions = [c for image in ran.get("image") for c in image.captions]
    assert captions.count("Most typical (nearest the centre)") == min(result.metrics["n_clusters"], 12)
    assert "Outliers (farthest from the centre)" in captions


def test_metrics_page_shows_scores_and_the_k_sweep(ran):
    ran.switch_page("views/metrics.py").run()
    assert not ran.exception
    scores = ran.dataframe[0].value
    assert {"Silhouette", "ARI", "NMI", "Accuracy", "Calinski-Harabasz", "Davies-Bouldin"} <= set(scores["Score"])
    assert len(ran.get("plotly_chart")) == 3  # how K was chosen, elbow and silhouette sweep
    assert "Suggested K" in texts(ran) and "Why this K" in texts(ran)
    said = next(c.value for c in ran.caption if c.value.startswith("Internal scores are computed on"))
    assert said.count("dimensions") + said.count("-D ") == 1, said  # "(1,024 dimensions) (1024 dimensions)"


def test_compare_page_runs_methods_side_by_side(ran):
    ran.switch_page("views/compare.py").run()
    assert not ran.exception
    ran.button(key="compare_run").click().run()
    assert not ran.exception
    table = ran.dataframe[0].value
    assert list(table.index) == ["HDBSCAN", "K-means", "Agglomerative"] and "ARI" in table.columns
    assert len(ran.get("plotly_chart")) == 1


def test_switching_pages_recomputes_nothing(ran):
    result = ran.session_state["result"]
    misses = ARRAYS.misses
    for page in PAGES:
        ran.switch_page(page).run()
        assert not ran.exception
    assert ran.session_state["result"] is result and ARRAYS.misses == misses


def test_a_bad_upload_shows_why_and_keeps_the_current_dataset():
    at = fresh_app()
    at.segmented_control(key="source_kind").set_value("Upload images").run()
    archive = make_zip({"a.png": png(), "../escape.png": png()})
    at.file_uploader(key="uploads").set_value([("evil.zip", archive, "application/zip")]).run()
    at.button[0].click().run()
    assert not at.exception
    assert "escape the target folder" in texts(at) and "Still working with **digits**" in texts(at)
    assert at.session_state["dataset"].name == "digits"
    at.segmented_control(key="source_kind").set_value("Demo").run()
    assert "escape the target folder" not in texts(at)


def test_series_of_several_lengths_loaded_as_a_table_say_to_load_them_as_series_and_keep_the_dataset():
    rows = "\n".join(",".join(f"{v:.2f}" for v in np.sin(np.linspace(0, 3, 20 + i))) for i in range(10))
    at = fresh_app()
    at.segmented_control(key="source_kind").set_value("Table, series or graph file").run()
    at.radio(key="file_holds").set_value("a feature table").run()
    at.file_uploader(key="table_upload").set_value(("ragged.csv", rows.encode(), "text/csv")).run()
    at.button[0].click().run()
    assert not at.exception and at.session_state["dataset"].name == "digits"
    assert "its rows hold different numbers of cells" in texts(at) and "load it as time series" in texts(at)
    at.radio(key="file_holds").set_value("time series").run()  # as it says
    at.file_uploader(key="series_upload").set_value(("ragged.csv", rows.encode(), "text/csv")).run()
    at.button[0].click().run()
    assert not at.exception and at.session_state["dataset"].kind == "series" and len(at.session_state["dataset"]) == 10
    run_pipeline(at)  # its clusters are drawn at one length, and say so
    at.switch_page("views/clusters.py").run()
    assert not at.exception and "z-normalised (mean 0, variance 1) and resampled to 29 steps" in texts(at)


def test_a_folder_upload_keeps_its_class_sub_folders():
    at = fresh_app()
    at.segmented_control(key="source_kind").set_value("Upload images").run()
    at.toggle(key="upload_folder").set_value(True).run()
    uploader = at.file_uploader(key="uploads_folder")
    assert uploader.accept_directory
    files = [(f"shapes/{c}/{i}.png", png(colour), "image/png") for c, colour in (("a", (0, 0, 0)), ("b", (255, 0, 0)))
             for i in range(3)]
    uploader.set_value(files).run()
    at.button[0].click().run()
    assert not at.exception
    data = at.session_state["dataset"]
    assert data.name == "shapes" and data.class_names == ["a", "b"]


def test_a_good_upload_becomes_the_dataset():
    at = fresh_app()
    at.segmented_control(key="source_kind").set_value("Upload images").run()
    files = [(f"{i}.png", png((i * 20, 0, 0)), "image/png") for i in range(4)]
    at.file_uploader(key="uploads").set_value(files).run()
    at.button[0].click().run()
    assert not at.exception
    assert at.session_state["dataset"].name == "upload" and len(at.session_state["dataset"]) == 4


def test_a_local_folder_loads_with_its_labels(tmp_path):
    from tests.conftest import shapes_folder

    folder = shapes_folder(tmp_path / "shapes")
    at = fresh_app()
    at.segmented_control(key="source_kind").set_value("Folder on this computer").run()
    at.text_input(key="folder_path").input(str(folder)).run()
    at.button[0].click().run()
    assert not at.exception
    data = at.session_state["dataset"]
    assert data.name == "shapes" and data.class_names == ["blue", "red"]
    assert [m.value for m in at.metric][:2] == ["12", "0"]


def test_a_three_dimensional_map(digits_result):
    at = fresh_app()
    at.selectbox(key="reducer").set_value("pca").run()
    at.radio(key="dims").set_value(3).run()
    at.selectbox(key="clusterer").set_value("kmeans").run()
    run_pipeline(at)
    result = at.session_state["result"]
    assert result.embedding.shape == (1797, 3) and result.config.n_components == 3
    at.switch_page("views/explore.py").run()
    assert not at.exception
    assert '"type":"scatter3d"' in at.get("plotly_chart")[0].proto.spec.replace(" ", "")


def test_a_column_of_class_codes_read_as_a_number_can_be_picked_as_the_label():
    rng = np.random.default_rng(0)
    rows = [f"{x:.3f},{y:.3f},{group + 1}" for group in (0, 1, 2) for x, y in rng.normal(8.0 * group, 1.0, (20, 2))]
    at = fresh_app()
    at.segmented_control(key="source_kind").set_value("Table, series or graph file").run()
    at.file_uploader(key="table_upload").set_value(("coded.csv", ("f1,f2,batch\n" + "\n".join(rows)).encode(),
                                                    "text/csv")).run()
    at.button[0].click().run()
    data = at.session_state["dataset"]
    assert data.labels is None and data.columns == ["f1", "f2", "batch"]  # not named like a class: a feature
    menu = at.selectbox(key=f"label_column-{data.fingerprint()}")
    assert menu.options == ["batch", "(none)"] and menu.value == "(none)"  # offered, not taken unasked
    menu.set_value("batch").run()
    picked = at.session_state["dataset"]
    assert not at.exception and picked.class_names == ["1", "2", "3"] and picked.columns == ["f1", "f2"]
    assert "“batch” is no longer a feature" in texts(at)


def test_a_feature_table_runs_through_every_page():
    rng = np.random.default_rng(0)
    rows = [f"item {i},{x:.3f},{y:.3f},{z:.3f},{label},{'north' if i % 2 else 'south'}"
            for i, (label, (x, y, z)) in enumerate((label, point) for label, centre in (("a", 0.0), ("b", 8.0))
                                                   for point in rng.normal(centre, 1.0, (40, 3)))]
    csv = ("name,f1,f2,f3,label,site\n" + "\n".join(rows)).encode()  # rows named; a site to colour by
    at = fresh_app()
    at.segmented_control(key="source_kind").set_value("Table, series or graph file").run()
    at.file_uploader(key="table_upload").set_value(("blobs.csv", csv, "text/csv")).run()
    at.button[0].click().run()
    assert at.session_state["dataset"].name == "blobs" and at.session_state["dataset"].kind == "table"
    assert at.session_state["dataset"].columns == ["f1", "f2", "f3"] and "“site” left out" in texts(at)
    menu = at.selectbox(key=f"label_column-{at.session_state['dataset'].fingerprint()}")
    assert menu.options == ["label", "site", "(none)"]
    menu.set_value("site").run()  # another column as the label, and back
    assert not at.exception and at.session_state["dataset"].class_names == ["north", "south"]
    at.selectbox(key=f"label_column-{at.session_state['dataset'].fingerprint()}").set_value("label").run()
    back = at.session_state["dataset"]
    assert back.class_names == ["a", "b"] and list(back.attributes) == ["site"]
    assert at.selectbox(key="features").value == "columns"
    at.selectbox(key="reducer").set_value("pca").run()
    at.selectbox(key="clusterer").set_value("kmeans").run()
    at.number_input(key="cp.kmeans.n_clusters").set_value(2).run()
    run_pipeline(at)
    assert at.session_state["result"].metrics["ari"] == 1.0
    for page in PAGES[1:]:
        at.switch_page(page).run()
        assert not at.exception, page
    at.switch_page("views/explore.py").run()
    at.radio(key="colour_by").set_value("“site”").run()  # the map coloured by a column that is not a feature
    traces = json.loads(at.get("plotly_chart")[0].proto.spec)["data"]
    assert not at.exception and sorted(t["name"] for t in traces) == ["north", "south"]

    # Clusters: what sets each cluster apart, and its typical rows by name
    at.switch_page("views/clusters.py").run()
    assert len(re.findall(r"Sets it apart: (high|low) f[123] \(", texts(at))) == 2  # the blobs differ in all three
    assert at.dataframe[1].value.index[0].startswith("item ")

    # Clusters → Measure stability: a background job; then the table, the sentence and the map's colouring
    at.switch_page("views/clusters.py").run()
    assert "Stability" not in at.dataframe[0].value.columns
    at.button(key="stability_run").click().run()
    key, job = at.session_state["stability_job"]
    assert job.wait(120) and job.error is None, job.error
    at.run()
    assert not at.exception and "stability_job" not in at.session_state
    table = at.dataframe[0].value
    assert list(table["Stability"]) == ["1.00 (stable)"] * 2 and list(table["Contested"]) == [0, 0]
    assert "2 of 2 clusters stable" in texts(at) and "0% of items contested" in texts(at)
    assert "Measure stability" not in [b.label for b in at.button]
    from engine.runs import RunStore

    stored = RunStore().get(at.session_state["result"].run_id).metrics["stability"]  # kept with the run
    assert [c["stability"] for c in stored["clusters"]] == [1.0, 1.0]
    at.switch_page("views/explore.py").run()
    at.radio(key="colour_by").set_value("Ambiguity").run()
    assert not at.exception and "How stable the clusters are." in texts(at)


def test_train_page_trains_in_a_worker_and_its_run_becomes_features():
    import time

    from engine.train import jobs

    at = fresh_app()
    at.switch_page("views/train.py").run()
    assert not at.exception
    assert "device: CPU" in texts(at) and at.selectbox(key="train_encoder").value == "small_cnn"
    at.radio(key="train_budget").set_value("Epochs").run()
    at.number_input(key="train_epochs").set_value(2).run()
    at.button(key="train_start").click().run()
    job = at.session_state["train_job"]
    deadline = time.monotonic() + 240
    while jobs.status(job)["state"] in ("queued", "running") and time.monotonic() < deadline:
        time.sleep(0.5)
    assert jobs.status(job)["state"] == "done", jobs.status(job)
    at.run()
    assert not at.exception
    charts = {chart.key: chart for chart in at.get("plotly_chart")}
    assert "Finished: run" in texts(at) and set(charts) == {"loss_chart", "checkpoint_chart", "checkpoint_map"}
    import json as json_

    def map_title() -> str:
        return json_.loads({c.key: c for c in at.get("plotly_chart")}["checkpoint_map"].proto.spec)["layout"][
            "title"]["text"]

    checkpoints = jobs.curve(job)["evaluation"]  # the untrained encoder, then at least the end
    assert len(checkpoints) >= 2 and at.slider(key="checkpoint_pick").value == len(checkpoints) - 1
    assert map_title().startswith(f"checkpoint {len(checkpoints) - 1}: 100% of the budget")
    at.slider(key="checkpoint_pick").set_value(0).run()  # the slider moves the map to the untrained encoder
    assert not at.exception and map_title().startswith("checkpoint 0: untrained")
    assert "checkpoints scored on the same 1,000-item sample" in texts(at)
    weights, runs = (df.value for df in at.dataframe)  # every encoder's weights, then the runs list
    assert "Apache-2.0" in set(weights["Licence"]) and "present" in set(weights["Pretrained weights"])
    assert list(runs["Method"]) == ["simclr"] and list(runs["Epochs"]) == [2]
    at.button(key="train_use").click().run()
    assert not at.exception
    assert at.title[0].value == "Data" and at.session_state["features"] == "learned"
    at.switch_page("views/data.py")  # AppTest keeps its own page; follow the app's st.switch_page
    at.selectbox(key="reducer").set_value("pca").run()
    at.selectbox(key="clusterer").set_value("kmeans").run()
    run_pipeline(at)
    result = at.session_state["result"]
    assert result.config.features == "learned" and result.space.shape == (1797, 10)  # the 10-D clustering space
    assert result.config.feature_params["run_id"] == jobs.status(job)["run_id"]


def test_dendrogram_page_cuts_the_tree_and_recolours_the_map(ran):
    from scipy.cluster import hierarchy

    ran.switch_page("views/dendrogram.py").run()
    assert not ran.exception
    ran.slider(key="tree_k").set_value(10).run()
    assert not ran.exception
    assert "Cut into **10** clusters" in texts(ran) and "built on all 1,797 items" in texts(ran)
    assert len(ran.get("plotly_chart")) == 2  # the tree and the recoloured map
    assert "48 of 1,797 images are shown" in texts(ran)
    ran.selectbox(key="tree_linkage").set_value("average").run()
    assert not ran.exception
    before = ran.session_state["result"]
    ran.button(key="tree_adopt").click().run()
    assert not ran.exception
    adopted = ran.session_state["result"]
    assert adopted.run_id != before.run_id and adopted.config.clusterer == "agglomerative"
    assert adopted.config.clusterer_params == {"n_clusters": 10, "linkage": "average"}
    assert f"Stored as run {adopted.run_id}" in texts(ran)
    assert adopted.run_id in "\n".join(str(m.value) for m in ran.sidebar.markdown)  # the sidebar is not stale
    reference = hierarchy.fcluster(hierarchy.linkage(before.space, "average"), 10, "maxclust")
    assert len(set(zip(adopted.labels.tolist(), reference.tolist()))) == 10  # the same partition as SciPy's
    ran.session_state["result"] = before  # leave the module's app as the other tests expect it
    ran.run()


def test_report_page_exports_labels_figures_and_the_report(ran):
    ran.switch_page("views/report.py").run()
    assert not ran.exception
    labels = [b.label for b in ran.get("download_button")]
    assert labels == ["Cluster labels (CSV)", "Embedding (NumPy .npy)", "Embedding (Parquet)", "File → cluster (CSV)"]
    ran.button(key="make_figures").click().run()
    assert not ran.exception
    assert [c for image in ran.get("image") for c in image.captions] == ["map.png", "k-sweep.png", "dendrogram.png"]
    ran.checkbox(key="report_attention").uncheck().run()
    ran.button(key="build_report").click().run()
    assert not ran.exception
    assert "Report ready." in texts(ran)
    assert any(b.label.startswith("Download report (") for b in ran.get("download_button"))


def test_the_report_page_exports_the_clusters_as_folders(ran, tmp_path):
    result = ran.session_state["result"]
    ran.switch_page("views/report.py").run()
    ran.text_input(key="export_folder").set_value(str(tmp_path / "clusters")).run()
    ran.button(key="export_folders").click().run()
    assert not ran.exception
    # the digits' named selections (an engine test may have named one in this session's store) go in too
    picked = sum(len(indices) for indices in api.RunStore().selections(result.run_id).values())
    assert f"Exported {len(result.labels) + picked + 2:,} files into {tmp_path / 'clusters'}" in texts(ran)
    for k in np.unique(result.labels):
        assert len(list((tmp_path / "clusters" / f"cluster_{k:02d}").glob("*.png"))) == np.sum(result.labels == k)
    ran.button(key="export_folders").click().run()  # again into the same, now full, folder: refused, said why
    assert not ran.exception and "is not an empty folder" in "\n".join(e.value for e in ran.error)


def test_a_gallery_tile_opens_on_the_similar_page_with_more_like_it(ran):
    result = ran.session_state["result"]
    ran.switch_page("views/clusters.py").run()
    assert not ran.exception
    data = ran.session_state["dataset"]
    menu = ran.selectbox(key=f"open-{result.run_id}-{int(result.labels[0])}")  # under the gallery of item 0's cluster
    assert len(menu.options) == 16  # its 12 most typical members and 4 outliers
    chosen = data.item_names.index(menu.options[3])
    menu.set_value(chosen).run()
    assert not ran.exception, ran.exception
    assert ran.title[0].value == "Similar" and ran.selectbox(key="similar_pick").value == chosen
    said = texts(ran)
    assert "no image files (it was made in memory)" in said and "More like this" in said
    ran.switch_page("views/similar.py")  # AppTest reruns the page it was last told to, not the one switched to
    opens = [b for b in ran.button if b.key and b.key.startswith("similar-open-")]
    assert len(opens) == 12
    neighbours = [int(b.key.rsplit("-", 1)[1]) for b in opens]
    assert np.mean(data.labels[neighbours] == data.labels[chosen]) >= 0.75  # mostly the same digit
    opens[0].click().run()
    assert not ran.exception and ran.selectbox(key="similar_pick").value == neighbours[0]
    ran.button(key="duplicates_find").click().run()
    assert not ran.exception
    assert re.search(r"\*\*[\d,]+ pairs?\*\* in [\d,]+ groups?", texts(ran)) or "No near-duplicates" in texts(ran)


def test_attention_page_says_how_to_get_a_vit_when_there_is_none():
    at = fresh_app()
    at.switch_page("views/attention.py").run()
    assert not at.exception
    assert "No Vision Transformer has been trained on this dataset" in texts(at)


def test_attention_page_shows_a_dino_runs_maps_and_masks_on_the_shapes_demo():
    from engine.train import TrainConfig, jobs

    at = fresh_app()
    at.selectbox(key="demo_name").set_value("shapes").run()
    at.button[0].click().run()
    data = at.session_state["dataset"]
    assert data.name == "shapes" and data.masks is not None
    config = TrainConfig(encoder="vit_tiny", method="dino", epochs=1, batch_size=250, encoder_options={"depth": 2},
                         method_params={"output_dim": 256, "n_local": 0})
    final = jobs.resume(jobs.new_job(data, config))
    assert final["state"] == "done"
    at.session_state["features"], at.session_state["learned_run_pick"] = "learned", final["run_id"]
    at.run()  # cluster the ViT's features: each cluster's gallery then shows its typical member's attention
    at.selectbox(key="reducer").set_value("pca").run()
    at.selectbox(key="clusterer").set_value("kmeans").run()
    at.number_input(key="cp.kmeans.n_clusters").set_value(3).run()
    run_pipeline(at)
    at.switch_page("views/clusters.py").run()
    assert not at.exception, at.exception
    captions = [c for image in at.get("image") for c in image.captions]
    assert captions.count("Its most typical member and the ViT's attention") == 3
    at.switch_page("views/attention.py").run()
    assert not at.exception, at.exception
    assert at.selectbox(key="attention_source").value == final["run_id"]
    captions = [c for image in at.get("image") for c in image.captions]
    assert captions.count("true mask") == 6 and captions.count("head 3") == 6
    assert "Mean IoU of the attention masks with the true masks over these 6 images" in texts(at)
    at.slider(key="attention_z").set_value(0.0).run()
    assert not at.exception
    size = at.radio(key=f"attention_size-{final['run_id']}")  # trained at 32 px on 64 px images: read at 64 first
    assert size.options == ["32 px (8×8 patches), as trained", "64 px (16×16 patches)"] and size.value == 64
    assert "16×16 patches of 4 px at 64 px" in texts(at)
    size.set_value(32).run()
    assert not at.exception and "8×8 patches of 4 px at 32 px" in texts(at)
    at.radio(key="attention_images_from").set_value("the sample photos").run()
    assert not at.exception
    captions = [c for image in at.get("image") for c in image.captions]
    assert captions.count("head 3") == 6 and "true mask" not in captions  # photos have no true masks


def use_demo(at: AppTest, name: str) -> AppTest:
    at.selectbox(key="demo_name").set_value(name).run()
    at.button[0].click().run()
    assert not at.exception and at.session_state["dataset"].name == name
    return at


def test_the_table_demo_runs_on_its_columns_and_the_clusters_page_says_what_sets_each_apart():
    at = use_demo(fresh_app(), "wine")
    assert at.session_state["dataset"].kind == "table" and at.session_state["dataset"].label_column == "cultivar"
    run_pipeline(at)
    result = at.session_state["result"]
    assert result.metrics["ari"] > 0.7 and 2 <= result.metrics["n_clusters"] <= 6  # 3 cultivars
    at.switch_page("views/clusters.py").run()
    assert not at.exception and texts(at).count("Sets it apart: ") == result.metrics["n_clusters"]
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception, page
    from app.state import run_key

    at.switch_page("views/explore.py").run()  # a lasso round cultivar 1's rows: what sets them apart, and the rows
    chosen = np.flatnonzero(at.session_state["dataset"].labels == 0).tolist()
    at.radio(key="colour_by").set_value("Cluster").run()
    at.session_state["map_selection"] = (run_key(result), "Cluster", chosen)  # kept, as a new colouring keeps it
    at.radio(key="colour_by").set_value("True label").run()
    said = texts(at)
    assert not at.exception and f"{len(chosen)} items selected" in said and "Sets it apart: high proline" in said
    assert at.dataframe[0].value.shape == (min(48, len(chosen)), 13)  # the first 48 rows, every column
    at.switch_page("views/similar.py").run()
    shown, alike = (frame.value for frame in at.dataframe)  # the row, then the 12 most like it, column by column
    assert list(alike.columns[:2]) == ["similarity", "cluster"] and list(alike.columns[2:]) == list(shown.columns)
    assert len(alike) == 12 and alike["similarity"].is_monotonic_decreasing


def test_a_graph_demo_runs_spectral_with_an_eigengap_k_and_every_page_shows_it():
    at = use_demo(fresh_app(), "karate")
    assert at.selectbox(key="reducer").value == "spring" and at.selectbox(key="clusterer").value == "spectral_graph"
    assert set(at.selectbox(key="clusterer").options) >= {"Louvain (graph)", "Label propagation (graph)"}
    assert "Edges" in [m.label for m in at.metric] and len(at.get("plotly_chart")) >= 1  # the network preview
    run_pipeline(at)
    result = at.session_state["result"]
    assert result.metrics["modularity"] > 0.4 and result.config.cluster_on == "features"
    assert result.metrics["k_choice"]["rule"].startswith("eigengap") and result.metrics["ari"] > 0.6
    assert {"Modularity", "Conductance"} <= set(at.dataframe[-1].value["Score"])
    at.switch_page("views/explore.py").run()
    assert not at.exception
    spec = at.get("plotly_chart")[0].proto.spec
    assert spec.count('"mode":"lines"') + spec.count('"mode": "lines"') >= 1  # the edges under the nodes
    from app.state import run_key

    at.radio(key="colour_by").set_value("Cluster").run()  # node 33 clicked on the map: its links and its club
    at.session_state["map_selection"] = (run_key(result), "Cluster", [33])
    at.radio(key="colour_by").set_value("True label").run()
    assert not at.exception and "**33** · 17 neighbours · club: Officer" in texts(at)
    at.switch_page("views/clusters.py").run()
    assert not at.exception and "Mr. Hi" in "".join(str(x) for x in at.dataframe[0].value.values.ravel())
    at.button(key="names_suggest").click().run()  # names from each cluster's best-connected nodes
    suggested = list(at.dataframe[0].value["Cluster"])
    assert not at.exception and all(c.split(" · ")[1].startswith("around: ") for c in suggested)
    leaders = {c.split("around: ")[1].split(", ")[0] for c in suggested}
    assert {"0", "33"} <= leaders  # the instructor (node 0) and the administrator (33) each head their side
    next(box for box in at.text_input if box.label == "Cluster 0").set_value("the instructor's side")
    next(b for b in at.button if b.label == "Save names").click().run()
    assert not at.exception and at.dataframe[0].value["Cluster"].iloc[0] == "Cluster 0 · the instructor's side"
    at.switch_page("views/explore.py").run()
    import json as json_
    traces = json_.loads(at.get("plotly_chart")[0].proto.spec)["data"]
    assert "cluster 0 · the instructor's side" in [t.get("name") for t in traces], [t.get("name") for t in traces]
    at.switch_page("views/clusters.py").run()
    communities = at.dataframe[0].value  # each community's links beside its size
    assert {"Edges inside", "Conductance", "Density"} <= set(communities.columns)
    assert (communities["Conductance"] < 0.5).all() and "Hubs (most edge weight inside it)" in texts(at)
    for page in ("views/metrics.py", "views/compare.py", "views/dendrogram.py", "views/report.py", "views/similar.py"):
        at.switch_page(page).run()
        assert not at.exception, page
    attributes, alike = (frame.value for frame in at.dataframe)
    assert alike.shape[0] == 12 and "Near-duplicates" not in texts(at)  # nodes most like node 0
    assert dict(zip(attributes["attribute"], attributes["value"])) == {"club": "Mr. Hi"}  # node 0's, from the file
    assert "16 neighbours: where this run's map put them" in texts(at)  # and its neighbourhood, drawn
    for page in ("views/train.py", "views/attention.py"):
        at.switch_page(page).run()
        assert not at.exception and "the current dataset (karate) holds a graph" in texts(at)
    at.switch_page("views/compare.py").run()
    at.button(key="compare_run").click().run()
    assert not at.exception
    assert list(at.dataframe[0].value.index) == ["Louvain (graph)", "Spectral (graph adjacency)",
                                                 "Label propagation (graph)"]


def test_a_series_upload_runs_and_shows_barycentres():
    from tests.engine.test_series_graphs import waves

    at = fresh_app()
    at.segmented_control(key="source_kind").set_value("Table, series or graph file").run()
    at.radio(key="file_holds").set_value("time series").run()
    at.file_uploader(key="series_upload").set_value(("waves.csv", waves().encode(), "text/csv")).run()
    at.button[0].click().run()
    assert not at.exception
    assert at.session_state["dataset"].kind == "series"
    assert at.selectbox(key="clusterer").value == "kshape"  # too few series for the probe: k-Shape, the default
    assert "DTW compares every time step" not in texts(at)
    at.selectbox(key="clusterer").set_value("ts_kmeans").run()  # DTW K-means: its cost is said up front
    assert "DTW compares every time step" in texts(at)
    at.number_input(key="cp.ts_kmeans.n_clusters").set_value(2).run()
    at.selectbox(key="reducer").set_value("pca").run()
    run_pipeline(at)
    assert at.session_state["result"].metrics["ari"] == 1.0
    at.switch_page("views/clusters.py").run()
    assert not at.exception
    assert len(at.get("plotly_chart")) == 2 and "DTW barycentre" in texts(at)
    for page in ("views/explore.py", "views/metrics.py", "views/dendrogram.py", "views/report.py",
                 "views/similar.py"):
        at.switch_page(page).run()
        assert not at.exception, page
    at.switch_page("views/dendrogram.py").run()  # each leaf shows its most typical series, drawn
    tree = json.loads(at.get("plotly_chart")[0].proto.spec)
    leaves = [image for image in tree["layout"].get("images", []) if image["source"].startswith("data:image/png")]
    assert len(leaves) == 16 and "16 of 16 series are shown" in texts(at)  # a leaf a series here
    at.switch_page("views/similar.py").run()
    nearest = at.dataframe[0].value  # the Similar page: the series nearest under the run's DTW, nearest first
    assert list(nearest.columns) == ["item", "DTW distance", "cluster"]
    assert (np.diff(nearest["DTW distance"].to_numpy()) >= 0).all()
    assert "DTW distance, 0 = the same shape: the distance the clusters were found with" in texts(at)

    # a clusterer that reads a UMAP of the series: its barycentres are still series, not 10 points
    at.switch_page("views/data.py").run()
    at.selectbox(key="clusterer").set_value("agglomerative").run()
    at.number_input(key="cp.agglomerative.n_clusters").set_value(2).run()
    run_pipeline(at)
    at.switch_page("views/clusters.py").run()
    assert not at.exception
    length = api_features_width(at)
    centres = [t for chart in at.get("plotly_chart") for t in json.loads(chart.proto.spec)["data"]
               if t.get("name") == "mean"]  # named in the legend as in the caption: the mean, under euclidean
    assert len(centres) == 2 and all(len(plotly_values(t["y"])) == length > 10 for t in centres)

    # k-Shape, the series' default: its centres are shapes, and more like this is by the same distance
    at.switch_page("views/data.py").run()
    at.selectbox(key="clusterer").set_value("kshape").run()
    at.number_input(key="cp.kshape.n_clusters").set_value(2).run()
    run_pipeline(at)
    assert at.session_state["result"].metrics["ari"] == 1.0
    at.switch_page("views/clusters.py").run()
    assert not at.exception and "bold: the k-Shape centre" in texts(at)
    legends = {t.get("name") for chart in at.get("plotly_chart") for t in json.loads(chart.proto.spec)["data"]
               if t.get("showlegend")}
    assert legends == {"k-Shape centre"}
    at.switch_page("views/metrics.py").run()  # its silhouette is under the distance it clustered with, and says so
    assert not at.exception and "the silhouette under the shape-based distance (k-Shape's)" in texts(at)
    at.switch_page("views/data.py").run()  # K = auto: swept with k-Shape itself, and Why this K says so
    at.number_input(key="cp.kshape.n_clusters").set_value(0).run()
    run_pipeline(at)
    at.switch_page("views/metrics.py").run()
    assert not at.exception and "(k-Shape fits, the silhouette under the shape-based distance)" in texts(at)
    assert "much k-Shape fits on different 80 % samples agree" in texts(at)
    at.switch_page("views/similar.py").run()
    nearest = at.dataframe[0].value
    assert list(nearest.columns) == ["item", "shape distance", "cluster"] and not at.exception
    assert (np.diff(nearest["shape distance"].to_numpy()) >= 0).all()
    like = json.loads(at.get("plotly_chart")[-1].proto.spec)["data"]  # drawn on one scale, as the distance reads
    assert len(like) == len(nearest) + 1 and all(abs(plotly_values(t["y"]).std() - 1) < 1e-3 for t in like)

    # clustered on their frequency spectrum: members and centre are still drawn as the z-normalised series (a
    # centre of the spectrum's bins was drawn over them)
    at.switch_page("views/data.py").run()
    at.selectbox(key="features").set_value("spectrum").run()
    at.selectbox(key="clusterer").set_value("kmeans").run()
    at.number_input(key="cp.kmeans.n_clusters").set_value(2).run()
    run_pipeline(at)
    at.switch_page("views/clusters.py").run()
    assert not at.exception and "series, z-normalised (mean 0, variance 1)" in texts(at)
    assert "resampled" not in texts(at)  # all of one length: drawn at it
    traces = [t for chart in at.get("plotly_chart") for t in json.loads(chart.proto.spec)["data"]]
    assert {len(plotly_values(t["y"])) for t in traces} == {at.session_state["dataset"].series.shape[1]}
    members = [plotly_values(t["y"]) for t in traces if not t.get("showlegend")]
    assert len(members) == 16 and all(abs(m.mean()) < 1e-6 and abs(m.std() - 1) < 1e-3 for m in members)
    # its bold line is one of them, the most typical, not their mean in time (flat for waves at any phase)
    bold = [plotly_values(t["y"]) for t in traces if t.get("showlegend")]
    assert len(bold) == 2 and all(any(np.array_equal(b, m) for m in members) for b in bold)
    assert {t["name"] for t in traces if t.get("showlegend")} == {"most typical member"}


def plotly_values(values) -> np.ndarray:
    """A trace's values from plotly's JSON: a list, or base64-packed (``{"dtype": ..., "bdata": ...}``)."""
    import base64

    if isinstance(values, dict):
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"])
    return np.asarray(values)


def api_features_width(at) -> int:
    from engine import api

    return api.features_for(at.session_state["dataset"], at.session_state["result"].config).shape[1]


def test_a_bad_edge_list_keeps_the_current_dataset():
    at = fresh_app()
    at.segmented_control(key="source_kind").set_value("Table, series or graph file").run()
    at.radio(key="file_holds").set_value("an edge list").run()
    at.file_uploader(key="edges_upload").set_value(("bad.csv", b"a,b,heavy\n", "text/csv")).run()
    at.button[0].click().run()
    assert not at.exception
    assert "the weight 'heavy' is not a number" in texts(at) and at.session_state["dataset"].name == "digits"


def upload_file(name: str, data: bytes, key: str = "table_upload", holds: str | None = None) -> AppTest:
    """A fresh app with ``data`` loaded as a table, series or graph file through the Data page, as a person would."""
    at = fresh_app()
    at.segmented_control(key="source_kind").set_value("Table, series or graph file").run()
    if holds is not None:
        at.radio(key="file_holds").set_value(holds).run()
    at.file_uploader(key=key).set_value((name, data, "application/octet-stream")).run()
    at.button[0].click().run()
    assert not at.exception
    return at


def test_an_excel_upload_loads_as_a_table():
    import io

    import pandas as pd

    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"sample": [f"s{i}" for i in range(40)], "kind": ["a", "b"] * 20,
                          "x": rng.normal(0, 1, 40), "y": rng.normal(0, 1, 40)})
    book = io.BytesIO()
    frame.to_excel(book, index=False)
    data = upload_file("plates.xlsx", book.getvalue()).session_state["dataset"]
    assert data.name == "plates" and data.columns == ["x", "y"] and data.class_names == ["a", "b"]


def test_a_run_on_too_few_rows_says_why_without_a_bug_report():
    at = upload_file("tiny.csv", b"a,b\n1,2\n3,4\n5,7\n")
    at.button(key="run").click().run()
    if "job" in at.session_state:
        at.session_state["job"].wait(60)
        at.run()
    assert not at.exception
    assert "The run failed: tiny has 3 items: clustering needs at least 4" in texts(at)
    assert not any(e.label == "Details for a bug report" for e in at.expander)


def test_a_zipped_table_upload_loads_the_table():
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("train.csv", "x,y,label\n" + "".join(f"{i % 5},{i % 3}.5,{'ab'[i % 2]}\n" for i in range(30)))
    at = upload_file("competition.zip", buffer.getvalue())
    data = at.session_state["dataset"]
    assert data.kind == "table" and data.columns == ["x", "y"] and "read train.csv from the archive" in texts(at)


def test_a_gml_graph_upload_loads_with_its_classes():
    import networkx as nx

    graph = nx.planted_partition_graph(2, 15, 0.6, 0.02, seed=2)
    for node in graph:
        graph.nodes[node]["value"] = node // 15
    nx.set_node_attributes(graph, {n: f"n{n}" for n in graph}, "label")
    del graph.graph["partition"]
    gml = "\n".join(nx.generate_gml(graph)).encode()
    data = upload_file("teams.gml", gml, key="graphml_upload", holds="a graph file").session_state["dataset"]
    assert data.kind == "graph" and len(data) == 30 and data.class_names == ["0", "1"]


def test_node_link_json_through_the_graph_uploader_and_pixel_rows_through_the_table_one():
    import json

    import networkx as nx

    linked = nx.node_link_data(nx.karate_club_graph(), edges="links")
    data = upload_file("karate.json", json.dumps(linked).encode(), key="graphml_upload",
                       holds="a graph file").session_state["dataset"]
    assert data.kind == "graph" and len(data) == 34 and data.class_names == ["Mr. Hi", "Officer"]
    rows = "label," + ",".join(f"pixel{i}" for i in range(64)) + "\n" + "\n".join(
        f"{i % 2}," + ",".join(str((i * j) % 17) for j in range(64)) for i in range(20))
    data = upload_file("pixels.csv", rows.encode(), key="table_upload",
                       holds="a feature table").session_state["dataset"]
    assert data.kind == "images" and data.images.shape == (20, 8, 8, 3) and data.class_names == ["0", "1"]


def test_the_metrics_page_overrides_the_auto_k_in_one_click(ran):
    """Last in this module: it replaces the session's current run."""
    ran.switch_page("views/metrics.py").run()
    other = next(b for b in ran.button if str(b.key).startswith("use_k_") and b.key != "use_k_go")
    k = int(str(other.key).rsplit("_", 1)[1])
    other.click().run()
    assert not ran.exception
    result = ran.session_state["result"]
    assert result.metrics["n_clusters"] == k and result.config.clusterer_params["n_clusters"] == k
    assert "k_choice" not in result.metrics  # K was given, not chosen


def test_the_runs_page_reopens_renames_sorts_compares_and_deletes_stored_runs(digits_result):
    from app.state import store

    at = run_pipeline(fresh_app())
    first = at.session_state["result"]
    at.number_input(key="cp.kmeans.n_clusters").set_value(4).run()
    second = run_pipeline(at).session_state["result"]
    assert second.metrics["n_clusters"] == 4 and second.run_id != first.run_id

    at.switch_page("views/runs.py").run()
    assert not at.exception, at.exception
    table = at.dataframe[0].value
    assert {first.run_id, second.run_id} <= set(table["Run"]) and table.iloc[0]["Run"] == second.run_id  # newest
    at.selectbox(key="runs_sort").set_value("ari").run()
    aris = at.dataframe[0].value["ARI"].dropna().tolist()
    assert aris == sorted(aris, reverse=True)
    assert len(at.get("plotly_chart")) == 1  # two runs of this dataset compared side by side
    assert "Pick two or more runs" not in texts(at)

    at.selectbox(key="runs_pick").set_value(first.run_id).run()
    at.text_input(key=f"runs_title-{first.run_id}").set_value("the demo one")
    at.button(key="runs_rename_save").click().run()
    assert store().get(first.run_id).title == "the demo one"

    at.selectbox(key="runs_pick").set_value(first.run_id)
    at.button(key="runs_open").click().run()  # opens it and goes to the map
    assert not at.exception, at.exception
    opened = at.session_state["result"]
    assert opened.run_id == first.run_id and np.array_equal(opened.labels, first.labels)
    assert opened.metrics["n_clusters"] == first.metrics["n_clusters"]
    sidebar = "\n".join(str(m.value) for m in at.sidebar.markdown)
    assert "the demo one" in sidebar and first.run_id in sidebar

    at.switch_page("views/runs.py").run()
    at.selectbox(key="runs_pick").set_value(second.run_id).run()
    assert at.button(key="runs_delete").disabled  # not before "Sure"
    at.checkbox(key=f"runs_sure-{second.run_id}").check().run()
    at.button(key="runs_delete").click().run()
    assert not at.exception, at.exception
    assert second.run_id not in {r.run_id for r in store().list()}
    assert second.run_id not in set(at.dataframe[0].value["Run"])


def test_the_train_page_quotes_speed_measured_on_this_machine():
    at = fresh_app()
    at.switch_page("views/train.py").run()
    assert not at.exception, at.exception
    at.selectbox(key="train_encoder").set_value("small_cnn").run()
    at.selectbox(key="train_method").set_value("rotation").run()
    assert "not measured on this machine yet" in texts(at)
    assert "Training size: decided when training starts" in texts(at)
    at.button(key="train_measure").click().run()
    assert not at.exception, at.exception
    said = texts(at)
    assert "images/s measured on this machine (cpu" in said and "8 px, batch 256" in said
    assert "min buy ≈" in said  # what the budget buys, from the measured figure
    # digits are 8 px: nothing smaller to trade for epochs (on a machine slowed by other work the plan may go on to a
    # narrower network, still at 8 px: a fresh-clone run beside another test run measured too few epochs at 8 px)
    assert "Training size: 8 px: 2 min buy ≈" in said or re.search(r"Training size: 8 px[ ,]", said)


def test_a_run_on_copies_of_one_image_shows_its_pages_without_an_error():
    """Ten copies of one image get K = 1; the Metrics page's "Any K" box started at that K, under its own minimum
    of 2, and the page showed StreamlitValueBelowMinError."""
    at = fresh_app()
    at.segmented_control(key="source_kind").set_value("Upload images").run()
    at.file_uploader(key="uploads").set_value([(f"{i}.png", png(), "image/png") for i in range(10)]).run()
    at.button[0].click().run()
    assert not at.exception and len(at.session_state["dataset"]) == 10
    run_pipeline(at)
    assert at.session_state["result"].metrics["n_clusters"] == 1
    for page in ("views/metrics.py", "views/clusters.py", "views/explore.py"):
        at.switch_page(page).run()
        assert not at.exception, (page, at.exception)
    at.switch_page("views/metrics.py").run()
    assert "Every item has the same features: no K would split them." in texts(at)
