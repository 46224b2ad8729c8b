"""The map as a picture past what a browser draws point by point: datashader aggregates every point into pixels
on the server, the browser gets one PNG (and a sample of points to hover and click), and a box or lasso drawn on
it is turned back into the items inside it here, drawn or not.

``bench/render.py`` (headless Chromium, software WebGL, 2 cores): a million points as a picture with 100,000 of
them drawn on it 0.57-0.68 s to first draw from 2.1 MB, against 3.41-4.07 s from 17.4 MB as WebGL points (the
picture alone: 0.22-0.26 s, 0.3 MB); a picture takes the server ~0.2 s (1.0-1.3 s for a process's first, while numba
compiles datashader's kernels)."""

from __future__ import annotations

import base64
import io

import numpy as np

from engine.cache import Memo, digest

PICTURE_SIZE = (1200, 620)  # pixels: about the map's size on a wide page; the browser stretches it to fit
PICTURES = Memo(max_items=8)  # a page redrawn (a selection, a slider) reuses its picture


def picture(embedding: np.ndarray, groups: np.ndarray, colours: dict[int, str],
            size: tuple[int, int] = PICTURE_SIZE) -> dict:
    """Every point of a 2-D map in one PNG (see :func:`draw`), kept for a page drawn again."""
    key = digest(np.asarray(embedding), np.asarray(groups), sorted(colours.items()), size)
    return PICTURES.get_or_compute(key, lambda: draw(embedding, groups, colours, size))


def draw(embedding: np.ndarray, groups: np.ndarray, colours: dict[int, str], size: tuple[int, int] = PICTURE_SIZE,
         ranges: tuple | None = None) -> dict:
    """The points of a 2-D map inside ``ranges`` (``((x0, x1), (y0, y1))``; by default all, with a 1 % margin) in
    one PNG: each pixel coloured by the groups of the points in it (mixed by their counts), its brightness by how
    many (histogram-equalised, so sparse regions still show).

    Returns ``{"uri": data URI, "x": (low, high), "y": (low, high)}``: where the picture sits in map units."""
    import datashader as ds
    import datashader.transfer_functions as tf
    import pandas as pd

    xy = np.asarray(embedding, dtype=np.float64)[:, :2]
    if ranges is None:
        ranges = []
        for axis in (0, 1):
            low, high = float(np.nanmin(xy[:, axis])), float(np.nanmax(xy[:, axis]))
            pad = (high - low) * 0.01 or 1.0
            ranges.append((low - pad, high + pad))
    order = sorted(colours)
    codes = np.searchsorted(order, np.asarray(groups))
    frame = pd.DataFrame({"x": xy[:, 0], "y": xy[:, 1], "group": pd.Categorical.from_codes(codes, range(len(order)))})
    canvas = ds.Canvas(plot_width=size[0], plot_height=size[1], x_range=ranges[0], y_range=ranges[1])
    counts = canvas.points(frame, "x", "y", ds.count_cat("group"))
    image = tf.dynspread(tf.shade(counts, color_key=[colours[g] for g in order], how="eq_hist", min_alpha=90),
                         threshold=0.5, max_px=2)
    buffer = io.BytesIO()
    image.to_pil().save(buffer, format="PNG")
    return {"uri": "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode(),
            "x": tuple(ranges[0]), "y": tuple(ranges[1])}


def sample_points(groups: np.ndarray, size: int, least: int = 100, seed: int = 0) -> np.ndarray:
    """Sorted indices of an even sample of ``size`` items, topped up so each group has at least ``least`` of its
    items in it (or all, if it has fewer): a small cluster stays hoverable beside the large ones."""
    groups = np.asarray(groups)
    rng = np.random.default_rng(seed)
    if size >= len(groups):
        return np.arange(len(groups))
    chosen = np.zeros(len(groups), dtype=bool)
    chosen[rng.choice(len(groups), size, replace=False)] = True
    order = np.argsort(groups, kind="stable")  # each group's members, in one pass (K may be in the thousands)
    for members in np.split(order, np.flatnonzero(np.diff(groups[order])) + 1):
        short = min(least, len(members)) - int(chosen[members].sum())
        if short > 0:
            chosen[rng.choice(members[~chosen[members]], short, replace=False)] = True
    return np.flatnonzero(chosen)


def items_in(embedding: np.ndarray, boxes: list[dict] = (), lassos: list[dict] = ()) -> np.ndarray:
    """Sorted indices of the items inside any of the ``boxes`` (``{"x": [x0, x1], "y": [y0, y1]}``) or ``lassos``
    (``{"x": [...], "y": [...]}``, a closed outline), as Streamlit reports a plotly selection."""
    xy = np.asarray(embedding)[:, :2]
    inside = np.zeros(len(xy), dtype=bool)
    for box in boxes:
        (x0, x1), (y0, y1) = sorted(box["x"]), sorted(box["y"])
        inside |= (xy[:, 0] >= x0) & (xy[:, 0] <= x1) & (xy[:, 1] >= y0) & (xy[:, 1] <= y1)
    for lasso in lassos:
        outline = np.column_stack([lasso["x"], lasso["y"]]).astype(np.float64)
        if len(outline) < 3:
            continue
        low, high = outline.min(axis=0), outline.max(axis=0)
        near = np.flatnonzero(np.all((xy >= low) & (xy <= high), axis=1))  # the outline's bounding box first
        if len(near):  # matplotlib's point-in-polygon test, in C
            from matplotlib.path import Path

            inside[near[Path(outline, closed=False).contains_points(xy[near].astype(np.float64))]] = True
    return np.flatnonzero(inside)

