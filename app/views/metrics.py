"""Metrics page: the scores of the current run, the K sweep (elbow and silhouette), and run history."""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from app import state
from app.widgets import needs_result, score_table
from engine import api

st.title("Metrics")
res = needs_result()
if res is None:
    st.stop()

st.subheader("Scores")
clustered = res.metrics.get("clustered", res.config.cluster_on)
under = api.silhouette_note(res.config.clusterer, res.config.clusterer_params)  # DTW, k-Shape: their own distance
st.caption(f"Internal scores are computed on {clustered}"  # its dimensions, where the words do not give them
           + ("" if re.search(r"dimensions|\d-D ", clustered) else f" ({res.space.shape[1]:,} dimensions)")
           + ", noise excluded" + (f"; {under}" if under else "") + ". "
           + ("External scores use the true labels, with noise counted as one more group."
              if res.metrics.get("ari") is not None else
              "This dataset has no true labels, so there are no external scores (ARI, NMI, accuracy)."))
st.dataframe(score_table(res.metrics), hide_index=True)

choice = res.metrics.get("k_choice")
if choice:
    st.subheader("Why this K")
    st.caption(f"{api.k_sentence(choice)}. Silhouette: how well separated the clusters are; stability: how "
               f"much {choice.get('fitted_with', 'K-means')} fits on different 80 % samples agree (ARI). A K must be "
               "stable to count: clusters that do not come back on resampling are not a structure of the data.")
    left, right = st.columns([3, 1])
    left.plotly_chart(api.k_choice_chart(choice), key="k_choice")
    with right:
        st.markdown("**Try another K**")
        if choice["k"] < 2:  # every item alike (K = 1): "Any K" would start below its own minimum of 2
            st.caption("Every item has the same features: no K would split them.")
        for k, label in api.k_alternatives(choice):
            if st.button(f"K = {k} ({label})", key=f"use_k_{k}"):
                with st.spinner(f"Clustering again with K = {k}…"):
                    state.rerun_with_k(res, k)
                st.rerun()
        if choice["k"] >= 2:
            other = st.number_input("Any K", 2, 100, min(choice["k"], 100), key="use_k_any")
            if st.button("Use this K", key="use_k_go"):
                with st.spinner(f"Clustering again with K = {other}…"):
                    state.rerun_with_k(res, int(other))
                st.rerun()

st.subheader("How many clusters?")
k_max = st.slider("Largest K to try", 4, 30, 15, key="k_max")
bar = st.empty()
sweep = state.sweep(state.run_key(res), res.space, k_max, res.config.seed,
                    lambda f, m: bar.progress(min(max(f, 0.0), 1.0), text=f"K sweep: {m}"))
bar.empty()
st.caption(f"K-means on {res.metrics.get('clustered', res.config.cluster_on)}"
           + (f" (its first 50 principal components of {sweep['reduced_from']:,})" if sweep.get("reduced_from") else "")
           + f" for K = 2..{sweep['ks'][-1]}. "
           f"Suggested K: **{sweep['elbow_k']}** by the elbow, **{sweep['best_silhouette_k']}** by silhouette.")


left, right = st.columns(2)
left.plotly_chart(api.sweep_chart(sweep["ks"], sweep["inertia"], sweep["elbow_k"], "Elbow", "inertia"), key="elbow")
right.plotly_chart(api.sweep_chart(sweep["ks"], sweep["silhouette"], sweep["best_silhouette_k"], "Silhouette sweep", "silhouette"),
                   key="silhouette_sweep")

st.subheader("Stored runs on this dataset")
records = [r for r in state.store().list(kind="cluster") if r.dataset.get("fingerprint") == res.dataset["fingerprint"]]
history = pd.DataFrame([{
    "Run": r.run_id, "Features": r.config["features"], "Reducer": r.config["reducer"],
    "Method": r.config["clusterer"], "Clusters": r.metrics.get("n_clusters"), "ARI": r.metrics.get("ari"),
    "NMI": r.metrics.get("nmi"), "Silhouette": r.metrics.get("silhouette"),
    "Seconds": r.timings.get("seconds")} for r in records])
st.dataframe(history, hide_index=True)
st.caption(f"Runs are kept in {state.store().root}")
