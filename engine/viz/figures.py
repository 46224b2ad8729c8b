"""Plotly figures shared by the app and the HTML report: maps, K sweeps, dendrograms, comparisons."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from engine.cluster.tree import Layout
from engine.data.dataset import graph_edges

NOISE_COLOUR = "#b8bcc6"
ABOVE_CUT_COLOUR = "#8a8f99"
PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f",
           "#1f77b4", "#17becf", "#bcbd22", "#8c564b", "#e377c2", "#2ca02c", "#d62728", "#9467bd", "#ff7f0e",
           "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd", "#31a354", "#756bb1"]


def colour(group: int) -> str:
    return NOISE_COLOUR if group < 0 else PALETTE[group % len(PALETTE)]


def colour_map(groups: list[int]) -> dict[int, str]:
    return {g: colour(g) for g in groups}


def tree_colour(cluster: int) -> str:
    """A dendrogram link's or leaf's colour: its cluster's below the cut, grey above it (``-1``)."""
    return ABOVE_CUT_COLOUR if cluster < 0 else colour(cluster)


TRUST_BINS = ((0.8, "keeps ≥ 80 % of its neighbours", "#2f6db5"), (0.5, "keeps 50–80 %", "#8fb6dd"),
              (0.2, "keeps 20–50 %", "#f2a65a"), (0.0, "keeps < 20 %", "#d62728"))


def binned_colouring(values: np.ndarray, bins) -> tuple[np.ndarray, dict[int, str], dict[int, str]]:
    """Per-item values → groups, names and colours for :func:`scatter`: each item in the bin (``(low, name,
    colour)``, group = its position in ``bins``) with the highest ``low`` it reaches."""
    values = np.asarray(values)
    ascending = sorted(enumerate(bins), key=lambda found: found[1][0])
    groups = np.full(len(values), ascending[0][0], dtype=np.int64)
    for i, (low, _, _) in ascending:
        groups[values >= low] = i
    return (groups, {i: name for i, (_, name, _) in enumerate(bins)},
            {i: colour for i, (_, _, colour) in enumerate(bins)})


def trust_colouring(per_item: np.ndarray) -> tuple[np.ndarray, dict[int, str], dict[int, str]]:
    """Per-item map trust (``engine.metrics.trust``: the share of an item's data neighbours kept on the map) →
    four ordered bins, blue (kept) to red (torn)."""
    return binned_colouring(per_item, TRUST_BINS)


AMBIGUITY_BINS = ((0.0, "never left its cluster", "#2f6db5"), (1e-6, "left it in under 25 % of reruns", "#8fb6dd"),
                  (0.25, "left it in 25–50 %", "#f2a65a"), (0.5, "left it in half or more", "#d62728"))


def ambiguity_colouring(per_item: np.ndarray) -> tuple[np.ndarray, dict[int, str], dict[int, str]]:
    """Per-item ambiguity (``engine.cluster.stability``: the share of reruns in which an item left its cluster's
    majority) → four ordered bins, blue (settled) to red (contested)."""
    return binned_colouring(per_item, AMBIGUITY_BINS)


def group_name(label: int) -> str:
    return "noise" if label < 0 else f"cluster {label}"


# Past this many points a map goes lean: no hover text per point (the hover says the item's index and group, and the
# hover thumbnail still shows), int32 indices. In headless Chromium (software WebGL, 2 cores; bench/render.py)
# 1,000,000 points then draw in 4.1-5.5 s and redraw a zoom in 2.0-3.3 s from 17.4 MB; with a text per point 200,000
# already take 9.6 MB.
LEAN_POINTS = 200_000
# Past this many points a 2-D map is drawn as a picture of every point (engine.viz.raster, datashader) under an even
# sample of SAMPLE_POINTS points to hover and click; a box or lasso still selects every item inside it. In
# bench/render.py (headless Chromium, software WebGL) WebGL points took 1.6-1.8 s to first draw at 400,000 and
# 3.4-4.1 s at 1,000,000; the picture with its sample 0.6-0.7 s at 1,000,000 (the picture alone 0.22-0.26 s).
# Up to 400,000 every point keeps its own hover and click, worth their draw time.
RASTER_POINTS = 400_000
SAMPLE_POINTS = 100_000
DRAWINGS = {"auto": f"points up to {RASTER_POINTS:,}, a picture past that",  # how a map may be drawn, and what
            "points": "every point drawn, each with its hover (WebGL)",  # each means, for the page's help
            "picture": f"one picture of every point (datashader), {SAMPLE_POINTS:,} of them drawn on it"}


def drawn_as(n_points: int, dims: int = 2, drawing: str = "auto", edges: bool = False) -> str:
    """``"picture"`` or ``"points"``: how :func:`scatter` draws a map of ``n_points`` for a ``drawing`` choice (one
    of :data:`DRAWINGS`). 3-D maps and graphs (edges between points) are always points."""
    if dims != 2 or edges:
        return "points"
    if drawing == "auto":
        return "picture" if n_points > RASTER_POINTS else "points"
    return drawing


def scatter(embedding: np.ndarray, groups: np.ndarray, names: dict[int, str], hover: list[str] | None,
            point_size: int = 5, height: int = 620, title: str | None = None, legend: bool = True,
            edges: np.ndarray | None = None, colours: dict[int, str] | None = None,
            drawing: str = "auto", ranges: tuple | None = None, selected: np.ndarray | None = None) -> go.Figure:
    """A WebGL scatter (or 3-D scatter) with one trace per group; ``customdata`` holds item indices.
    ``colours`` replaces the categorical palette (e.g. an ordered scale, see :func:`trust_colouring`).

    ``edges`` (``m×2`` item indices, for graphs) are drawn as thin lines under the points. Past
    :data:`LEAN_POINTS` points ``hover`` is not sent (it may be None). Drawn as a picture (:func:`drawn_as`), the
    figure holds every point in one image under the traces of :func:`engine.viz.raster.sample_points`; select with
    :func:`engine.viz.raster.items_in` then, as the sample's points are not all."""
    fig = go.Figure()
    if edges is not None and len(edges) and embedding.shape[1] == 2:
        xs = np.column_stack([embedding[edges[:, 0], 0], embedding[edges[:, 1], 0], np.full(len(edges), np.nan)])
        ys = np.column_stack([embedding[edges[:, 0], 1], embedding[edges[:, 1], 1], np.full(len(edges), np.nan)])
        fig.add_trace(go.Scattergl(x=xs.ravel(), y=ys.ravel(), mode="lines", hoverinfo="skip", showlegend=False,
                                   line=dict(color="rgba(120,126,140,0.35)", width=1)))
    colours = {**colour_map(sorted(set(groups.tolist()))), **(colours or {})}
    colours = {g: colours[g] for g in set(groups.tolist())}
    order = sorted(colours, key=lambda g: (g < 0, g))
    three_d = embedding.shape[1] == 3
    lean = len(embedding) > LEAN_POINTS
    shown = None
    if drawn_as(len(embedding), embedding.shape[1], drawing, edges is not None and len(edges) > 0) == "picture":
        from engine.viz import raster

        shot = raster.picture(embedding, groups, colours, ranges=ranges, selected=selected)
        fig.add_layout_image(source=shot["uri"], xref="x", yref="y", x=shot["x"][0], y=shot["y"][1],
                             sizex=shot["x"][1] - shot["x"][0], sizey=shot["y"][1] - shot["y"][0],
                             sizing="stretch", xanchor="left", yanchor="top", layer="below")
        fig.update_layout(xaxis_range=list(shot["x"]), yaxis_range=list(shot["y"]))
        shown = np.zeros(len(embedding), dtype=bool)
        within = np.arange(len(embedding)) if ranges is None else np.flatnonzero(raster.in_ranges(embedding, ranges))
        shown[within[raster.sample_points(groups[within], SAMPLE_POINTS)]] = True
        lean, point_size = True, max(point_size - 2, 2)
        if selected is not None and len(selected):  # the sample's points outside it go grey, as the picture does
            chosen = np.zeros(len(embedding), dtype=bool)
            chosen[np.asarray(selected, dtype=np.int64)] = True
            rest = np.flatnonzero(shown & ~chosen)
            fig.add_trace(go.Scattergl(x=embedding[rest, 0], y=embedding[rest, 1], mode="markers",
                                       name="not selected", customdata=rest.astype(np.int32),
                                       hovertemplate="item %{customdata} · not selected<extra></extra>",
                                       marker=dict(size=point_size, color=raster.FADED, opacity=0.5)))
            shown &= chosen
    for g in order:
        idx = np.flatnonzero((groups == g) & (True if shown is None else shown))
        name = names.get(g, str(g))
        if lean:  # no text per point: the browser gets coordinates and int32 indices only (bench/render.py)
            common = dict(mode="markers", name=name, customdata=idx.astype(np.int32),
                          hovertemplate=f"item %{{customdata}} · {name}<extra></extra>")
        else:
            common = dict(mode="markers", name=name, customdata=idx, hovertext=[hover[i] for i in idx],
                          hoverinfo="text")
        if three_d:
            fig.add_trace(go.Scatter3d(x=embedding[idx, 0], y=embedding[idx, 1], z=embedding[idx, 2],
                                       marker=dict(size=max(point_size - 2, 1), color=colours[g]), **common))
        else:
            fig.add_trace(go.Scattergl(x=embedding[idx, 0], y=embedding[idx, 1],
                                       marker=dict(size=point_size, color=colours[g],
                                                   opacity=0.55 if g < 0 else 0.85), **common))
    # clickmode "event+select": a click selects the point (Streamlit then returns it), as the lasso does.
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=40, b=10), title=title,
                      showlegend=legend, legend=dict(itemsizing="constant"), dragmode="zoom",
                      clickmode="event+select",
                      xaxis=dict(showticklabels=False, title=None), yaxis=dict(showticklabels=False, title=None))
    return fig


def sweep_chart(ks: list[int], values: list[float], best: int, title: str, y_title: str) -> go.Figure:
    fig = go.Figure(go.Scatter(x=ks, y=values, mode="lines+markers", name=y_title))
    fig.add_vline(x=best, line_dash="dash", line_color="#e15759", annotation_text=f"K={best}")
    fig.update_layout(title=title, xaxis_title="K", yaxis_title=y_title, height=330,
                      margin=dict(l=10, r=10, t=40, b=10))
    return fig


def k_choice_chart(choice: dict) -> go.Figure:
    """An auto K's evidence: the score it maximised for each K, with the parts the score is made of."""
    fig = go.Figure(go.Scatter(x=choice["ks"], y=choice["score"], mode="lines+markers", name=choice["rule"],
                               line=dict(width=3)))
    for name, values in choice.get("evidence", {}).items():
        fig.add_trace(go.Scatter(x=choice["ks"], y=values, mode="lines", name=name, line=dict(dash="dot")))
    fig.add_vline(x=choice["k"], line_dash="dash", line_color="#e15759", annotation_text=f"K={choice['k']}")
    fig.update_layout(title=f"How K = {choice['k']} was chosen", xaxis_title="K", height=330,
                      margin=dict(l=10, r=10, t=40, b=10), legend=dict(orientation="h", y=-0.25))
    return fig


def dendrogram(lay: Layout, thumbnails: list[str] | None = None, height: int = 520,
               title: str | None = None) -> go.Figure:
    """The merge tree's top links coloured by cluster, a dashed line at the cut, and a thumbnail under each leaf.

    ``thumbnails``: one image data URI per leaf (its most typical item), or ``None``."""
    fig = go.Figure()
    by_cluster: dict[int, tuple[list, list]] = {}
    for xs, ys, group in lay.segments:
        line_x, line_y = by_cluster.setdefault(group, ([], []))
        line_x.extend([*xs, None])
        line_y.extend([*ys, None])
    for group in sorted(by_cluster, key=lambda g: (g < 0, g)):
        line_x, line_y = by_cluster[group]
        fig.add_trace(go.Scatter(x=line_x, y=line_y, mode="lines", hoverinfo="skip",
                                 line=dict(color=tree_colour(group), width=1.6),
                                 name="above the cut" if group < 0 else group_name(group)))
    sizes = [len(items) for items in lay.leaf_items]
    fig.add_trace(go.Scatter(
        x=lay.leaf_x, y=np.zeros(len(lay.leaf_x)), mode="markers", showlegend=False, customdata=np.arange(len(sizes)),
        marker=dict(size=7, color=[tree_colour(int(c)) for c in lay.leaf_cluster]),
        hovertext=[f"leaf {i}: {s:,} items · " + (group_name(int(c)) if c >= 0 else "spans several clusters")
                   for i, (s, c) in enumerate(zip(sizes, lay.leaf_cluster))], hoverinfo="text"))
    fig.add_hline(y=lay.cut_height, line_dash="dash", line_color="#e15759",
                  annotation_text=f"cut at {lay.cut_height:.3g}", annotation_position="top left")
    top = max(max(ys) for _, ys, _ in lay.segments) if lay.segments else 1.0
    images = []
    for i, (x, uri) in enumerate(zip(lay.leaf_x, thumbnails or [])):  # two staggered rows: each twice as wide
        images.append(dict(source=uri, xref="x", yref="y", x=x, y=-(0.02 + 0.13 * (i % 2)) * top, sizex=1.9,
                           sizey=0.12 * top, xanchor="center", yanchor="top", layer="above"))
    fig.update_layout(images=images, height=height, title=title, margin=dict(l=10, r=10, t=40, b=10),
                      xaxis=dict(showticklabels=False, showgrid=False, zeroline=False,
                                 range=[-1.2, len(lay.leaf_x) + 0.2]),
                      yaxis=dict(title="merge height", range=[-0.3 * top if thumbnails else -0.02 * top, top * 1.05]),
                      legend=dict(itemsizing="constant"), hovermode="closest")
    return fig


def score_bars(rows: dict[str, dict], keys: tuple[str, ...] = ("ari", "nmi", "silhouette"),
               labels: dict[str, str] | None = None, height: int = 360) -> go.Figure:
    """Grouped bars: one group per score, one bar per run."""
    fig = go.Figure()
    present = [k for k in keys if any(r.get(k) is not None for r in rows.values())]
    for name, row in rows.items():
        fig.add_trace(go.Bar(x=[(labels or {}).get(k, k) for k in present], y=[row.get(k) for k in present],
                             name=name))
    fig.update_layout(barmode="group", height=height, margin=dict(l=10, r=10, t=30, b=10),
                      legend=dict(orientation="h"))
    return fig


def matched_colours(reference: np.ndarray, labels: np.ndarray) -> dict[int, int]:
    """For each group of ``labels``, the group of ``reference`` whose colour it takes: the one it overlaps most
    under a one-to-one matching (Hungarian, on the items both share); groups left over take colours no reference
    group uses. Noise (``-1``) stays noise. So the same group looks the same in every small map."""
    from scipy.optimize import linear_sum_assignment

    ours = [g for g in np.unique(labels).tolist() if g >= 0]
    theirs = [g for g in np.unique(reference).tolist() if g >= 0]
    mapping = {-1: -1}
    if ours and theirs:
        overlap = np.array([[np.sum((labels == a) & (reference == b)) for b in theirs] for a in ours])
        for row, col in zip(*linear_sum_assignment(overlap, maximize=True)):
            if overlap[row, col] > 0:
                mapping[ours[row]] = theirs[col]
    spare = iter(range(max(theirs, default=-1) + 1, 10**6))
    for g in ours:
        if g not in mapping:
            mapping[g] = next(spare)
    return mapping


def map_grid(panels: list[tuple[str, np.ndarray, np.ndarray]], panel_height: int = 380) -> go.Figure:
    """Small maps side by side (two a row for four, else one row): ``(title, embedding, labels)`` each. Colours
    follow the first panel's groups (:func:`matched_colours`); the hover names each item's own group, and
    ``customdata`` holds item indices (for hover thumbnails)."""
    columns = min(len(panels), 2 if len(panels) == 4 else 3)
    rows = -(-len(panels) // columns)
    fig = make_subplots(rows=rows, cols=columns, subplot_titles=[title for title, _, _ in panels],
                        horizontal_spacing=0.03, vertical_spacing=0.08)
    for i, (_, embedding, labels) in enumerate(panels):
        colour_of = matched_colours(panels[0][2], labels)
        fig.add_scattergl(x=embedding[:, 0], y=embedding[:, 1], mode="markers", showlegend=False,
                          marker=dict(size=3, color=[colour(colour_of[g]) for g in labels.tolist()]),
                          hovertext=[group_name(g) for g in labels.tolist()], hoverinfo="text",
                          customdata=np.arange(len(embedding)), row=i // columns + 1, col=i % columns + 1)
    fig.update_xaxes(showticklabels=False)
    fig.update_yaxes(showticklabels=False)
    fig.update_layout(height=panel_height * rows, margin=dict(l=10, r=10, t=40, b=10))
    return fig


MAX_DRAWN_EDGES = 20_000  # more lines than this make the map slow to pan in the browser and hide the nodes


def edge_index(graph, nodes: list, limit: int = MAX_DRAWN_EDGES) -> np.ndarray:
    """A graph's edges as ``m×2`` indices into ``nodes``: all of them, or an even random ``limit`` of them."""
    edges = graph_edges(graph, nodes)[0]
    if len(edges) > limit:
        edges = edges[np.sort(np.random.default_rng(0).choice(len(edges), limit, replace=False))]
    return edges


def ego_network(embedding: np.ndarray, labels: np.ndarray, hood: dict, names: dict[int, str], item_names: list[str],
                height: int = 320) -> go.Figure:
    """A node and its neighbours (``hood``: :func:`engine.data.graphs.neighbourhood`) where the run's 2-D map put
    them, with the edges among them, coloured by cluster (``names``: each cluster's name); the node itself ringed.
    Each point's ``customdata`` is its item index, so a click opens it."""
    members = np.array([hood["focus"]] + list(hood["neighbours"]), dtype=np.int64)
    fig = scatter(embedding[members], labels[members], names, [item_names[i] for i in members], point_size=9,
                  height=height, edges=hood["edges"])
    for trace in fig.data:
        if trace.customdata is not None:
            trace.customdata = members[np.asarray(trace.customdata, dtype=np.int64)]
    fig.add_trace(go.Scattergl(x=embedding[members[:1], 0], y=embedding[members[:1], 1], mode="markers",
                               name=item_names[members[0]], hoverinfo="skip", showlegend=False,
                               marker=dict(size=18, color="rgba(0,0,0,0)", line=dict(color="#1d2230", width=2))))
    fig.update_layout(margin=dict(l=10, r=10, t=10, b=10))
    return fig


def series_lines(series: np.ndarray, indices, names: list[str], barycentre: np.ndarray | None = None,
                 colour_of: str = "#4e79a7", height: int = 260, title: str | None = None,
                 bold_name: str = "barycentre") -> go.Figure:
    """Some series overlaid (thin), with their barycentre (bold, named ``bold_name``: another series drawn over
    them, such as the one they are like) when given."""
    fig = go.Figure()
    for i in indices:
        row = series[i][~np.isnan(series[i])]
        fig.add_trace(go.Scattergl(y=row, mode="lines", line=dict(color=colour_of, width=1), opacity=0.35,
                                   name=names[i], hoverinfo="name", showlegend=False))
    if barycentre is not None:
        barycentre = np.asarray(barycentre)
        fig.add_trace(go.Scattergl(y=barycentre[~np.isnan(barycentre)], mode="lines",
                                   line=dict(color="#1d2230", width=3),
                                   name=bold_name, showlegend=True))
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=30 if title else 10, b=10), title=title,
                      legend=dict(orientation="h", y=1.02, x=1, xanchor="right"), xaxis_title="time step")
    return fig


CHECKPOINT_SCORES = (("silhouette", "silhouette (no labels)", "#4e79a7", "solid"),
                     ("agreement", "agreement with the previous (ARI, no labels)", "#59a14f", "dot"),
                     ("knn_acc", "kNN accuracy (labels)", "#e15759", "solid"),
                     ("kmeans_ari", "K-means ARI (labels)", "#f28e2b", "dash"))


def checkpoint_chart(evaluations: list[dict], best: int | None = None, height: int = 300) -> go.Figure:
    """The watched sample's scores at each checkpoint against % of the budget (``engine.train.watch``); the best
    checkpoint by the label-free score is marked."""
    fig = go.Figure()
    x = [e["progress"] * 100 for e in evaluations]
    for key, name, colour_, dash in CHECKPOINT_SCORES:
        y = [e.get(key) for e in evaluations]
        if any(v is not None for v in y):
            fig.add_scatter(x=x, y=y, mode="lines+markers", name=name, line=dict(color=colour_, dash=dash))
    if best is not None and best < len(evaluations):
        fig.add_vline(x=x[best], line=dict(color="#9aa0ac", dash="dot"),
                      annotation_text="best (silhouette)", annotation_position="top")
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=30, b=10), title="Clusters forming",
                      xaxis_title="% of budget", yaxis_title="score", legend=dict(orientation="h", y=-0.3))
    return fig


def checkpoint_map(maps: np.ndarray, index: int, groups: np.ndarray, names: dict[int, str], hover: list[str],
                   title: str, height: int = 460) -> go.Figure:
    """The watched sample's map at checkpoint ``index`` (maps aligned across checkpoints, see
    ``engine.train.watch``), on axes fixed over all checkpoints so that stepping through them shows movement."""
    fig = scatter(maps[index], groups, names, hover, point_size=4, height=height, title=title)
    low, high = maps.min(axis=(0, 1)), maps.max(axis=(0, 1))
    pad = 0.05 * (high - low)
    fig.update_xaxes(range=[low[0] - pad[0], high[0] + pad[0]], autorange=False)
    fig.update_yaxes(range=[low[1] - pad[1], high[1] + pad[1]], autorange=False)
    return fig
