"""More like this and near-duplicates."""

import io

import numpy as np
import pytest
from PIL import Image, ImageEnhance

from engine.progress import Cancelled, Reporter
from engine.similarity import SimilarityIndex, duplicate_groups


def _smooth_images(n, size=48, seed=0):
    """Distinct random images, smooth like photos (blurred noise at 6×6 blown up)."""
    rng = np.random.default_rng(seed)
    coarse = rng.integers(0, 256, size=(n, 6, 6, 3), dtype=np.uint8)
    return np.stack([np.asarray(Image.fromarray(c).resize((size, size), Image.Resampling.BICUBIC)) for c in coarse])


def _near_copy(image):
    """Resized to 90 % and back, 6 % brighter, saved as a JPEG at quality 60."""
    pil = Image.fromarray(image)
    side = pil.width
    pil = pil.resize((int(side * 0.9),) * 2, Image.Resampling.BILINEAR).resize((side, side))
    buffer = io.BytesIO()
    ImageEnhance.Brightness(pil).enhance(1.06).save(buffer, format="JPEG", quality=60)
    return np.asarray(Image.open(buffer).convert("RGB"))


def test_more_like_this_returns_the_item_itself_first_even_beside_an_exact_copy(digits):
    features = digits.images.reshape(len(digits), -1).astype(np.float32)
    features = np.concatenate([features, features[:1]])  # item 1797 is an exact copy of item 0
    index = SimilarityIndex.build(features)
    found, scores = index.more_like(0, k=5)
    assert found[0] == 0 and found[1] == len(features) - 1 and scores[1] == pytest.approx(1.0, abs=1e-5)
    assert np.all(np.diff(scores[1:]) <= 1e-6)
    same_class = digits.labels[found[2:]] == digits.labels[0]
    assert same_class.mean() >= 0.66  # the nearest of the rest are mostly the same digit


def test_near_copies_are_found_and_distinct_images_are_not():
    images = _smooth_images(120)
    copied = [3, 17, 40, 41, 77, 99, 110]
    both = np.concatenate([images, np.stack([_near_copy(images[i]) for i in copied])])
    pairs = SimilarityIndex.of_images(both).near_duplicates(threshold=0.97)
    expected = {(i, 120 + slot) for slot, i in enumerate(copied)}
    assert {(i, j) for i, j, _ in pairs} == expected
    assert all(s >= 0.97 for _, _, s in pairs) and [s for *_, s in pairs] == sorted((s for *_, s in pairs),
                                                                                     reverse=True)


def test_copies_of_one_image_join_one_group():
    images = _smooth_images(40, seed=1)
    both = np.concatenate([images, np.stack([_near_copy(images[5]), _near_copy(images[5])])])
    pairs = SimilarityIndex.of_images(both).near_duplicates(threshold=0.97)
    assert duplicate_groups(pairs) == [[5, 40, 41]]


def test_a_near_duplicate_search_can_be_cancelled():
    reporter = Reporter()
    reporter.cancel()
    with pytest.raises(Cancelled):
        SimilarityIndex.of_images(_smooth_images(10)).near_duplicates(0.97, reporter)


def test_every_pair_over_the_bar_is_found_once_on_the_full_vectors_or_through_the_pca(monkeypatch):
    import engine.similarity as similarity

    images = _smooth_images(150, seed=2)
    copied = [0, 1, 2, 60, 149]
    both = np.concatenate([images, np.stack([_near_copy(images[i]) for i in copied]),
                           np.stack([_near_copy(images[0])])])  # two copies of image 0
    index = SimilarityIndex.of_images(both)
    every = index.vectors @ index.vectors.T
    truth = {(i, j) for i, j in zip(*np.nonzero(np.triu(every >= 0.97, k=1)))}
    assert len(truth) >= len(copied) + 2  # 0 with both copies, and the copies of 0 with each other
    exact = index.near_duplicates(0.97)
    assert {(i, j) for i, j, _ in exact} == truth and len(exact) == len(truth)
    monkeypatch.setattr(similarity, "EXACT_PAIRS_LIMIT", 50)  # the large-collection path: candidates from a PCA
    monkeypatch.setattr(similarity, "BLOCK", 64)
    assert index.near_duplicates(0.97) == exact


def test_series_clustered_under_dtw_are_searched_under_dtw_with_the_runs_band():
    from tslearn.metrics import dtw

    from engine import api

    trace = api.DEMOS["trace"]()
    config = api.Config(features="znorm", reducer="pca", clusterer="ts_kmeans",
                        clusterer_params={"n_clusters": 4, "metric": "dtw", "band": 0.1})
    index = api.similarity_for(trace, config)
    assert isinstance(index, api.DTWIndex) and index.column == "DTW distance"
    found, distances = index.more_like(5, 8)
    assert found[0] == 5 and distances[0] == 0.0 and np.all(np.diff(distances[1:]) >= 0)
    series = api.features_for(trace, config)
    radius = round(0.1 * series.shape[1])
    for j, d in zip(found[1:4], distances[1:4]):  # tslearn's DTW, the same band
        assert d == pytest.approx(dtw(series[5], series[j], global_constraint="sakoe_chiba",
                                      sakoe_chiba_radius=radius), rel=1e-6)
    everyone = index.more_like(5, len(trace))[1]
    assert np.allclose(distances, np.sort(everyone)[:8])  # the nearest, of all 200
    euclidean = api.similarity_for(trace, api.Config(features="znorm", reducer="pca", clusterer="kmeans"))
    assert isinstance(euclidean, SimilarityIndex) and euclidean.column == "similarity"


def test_a_dtw_search_too_long_for_a_click_is_by_cosine_and_says_why(monkeypatch):
    from engine import api, similarity

    series = np.random.default_rng(0).normal(size=(40, 50)).cumsum(axis=1)
    params = {"metric": "dtw", "band": 0.1}
    assert isinstance(similarity.index_for(series, "ts_kmeans", params), api.DTWIndex)
    monkeypatch.setattr(similarity, "DTW_SEARCH_CELLS", 40 * 50 * 11 - 1)  # one cell short of a query's
    index = similarity.index_for(series, "ts_kmeans", params)
    assert isinstance(index, SimilarityIndex) and "not DTW" in index.measure and "2.2e+04 cells" in index.measure
    assert SimilarityIndex.measure == "cosine similarity, 1 = the same direction"  # the class's own is unchanged
