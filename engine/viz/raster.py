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
import threading

import numpy as np

from engine.cache import Memo, digest

PICTURE_SIZE = (1200, 620)  # pixels: about the map's size on a wide page; the browser stretches it to fit
PICTURES = Memo(max_items=8)  # a page redrawn (a selection, a slider) reuses its picture
FADED = "#c9cdd6"  # the items outside a selection, drawn under it in one light grey
_WARMED = threading.Event()
ZOOM_MARGIN = 0.05  # a zoom shows the selected items' extent and this share of it on each side


def picture(embedding: np.ndarray, groups: np.ndarray, colours: dict[int, str],
            size: tuple[int, int] = PICTURE_SIZE, ranges: tuple | None = None,
            selected: np.ndarray | None = None) -> dict:
    """Every point of a 2-D map in one PNG (see :func:`draw`), kept for a page drawn again. A process's first
    picture also compiles, in the background, what a picture with a selection needs (~3 s once, at a million
    points: a first selection then draws in ~0.5 s instead of ~3.5 s)."""
    key = digest(np.asarray(embedding), np.asarray(groups), sorted(colours.items()), size, repr(ranges),
                 None if selected is None else np.asarray(selected))
    shot = PICTURES.get_or_compute(key, lambda: draw(embedding, groups, colours, size, ranges, selected))
    if selected is None and not _WARMED.is_set():
        _WARMED.set()
        threading.Thread(target=draw, args=(np.arange(8.0).reshape(4, 2), np.zeros(4, int), {0: "#000000"},
                                            (8, 8), None, np.arange(2)), daemon=True, name="picture-warm-up").start()
    return shot


def full_ranges(embedding: np.ndarray) -> tuple[tuple[float, float], tuple[float, float]]:
    """The whole map's x and y ranges, with a 1 % margin."""
    xy = np.asarray(embedding, dtype=np.float64)[:, :2]
    ranges = []
    for axis in (0, 1):
        low, high = float(np.nanmin(xy[:, axis])), float(np.nanmax(xy[:, axis]))
        pad = (high - low) * 0.01 or 1.0
        ranges.append((low - pad, high + pad))
    return tuple(ranges)


def zoom_ranges(embedding: np.ndarray, items: np.ndarray) -> tuple[tuple[float, float], tuple[float, float]]:
    """The ranges that hold ``items`` with :data:`ZOOM_MARGIN` around them (at least 1 % of the whole map's span a
    side, so one item or a line of them still gets an area to draw)."""
    xy = np.asarray(embedding, dtype=np.float64)[np.asarray(items), :2]
    whole = full_ranges(embedding)
    ranges = []
    for axis in (0, 1):
        low, high = float(xy[:, axis].min()), float(xy[:, axis].max())
        pad = max((high - low) * ZOOM_MARGIN, (whole[axis][1] - whole[axis][0]) * 0.01)
        ranges.append((low - pad, high + pad))
    return tuple(ranges)


def view_ranges(embedding: np.ndarray, x, y) -> tuple[tuple[float, float], tuple[float, float]] | None:
    """The ranges to draw again for a view the mouse zoomed or panned to (``x``, ``y``: its axes' ends, in map
    units, either order); None when it holds the whole map, or when an end is not a finite number (nothing to
    draw again)."""
    try:
        ends = [sorted(map(float, axis)) for axis in (x, y)]
    except (TypeError, ValueError):
        return None
    if len(ends[0]) != 2 or len(ends[1]) != 2 or not np.all(np.isfinite(ends)) or ends[0][0] == ends[0][1] \
            or ends[1][0] == ends[1][1]:
        return None
    whole = full_ranges(embedding)
    if all(low <= w[0] and high >= w[1] for (low, high), w in zip(ends, whole)):
        return None
    return tuple(tuple(axis) for axis in ends)


def in_ranges(embedding: np.ndarray, ranges) -> np.ndarray:
    """A mask of the items inside ``ranges`` (``((x0, x1), (y0, y1))``)."""
    xy = np.asarray(embedding)[:, :2]
    (x0, x1), (y0, y1) = ranges
    return (xy[:, 0] >= x0) & (xy[:, 0] <= x1) & (xy[:, 1] >= y0) & (xy[:, 1] <= y1)


def draw(embedding: np.ndarray, groups: np.ndarray, colours: dict[int, str], size: tuple[int, int] = PICTURE_SIZE,
         ranges: tuple | None = None, selected: np.ndarray | None = None) -> dict:
    """The points of a 2-D map inside ``ranges`` (``((x0, x1), (y0, y1))``; by default all, with a 1 % margin) in
    one PNG: each pixel coloured by the groups of the points in it (mixed by their counts), its brightness by how
    many (histogram-equalised, so sparse regions still show). With ``selected`` (item indices), only those are
    drawn in their colours, on top of the rest in :data:`FADED` grey.

    Returns ``{"uri": data URI, "x": (low, high), "y": (low, high)}``: where the picture sits in map units."""
    import datashader as ds
    import datashader.transfer_functions as tf
    import pandas as pd

    xy = np.asarray(embedding, dtype=np.float64)[:, :2]
    ranges = full_ranges(xy) if ranges is None else tuple(tuple(map(float, r)) for r in ranges)
    order = sorted(colours)
    codes = np.searchsorted(order, np.asarray(groups))
    canvas = ds.Canvas(plot_width=size[0], plot_height=size[1], x_range=ranges[0], y_range=ranges[1])
    keep = np.ones(len(xy), dtype=bool)
    layers = []
    if selected is not None and 0 < len(selected) < len(xy):
        keep[:] = False
        keep[np.asarray(selected, dtype=np.int64)] = True
        rest = pd.DataFrame({"x": xy[~keep, 0], "y": xy[~keep, 1]})
        layers.append(tf.shade(canvas.points(rest, "x", "y", ds.count()), cmap=[FADED, FADED], how="eq_hist",
                               min_alpha=70))
    frame = pd.DataFrame({"x": xy[keep, 0], "y": xy[keep, 1],
                          "group": pd.Categorical.from_codes(codes[keep], range(len(order)))})
    counts = canvas.points(frame, "x", "y", ds.count_cat("group"))
    layers.append(tf.shade(counts, color_key=[colours[g] for g in order], how="eq_hist", min_alpha=90))
    image = tf.dynspread(tf.stack(*layers) if len(layers) > 1 else layers[0], threshold=0.5, max_px=2)
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
        inside |= in_ranges(xy, (sorted(box["x"]), sorted(box["y"])))
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

