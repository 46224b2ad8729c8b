"""Clusters page: one gallery per cluster, with its size, most typical members and outliers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from app import state
from app.widgets import colour_map, needs_result

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

limit = st.slider("Clusters shown", 1, len(profiles), min(len(profiles), 12), key="clusters_shown") \
    if len(profiles) > 1 else 1
colours = colour_map([p.label for p in profiles])
for p in profiles[:limit]:
    st.markdown(f"<span style='color:{colours[p.label]};font-size:1.3em'>●</span> "
                f"**{p.name}** · {p.size:,} items ({p.size / n:.1%})", unsafe_allow_html=True)
    if data.images is None:
        st.dataframe(pd.DataFrame(data.table[p.representatives]), height=160)
        continue
    typical, odd = st.columns([3, 1])
    typical.image(state.sheet(f"{key}-{p.label}-rep", data.images, tuple(p.representatives.tolist()), 12, 56),
                  caption="Random sample" if p.label < 0 else "Most typical (nearest the centre)")
    if len(p.outliers):
        odd.image(state.sheet(f"{key}-{p.label}-out", data.images, tuple(p.outliers.tolist()), 4, 56),
                  caption="Outliers (farthest from the centre)")
