"""Small reusable widgets: parameter controls from a registry entry, score tables, colours."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from app import state
from engine import api

NOISE_COLOUR = "#b8bcc6"
PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f",
           "#1f77b4", "#17becf", "#bcbd22", "#8c564b", "#e377c2", "#2ca02c", "#d62728", "#9467bd", "#ff7f0e",
           "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd", "#31a354", "#756bb1"]

SCORES = {  # key: (label, direction, what it says)
    "n_clusters": ("Clusters", "", "Groups found (noise excluded)."),
    "noise_fraction": ("Noise", "lower", "Share of items left unassigned (-1)."),
    "silhouette": ("Silhouette", "higher", "−1..1: how much closer items are to their own cluster than the next."),
    "calinski_harabasz": ("Calinski-Harabasz", "higher", "Between- over within-cluster dispersion."),
    "davies_bouldin": ("Davies-Bouldin", "lower", "Average similarity of each cluster to its closest one; 0 is best."),
    "ari": ("ARI", "higher", "Agreement with the true labels, corrected for chance; 1 is perfect."),
    "nmi": ("NMI", "higher", "Shared information with the true labels, 0..1."),
    "acc": ("Accuracy", "higher", "Share correct after the best one-to-one matching of clusters to classes."),
    "seconds": ("Seconds", "lower", "Wall time of the whole pipeline."),
}


def param_controls(entry: api.Entry, key: str, defaults: dict[str, Any] | None = None) -> dict[str, Any]:
    """One widget per declared parameter of ``entry``; returns the chosen values."""
    values = {}
    defaults = defaults or {}
    for p in entry.params:
        widget_key = f"{key}.{entry.name}.{p.name}"
        default = defaults.get(p.name, p.default)
        label = p.name.replace("_", " ")
        if p.kind == "bool":
            values[p.name] = st.checkbox(label, value=bool(default), help=p.help or None, key=widget_key)
        elif p.kind == "text":
            values[p.name] = st.text_input(label, value=str(default), help=p.help or None, key=widget_key)
        elif p.kind == "choice":
            values[p.name] = st.selectbox(label, list(p.choices), index=list(p.choices).index(default),
                                          help=p.help or None, key=widget_key)
        elif p.kind == "int":
            values[p.name] = st.number_input(label, min_value=int(p.low), max_value=int(p.high), value=int(default),
                                             step=1, help=p.help or None, key=widget_key)
        else:
            values[p.name] = st.number_input(label, min_value=float(p.low), max_value=float(p.high),
                                             value=float(default), step=float(p.step or 0.1),
                                             help=p.help or None, key=widget_key)
    return values


def registry_select(label: str, registry: dict[str, api.Entry], key: str, options: list[str] | None = None,
                    default: str | None = None) -> api.Entry:
    names = options or list(registry)
    index = names.index(default) if default in names else 0
    name = st.selectbox(label, names, index=index, format_func=lambda n: registry[n].label, key=key)
    entry = registry[name]
    if entry.description:
        st.caption(entry.description)
    return entry


def colour_map(groups: list[int]) -> dict[int, str]:
    return {g: NOISE_COLOUR if g < 0 else PALETTE[g % len(PALETTE)] for g in groups}


def group_name(label: int) -> str:
    return "noise" if label < 0 else f"cluster {label}"


def scatter(embedding: np.ndarray, groups: np.ndarray, names: dict[int, str], hover: list[str],
            point_size: int = 5, height: int = 620, title: str | None = None, legend: bool = True) -> go.Figure:
    """A WebGL scatter (or 3-D scatter) with one trace per group; ``customdata`` holds item indices."""
    fig = go.Figure()
    colours = colour_map(sorted(set(groups.tolist())))
    order = sorted(colours, key=lambda g: (g < 0, g))
    three_d = embedding.shape[1] == 3
    for g in order:
        idx = np.flatnonzero(groups == g)
        common = dict(mode="markers", name=names.get(g, str(g)), customdata=idx,
                      hovertext=[hover[i] for i in idx], hoverinfo="text")
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


def score_frame(rows: dict[str, dict]) -> pd.DataFrame:
    """Rows = runs / methods, columns = the scores that any row has."""
    keys = [k for k in SCORES if any(r.get(k) is not None for r in rows.values())]
    frame = pd.DataFrame({SCORES[k][0]: [r.get(k) for r in rows.values()] for k in keys}, index=list(rows))
    return frame


def score_table(metrics: dict) -> pd.DataFrame:
    """One column of values with what each score means and which way is better."""
    rows = [(SCORES[k][0], format_score(k, metrics[k]), SCORES[k][1] or "—", SCORES[k][2])
            for k in SCORES if k in metrics]
    return pd.DataFrame(rows, columns=["Score", "Value", "Better", "Meaning"])


def format_score(key: str, value: Any) -> str:
    if value is None:
        return "n/a (fewer than 2 clusters)"
    if key == "noise_fraction":
        return f"{value:.1%}"
    if isinstance(value, float):
        return f"{value:,.3f}"
    return str(value)


def needs_result() -> api.Result | None:
    """The current result, or a pointer to the Data page when there is none yet."""
    res = state.result()
    if res is None:
        st.info("No clustering yet. Choose a dataset and press **Run** on the Data page.")
        st.page_link("views/data.py", label="Go to Data", icon=":material/database:")
    return res
