import numpy as np

from engine.cluster.profiles import cluster_profiles
from engine.data.thumbs import data_uri, montage


def test_profiles_pick_central_members_and_outliers_noise_last():
    X = np.array([[0.0], [0.1], [-0.1], [5.0], [100.0], [101.0], [50.0]])
    labels = np.array([0, 0, 0, 0, 1, 1, -1])
    profiles = cluster_profiles(X, labels, n_representatives=2, n_outliers=1)
    assert [p.label for p in profiles] == [0, 1, -1]
    assert profiles[0].size == 4 and profiles[0].outliers.tolist() == [3]
    assert set(profiles[0].representatives.tolist()) <= {0, 1, 2}
    assert profiles[-1].name == "Noise" and profiles[-1].representatives.tolist() == [6]


def test_montage_lays_out_cells(digits):
    sheet = montage(digits.images, [0, 1, 2, 3, 4], columns=3, cell=16, gap=2)
    assert sheet.shape == (2 * 16 + 2, 3 * 16 + 4, 3)
    assert data_uri(digits.images[0]).startswith("data:image/png;base64,")


def test_hover_thumbnails_are_small_and_sampled_past_the_limit():
    import base64
    import io

    from PIL import Image

    from engine.data.thumbs import hover_uris

    rng = np.random.default_rng(0)
    tiny = np.repeat(rng.integers(0, 255, (30, 8, 8, 1), dtype=np.uint8), 3, axis=-1)
    uris = hover_uris(tiny)
    assert sorted(uris) == list(range(30)) and all(u.startswith("data:image/png;base64,") for u in uris.values())
    pixels = np.asarray(Image.open(io.BytesIO(base64.b64decode(uris[3].split(",", 1)[1]))))
    assert np.array_equal(pixels, tiny[3, ..., 0])  # a digit's own pixels, lossless, one channel

    photos = rng.integers(0, 255, (12, 100, 100, 3), dtype=np.uint8)
    sampled = hover_uris(photos, limit=5, size=40)
    assert len(sampled) == 5 and min(sampled) == 0 and max(sampled) == 11  # spread over all items
    shown = Image.open(io.BytesIO(base64.b64decode(sampled[0].split(",", 1)[1])))
    assert shown.format == "JPEG" and shown.size == (40, 40)


def test_a_series_hovers_as_a_line_drawing_of_its_own_rise_and_fall():
    import base64
    import io

    from PIL import Image

    from engine.data.originals import hover_uris
    from engine.data.dataset import Dataset
    from engine.data.thumbs import SPARK_HEIGHT, SPARK_WIDTH

    def drawn(uri: str) -> np.ndarray:
        image = Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1])))
        assert image.format == "PNG" and image.size == (SPARK_WIDTH, SPARK_HEIGHT)
        return np.asarray(image.convert("L")) < 200  # where the line is

    rising = np.linspace(0, 5, 300)
    rising[100:110] = np.nan  # a gap: the line goes on past it
    series = np.vstack([rising, rising[::-1], np.full(300, 2.0)])
    uris = hover_uris(Dataset(name="s", item_names=["up", "down", "flat"], series=series))
    assert sorted(uris) == [0, 1, 2]
    up, down, flat = (drawn(uris[i]) for i in range(3))
    rows = np.arange(SPARK_HEIGHT)[:, None]
    first, last = 3, SPARK_WIDTH - 4  # columns near each end
    assert rows[up[:, first]].mean() > rows[up[:, last]].mean() + SPARK_HEIGHT / 2  # low at the left (image rows
    assert rows[down[:, first]].mean() < rows[down[:, last]].mean() - SPARK_HEIGHT / 2  # grow downwards)
    assert up.any(axis=0)[first:last].all()  # drawn across, gap or not
    assert set(np.flatnonzero(flat.any(axis=1))) <= {SPARK_HEIGHT // 2 - 1, SPARK_HEIGHT // 2}  # a flat one: level

    long = np.zeros(5000)
    long[3001] = 1.0  # one step's spike in 5,000: longer than the drawing is wide, and still drawn
    spiked = drawn(hover_uris(Dataset(name="s", item_names=["x", "y"], series=np.vstack([long, -long])))[0])
    top = np.flatnonzero(spiked[:4].any(axis=0))
    assert len(top) and abs(top.mean() - 0.6 * SPARK_WIDTH) < 3 and spiked[-4:].any(axis=0).sum() > SPARK_WIDTH * 0.8


def test_a_selection_is_set_apart_by_the_columns_where_its_rows_differ_from_the_rest():
    from engine.cluster.profiles import selection_apart

    rng = np.random.default_rng(0)
    table = rng.normal(size=(200, 4))
    table[:30, 2] += 3.0  # the selected rows: high "c"
    table[:30, 0] -= 1.5  # and low "a"
    found = selection_apart(table, range(30), ["a", "b", "c", "d"])
    assert [(f["column"], f["effect"] > 0) for f in found] == [("c", True), ("a", False)]
    assert selection_apart(table, range(200)) == []  # every row: nothing sets it apart
