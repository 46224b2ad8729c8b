"""Data page: choose a dataset, check it, set up the pipeline, run it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from app import state
from app.sources import SOURCES, as_series_offer
from app.widgets import job_progress, param_controls, registry_select, scatter, score_table
from engine import api

st.title("Data")


def dtw_cost_note(data: api.Dataset, params: dict, feature_params: dict) -> str:
    length = api.target_length(data, feature_params.get("length", 0))
    k = params["n_clusters"] or api.k_cap(len(data))  # K = auto: the most it may choose (an extended sweep)
    cells, width = api.dtw_cells(len(data), k, length, params.get("band", 0.0))
    return (f"DTW compares every time step of one series with every step of another: O(n·m) per pair. Here "
            f"each K-means iteration fills about {cells / 1e6:,.0f} million cells ({len(data):,} series × "
            f"{k} centres{'' if params['n_clusters'] else ' at most'} × {length} steps × {width} in the band). "
            "For long series, narrow the band or lower the length in the feature settings.")


CLUSTER_ON = {"space": "clustering space (10-D)", "embedding": "the map", "features": "full features"}
DEFAULT_TOPICS = {"features": "Features", "space": "Clustered on", "clusterer": "Clustering", "map": "Map"}
# Streamlit forgets a widget's value while its page is not shown; the choice is kept under a key of our own.
if "source_kind" not in st.session_state:
    st.session_state["source_kind"] = st.session_state.get("source_kind_kept", "Demo")
choice = st.segmented_control("Source", list(SOURCES), key="source_kind",
                              on_change=lambda: st.session_state.update(source_kind_kept=st.session_state["source_kind"]))
SOURCES[choice or "Demo"]()

failed = st.session_state.get("load_error")
if failed and failed[0] == choice:  # shown under the source it came from, not after switching away
    st.error(f"Could not use that input: {failed[1]}  \n"
             f"Still working with **{state.dataset().name}**.")

data = state.dataset()
summary = data.summary()
st.subheader(f"{data.name}")
cols = st.columns(4)
cols[0].metric("Items", f"{len(data):,}")
cols[1].metric("Skipped", f"{len(data.report.skipped):,}")
if data.images is not None:
    cols[2].metric("Image size", summary["image_size"], help="The size images are kept at for features and views.")
elif data.series is not None:
    cols[2].metric("Length", summary["length"])
elif data.graph is not None:
    cols[2].metric("Edges", f"{summary['n_edges']:,}")
else:
    cols[2].metric("Features", f"{summary['n_features']:,}")
cols[3].metric("Classes", summary.get("n_classes", "none"))
if data.images is not None:
    low, high = summary["original_short_range"]
    st.caption(f"Originals: {summary['original_size']} px typical ({summary['colour']}; short side "
               + (f"{low}–{high} px" if low != high else f"{low} px")
               + f"; aspect ratio {summary['aspect_ratio']:g}). "
               + (f"Their files: `{api.common_folder(data.sources)}` (opened full size on the Similar page; "
                  "exported as folders from the Report page)." if data.sources else
                  "These images exist in memory only (no files to open or link)."))

defaults = state.defaults(data)  # the pipeline's defaults, and how the preview's columns are clustered
left, right = st.columns([3, 2])
with left:
    st.markdown("**Preview**")
    if data.images is not None:
        rng = np.random.default_rng(0)
        shown = np.sort(rng.choice(len(data), size=min(48, len(data)), replace=False))
        st.image(state.sheet(f"{data.fingerprint()}-preview", data, tuple(shown.tolist()), 12, 48),
                 caption=f"{len(shown)} of {len(data):,} items, at random")
    elif data.series is not None:
        shown = np.sort(np.random.default_rng(0).choice(len(data), size=min(12, len(data)), replace=False))
        st.plotly_chart(api.series_lines(data.series, shown, data.item_names, height=280), key="series_preview")
        st.caption(f"{len(shown)} of {len(data):,} series, at random")
    elif data.graph is not None and len(data) > api.GRAPH_DENSE_NODES:
        st.caption(f"{len(data):,} nodes, {summary['n_edges']:,} edges, {summary['components']} connected "
                   "component(s): too many to lay out for a preview; the map is drawn when you run.")
    elif data.graph is not None:
        with st.spinner(f"Laying out {len(data):,} nodes for the preview…"):
            layout = state.graph_layout(data.fingerprint(), data)
        groups = data.labels if data.labels is not None else np.zeros(len(data), dtype=np.int64)
        names = dict(enumerate(data.class_names)) if data.labels is not None else {0: "node"}
        st.plotly_chart(scatter(layout, groups, names, data.item_names, point_size=8, height=320,
                                edges=api.edge_index(data.graph, data.item_names)), key="graph_preview")
        st.caption(f"{len(data):,} nodes, {summary['n_edges']:,} edges, {summary['components']} connected "
                   "component(s)" + (", coloured by the true labels" if data.labels is not None else ""))
    else:
        st.dataframe(api.table_frame(data, range(min(20, len(data)))), height=280)
        as_they_are = defaults.config.feature_params.get("standardize") is False
        st.caption(f"The first {min(20, len(data))} of {len(data):,} rows: the {data.table.shape[1]:,} columns "
                   "clustered on" + (", as they are (each holds two values)." if as_they_are else
                                     " (standardised when you run)."))
with right:
    st.markdown("**Validation report**")
    report = data.report
    ignored = len(report.skipped) - (report.n_found - report.n_loaded)  # files that were not items at all
    st.write(f"{report.n_loaded:,} of {report.n_found:,} usable items found"
             + (f"; {ignored:,} other file(s) ignored." if ignored > 0 else "."))
    for note in report.notes:
        st.caption(note)
    as_series_offer(data)
    if report.skipped:
        st.dataframe(pd.DataFrame(report.skipped, columns=["Item", "Why it was skipped"]), height=180,
                     hide_index=True, column_config={"Why it was skipped": st.column_config.TextColumn(width="large")})
        st.caption("Hover a cell to read it whole.")
    else:
        st.caption("Nothing skipped.")
    labelling = data.label_columns() if data.table is not None else []  # a table's categories or class codes
    if labelling:
        NONE = "(none)"
        choices = labelling + [NONE]
        picked = st.selectbox("Label column", choices, key=f"label_column-{data.fingerprint()}",
                              index=0 if data.label_column else len(choices) - 1,
                              help="The column the map can be coloured by as the true label and the clusters are "
                                   "scored against (ARI, NMI). It is never a feature: a column of whole-number "
                                   "codes picked here leaves the features.")
        if picked != (data.label_column or NONE):
            state.set_dataset(data.labelled_by(None if picked == NONE else picked),
                              st.session_state.get(state.SOURCE, "file"))
            st.rerun()
    if data.labels is not None:
        counts = summary["class_counts"]
        bars = go.Figure(go.Bar(x=list(counts), y=list(counts.values()), marker_color="#4e79a7"))
        bars.update_layout(height=170, margin=dict(l=0, r=0, t=24, b=0), title="Items per class",
                           xaxis=dict(type="category"))
        st.plotly_chart(bars, key="class_counts", config={"displayModeBar": False})

st.divider()
st.subheader("Pipeline")
c1, c2, c3 = st.columns(3)
with c1:
    auto = {api.AUTO: "Auto (chosen from your data when you run)"} if defaults.config.features == api.AUTO else {}
    features = registry_select("Features", api.FEATURES, state.FEATURES_PICK, options=api.available_for(data.kind),
                               default=defaults.config.features, extra=auto)
    if features == api.AUTO:
        feature_params = {}
        st.caption(f"Auto: {defaults.reasons['features']}.")
    elif features.name == "learned":
        runs = {r.run_id: r for r in state.training_runs(data)}
        if not runs:
            st.info("No training run on this dataset yet: train an encoder on the Train page.")
            st.page_link("views/train.py", label="Go to Train", icon=":material/model_training:")
        run_id = st.selectbox("Training run", list(runs), key=state.LEARNED_PICK, format_func=lambda r: (
            f"{r} · {runs[r].config['method']} on {runs[r].config['encoder']}"
            + (f" · kNN {runs[r].metrics['knn_acc']:.3f}" if "knn_acc" in runs[r].metrics else "")))
        feature_params = {"run_id": run_id or ""}
        best = runs[run_id].metrics.get("best_checkpoint") if run_id else None
        checkpoints = runs[run_id].metrics.get("checkpoints") or [] if run_id else []
        if best is not None and best != len(checkpoints) - 1:  # the clearest clusters came before the end
            at = checkpoints[best]
            feature_params["checkpoint"] = st.radio(
                "Checkpoint", ["best", "last"], horizontal=True, key=state.CHECKPOINT_PICK,
                format_func=lambda c: (f"best: at {at['progress']:.0%} of training (silhouette {at['silhouette']:.2f}"
                                       f", against {checkpoints[-1]['silhouette']:.2f} at the end)" if c == "best"
                                       else "last: the end of training"),
                help="The best checkpoint is the one whose watched sample clustered most clearly (no labels used).")
    else:
        with st.expander("Feature settings"):
            feature_params = param_controls(features, "fp", defaults.config.feature_params
                                            if features.name == defaults.config.features else None)
with c2:
    reducer = registry_select("Map", api.REDUCERS, "reducer", options=api.reducers_for(data.kind),
                              default=defaults.config.reducer)
    with st.expander("Map settings"):
        reducer_params = param_controls(reducer, "rp")
        dims = st.radio("Map dimensions", [2, 3], horizontal=True, key="dims")
with c3:
    auto = {api.AUTO: "Auto (k-Shape on the series, or K-means on their spectrum)" if data.kind == "series"
            else "Auto (K-means, or density pieces when the rows fall apart into them)"} \
        if defaults.config.clusterer == api.AUTO else {}
    clusterer = registry_select("Clustering", api.CLUSTERERS, "clusterer", options=api.clusterers_for(data.kind),
                                default=defaults.config.clusterer, extra=auto)
    if clusterer == api.AUTO:
        clusterer_params, cluster_on = {}, defaults.config.cluster_on
        st.caption(f"Auto: {defaults.reasons['clusterer']}.")
    else:
        with st.expander("Clustering settings", expanded=True):
            clusterer_params = param_controls(clusterer, "cp", defaults.config.clusterer_params
                                              if clusterer.name == defaults.config.clusterer else None)
            if api.reads_features(clusterer.name):
                cluster_on = "features"
                st.caption("Works on the " + ("series themselves" if data.kind == "series" else "graph's edges")
                           + ", not on the map.")
            else:
                cluster_on = st.radio("Cluster on", list(CLUSTER_ON), horizontal=True, key="cluster_on",
                                      index=list(CLUSTER_ON).index(defaults.config.cluster_on)
                                      if "cluster_on" not in st.session_state else 0,
                                      format_func=CLUSTER_ON.get,
                                      help="A 10-D UMAP made for clustering (the default), the 2-D map you see, or "
                                           "the full features.")
            if clusterer.name == "ts_kmeans" and clusterer_params.get("metric") == "dtw":
                st.caption(dtw_cost_note(data, clusterer_params, feature_params))
    seed = st.number_input("Seed", 0, 2**31 - 1, 0, key="seed")
with st.expander("Why these defaults"):
    st.markdown("\n".join(f"- **{DEFAULT_TOPICS[key]}**: {reason}." for key, reason in defaults.reasons.items()))
with st.expander("Compute: this machine or a Dask cluster"):
    where = st.empty()  # filled after the button, so it says where work runs after a change too
    address = st.text_input("Dask scheduler", key="dask_address", placeholder="tcp://host:8786, or local:2",
                            help="A dask.distributed scheduler to send K-means, kNN-graph search and image features "
                                 "to (local:N starts N worker processes on this machine). Empty: this process. "
                                 f"${api.DASK_ENVIRONMENT} sets it for every session.")
    if st.button("Use it", key="dask_connect", disabled=state.job() is not None):
        try:
            with st.spinner(f"Connecting to {address or 'this process'}…"):
                api.use_dask(address.strip() or None)
            st.success(f"Heavy stages now run {api.dask_status()}.")
        except ValueError as error:
            st.error(str(error))
    where.caption(f"K-means, kNN graphs and image features run {api.dask_status()}.")

config = api.Config(features=features if features == api.AUTO else features.name, feature_params=feature_params,
                    reducer=reducer.name, reducer_params=reducer_params, n_components=dims,
                    clusterer=clusterer if clusterer == api.AUTO else clusterer.name,
                    clusterer_params=clusterer_params, cluster_on=cluster_on, seed=int(seed))

job = state.job()
no_features = features != api.AUTO and features.name == "learned" and not feature_params["run_id"]
if st.button("Run", type="primary", icon=":material/play_arrow:", disabled=job is not None or no_features, key="run"):
    state.start_run(config)
    st.rerun()


@st.fragment(run_every=0.5)
def progress_panel() -> None:
    job_progress(state.job(), "cancel")


# A job that finished is collected by the entry point (state.collect_finished_job) at the top of each rerun;
# the panel only has to trigger that rerun when it sees the job end. It polls only while a job exists: each poll
# sends the browser's widget values, and one that lands just after a dataset change set the menus to the new
# data's defaults would put the old data's choices back.
if job is not None:
    progress_panel()

last = state.last_outcome()
res = state.result()
if last is not None and last["cancelled"]:
    st.warning("Run cancelled; the previous result (if any) is kept.")
elif last is not None and last["error"]:
    st.error(f"The run failed: {last['error']}")
    if last["detail"]:  # a bug, not bad input
        with st.expander("Details for a bug report"):
            st.code(last["detail"])
elif res is not None:
    st.success(f"Run {res.run_id} finished in {res.timings['seconds']:.1f} s: "
               f"{res.metrics['n_clusters']} clusters.")
    for line in api.run_reasons(res):
        st.markdown(f"- {line}")
    st.dataframe(score_table(res.metrics), hide_index=True)
    links = st.columns(4)
    links[0].page_link("views/explore.py", label="See the map", icon=":material/scatter_plot:")
    links[1].page_link("views/clusters.py", label="Cluster galleries", icon=":material/grid_view:")
    links[2].page_link("views/metrics.py", label="Scores and K sweep", icon=":material/monitoring:")
    links[3].page_link("views/compare.py", label="Compare methods", icon=":material/compare:")
