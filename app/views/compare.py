"""Compare page: 2–4 clustering methods on the same embedding, side by side."""

from __future__ import annotations

import streamlit as st

from app import state
from app.widgets import hover_thumbnails, needs_result, score_frame
from engine import api

st.title("Compare")
res = needs_result()
if res is None:
    st.stop()

data = state.dataset()
st.caption(f"Each method clusters the same {res.metrics.get('clustered', res.config.cluster_on)} as the current run, "
           f"drawn on its {api.REDUCERS[res.config.reducer].label} map, with its default settings; methods that need "
           "K get the K below. Colours follow the first method's clusters: the same group looks the same in each map.")
choices = api.clusterers_for(data.kind)
suggested = {"graph": ["louvain_graph", "spectral_graph", "label_propagation"],
             "series": ["ts_kmeans", "kshape", "kmeans"]}.get(data.kind, ["hdbscan", "kmeans", "agglomerative"])
picked = st.multiselect("Methods (2–4)", choices, default=[m for m in suggested if m in choices],
                        format_func=lambda n: api.CLUSTERERS[n].label, max_selections=4,
                        key=f"compare_methods-{data.kind}")
k = st.number_input("K for methods that need it", 2, 100, max(res.metrics["n_clusters"], 2), key="compare_k")

if len(picked) < 2:
    st.info("Pick at least two methods.")
    st.stop()

request = (state.run_key(res), tuple(picked), int(k))
stored = st.session_state.get(state.COMPARE)
if st.button("Compare", type="primary", key="compare_run"):
    bar = st.progress(0.0, text="starting")
    methods = [(name, {"n_clusters": int(k)} if "k" in api.CLUSTERERS[name].tags else {}) for name in picked]
    try:
        results = api.compare(data, res.config, methods, api.Reporter(lambda f, m: bar.progress(f, text=m)),
                              store=state.store())
    except ValueError as error:
        bar.empty()
        st.error(str(error))
        st.stop()
    bar.empty()
    st.session_state[state.COMPARE] = (request, results)
    stored = st.session_state[state.COMPARE]

if not stored:
    st.caption("Press **Compare** to run them.")
    st.stop()
if stored[0] != request:
    st.caption("Showing the last comparison; press **Compare** to run the new selection.")

results = stored[1]
labels = [api.CLUSTERERS[r.config.clusterer].label for r in results]
fig = api.map_grid([(f"{name} · {r.metrics['n_clusters']} clusters", r.embedding, r.labels)
                for name, r in zip(labels, results)])
hover_thumbnails(fig, state.dataset(), "compare")
st.plotly_chart(fig, key="compare_maps")

table = score_frame({name: r.metrics for name, r in zip(labels, results)})
st.dataframe(table.style.format(precision=3), key="compare_scores")
