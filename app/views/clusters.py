"""Clusters page: one gallery per cluster, with its size, most typical members and outliers; how stable each
cluster is when the clusterer is rerun on subsamples, and its most contested members."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from app import state
from app.widgets import colour_map, job_progress, needs_result, open_menu
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


STABILITY_JOB = "stability_job"


@st.fragment(run_every=0.5)
def stability_progress(job: api.Job) -> None:
    job_progress(job, "stability_cancel")


running = st.session_state.get(STABILITY_JOB)
if running is not None and running[1].done:  # collect it: the result was kept on the run by the job itself
    del st.session_state[STABILITY_JOB]
    if running[1].error:
        st.error(f"Measuring stability failed: {running[1].error}")
    elif running[1].cancelled:
        st.warning("Stability measurement cancelled; nothing was kept.")
    running = None
stability = res.metrics.get("stability") if "ambiguity" in res.extras else None
ambiguity = res.extras.get("ambiguity")
if stability:
    st.markdown("**How stable are these clusters?** " + api.stability_sentence(stability, with_null=False))
    null = stability.get("null")
    if null:  # stable is not enough: noise cut into pieces comes back on every rerun too
        show = {"clear": st.success, "weak": st.info, "none": st.warning}[null["reading"]]
        show(api.null_sentence(null))
    st.caption(f"The reruns' consensus (average linkage on how often two items share a cluster) agrees with these "
               f"clusters at ARI {stability['consensus_agreement']:.2f}. Explore → Colour by → Ambiguity shows "
               "where the contested items lie; each gallery below ends with its cluster's most contested members.")
elif running is not None and running[0] == key:
    stability_progress(running[1])
else:
    left, right = st.columns([1, 3])
    if left.button("Measure stability", icon=":material/verified:", key="stability_run", disabled=running is not None):
        st.session_state[STABILITY_JOB] = (key, api.Job("stability", api.stability, data, res,
                                                        store=state.store() if res.run_id else None))
        st.rerun()
    right.caption("Reruns this clusterer (same settings and K, new seeds) on 80 % subsamples (a graph: all its "
                  "nodes, 20 % of its edges dropped) and says which "
                  "clusters come back (stable: Jaccard above 0.85; dissolved: below 0.6) and which items change "
                  "cluster. About ten times one clustering's time; a slow method gets fewer reruns (at least 4) to "
                  "stay near a minute.")

titles = api.cluster_names(res.metrics)
by_cluster = {c["cluster"]: c for c in stability["clusters"]} if stability else {}
rows = []
links = state.community_profiles(key, data, res.labels) if data.graph is not None else {}
for p in profiles:
    row = {"Cluster": api.cluster_heading(p.label, titles), "Items": p.size, "Share": f"{p.size / n:.1%}"}
    if p.label in links:
        found = links[p.label]
        row.update({"Edges inside": found["edges_inside"], "Conductance": found["conductance"],
                    "Density": found["density"]})
    if data.has_labels:
        label, share = purity(np.flatnonzero(res.labels == p.label))
        row.update({"Most common label": label, "Purity": f"{share:.0%}"})
    if p.label in by_cluster:
        row.update({"Stability": f"{by_cluster[p.label]['stability']:.2f} ({by_cluster[p.label]['reading']})",
                    "Contested": int(np.sum(ambiguity[res.labels == p.label] >= api.AMBIGUOUS))})
    rows.append(row)
st.dataframe(pd.DataFrame(rows), hide_index=True, height=min(36 * (len(rows) + 1), 320),
             column_config={"Conductance": st.column_config.NumberColumn(format="%.2f"),
                            "Density": st.column_config.NumberColumn(format="%.2f")})
if links:
    st.caption("Conductance: the share of a community's edge weight that leaves it (lower: more apart); density: "
               "the share of its pairs of nodes that are linked.")

with st.expander("Name the clusters", expanded=bool(titles)):
    nameable = api.nameable(data, res.config.features)
    suggested = res.metrics.get("cluster_names_suggested")
    if nameable and suggested is None:
        st.caption("Suggested names come from " + ("each cluster's best-connected nodes." if data.graph is not None
                   else "the pretrained encoder's ImageNet classifier over each cluster's most typical members."))
        if st.button("Suggest names", icon=":material/label:", key="names_suggest"):
            with st.spinner("Naming the clusters…"):
                api.suggest_names(data, res, state.store() if res.run_id else None)
            st.rerun()
    elif suggested:
        st.caption("Suggested: " + "; ".join(f"cluster {k}: {v['why']}" for k, v in list(suggested.items())[:6])
                   + ("…" if len(suggested) > 6 else ""))
    elif not nameable:
        st.caption("Type names below (suggestions need the pretrained encoder's features, or a graph).")
    shown = [p.label for p in profiles if p.label >= 0][:30]
    with st.form("cluster_names", border=False):
        typed = {k: st.text_input(f"Cluster {k}", value=titles.get(k, ""), key=f"name-{key}-{k}") for k in shown}
        if st.form_submit_button("Save names"):
            api.rename_clusters(res, typed, state.store() if res.run_id else None)
            st.rerun()

metric = api.centre_metric(res.config.clusterer, res.config.clusterer_params)
# members and centre drawn z-normalised, whatever the clusterer read (a UMAP of the series, their spectrum)
series = api.drawn_series(data, res.config) if data.series is not None else None
# Clustered by their spectrum (each wave at any phase), the members' mean in time is a flat line: the bold one is
# then the most typical member, nearest the centre of what was clustered
own_series = res.config.features == "znorm"
resampled = f" and resampled to {series.shape[1]} steps" \
    if series is not None and (data.series_lengths() != series.shape[1]).any() else ""
TYPICAL = "most typical member (nearest the centre of what was clustered)"


def vit_behind_run() -> str | None:
    """The ViT training run whose features this run clustered, if any: its attention describes each cluster."""
    if data.images is None or res.config.features != "learned":
        return None
    run_id = res.config.feature_params.get("run_id")
    return run_id if run_id in {r.run_id for r in api.vit_training_runs(state.store(), data.fingerprint())} else None


def medoid_attention(source: str, index: int) -> np.ndarray:
    """The most typical member's image beside its mean CLS attention (as the Attention page draws it)."""
    model = state.attention_model(source)
    size = model.read_sizes(data.images.shape[1])[-1]
    heat = state.attention_maps(f"{data.fingerprint()}-{source}", source, data.images, (index,), size)[0].mean(axis=0)
    big = api.enlarge(data.images[index], 96)
    return np.concatenate([big, api.attention_overlay(big, heat, outline=api.attention_mask(heat, big.shape[0]))],
                          axis=1)


vit = vit_behind_run()


def name_contested(argued) -> None:
    """The most contested members of a cluster without images, by name, with how often each left it."""
    if len(argued):
        st.caption("Most contested: " + ", ".join(f"{data.item_names[i]} ({ambiguity[i]:.0%})" for i in argued))


limit = st.slider("Clusters shown", 1, len(profiles), min(len(profiles), 12), key="clusters_shown") \
    if len(profiles) > 1 else 1
colours = colour_map([p.label for p in profiles])
apart = {} if data.table is None else api.distinguishing_columns(data.table, res.labels, data.columns)
for p in profiles[:limit]:
    st.markdown(f"<span style='color:{colours[p.label]};font-size:1.3em'>●</span> "
                f"**{api.cluster_heading(p.label, titles)}** · {p.size:,} items ({p.size / n:.1%})",
                unsafe_allow_html=True)
    argued = api.contested(ambiguity, res.labels, p.label) if ambiguity is not None else []
    if data.series is not None:
        members = np.flatnonzero(res.labels == p.label)
        if p.label < 0:  # noise has no centre
            centre, bold = None, ""
        elif own_series:
            centre, bold = state.barycentre(f"{key}-{p.label}", series[members], metric), api.CENTRE_NAMES[metric]
        else:
            centre, bold = series[p.representatives[0]], TYPICAL
        shown, nearest = members, False
        if len(members) > 60 and (centre is None or not own_series):  # noise, or clustered by other features:
            shown, nearest = p.representatives, centre is not None  # the most typical members in what was clustered
        elif len(members) > 60:  # many: those nearest the centre, by the run's own distance
            shown, nearest = members[state.nearest_to_centre(f"{key}-{p.label}", series[members], centre, metric,
                                                             len(p.representatives),
                                                             res.config.clusterer_params.get("band", 0.0))], True
        st.plotly_chart(api.series_lines(series, shown, data.item_names, centre, api.colour(p.label), height=240,
                                         bold_name=bold.split(" (")[0]), key=f"series-{p.label}")
        st.caption(f"{len(shown)} of {p.size:,} series, z-normalised (mean 0, variance 1){resampled}"
                   + (", those nearest the centre" if nearest else "") + (f"; bold: the {bold}" if bold else ""))
        name_contested(argued)
        continue
    if data.images is None:
        names = [data.item_names[i] for i in np.flatnonzero(res.labels == p.label)]
        if data.graph is not None:
            if p.label in links:
                st.markdown("Hubs (most edge weight inside it): " + ", ".join(
                    f"**{data.item_names[i]}** ({weight:g})" for i, weight in links[p.label]["hubs"]))
            st.caption(", ".join(names[:200]) + (f" … and {len(names) - 200:,} more" if len(names) > 200 else ""))
        else:
            if p.label >= 0:
                st.caption("Sets it apart: " + api.columns_sentence(apart[p.label]) + ".")
            st.dataframe(api.table_frame(data, p.representatives), height=160)
            st.caption("Its most typical rows (nearest the centre of the space it was clustered in)."
                       if p.label >= 0 else "A random sample of the rows left as noise.")
        name_contested(argued)
        continue
    typical, odd, *attended = st.columns([3, 1, 1] if vit and p.label >= 0 else [3, 1])
    typical.image(state.sheet(f"{key}-{p.label}-rep", data, tuple(p.representatives.tolist()), 12, 56),
                  caption="Random sample" if p.label < 0 else "Most typical (nearest the centre)")
    if len(p.outliers):
        odd.image(state.sheet(f"{key}-{p.label}-out", data, tuple(p.outliers.tolist()), 4, 56),
                  caption="Outliers (farthest from the centre)")
    if attended:
        attended[0].image(medoid_attention(vit, int(p.representatives[0])),
                          caption="Its most typical member and the ViT's attention")
    open_menu(data, [*p.representatives.tolist(), *p.outliers.tolist()], f"open-{key}-{p.label}")
    if len(argued):
        st.image(state.sheet(f"{key}-{p.label}-contested", data, tuple(argued.tolist()), 12, 56),
                 caption=f"Most contested: {len(argued)} members that left this cluster in the most reruns "
                         f"(up to {ambiguity[argued[0]]:.0%} of them)")
    elif stability and p.label >= 0:
        st.caption("No member of this cluster ever left it in the reruns"
                   + (" (its stability is below 1 because members of other clusters joined it in some)"
                      if p.label in by_cluster and by_cluster[p.label]["stability"] < 0.995 else "") + ".")

state.follow_open_item()
