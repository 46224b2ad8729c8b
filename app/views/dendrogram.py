"""Dendrogram page: the agglomerative merge tree, cut by K or height; the cut recolours the map and galleries."""

from __future__ import annotations

import numpy as np
import streamlit as st

from app import state
from app.widgets import group_name, needs_result, open_menu, scatter
from engine import api

st.title("Dendrogram")
res = needs_result()
if res is None:
    st.stop()

data = state.dataset()
space = res.space
controls = st.columns([2, 2, 3, 2])
linkage = controls[0].selectbox("Linkage", api.LINKAGES, key="tree_linkage",
                                help="ward: compact groups of similar size · average / complete: mean / largest "
                                     "distance between groups · single: chains of nearest neighbours.")
cut_by = controls[1].radio("Cut by", ["Number of clusters", "Height"], horizontal=True, key="tree_cut_by")
with st.spinner(f"Building the {linkage} tree…"):
    tree = state.tree(f"{state.run_key(res)}-{linkage}", space, linkage, res.config.seed)
n_tree = len(tree.members)
default_k = int(np.clip(res.metrics["n_clusters"], 2, 30))
if cut_by == "Number of clusters":
    k = controls[2].slider("Clusters (K)", 2, min(30, n_tree - 1), default_k, key="tree_k")
    height = api.height_for_k(tree, k)
    labels = api.cut(tree, space, k=k)
else:
    top = float(tree.heights[-1])
    height = controls[2].slider("Cut height", 0.0, top, float(api.height_for_k(tree, default_k)), top / 200,
                                format="%.3g", key="tree_height")
    labels = api.cut(tree, space, height=height)
    k = int(labels.max()) + 1
leaves = controls[3].select_slider("Leaves drawn", [16, 24, 32, 48, 64, 96], value=48, key="tree_leaves")
lay = api.layout(tree, labels, height, leaves=max(leaves, min(2 * k, 96)))

representatives = api.leaf_representatives(space, lay)
thumbs = state.leaf_thumbnails(f"{data.fingerprint()}-{linkage}", data, tuple(representatives.tolist())) \
    if data.images is not None or data.series is not None else None
sample_note = (f"built on a random sample of {n_tree:,} of {len(data):,} items (the linkage needs all pairwise "
               "distances); the others join the cluster of their nearest sampled item"
               if tree.sampled else f"built on all {len(data):,} items")
st.caption(f"{linkage.capitalize()} linkage on the {res.config.cluster_on} ({space.shape[1]}-D), {sample_note}. "
           f"Cut into **{k}** clusters at height {height:.3g}. The top {len(lay.leaf_items)} branches are drawn"
           + (f"; each leaf shows its most typical item, so {len(lay.leaf_items)} of {len(data):,} "
              f"{'images' if data.images is not None else 'series'} are shown"
              if thumbs else "") + ". Click a leaf's dot to open its most typical item: full size, and more like it.")
tree_key = f"dendrogram-{linkage}-{k}-{len(lay.leaf_items)}"


def open_leaf() -> None:
    """A leaf clicked: its most typical item opens on the Similar page."""
    event = st.session_state.get(tree_key)
    points = event.selection.points if event else []
    leaves = [int(p["customdata"]) for p in points if p.get("customdata") is not None]
    if leaves and 0 <= leaves[0] < len(representatives):
        state.open_item(int(representatives[leaves[0]]))


st.plotly_chart(api.dendrogram(lay, thumbs, height=560), key=tree_key, on_select=open_leaf, selection_mode="points")

sizes = np.bincount(labels)
left, right = st.columns([3, 2])
with left:
    names = {g: group_name(g) for g in range(k)}
    hover = None if len(data) > api.LEAN_POINTS else \
        [f"{data.item_names[i]} · {group_name(int(labels[i]))}" for i in range(len(data))]
    st.plotly_chart(scatter(res.embedding, labels, names, hover, height=520, title="The map, coloured by this cut"),
                    key=f"tree-map-{linkage}-{k}")
with right:
    st.markdown("**Galleries of this cut**")
    profiles = state.profiles(f"{state.run_key(res)}-{linkage}-{k}", space, labels)
    shown = st.slider("Clusters shown", 1, k, min(k, 8), key="tree_galleries") if k > 1 else 1
    for p in profiles[:shown]:
        st.markdown(f"<span style='color:{api.colour(p.label)};font-size:1.2em'>●</span> **{p.name}** · "
                    f"{p.size:,} items ({p.size / len(data):.1%})", unsafe_allow_html=True)
        if data.images is not None:
            st.image(state.sheet(f"{data.fingerprint()}-tree-{linkage}-{k}-{p.label}", data,
                                 tuple(p.representatives[:10].tolist()), 10, 36))
            open_menu(data, p.representatives[:10], f"tree-open-{linkage}-{k}-{p.label}")

st.divider()
params = {"n_clusters": k, "linkage": linkage}
if st.button("Use this cut as the current clustering", icon=":material/check_circle:", key="tree_adopt",
             help="Stores it as a run (agglomerative, this linkage and K); Clusters, Metrics, Compare and the "
                  "report then show it."):
    adopted = state.adopt(res, labels, "agglomerative", params)
    st.session_state["tree_adopted"] = (f"Stored as run {adopted.run_id}: {k} clusters"
                                        + (f", ARI {adopted.metrics['ari']:.3f}"
                                           if adopted.metrics.get("ari") is not None else "") + ".")
    st.rerun()  # so the sidebar shows the adopted run too
if st.session_state.get("tree_adopted"):
    st.success(st.session_state.pop("tree_adopted"))
st.caption(f"Cluster sizes: {', '.join(f'{s:,}' for s in sizes)}")

state.follow_open_item()
