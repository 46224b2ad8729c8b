"""Runs page: every stored clustering run, to reopen, rename, delete or compare."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app import state
from app.widgets import SCORES, format_score, hover_thumbnails, map_grid, score_frame

st.title("Runs")
data = state.dataset()
everything = state.store().list(kind="cluster", limit=10_000)
if not everything:
    st.info("No stored runs yet. Choose a dataset and press **Run** on the Data page; every run is kept here.")
    st.page_link("views/data.py", label="Go to Data", icon=":material/database:")
    st.stop()

left, right = st.columns([2, 3])
scope = left.radio("Show", ["This dataset", "All datasets"], horizontal=True, key="runs_scope",
                   help=f"This dataset: {data.name}, {len(data):,} items.")
sortable = {"newest": "Newest first", **{k: f"{SCORES[k][0]} ({'best' if SCORES[k][1] else 'most'} first)"
                                         for k in ("ari", "nmi", "acc", "knn_acc", "silhouette", "calinski_harabasz",
                                                   "davies_bouldin", "n_clusters", "seconds")}}
order = right.selectbox("Sort by", list(sortable), format_func=sortable.get, key="runs_sort")
records = [r for r in everything if scope == "All datasets" or r.dataset.get("fingerprint") == data.fingerprint()]
if not records:
    st.info(f"No stored run on {data.name} yet; pick **All datasets** to see the others.")
    st.stop()
if order != "newest":
    lower_first = SCORES[order][1] == "lower"
    records.sort(key=lambda r: (r.metrics.get(order) is None,
                                (1 if lower_first else -1) * (r.metrics.get(order) or 0.0)))

current = state.result()
table = pd.DataFrame([{
    "Open": "●" if current is not None and current.run_id == r.run_id else "",
    "Title": r.title, "Run": r.run_id, "Dataset": r.dataset.get("name"), "Items": r.dataset.get("n_items"),
    "Features": r.config.get("features"), "Clustering": r.config.get("clusterer"),
    **{SCORES[k][0]: r.metrics.get(k) for k in ("n_clusters", "ari", "nmi", "silhouette", "davies_bouldin",
                                                "seconds")}} for r in records])
st.dataframe(table, hide_index=True, key="runs_table",
             column_config={"Open": st.column_config.TextColumn("", width="small", help="The run open now")})

by_id = {r.run_id: r for r in records}
picked = st.selectbox("Stored run", list(by_id), key="runs_pick", format_func=lambda i: by_id[i].label)
record = by_id[picked]
st.caption(" · ".join(f"{SCORES[k][0]} {format_score(k, record.metrics[k])}" for k in SCORES
                      if record.metrics.get(k) is not None) + f" · made {record.created[:19].replace('T', ' ')} UTC")
buttons = st.columns([1.3, 3, 1, 1.7], vertical_alignment="bottom")
if buttons[0].button("Open this run", type="primary", icon=":material/open_in_new:", key="runs_open"):
    with st.spinner(f"Opening {picked}…"):
        try:
            state.open_run(picked)
        except (KeyError, ValueError) as error:  # its dataset was deleted, or it is not a clustering
            st.error(f"Cannot open {picked}: {error}")
            st.stop()
    st.switch_page("views/explore.py")
with buttons[1]:
    with st.form("runs_rename", border=False, enter_to_submit=True):
        title = st.text_input("Title", value=record.title, key=f"runs_title-{picked}",
                              placeholder="e.g. 'pixels, K = 12, for the demo'")
        if st.form_submit_button("Rename", icon=":material/edit:", key="runs_rename_save"):
            state.store().rename(picked, title)
            st.rerun()
with buttons[2]:
    sure = st.checkbox("Sure", key=f"runs_sure-{picked}", help="Deleting removes the run and its files.")
    if st.button("Delete", icon=":material/delete:", disabled=not sure, key="runs_delete"):
        state.delete_run(picked)
        st.rerun()

st.divider()
st.subheader("Compare stored runs")
same = [r for r in records if r.dataset.get("fingerprint") == record.dataset.get("fingerprint")]
chosen = st.multiselect(f"Runs on {record.dataset.get('name')} (2–4)", [r.run_id for r in same],
                        default=[r.run_id for r in same[:2]] if len(same) >= 2 else [], max_selections=4,
                        format_func=lambda i: by_id[i].label, key=f"runs_compare-{record.dataset.get('fingerprint')}")
if len(chosen) < 2:
    st.caption("Pick two or more runs of one dataset to see their maps and scores side by side.")
    st.stop()
arrays = {i: state.run_arrays(i) for i in chosen}
maps = map_grid([(f"{by_id[i].title or by_id[i].config.get('clusterer')} · {i}", arrays[i]["embedding"],
                  arrays[i]["labels"]) for i in chosen])
loaded = st.session_state.get(state.DATASET)
if loaded is not None and loaded.fingerprint() == record.dataset.get("fingerprint"):
    hover_thumbnails(maps, loaded, "runs")  # the images are at hand only for the dataset that is loaded
st.plotly_chart(maps, key="runs_compare_maps")
st.dataframe(score_frame({i: by_id[i].metrics for i in chosen}).style.format(precision=3), key="runs_compare_scores")
