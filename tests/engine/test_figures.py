"""Figures the app and the report share: what a person reads off them."""

from __future__ import annotations

import numpy as np

from engine import api
from engine.viz.figures import matched_colours


def test_the_same_group_gets_the_same_colour_in_every_small_map():
    reference = np.array([0, 0, 0, 1, 1, 1, 2, 2, -1])
    renumbered = np.array([5, 5, 5, 0, 0, 1, 3, 3, 3])  # the same groups, other numbers; one extra group
    colours = matched_colours(reference, renumbered)
    assert colours[5] == 0 and colours[0] == 1 and colours[3] == 2  # matched by overlap
    assert colours[1] not in (0, 1, 2) and colours[-1] == -1  # the extra group takes an unused colour
    rng = np.random.default_rng(0)
    embedding = rng.normal(size=(9, 2))
    fig = api.map_grid([("a", embedding, reference), ("b", embedding, renumbered)])
    first, second = (list(trace.marker.color) for trace in fig.data)
    assert first[:3] == second[:3] and first[6:8] == second[6:8] and first[3] == second[3]
    assert second[5] not in set(first)  # the extra group: a colour of its own
    assert [t.hovertext[0] for t in fig.data] == ["cluster 0", "cluster 5"]  # each map names its own groups


def test_a_map_past_the_lean_size_sends_coordinates_and_indices_only(monkeypatch):
    import plotly.io as pio

    from engine.viz import figures

    rng = np.random.default_rng(0)
    embedding, groups = rng.normal(size=(3_000, 2)).astype(np.float32), rng.integers(0, 3, 3_000)
    hover = [f"a rather long item name {i}.jpg · cluster {g}" for i, g in enumerate(groups)]
    full = figures.scatter(embedding, groups, {0: "a", 1: "b", 2: "c"}, hover)
    monkeypatch.setattr(figures, "LEAN_POINTS", 1_000)
    lean = figures.scatter(embedding, groups, {0: "a", 1: "b", 2: "c"}, None)
    assert all(t.hovertext is None and "%{customdata}" in t.hovertemplate for t in lean.data)
    assert sorted(np.concatenate([np.asarray(t.customdata) for t in lean.data]).tolist()) == list(range(3_000))
    assert lean.data[0].customdata.dtype == np.int32  # the index a click or lasso returns, 4 bytes a point
    assert len(pio.to_json(lean)) < 0.5 * len(pio.to_json(full))


def test_a_map_past_the_raster_size_is_a_picture_of_every_point_under_a_sample(monkeypatch):
    import base64
    import io

    from PIL import Image

    from engine.viz import figures

    rng = np.random.default_rng(0)
    centres = np.array([[-6.0, 0.0], [6.0, 0.0], [0.0, 8.0]])
    groups = np.r_[np.zeros(2_900, int), np.ones(2_900, int), np.full(40, 2)]  # a small third cluster
    embedding = (centres[groups] + rng.normal(size=(len(groups), 2))).astype(np.float32)
    monkeypatch.setattr(figures, "RASTER_POINTS", 5_000)
    monkeypatch.setattr(figures, "SAMPLE_POINTS", 1_000)
    fig = figures.scatter(embedding, groups, {0: "a", 1: "b", 2: "c"}, None)
    assert figures.drawn_as(len(embedding)) == "picture" and figures.drawn_as(4_999) == "points"
    assert figures.drawn_as(len(embedding), dims=3) == figures.drawn_as(len(embedding), edges=True) == "points"

    (image,) = fig.layout.images
    picture = np.asarray(Image.open(io.BytesIO(base64.b64decode(image.source.split(",", 1)[1]))).convert("RGBA"))
    inked = picture[..., 3] > 0
    assert 0.005 < inked.mean() < 0.5  # the blobs are drawn, the space between them is not
    x0, y1 = image.x, image.y  # the picture's left and top edges, in map units: the blobs land where they are
    column = ((embedding[groups == 1, 0].mean() - x0) / image.sizex * picture.shape[1]).astype(int)
    row = ((y1 - embedding[groups == 1, 1].mean()) / image.sizey * picture.shape[0]).astype(int)
    window = (slice(row - 7, row + 8), slice(column - 7, column + 8))
    assert inked[window].mean() > 5 * inked.mean()  # far denser ink there than on the picture as a whole
    red, green, blue = (int(figures.colour(1)[i:i + 2], 16) for i in (1, 3, 5))  # in cluster 1's colour
    assert np.allclose(picture[window][inked[window]][:, :3].mean(axis=0), [red, green, blue], atol=30)

    drawn = np.concatenate([np.asarray(t.customdata) for t in fig.data])
    assert len(drawn) < 1_200 and len(set(drawn.tolist())) == len(drawn)  # the sample, each item once
    assert set(range(5_800, 5_840)) <= set(drawn.tolist())  # the small cluster's items all drawn (under 100)
    for trace in fig.data:  # each drawn point sits where the item is
        assert np.allclose(np.asarray(trace.x), embedding[np.asarray(trace.customdata), 0])


def _pixels(image) -> np.ndarray:
    import base64
    import io

    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(base64.b64decode(image.source.split(",", 1)[1]))).convert("RGBA"))


def _at(image, picture: np.ndarray, x: float, y: float, half: int = 6) -> np.ndarray:
    """The inked pixels' mean colour around map point (x, y) of a layout image."""
    column = int((x - image.x) / image.sizex * picture.shape[1])
    row = int((image.y - y) / image.sizey * picture.shape[0])
    window = picture[max(row - half, 0):row + half + 1, max(column - half, 0):column + half + 1]
    inked = window[window[..., 3] > 0]
    assert len(inked) > 10, "nothing drawn there"
    return inked[:, :3].mean(axis=0)


def test_a_picture_zooms_in_from_its_own_points_and_greys_out_what_is_not_selected():
    from engine import api
    from engine.viz import figures, raster

    rng = np.random.default_rng(2)
    centres = np.array([[-6.0, 0.0], [6.0, 0.0]])
    groups = np.repeat([0, 1], 3_000)
    embedding = (centres[groups] + rng.normal(size=(len(groups), 2))).astype(np.float32)
    rgb = lambda hex_: np.array([int(hex_[i:i + 2], 16) for i in (1, 3, 5)])  # noqa: E731

    # the selection (cluster 1's items) in its colour, the rest in grey
    chosen = np.flatnonzero(groups == 1)
    fig = figures.scatter(embedding, groups, {0: "a", 1: "b"}, None, drawing="picture", selected=chosen)
    (image,) = fig.layout.images
    picture = _pixels(image)
    assert np.allclose(_at(image, picture, 6.0, 0.0), rgb(figures.colour(1)), atol=30)
    assert np.allclose(_at(image, picture, -6.0, 0.0), rgb(raster.FADED), atol=30)
    grey = [t for t in fig.data if t.name == "not selected"]  # the sample's points outside it, in grey too
    assert len(grey) == 1 and grey[0].marker.color == raster.FADED
    assert set(np.asarray(grey[0].customdata).tolist()) <= set(np.flatnonzero(groups == 0).tolist())
    coloured = np.concatenate([np.asarray(t.customdata) for t in fig.data if t.name != "not selected"])
    assert len(coloured) and set(coloured.tolist()) <= set(chosen.tolist())
    unselected = _at(image, _pixels(figures.scatter(embedding, groups, {0: "a", 1: "b"}, None,
                                                    drawing="picture").layout.images[0]), -6.0, 0.0)
    assert np.allclose(unselected, rgb(figures.colour(0)), atol=30)  # no selection: its own colour

    # zoomed on a few of cluster 1's items: only that region, drawn again, and its sample taken inside it
    few = chosen[np.hypot(*(embedding[chosen] - [6.0, 0.0]).T) < 0.8]
    ranges = api.zoom_ranges(embedding, few)
    (x0, x1), (y0, y1) = ranges
    assert x0 < embedding[few, 0].min() and embedding[few, 0].max() < x1 and x1 - x0 < 2.5
    assert y0 < embedding[few, 1].min() and embedding[few, 1].max() < y1
    zoomed = figures.scatter(embedding, groups, {0: "a", 1: "b"}, None, drawing="picture", ranges=ranges)
    (image,) = zoomed.layout.images
    assert (image.x, image.sizex) == (x0, x1 - x0) and tuple(zoomed.layout.xaxis.range) == (x0, x1)
    drawn = np.concatenate([np.asarray(t.customdata) for t in zoomed.data])
    assert np.array_equal(np.sort(drawn), np.flatnonzero(api.in_ranges(embedding, ranges)))  # all, as they are few
    zoomed_picture = _pixels(image)
    assert (zoomed_picture[..., 3] > 0).mean() > 3 * (picture[..., 3] > 0).mean()  # its points spread over more pixels
    one = api.zoom_ranges(embedding, few[:1])  # a single item still gets an area about it
    assert one[0][0] < embedding[few[0], 0] < one[0][1] and one[0][1] - one[0][0] > 0.1


def test_a_view_zoomed_with_the_mouse_becomes_ranges_and_one_holding_the_whole_map_none():
    from engine import api

    embedding = np.random.default_rng(2).uniform(-10, 10, size=(5_000, 2))
    assert api.view_ranges(embedding, [3.0, -2.5], [1.0, 4.0]) == ((-2.5, 3.0), (1.0, 4.0))  # plotly's order or not
    assert api.view_ranges(embedding, [-30, 30], [-11, 11]) is None  # zoomed out past the map: the whole map
    assert api.view_ranges(embedding, [-30, 30], [0, 11]) == ((-30.0, 30.0), (0.0, 11.0))  # half of it in view
    for bad in (([1.0, 1.0], [0, 2]), (["a", 2], [0, 2]), ([float("nan"), 2], [0, 2]), ([1, 2, 3], [0, 2]),
                (None, [0, 2])):
        assert api.view_ranges(embedding, *bad) is None  # nothing to draw again


def test_a_box_or_lasso_on_a_picture_selects_every_item_inside_it():
    from engine import api

    rng = np.random.default_rng(1)
    embedding = rng.uniform(-10, 10, size=(20_000, 2))
    box = {"x": [2.0, -3.0], "y": [-1.0, 4.0]}  # plotly may report a box's corners in either order
    expected = np.flatnonzero((embedding[:, 0] >= -3) & (embedding[:, 0] <= 2) & (embedding[:, 1] >= -1)
                              & (embedding[:, 1] <= 4))
    assert np.array_equal(api.items_in(embedding, [box], []), expected)
    angle = np.linspace(0, 2 * np.pi, 200, endpoint=False)  # a lasso: a circle of radius 5 about (1, 1)
    lasso = {"x": (1 + 5 * np.cos(angle)).tolist(), "y": (1 + 5 * np.sin(angle)).tolist()}
    inside = api.items_in(embedding, [], [lasso])
    distance = np.hypot(embedding[:, 0] - 1, embedding[:, 1] - 1)
    assert set(np.flatnonzero(distance < 4.99)) <= set(inside) <= set(np.flatnonzero(distance <= 5))
    both = api.items_in(embedding, [box], [lasso])
    assert np.array_equal(both, np.union1d(expected, inside))
    assert len(api.items_in(embedding, [], [])) == 0
