import numpy as np
import pytest

from engine.data import DataError
from engine.data.tables import _table_dataset
from engine.features import FEATURES, available_for


def test_registry_entries_declare_what_data_they_apply_to():
    assert available_for("images") == ["pixels", "learned", "efficientnet_lite0", "colours", "combined"]
    assert available_for("table") == ["columns"] and available_for("series") == ["znorm", "spectrum"]
    assert available_for("graph") == ["adjacency"]
    for entry in FEATURES.values():
        entry.resolve()  # defaults are valid


def test_pixels_keep_grayscale_as_one_channel_scaled_to_unit_range(digits):
    X = FEATURES["pixels"].make(digits, **{**FEATURES["pixels"].resolve(), "contrast": "none"})
    assert X.shape == (1797, 64) and X.dtype == np.float32
    assert X.min() == 0.0 and X.max() == 1.0
    assert np.allclose(X[0].reshape(8, 8), digits.images[0, ..., 0] / 255.0)


def test_pixels_against_the_background_ignore_ink_and_paper_colours():
    from engine.data import variants

    strokes, _ = variants.digit_strokes("digits", n=50)
    plain, inverted, colour = (variants.image_dataset(style, variants.render_digits(strokes, 16, style), np.zeros(50, int),
                                                      ["x"]) for style in ("plain", "inverted", "colour"))
    features = [FEATURES["pixels"].make(d, **FEATURES["pixels"].resolve()) for d in (plain, inverted, colour)]
    assert features[0].shape == (50, 16 * 16)  # one channel: the distance from the background colour
    ink = features[0] > 0.5
    for other in features[1:]:  # the strokes stand out the same way whatever their colours
        assert other[ink].mean() > 2.5 * other[~ink].mean()
    raw = [FEATURES["pixels"].make(d, contrast="none") for d in (plain, inverted)]
    assert np.corrcoef(raw[0].ravel(), raw[1].ravel())[0, 1] < 0  # without it, inverted ink is the opposite image


def test_the_background_is_read_at_the_border_so_bold_ink_stays_ink():
    from engine.features.pixels import against_background

    # a light blob over 36 of 64 pixels on a dark frame: the whole image's median is the ink, its border's is not
    image = np.full((8, 8, 3), 10, np.uint8)
    image[1:7, 1:7] = 200
    inverted = 255 - image
    distance = against_background(np.stack([image, inverted]))[..., 0]
    assert (distance[:, 0, :] == 0).all() and (distance[:, 1:7, 1:7] > 100).all()  # frame 0, ink far from it
    assert np.array_equal(distance[0], distance[1])  # dark on light and light on dark: the same features
    assert against_background(image[None, :1, :1]).shape == (1, 1, 1, 1)  # a 1-px image is all border


def test_colour_histograms_find_classes_that_differ_only_in_colour():
    """Five colours, any shape, size and place: the histogram separates them and raw pixels (which keep shape and
    position, and drop hue against the background) do not."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score

    from engine.data import variants

    images, labels, names = variants.colour_items(per_class=30)
    dataset = variants.image_dataset("colours", images, labels, names)
    found = {}
    for name in ("colours", "pixels"):
        X = FEATURES[name].make(dataset, **FEATURES[name].resolve())
        found[name] = adjusted_rand_score(labels, KMeans(5, n_init=4, random_state=0).fit_predict(X))
    assert found["colours"] > 0.9 and found["pixels"] < 0.3, found
    X = FEATURES["colours"].make(dataset)
    assert X.shape == (150, 28) and np.allclose((X ** 2).sum(axis=1), 1.0, atol=1e-5)  # Hellinger rows
    moved = images.copy()
    moved[0] = np.roll(images[0], (9, -7), axis=(0, 1))  # the same object elsewhere: nearly the same histogram
    again = FEATURES["colours"].make(variants.image_dataset("moved", moved, labels, names))
    assert np.linalg.norm(again[0] - X[0]) < 0.25 * np.linalg.norm(X[labels != labels[0]][0] - X[0])


def test_combined_parts_weigh_the_same_whatever_their_width():
    """A 1,280-wide part and a 64-wide one each get 50 principal components (or fewer) and a mean squared row
    length of 1, so neither drowns the other; rows stay aligned."""
    from engine.features.combined import PART_DIMS, combine

    rng = np.random.default_rng(0)
    wide = rng.normal(scale=40.0, size=(300, 1280)).astype(np.float32)
    narrow = rng.uniform(size=(300, 64)).astype(np.float32)
    X = combine([wide, narrow])
    assert X.shape == (300, PART_DIMS + PART_DIMS) and X.dtype == np.float32
    for block in (X[:, :PART_DIMS], X[:, PART_DIMS:]):
        assert np.mean((block ** 2).sum(axis=1)) == pytest.approx(1.0, rel=1e-4)
        assert np.allclose(block.mean(axis=0), 0.0, atol=1e-4)
    small = combine([narrow[:, :8], narrow[:, 8:20]])  # narrower than 50: kept whole, only centred and scaled
    assert small.shape == (300, 20)
    assert np.corrcoef(small[:, 0], narrow[:, 0])[0, 1] == pytest.approx(1.0)


@pytest.mark.slow
def test_combined_features_separate_faces_that_pixels_alone_do_not():
    """scikit-image's 100 LFW faces and 100 other patches: pixels and the encoder side by side find the two groups
    (K-means, K = 2) better than pixels alone, through the real extractors (pixels against the background, the
    pretrained encoder at its size)."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score

    from engine.data import variants
    from engine.pipeline import clustering_space

    images, labels, names = variants.faces()
    dataset = variants.image_dataset("faces", images, labels, names, grayscale=True)
    found = {}
    for name in ("pixels", "combined"):
        X = FEATURES[name].make(dataset, **FEATURES[name].resolve())
        found[name] = adjusted_rand_score(labels, KMeans(2, n_init=4, random_state=0).fit_predict(clustering_space(X)))
    assert X.shape == (200, 100)  # 50 + 50: the pixels' and the encoder's principal components
    assert found["combined"] > 0.85 and found["combined"] > found["pixels"] + 0.1, found


def test_pixels_shrink_large_images(tmp_path):
    from engine.data import load_folder
    from tests.conftest import shapes_folder

    data = load_folder(shapes_folder(tmp_path), image_size=64)
    assert FEATURES["pixels"].make(data, size=16, contrast="none").shape == (12, 16 * 16 * 3)
    assert FEATURES["pixels"].make(data, size=16).shape == (12, 16 * 16)


def test_pixels_above_the_loaded_size_are_read_from_the_original_files(tmp_path):
    from dataclasses import replace

    from PIL import Image

    from engine.data import load_folder
    from engine.features.stream import squares

    rng = np.random.default_rng(0)
    for i in range(6):  # 96×64 photos of fine stripes: detail a 16-px copy cannot hold
        stripes = (np.indices((64, 96)).sum(axis=0) // (2 + i % 3) % 2 * 200).astype(np.uint8)
        image = np.stack([stripes, stripes[::-1], rng.integers(0, 255, (64, 96), dtype=np.uint8)], axis=-1)
        Image.fromarray(image).save(tmp_path / f"{i}.png")
    data = load_folder(tmp_path, image_size=16)
    assert data.images.shape[1:] == (16, 16, 3)
    from engine.progress import Reporter

    said = []
    features = FEATURES["pixels"].make(data, size=48, contrast="none", reporter=Reporter(lambda f, m: said.append(m)))
    assert features.shape == (6, 48 * 48 * 3)  # at the size asked for, not the copies' 16 px
    assert said[-1] == "raw pixels at 48 px: 6 of 6 files read"
    whole = np.asarray(Image.open(tmp_path / "0.png"))[:, 16:80]  # the original's centre square at its own size
    shown = np.asarray(Image.fromarray(whole).resize((48, 48), Image.Resampling.BILINEAR), np.float32) / 255
    assert np.abs(features[0].reshape(48, 48, 3) - shown).mean() < 0.03
    enlarged = squares(replace(data, sources=None), 48).astype(np.float32) / 255  # what the copies would give
    assert np.abs(enlarged[0] - shown).mean() > 3 * np.abs(features[0].reshape(48, 48, 3) - shown).mean()
    copies = FEATURES["pixels"].make(replace(data, sources=None), size=48, contrast="none")
    assert copies.shape == (6, 16 * 16 * 3)  # without files, the copies as they are (never enlarged)


def test_pixels_refuse_a_table_and_columns_refuse_images(digits):
    table = _table_dataset("t", np.arange(12, dtype=float).reshape(6, 2), None)
    with pytest.raises(DataError, match="need images"):
        FEATURES["pixels"].make(table)
    with pytest.raises(DataError, match="need a feature table"):
        FEATURES["columns"].make(digits)


def test_columns_are_standardised():
    table = _table_dataset("t", np.c_[np.arange(10.0), np.full(10, 3.0)], None)
    X = FEATURES["columns"].make(table, standardize=True)
    assert np.allclose(X[:, 0].mean(), 0, atol=1e-6) and np.allclose(X[:, 0].std(), 1, atol=1e-5)
    assert np.all(X[:, 1] == 0)  # a constant column stays finite


def test_learned_features_come_from_a_training_run_on_this_dataset(digits, monkeypatch, tmp_path):
    from engine.runs import RunStore

    monkeypatch.setenv("CLUSTERSCOPE_HOME", str(tmp_path))  # its made-up runs stay out of the pages' run lists
    store = RunStore()
    train = store.save("train", {"name": "digits", "fingerprint": digits.fingerprint()}, {}, {}, {},
                       {"embeddings": np.ones((len(digits), 4), dtype=np.float32)})
    assert FEATURES["learned"].make(digits, run_id=train.run_id).shape == (1797, 4)
    other = store.save("train", {"name": "other", "fingerprint": "0" * 16}, {}, {}, {},
                       {"embeddings": np.ones((3, 4), dtype=np.float32)})
    with pytest.raises(DataError, match="not on this dataset"):
        FEATURES["learned"].make(digits, run_id=other.run_id)
    cluster_run = store.save("cluster", {"name": "digits", "fingerprint": digits.fingerprint()}, {}, {}, {},
                             {"labels": np.zeros(3)})
    with pytest.raises(DataError, match="not a training run"):
        FEATURES["learned"].make(digits, run_id=cluster_run.run_id)
    with pytest.raises(DataError, match="choose a training run"):
        FEATURES["learned"].make(digits)
