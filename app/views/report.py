"""Report page: a self-contained HTML report of the current run, and exports of its labels, embedding and figures."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from app import state
from app.widgets import needs_result
from engine import api

st.title("Report & export")
res = needs_result()
if res is None:
    st.stop()
if not res.run_id:
    st.info("This run is not stored; run it from the Data page to export it.")
    st.stop()

run_id = res.run_id
ctx = state.report_context(run_id, state.selections_key(run_id))
n = len(ctx.dataset)
st.caption(f"Run **{run_id}** · {ctx.title} · {n:,} items · {len(ctx.selections)} named selection(s). "
           f"The same from a terminal: `python -m engine report {run_id} --out FOLDER`.")

st.subheader("Labels and embedding")
st.caption("One row per item: its index, name, cluster (−1 is noise), true label when known, the named "
           "selections it belongs to, and its map trust (the share of its nearest neighbours the map keeps).")
columns = st.columns(3)
columns[0].download_button("Cluster labels (CSV)", api.labels_csv(ctx), f"labels-{run_id}.csv", "text/csv",
                           icon=":material/table:", key="dl_labels")
columns[1].download_button("Embedding (NumPy .npy)", api.embedding_npy(ctx), f"embedding-{run_id}.npy",
                           "application/octet-stream", icon=":material/data_array:", key="dl_npy")
columns[2].download_button("Embedding (Parquet)", api.embedding_parquet(ctx), f"embedding-{run_id}.parquet",
                           "application/octet-stream", icon=":material/data_array:", key="dl_parquet")
with st.expander("Preview the labels table"):
    st.dataframe(api.labels_frame(ctx).head(200), hide_index=True)

st.subheader("Clusters as folders")
if ctx.dataset.images is None:
    st.caption("Folders of files are for images. The cluster labels above (or `python -m engine export "
               f"{run_id} --as csv --out FOLDER`) give each item's cluster.")
else:
    st.caption("One folder per cluster (`cluster_00`, …, named after the cluster where you named it) and per named "
               "selection (`selections/…`), holding the image files themselves: hard links to your originals where "
               "the disk allows (no space used; your files are never moved or changed), else copies; images with no "
               "file of their own are written as PNGs. With `clusters.csv` (file → cluster, selections) and "
               f"`manifest.json`. From a terminal: `python -m engine export {run_id} --as folders --out FOLDER`.")
    default = Path.home() / "Clusterscope exports" / f"{ctx.dataset.name}-{run_id}"
    target = st.text_input("Into a new (or empty) folder", value=str(default), key="export_folder")
    if st.button("Export as folders", icon=":material/folder_copy:", key="export_folders"):
        bar = st.progress(0.0, text="starting")
        try:
            done = api.export_run(ctx, target.strip(), "folders", api.Reporter(lambda f, m: bar.progress(f, text=m)))
        except (ValueError, OSError) as error:
            st.session_state["export_outcome"] = ("error", str(error))
        else:
            st.session_state["export_outcome"] = ("success", f"Exported {done.sentence()}.")
        bar.empty()
    outcome = st.session_state.pop("export_outcome", None)
    if outcome:
        getattr(st, outcome[0])(outcome[1])
    st.download_button("File → cluster (CSV)", api.clusters_frame(ctx).to_csv(index=False), f"clusters-{run_id}.csv",
                       "text/csv", icon=":material/table:", key="dl_clusters")

st.subheader("Figures (PNG)")
figures_key = ("report_figures", run_id)
if st.button("Make PNG figures", icon=":material/image:", key="make_figures"):
    with st.spinner("Drawing the map, the K sweep and the dendrogram…"):
        st.session_state[figures_key] = api.report_figures(ctx)
pngs = st.session_state.get(figures_key)
if pngs:
    columns = st.columns(len(pngs))
    for column, (name, data) in zip(columns, pngs.items()):
        column.image(data, caption=name)
        column.download_button(f"Download {name}", data, f"{name[:-4]}-{run_id}.png", "image/png", key=f"dl_{name}")
else:
    st.caption("The map, the elbow / silhouette sweep and the dendrogram, for slides and documents.")

st.subheader("HTML report")
st.caption("One file with the dataset summary, settings, interactive map, how far to trust the map, how stable the "
           "clusters are, clusters forming during training, the clusters' names, galleries, named selections, scores, "
           "elbow, dendrogram, comparison with other runs on this data, and attention examples. It opens offline in "
           "any browser: the charts' code and every image are inside it.")
with_attention = st.checkbox("Include attention examples (when a ViT was trained on this data)", value=True,
                             key="report_attention")
report_key = ("report_html", run_id, state.selections_key(run_id), with_attention)
if st.button("Build the report", type="primary", icon=":material/description:", key="build_report"):
    bar = st.progress(0.0, text="starting")
    st.session_state[report_key] = api.build_report(ctx, api.Reporter(lambda f, m: bar.progress(f, text=m)),
                                                with_attention=with_attention)
    bar.empty()
html = st.session_state.get(report_key)
if html:
    st.download_button(f"Download report ({len(html) / 1e6:.1f} MB)", html, f"report-{run_id}.html", "text/html",
                       icon=":material/download:", key="dl_report")
    st.success("Report ready.")
