"""Defaults decided by evidence: K = auto, the clustering space, the feature probe, and what the loader records."""

from __future__ import annotations

import io
from dataclasses import replace

import networkx as nx
import numpy as np
import pytest
from PIL import Image
from sklearn.datasets import make_blobs

from engine import api
from engine.cluster import CLUSTERERS, cluster
from engine.cluster.auto_k import RULE, by_eigengap, by_silhouette_and_stability, k_range
from engine.data import variants
from engine.data.tables import _table_dataset
from engine.data.graphs import categorical_attribute
from engine.pipeline import clustering_space
from tests.conftest import make_zip


@pytest.mark.parametrize("centres, dims", [(4, 6), (8, 10), (15, 5)])
def test_auto_k_finds_the_number_of_blobs_not_two(centres, dims):
    X, _ = make_blobs(n_samples=80 * centres, centers=centres, n_features=dims, cluster_std=0.7,
                      center_box=(-20, 20), random_state=centres)
    choice = by_silhouette_and_stability(X)
    assert choice.k == centres
    assert choice.ks == k_range(len(X)) and len(choice.score) == len(choice.ks)
    assert set(choice.evidence) == {"silhouette", "stability"}


def test_auto_k_goes_past_its_first_range_when_the_choice_sits_at_its_top():
    """Forty blobs: the K = 2..30 sweep can only reach its top; the range is extended and finds them all."""
    from sklearn.metrics import adjusted_rand_score

    from engine.cluster import auto_k

    X, truth = make_blobs(n_samples=2_400, centers=40, n_features=8, cluster_std=0.6, center_box=(-30, 30),
                          random_state=5)
    first = by_silhouette_and_stability(X, extend=False)  # the probe's fixed range
    assert first.ks == k_range(len(X)) and first.ks[-1] == auto_k.K_MAX and first.k >= auto_k.EXTEND_AT * 30
    choice = by_silhouette_and_stability(X)
    assert choice.ks == list(range(2, auto_k.k_cap(len(X)) + 1)) and choice.ks[-1] == 48  # √2,400, not 2 × 30
    assert choice.k == 40 and len(choice.score) == len(choice.ks)
    labels = cluster(X, "kmeans", {"n_clusters": choice.k}).labels
    assert adjusted_rand_score(truth, labels) > 0.95
    assert "of K = 2..48 were stable" in api.k_sentence(choice.as_dict())


def test_auto_k_warns_when_no_k_comes_back_on_resampling():
    """Gaussian noise has no clusters: K-means cuts it differently on every subsample, and the sentence says so
    instead of naming a K as if it were found."""
    choice = by_silhouette_and_stability(np.random.default_rng(0).normal(size=(600, 10)))
    assert max(choice.evidence["stability"]) < 0.85 and choice.rule != RULE
    said = api.k_sentence(choice.as_dict())
    assert said.startswith(f"K = {choice.k}, with a warning: no K of 2..24 gave clusters that come back")
    assert "may hold no clear clusters" in said and "a partition of the data" in said
    blobs, _ = make_blobs(n_samples=400, centers=4, n_features=5, random_state=0)
    assert "warning" not in api.k_sentence(by_silhouette_and_stability(blobs).as_dict())


def test_auto_k_never_asks_for_more_clusters_than_distinct_rows():
    """Three rows, ten copies each (too few distinct rows to sweep them alone): K-means at K = 5 still finds 3
    groups, whose silhouette is 1.0 like K = 3's; the sweep stops at 3, also when it would extend past its range."""
    rows = np.random.default_rng(0).normal(size=(3, 6))
    choice = by_silhouette_and_stability(np.repeat(rows, 10, axis=0))
    assert choice.k == 3 and choice.ks == [2, 3]
    shapes = np.sin(np.arange(40)[None, :] / np.array([[3.0], [4.0]]))  # k-Shape does not split copies either
    assert len(set(cluster(np.repeat(shapes, 15, axis=0), "kshape", {"n_clusters": 4}).labels)) == 2


def test_auto_k_takes_the_fine_groups_of_nested_structure_not_the_top_split():
    """Two far-apart groups of five blobs each: K = 2 has the best silhouette, K = 10 is the structure."""
    rng = np.random.default_rng(0)
    tops = np.zeros((2, 10))
    tops[1, 0] = 40
    centres = np.concatenate([top + rng.normal(0, 2.5, (5, 10)) for top in tops])
    X = np.concatenate([c + rng.normal(0, 0.6, (80, 10)) for c in centres])
    choice = by_silhouette_and_stability(X)
    silhouette = dict(zip(choice.ks, choice.evidence["silhouette"]))
    assert silhouette[2] > silhouette[10]  # the coarse split is the better separated one
    assert choice.k == 10 and choice.rule == RULE
    assert api.k_sentence(choice.as_dict()).startswith("K = 10: the largest K whose clusters come back")


def test_the_sweeps_k_means_is_scikit_learns_k_means_to_the_label():
    """The sweep's own K-means (scikit-learn's steps without the estimator's checks) gives the estimator's labels and
    predictions from the same seed, and its agreement is scikit-learn's adjusted Rand index to the last bit."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score
    from threadpoolctl import threadpool_limits

    from engine.cluster.auto_k import _kmeans, agreement

    rng = np.random.default_rng(3)
    sets = [make_blobs(600, 6, centers=7, random_state=1)[0], rng.normal(size=(500, 10)),
            np.repeat(rng.normal(size=(40, 4)), 5, axis=0) + rng.normal(0, 1e-3, (200, 4))]
    with threadpool_limits(1):
        for X in sets:
            for k, seed, starts in [(2, 0, 4), (5, 1, 2), (9, 2, 4), (25, 0, 2)]:
                fitted = KMeans(k, n_init=starts, random_state=seed).fit(X)
                labels, predict = _kmeans(X, k, seed, starts)
                assert np.array_equal(labels, fitted.labels_), (k, seed, starts)
                others = X[::3] + rng.normal(0, 0.1, X[::3].shape)
                assert np.array_equal(predict(others), fitted.predict(others))
    for k_a, k_b, n in [(2, 2, 10), (5, 9, 400), (30, 3, 2_000), (1, 4, 50)]:
        a, b = rng.integers(0, k_a, n), rng.integers(0, k_b, n)
        b[: n // 2] = a[: n // 2] % k_b  # half of them agree
        assert agreement(a, b) == adjusted_rand_score(a, b)
    a, b = rng.integers(-1, 4, 300), rng.integers(-1, 3, 300)  # noise labels (-1) too
    assert agreement(a, a) == 1.0 and agreement(a, b) == adjusted_rand_score(a, b)


def test_every_k_clusterer_starts_at_auto_and_records_how_k_was_chosen(blobs):
    X, y = blobs
    k_based = [name for name, entry in CLUSTERERS.items() if any(p.name == "n_clusters" for p in entry.params)]
    assert {"kmeans", "minibatch_kmeans", "gmm", "agglomerative", "spectral", "ts_kmeans", "kshape",
            "spectral_graph", "embedding_kmeans"} <= set(k_based)
    for name in k_based:
        assert CLUSTERERS[name].resolve()["n_clusters"] == 0, name
    for name in ("kmeans", "gmm", "agglomerative", "spectral"):
        found = cluster(X, name)
        assert found.k_choice is not None and found.params["n_clusters"] == found.k_choice.k == 4
        assert len(set(found.labels)) == 4
    fixed = cluster(X, "kmeans", {"n_clusters": 3})
    assert fixed.k_choice is None and len(set(fixed.labels)) == 3


def test_k_of_one_is_still_refused_with_the_auto_value_named():
    with pytest.raises(ValueError, match=r"outside \[2, 5000\] \(0 = auto\)"):
        CLUSTERERS["kmeans"].resolve({"n_clusters": 1})


def test_graph_k_comes_from_the_eigengap_of_planted_communities():
    graph = nx.planted_partition_graph(5, 30, 0.4, 0.01, seed=2)
    A = nx.to_numpy_array(graph)
    assert by_eigengap(A).k == 5
    found = cluster(A, "spectral_graph")
    assert found.k_choice.rule.startswith("eigengap") and len(set(found.labels)) == 5


def test_the_clustering_space_is_ten_dimensional_and_keeps_blobs_apart(blobs):
    X, y = blobs
    space = clustering_space(X)
    assert space.shape == (len(X), 6)  # never more dimensions than the features have
    wide = np.hstack([X, np.random.default_rng(0).normal(size=(len(X), 60))]).astype(np.float32)
    space = clustering_space(wide)
    assert space.shape == (len(X), 10)
    from sklearn.metrics import adjusted_rand_score

    assert adjusted_rand_score(y, cluster(space, "kmeans", {"n_clusters": 4}).labels) > 0.95


def test_each_kind_gets_its_defaults_with_a_reason(digits, blobs):
    X, y = blobs
    table = api.load_csv(io.BytesIO(("a,b,c,d,e,f,label\n" + "\n".join(
        ",".join(map(str, row)) + f",{label}" for row, label in zip(X, y))).encode()))
    tiny = api.load_csv(io.BytesIO(b"a,b\n" + b"\n".join(f"{i},{i % 3}".encode() for i in range(20))))
    for data, features, clusterer, space in (
            (digits, api.AUTO, "kmeans", "space"), (table, "columns", api.AUTO, "space"),
            (tiny, "columns", "kmeans", "features"), (api.DEMOS["trace"](), api.AUTO, api.AUTO, "features"),
            (api.DEMOS["karate"](), "adjacency", "spectral_graph", "features")):
        decided = api.decide(data)
        assert (decided.config.features, decided.config.clusterer, decided.config.cluster_on) == \
            (features, clusterer, space), data.name
        assert set(decided.reasons) == {"features", "space", "clusterer", "map"}
        assert all(len(reason) > 20 for reason in decided.reasons.values())
    assert "too few" in api.decide(tiny).reasons["space"]


def test_series_features_are_chosen_by_the_probe_and_the_clusterer_follows_them():
    from sklearn.metrics import adjusted_rand_score

    from engine.data import variants

    made = variants.phase_free_waves()
    waves = api.run(variants.series_dataset("waves", *made))  # phase-free: the spectrum separates them, DTW does not
    assert waves.config.features == "spectrum" and waves.config.clusterer == "kmeans"
    assert waves.metrics["feature_choice"]["reason"].startswith("frequency spectrum: your 150 series of 100 steps")
    assert waves.metrics["ari"] > 0.5
    dtw = api.run(variants.series_dataset("waves", *made),
                  api.Config(features="znorm", clusterer="ts_kmeans", cluster_on="features"))
    assert dtw.metrics["ari"] < 0.3 < waves.metrics["ari"] - 0.2
    cbf = api.load_series_csv(variants.ucr_tsv(*variants.cylinder_bell_funnel(150)), name="cbf")
    assert cbf.class_names == ["1", "2", "3"]  # read from the UCR layout's first column
    bumps = api.run(cbf)  # shapes in time: the series and k-Shape stay
    assert bumps.config.features == "znorm" and bumps.config.clusterer == "kshape"
    assert adjusted_rand_score(bumps.labels, cbf.labels) == pytest.approx(bumps.metrics["ari"])


def test_blobs_on_the_default_path_reach_the_true_k(blobs):
    X, y = blobs
    data = api.Dataset(name="blobs", item_names=[str(i) for i in range(len(X))], table=X, labels=y,
                       class_names=list("abcd"))
    result = api.run(data)
    assert result.metrics["n_clusters"] == 4 and result.metrics["ari"] > 0.95
    assert result.metrics["k_choice"]["k"] == 4 and "6-D clustering space" in result.metrics["clustered"]
    assert result.space.shape == (len(X), 6)  # the label says the space's own width, as the clusterer saw it


def _table(name: str, X: np.ndarray, y: np.ndarray) -> api.Dataset:
    return _table_dataset(name, X, [str(v) for v in y])


@pytest.mark.parametrize("shape", ["moons", "circles"])
def test_a_table_that_falls_apart_into_curved_pieces_gets_them(shape):
    from sklearn.cluster import KMeans
    from sklearn.datasets import make_circles, make_moons
    from sklearn.metrics import adjusted_rand_score

    from engine.defaults import choose_clusterer

    X, y = (make_moons(600, noise=0.06, random_state=3) if shape == "moons"
            else make_circles(600, noise=0.05, factor=0.5, random_state=3))
    result = api.run(_table(shape, X, y))
    assert result.metrics["n_clusters"] == 2 and result.metrics["ari"] > 0.95
    choice = result.metrics["clusterer_choice"]
    if result.config.clusterer == "hdbscan":  # K-means on the clustering space cut through the pieces
        assert result.config.cluster_on == "features"
        assert choice["evidence"]["kmeans_links_cut"] > 0.05 and choice["evidence"]["hdbscan_links_cut"] < 0.01
        assert any("2 dense pieces" in line for line in api.run_reasons(result))
    else:  # or its UMAP drew them apart and K-means found them whole (the circles on an AMD EPYC: ARI 1.0)
        assert result.config.clusterer == "kmeans" and choice["evidence"]["kmeans_links_cut"] < 0.01
    # where K-means cuts through the pieces (8 clusters on the columns: as it did on the UMAP space at K = 28-30),
    # the density check takes HDBSCAN's
    columns = (X - X.mean(axis=0)) / X.std(axis=0)
    cutting = KMeans(8, n_init=4, random_state=0).fit_predict(columns)
    mended, fitted = choose_clusterer(columns.astype(np.float32), cutting)
    assert mended.clusterer == "hdbscan" and fitted is not None and "2 dense pieces" in mended.reason
    assert mended.evidence["kmeans_links_cut"] > 0.04 and mended.evidence["hdbscan_links_cut"] < 0.01
    assert adjusted_rand_score(y, fitted.labels) > 0.95
    # asked for by name, K-means is what the user gets, pieces or not
    chosen = api.run(_table(shape, X, y), api.default_config(_table(shape, X, y), clusterer="kmeans"))
    assert chosen.config.clusterer == "kmeans" and "clusterer_choice" not in chosen.metrics


def test_tables_without_dense_pieces_keep_k_means(blobs):
    from sklearn.datasets import load_wine

    wine = load_wine()
    result = api.run(_table("wine", wine.data, wine.target))
    assert result.config.clusterer == "kmeans" and result.metrics["ari"] > 0.7  # HDBSCAN: 46 % noise, ARI 0.23
    assert "noise" in result.metrics["clusterer_choice"]["reason"]
    X, y = blobs  # separate blobs: both cut no links, and K-means (with its K evidence) stays
    assert api.run(_table("blobs", X, y)).config.clusterer == "kmeans"
    # auto with settings given is K-means with those settings, no check
    fixed = api.run(_table("wine", wine.data, wine.target), api.default_config(
        _table("wine", wine.data, wine.target), clusterer_params={"n_clusters": 5}))
    assert fixed.metrics["n_clusters"] == 5 and "clusterer_choice" not in fixed.metrics


def test_a_table_of_one_column_is_clustered_on_its_values_not_a_umap_of_them():
    rng = np.random.default_rng(0)
    values = np.concatenate([rng.normal(centre, 1.0, 80) for centre in (0, 4, 8)])[:, None]
    data = _table("one", values, np.repeat([0, 1, 2], 80))
    config = api.default_config(data)
    assert config.cluster_on == "features" and "one column" in api.decide(data).reasons["space"]
    result = api.run(data, config)  # a 1-D UMAP tore the three groups into 15 clusters (ARI 0.24)
    assert result.metrics["n_clusters"] == 3 and result.metrics["ari"] > 0.9
    two = _table("two", np.hstack([values, rng.normal(0, 1, (240, 1))]), np.repeat([0, 1, 2], 80))
    assert api.default_config(two).cluster_on == "space"
    picked = api.run(two, replace(api.default_config(two), cluster_on="features"))  # a space picked stays picked
    assert picked.config.cluster_on == "features" and picked.metrics["clustered"].startswith("the full features")


def strokes_zip(n: int = 600, seed: int = 1) -> bytes:
    """Digits drawn in a random ink on a random card colour, 32 px: colour images, yet line drawings."""
    data = api.DEMOS["digits"]()
    keep = np.sort(np.random.default_rng(seed).choice(len(data), n, replace=False))
    strokes = data.images[keep, ..., 0].astype(np.float32) / 255.0
    return variants.image_zip(variants.render_digits(strokes, 32, "colour", seed=seed), data.labels[keep],
                              [str(k) for k in range(10)])


@pytest.mark.slow
def test_coloured_line_drawings_get_pixels_not_the_photo_encoder():
    """The old rule (colour → the ImageNet encoder) chose wrong here; the probe must not (pixels, alone or beside
    the encoder, both reach the digits)."""
    data = api.load_zip(io.BytesIO(strokes_zip()), name="strokes")
    assert not data.grayscale and data.images.shape[1:] == (32, 32, 3)  # kept at its own size, not 64 px
    result = api.run(data)
    choice = result.metrics["feature_choice"]
    assert result.config.features in ("pixels", "combined"), choice
    assert result.config.feature_params.get("parts", "pixels") in ("pixels", "pixels+encoder")  # no colour split
    assert choice["evidence"]["pixels"]["score"] > choice["evidence"]["efficientnet_lite0"]["score"]
    assert "32 px colour images" in choice["reason"]
    assert 5 <= result.metrics["n_clusters"] <= 20 and result.metrics["ari"] >= 0.55


@pytest.mark.slow
def test_photo_crops_get_the_pretrained_encoder():
    images, labels, names = variants.photo_crops(per_class=40, photos=variants.PHOTOS[:4])
    data = api.load_zip(io.BytesIO(variants.image_zip(images, labels, names)), name="crops")
    result = api.run(data)
    # the encoder, alone or beside pixels: the two score within the probe's noise here, and which leads differs from
    # one CPU to another (two machines, the same commit: the encoder on one, the pair on the other)
    assert result.config.features in ("efficientnet_lite0", "combined"), result.metrics["feature_choice"]
    assert 2 <= result.metrics["n_clusters"] <= 8 and result.metrics["ari"] >= 0.5


@pytest.mark.slow
def test_small_gray_photos_of_two_kinds_get_pixels_and_the_encoder_together():
    """scikit-image's LFW faces against other photo patches (25 px, gray) through the zip loader and Run: pixels
    alone split the faces by lighting (the probe chose them before: ARI 0.25 at K = 6); pixels and the encoder side
    by side find faces / not."""
    data = api.load_zip(io.BytesIO(variants.image_zip(*variants.faces(), grayscale=True)), name="faces")
    result = api.run(data)
    choice = result.metrics["feature_choice"]
    assert result.config.features == "combined", choice
    assert result.config.feature_params == {"parts": "pixels+encoder"}  # gray: no colour histogram candidate
    assert set(choice["evidence"]) == {"pixels", "efficientnet_lite0", "combined"}
    assert result.metrics["n_clusters"] == 2 and result.metrics["ari"] > 0.9
    assert "pixels + EfficientNet-Lite0: your 25 px grayscale images clustered most clearly" in choice["reason"]


def test_colour_images_add_the_colour_histogram_to_the_combined_candidates(digits):
    from engine import defaults

    # (an earlier test's training run on the digits may add itself as "learned:<run id>")
    found = [c for c in defaults.feature_candidates(digits) if not c.startswith("learned:")]
    assert found == ["pixels", "efficientnet_lite0", "combined"]  # digits are gray: no colour histogram
    images, labels, names = variants.colour_items(per_class=12)
    colour = variants.image_dataset("colours", images, labels, names)
    assert defaults.feature_candidates(colour) == ["pixels", "efficientnet_lite0", "combined", "combined:colours"]
    assert defaults.candidate_label("combined:colours") == "Pixels + EfficientNet-Lite0 + colour histogram"
    parts = {}  # the combination reuses its parts' rows of the sample: each extractor runs once
    sample = np.arange(len(colour))
    both = defaults._candidate_features(colour, "combined:colours", sample, api.Reporter(), parts)
    assert set(parts) == {"pixels", "efficientnet_lite0", "colours"}
    assert both.shape == (60, 50 + 50 + 28)  # pixels and encoder cut to 50 components, 28 histogram bins
    parts["pixels"] = np.zeros_like(parts["pixels"])  # a combination reads the kept rows, not the extractor
    again = defaults._candidate_features(colour, "combined", sample, api.Reporter(), parts)
    assert again.shape == (60, 100) and not again[:, :50].any() and again[:, 50:].any()


@pytest.mark.parametrize("with_colours, chosen", [(0.41, "combined"), (0.55, "combined:colours")])
def test_the_colour_histogram_joins_only_when_it_clearly_lifts_the_score(digits, monkeypatch, with_colours, chosen):
    from engine import defaults

    scores = {"pixels": 0.39, "efficientnet_lite0": 0.36, "combined": 0.40, "combined:colours": with_colours}

    def scored(dataset, candidates, sample, seed, reporter, parts=None):
        return {c: {"label": defaults.candidate_label(c), "score": scores[c], "k": 4, "items": len(sample)}
                for c in candidates}

    monkeypatch.setattr(defaults, "_score_candidates", scored)
    choice = defaults.probe(digits, list(scores))
    assert (choice.features, choice.params) == defaults._config_of(chosen)
    assert ("left out" in choice.reason) == (chosen == "combined")  # held back: the sentence says so
    # a colour lead over candidates that left at the first look is weighed against their last score
    assert defaults.pick({"combined:colours": 0.50}, {"pixels": 0.30, "combined": 0.45}) == "combined"
    assert defaults.pick({"combined:colours": 0.60}, {"pixels": 0.30, "combined": 0.45}) == "combined:colours"
    assert defaults.pick({"pixels": 0.5, "combined:colours": 0.45}) == "pixels"


@pytest.mark.parametrize("pair, drawn, tied", [(0.505, True, True), (0.495, True, False), (0.47, False, False)])
def test_a_tie_within_the_probes_noise_is_said_not_hidden(digits, monkeypatch, pair, drawn, tied):
    from engine import defaults

    scores = {"pixels": 0.51, "efficientnet_lite0": 0.39, "combined": pair}

    def scored(dataset, candidates, sample, seed, reporter, parts=None):
        return {c: {"label": defaults.candidate_label(c), "score": scores[c], "k": 4, "items": len(sample)}
                for c in candidates}

    monkeypatch.setattr(defaults, "_score_candidates", scored)
    choice = defaults.probe(digits, list(scores))
    assert choice.features == "pixels"  # the best score still wins: no tie-break
    # within 0.02 at one seed: scored at 3 seeds, and a tie only when the means are within 0.02 / √3
    assert ("averaged over 3 seeds" in choice.reason) == drawn
    said = "Pixels + EfficientNet-Lite0 scored within 0.012 over 3 seeds, the probe's own noise"
    assert (said in choice.reason) == tied and "EfficientNet-Lite0 scored within" not in choice.reason.replace(said, "")


def test_a_near_tie_is_settled_by_the_mean_over_more_seeds(digits, monkeypatch):
    from engine import defaults

    calls = []

    def scored(dataset, candidates, sample, seed, reporter, parts=None):
        calls.append((seed, list(candidates)))
        score = {"pixels": 0.52 if seed == 0 else 0.46,  # pixels led by 0.01 at the first seed only
                 "efficientnet_lite0": 0.30, "combined": 0.51}
        return {c: {"label": defaults.candidate_label(c), "score": score[c], "k": 4, "items": len(sample)}
                for c in candidates}

    monkeypatch.setattr(defaults, "_score_candidates", scored)
    choice = defaults.probe(digits.subset(np.arange(400)), ["pixels", "efficientnet_lite0", "combined"])
    # the two within 0.02 were scored again at two more seeds (the encoder, 0.2 behind, was not)
    step = defaults.TIE_SEED_STEP
    assert calls[1:] == [(seed, ["pixels", "combined"]) for seed in (step, 2 * step)]
    assert choice.features == "combined"  # by the mean: 0.51 against 0.48
    assert choice.evidence["pixels"]["draws"] == [0.52, 0.46, 0.46]
    assert choice.evidence["pixels"]["score"] == pytest.approx(0.48) and "averaged over 3 seeds" in choice.reason


def test_the_probe_counts_apart_the_encoder_rows_a_run_reads_back():
    from engine import defaults

    faces = variants.image_dataset("faces", *variants.faces(), grayscale=True)
    choice = defaults.choose_features(faces)
    encoded = sum(e["encoder_seconds"] for e in choice.evidence.values())
    assert encoded > 0 and [c for c, e in choice.evidence.items() if e["encoder_seconds"]]  # encoded once
    if choice.features in ("efficientnet_lite0", "combined"):  # the run reads those rows back from disk
        assert choice.reused == pytest.approx(encoded) and 0 < choice.reused < choice.seconds
    else:
        assert choice.reused == 0.0
    assert defaults.FeatureChoice(**choice.as_dict()).reused == choice.reused  # kept on disk with the rest


def test_the_probe_runs_once_per_dataset(digits):
    from engine import defaults

    first = defaults.choose_features(digits)
    before = defaults.CHOICES.misses
    assert defaults.choose_features(digits) is first and defaults.CHOICES.misses == before
    defaults.CHOICES.clear()  # a new process reads the stored decision instead of probing again
    again = defaults.choose_features(digits)
    assert again.as_dict() == first.as_dict()


@pytest.mark.parametrize("lead, looked_at", [(0.2, 500), (0.05, 1000)])
def test_the_probe_stops_at_its_first_look_only_on_a_clear_lead(digits, monkeypatch, lead, looked_at):
    from engine import defaults

    samples = []

    def scored(dataset, candidates, sample, seed, reporter, parts=None):
        samples.append(sample)
        return {c: {"label": defaults.candidate_label(c), "score": 0.5 - lead * (c != "pixels"), "k": 10,
                    "items": len(sample)} for c in candidates}

    monkeypatch.setattr(defaults, "_score_candidates", scored)
    choice = defaults.probe(digits, ["pixels", "efficientnet_lite0"])
    assert choice.features == "pixels" and [len(s) for s in samples][-1] == looked_at
    assert len(samples) == (1 if looked_at == defaults.FIRST_LOOK else 2)
    if len(samples) == 2:  # the second look holds the first (so the encoder's rows are reused)
        assert set(samples[0]) <= set(samples[1])
    assert f"{looked_at:,}-item probe" in choice.reason and ("clear lead" in choice.reason) == (looked_at == 500)


def test_the_second_look_scores_only_the_candidates_close_to_the_leader(digits, monkeypatch):
    from engine import defaults

    scores = {"pixels": 0.50, "efficientnet_lite0": 0.30, "combined": 0.47}
    looked = []

    def scored(dataset, candidates, sample, seed, reporter, parts=None):
        looked.append((len(sample), list(candidates)))
        overtakes = {"combined": 0.05} if len(sample) > 500 else {}  # on 1,000 items the combination leads
        return {c: {"label": defaults.candidate_label(c), "score": scores[c] + overtakes.get(c, 0.0), "k": 10,
                    "items": len(sample)} for c in candidates}

    monkeypatch.setattr(defaults, "_score_candidates", scored)
    choice = defaults.probe(digits, list(scores))
    assert looked == [(500, list(scores)), (1000, ["pixels", "combined"])]  # the encoder trailed by 0.2: out
    assert choice.features == "combined"  # the second look decides between the two that were close
    assert choice.evidence["efficientnet_lite0"]["items"] == 500 and choice.evidence["combined"]["items"] == 1000
    assert "EfficientNet-Lite0 0.30 on 500" in choice.reason and "1,000-item probe" in choice.reason


def test_the_probe_and_a_runs_space_optimise_fewer_umap_epochs_than_umap_learns_own(digits, monkeypatch):
    from engine import defaults, pipeline
    from engine.reduce import umap_

    epochs = []
    real = umap_.UMAP.fit_transform

    def spy(self, X):
        epochs.append(self.options.get("n_epochs"))
        return real(self, X)

    monkeypatch.setattr(umap_.UMAP, "fit_transform", spy)
    defaults.probe(digits.subset(np.arange(300)), ["pixels"])
    assert epochs == [defaults.PROBE_EPOCHS] and defaults.PROBE_EPOCHS < 500  # fewer than umap-learn's 500 here
    pixels = digits.images[:300].reshape(300, -1).astype(np.float32)
    space = clustering_space(pixels)
    assert epochs[1:] == [pipeline.SPACE_EPOCHS] and pipeline.SPACE_EPOCHS < 500  # a run's space, likewise
    assert not np.allclose(space, clustering_space(pixels, epochs=None)) and epochs[2:] == [None]  # umap-learn's own


def png_of(width: int, height: int, mode: str = "RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, (width, height), 90).save(buffer, format="PNG")
    return buffer.getvalue()


def test_the_loader_records_original_sizes_and_keeps_small_images_small():
    archive = make_zip({"a/1.png": png_of(28, 28, "L"), "a/2.png": png_of(30, 24, "L"), "b/3.png": png_of(26, 40, "L"),
                        "b/4.png": png_of(300, 200, "L")})
    data = api.load_zip(io.BytesIO(archive))
    assert data.images.shape[1:3] == (27, 27)  # the median short side, not blown up to 64 px
    assert data.original_sizes.tolist() == [[28, 28], [30, 24], [26, 40], [300, 200]]
    summary = data.summary()
    assert summary["original_short_side"] == 27 and summary["original_short_range"] == [24, 200]
    assert summary["colour"] == "grayscale" and summary["aspect_ratio"] == pytest.approx(1.1, abs=0.1)
    assert api.load_zip(io.BytesIO(archive), image_size=16).images.shape[1:3] == (16, 16)  # asked for: kept
    assert any("kept at 27×27 px" in note for note in data.report.notes)


def test_photos_are_kept_at_128_px_at_most():
    data = api.load_zip(io.BytesIO(make_zip({"1.jpg": png_of(640, 480), "2.jpg": png_of(800, 600)})))
    assert data.images.shape[1:3] == (128, 128) and data.summary()["original_size"] == "720×540"


def test_categorical_node_attributes_become_labels_and_ids_do_not():
    data = api.load_graphml(variants.planted_graphml(groups=3, size=20), name="planted")
    assert data.class_names == ["b0", "b1", "b2"] and "'block'" in " ".join(data.report.notes)
    graph = nx.path_graph(30)
    for node in graph:
        graph.nodes[node].update(name=f"n{node}", weight=node / 7, side="left" if node < 15 else "right")
    assert categorical_attribute(graph) == "side"
    del graph.nodes[3]["side"]
    assert categorical_attribute(graph) is None  # not on every node: no labels


def test_the_next_best_ks_follow_the_rule_that_chose_k():
    choice = {"k": 4, "ks": [2, 3, 4, 5], "rule": RULE, "score": [0.9, 0.1, 0.5, 0.4],
              "evidence": {"silhouette": [0.9, 0.3, 0.6, 0.5], "stability": [0.5, 0.95, 0.9, 0.9]}}
    assert [k for k, _ in api.k_alternatives(choice)] == [5, 3, 2]  # stable ones by silhouette, then the unstable
    assert api.k_alternatives(choice)[0][1] == "silhouette 0.50, stability 0.90"
    graph = {"k": 3, "ks": [2, 3, 4], "rule": "eigengap of the normalised Laplacian", "score": [0.1, 0.5, 0.3]}
    assert [k for k, _ in api.k_alternatives(graph)] == [4, 2]


@pytest.fixture
def blocked_probe(monkeypatch):
    """The feature probe replaced by one that reports halfway and waits to be let go; its calls counted."""
    import threading

    from engine import defaults

    for thread in threading.enumerate():  # one started by an earlier test (the app's) ends first
        if thread.name == "feature-probe":
            thread.join(60)
    release, calls = threading.Event(), []

    def probe(dataset, candidates, seed, reporter):
        calls.append(dataset.name)
        reporter.update(0.5, "halfway")
        assert release.wait(30)
        return defaults.FeatureChoice(features="pixels", params={}, reason="held")

    monkeypatch.setattr(defaults, "_load_or_probe", probe)
    defaults.CHOICES.clear()
    yield release, calls
    release.set()
    for thread in threading.enumerate():
        if thread.name == "feature-probe":
            thread.join(10)
    defaults.CHOICES.clear()


def started(calls: list) -> None:
    """Wait until the background probe is under way (its thread has begun it)."""
    import time

    for _ in range(200):
        if calls:
            return
        time.sleep(0.05)
    raise AssertionError("the background probe did not start")


def test_the_probe_started_when_data_loads_is_waited_for_by_the_run_not_run_twice(blocked_probe):
    import threading

    release, calls = blocked_probe
    data = api.DEMOS["digits"]().subset(np.arange(300))
    assert api.warm_features(data) and not api.warm_features(data)  # one at a time
    started(calls)
    said = []
    threading.Timer(0.8, release.set).start()
    choice = api.choose_features(data, reporter=api.Reporter(lambda fraction, message: said.append(message)))
    assert choice.reason == "held" and calls == [data.name]  # the run waited for the probe under way
    assert "choosing features (the probe began when the data was loaded): halfway" in said
    assert api.choose_features(data) is choice and not api.warm_features(data)  # kept: nothing to start


def test_a_run_waiting_for_the_probe_can_be_cancelled_and_the_probe_goes_on(blocked_probe):
    import threading

    release, calls = blocked_probe
    data = api.DEMOS["digits"]().subset(np.arange(300))
    assert api.warm_features(data)
    started(calls)
    reporter = api.Reporter()
    threading.Timer(0.5, reporter.cancel).start()
    with pytest.raises(api.Cancelled):
        api.choose_features(data, reporter=reporter)
    release.set()
    assert api.choose_features(data).reason == "held" and calls == [data.name]
    assert not api.warm_features(api.DEMOS["karate"]())  # a graph's features are not chosen by a probe
    assert not api.warm_features(api.DEMOS["digits"]().subset(np.arange(99)))  # a probe too short to hide


def test_a_table_of_two_valued_columns_is_clustered_on_them_as_they_are():
    from engine.defaults import decide, indicators

    answers = api.load_csv(io.BytesIO(variants.answers_csv()), name="answers")
    assert indicators(answers.table) and not indicators(np.array([[0.0, 1.0], [1.0, 2.0], [0.0, 3.0]]))
    chosen = decide(answers)
    assert chosen.config.cluster_on == "features" and chosen.config.feature_params == {"standardize": False}
    assert "not standardised" in chosen.reasons["features"] and "UMAP" in chosen.reasons["space"]
    # a parameter named keeps the defaults' others; named otherwise, it wins
    assert decide(answers, feature_params={}).config.feature_params == {"standardize": False}
    assert decide(answers, feature_params={"standardize": True}).config.feature_params == {"standardize": True}
    result = api.run(answers)  # the clustering space of the standardised columns: ARI 0.24 at K = 17
    assert result.metrics["ari"] >= 0.7 and 2 <= result.metrics["n_clusters"] <= 6  # 3 groups
    blobs = _table("blobs", *make_blobs(300, 4, centers=3, random_state=0))
    assert decide(blobs).config.cluster_on == "space" and decide(blobs).config.feature_params == {}
