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
