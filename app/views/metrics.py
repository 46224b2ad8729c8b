"""Metrics page: the scores of the current run, the K sweep (elbow and silhouette), and run history."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app import state
from app.widgets import needs_result, score_table
from engine.viz.figures import sweep_chart

st.title("Metrics")
res = needs_result()
if res is None:
    st.stop()

st.subheader("Scores")
st.caption(f"Internal scores are computed on the {res.config.cluster_on} "
           f"({res.space.shape[1]} dimensions), noise excluded. External scores use the true labels, "
           "with noise counted as one more group.")
st.dataframe(score_table(res.metrics), hide_index=True)

st.subheader("How many clusters?")
k_max = st.slider("Largest K to try", 4, 30, 15, key="k_max")
with st.spinner("K-means for each K…"):
    sweep = state.sweep(state.run_key(res), res.space, k_max, res.config.seed)
st.caption(f"K-means on the same {res.config.cluster_on} for K = 2..{sweep['ks'][-1]}. "
           f"Suggested K: **{sweep['elbow_k']}** by the elbow, **{sweep['best_silhouette_k']}** by silhouette.")


left, right = st.columns(2)
left.plotly_chart(sweep_chart(sweep["ks"], sweep["inertia"], sweep["elbow_k"], "Elbow", "inertia"), key="elbow")
right.plotly_chart(sweep_chart(sweep["ks"], sweep["silhouette"], sweep["best_silhouette_k"], "Silhouette sweep", "silhouette"),
                   key="silhouette_sweep")

st.subheader("Stored runs on this dataset")
records = [r for r in state.store().list() if r.dataset.get("fingerprint") == res.dataset["fingerprint"]]
history = pd.DataFrame([{
    "Run": r.run_id, "Features": r.config["features"], "Reducer": r.config["reducer"],
    "Method": r.config["clusterer"], "Clusters": r.metrics.get("n_clusters"), "ARI": r.metrics.get("ari"),
    "NMI": r.metrics.get("nmi"), "Silhouette": r.metrics.get("silhouette"),
    "Seconds": r.timings.get("seconds")} for r in records])
st.dataframe(history, hide_index=True)
st.caption(f"Runs are kept in {state.store().root}")
