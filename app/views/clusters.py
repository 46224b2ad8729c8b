"""Clusters page: one gallery per cluster, with its size, most typical members and outliers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from app import state
from app.widgets import colour_map, needs_result
from engine import api

st.title("Clusters")
res = needs_result()
if res is None:
    st.stop()

data = state.dataset()
key = state.run_key(res)
profiles = state.profiles(key, res.space, res.labels)
n = len(data)


def purity(members: np.ndarray) -> tuple[str, float]:
    found, counts = np.unique(data.labels[members], return_counts=True)
    top = int(np.argmax(counts))
    return data.class_names[found[top]], counts[top] / len(members)


rows = []
for p in profiles:
    row = {"Cluster": p.name, "Items": p.size, "Share": f"{p.size / n:.1%}"}
    if data.has_labels:
        label, share = purity(np.flatnonzero(res.labels == p.label))
        row.update({"Most common label": label, "Purity": f"{share:.0%}"})
    rows.append(row)
st.dataframe(pd.DataFrame(rows), hide_index=True, height=min(36 * (len(rows) + 1), 320))

metric = res.config.clusterer_params.get("metric", "euclidean") if res.config.clusterer == "ts_kmeans" \
    else "euclidean"
# the barycentre is of the z-normalised series, whatever space the clusterer read (HDBSCAN reads a UMAP of them)
series = (res.space if api.reads_features(res.config.clusterer) else api.features_for(data, res.config)) \
    if data.series is not None else None
limit = st.slider("Clusters shown", 1, len(profiles), min(len(profiles), 12), key="clusters_shown") \
    if len(profiles) > 1 else 1
colours = colour_map([p.label for p in profiles])
for p in profiles[:limit]:
    st.markdown(f"<span style='color:{colours[p.label]};font-size:1.3em'>●</span> "
                f"**{p.name}** · {p.size:,} items ({p.size / n:.1%})", unsafe_allow_html=True)
    if data.series is not None:
        members = np.flatnonzero(res.labels == p.label)
        shown = members if len(members) <= 60 else p.representatives
        centre = None if p.label < 0 else state.barycentre(f"{key}-{p.label}", series[members], metric)
        st.plotly_chart(api.series_lines(data.series, shown, data.item_names, centre, api.colour(p.label), height=240),
                        key=f"series-{p.label}")
        st.caption(f"{len(shown)} of {p.size:,} series" + ("" if p.label < 0 else
                   f"; bold: the {metric.upper() if metric != 'euclidean' else 'mean'} barycentre "
                   "(of the z-normalised series)"))
        continue
    if data.images is None:
        names = [data.item_names[i] for i in np.flatnonzero(res.labels == p.label)]
        if data.graph is not None:
            st.caption(", ".join(names[:200]) + (f" … and {len(names) - 200:,} more" if len(names) > 200 else ""))
        else:
            st.dataframe(pd.DataFrame(data.table[p.representatives]), height=160)
        continue
    typical, odd = st.columns([3, 1])
    typical.image(state.sheet(f"{key}-{p.label}-rep", data.images, tuple(p.representatives.tolist()), 12, 56),
                  caption="Random sample" if p.label < 0 else "Most typical (nearest the centre)")
    if len(p.outliers):
        odd.image(state.sheet(f"{key}-{p.label}-out", data.images, tuple(p.outliers.tolist()), 4, 56),
                  caption="Outliers (farthest from the centre)")
