"""Similar page: one item's original at full size with the items most like it, and the dataset's near-duplicates."""

from __future__ import annotations

from functools import partial

import pandas as pd
import streamlit as st

from app import state
from app.widgets import group_name, needs_result
from engine import api

st.title("Similar")
res = needs_result()
if res is None:
    st.stop()

data = state.dataset()
n = len(data)
key = state.run_key(res)
titles = api.cluster_names(res.metrics)
SHOWN = 12  # neighbours shown


def describe(i: int) -> str:
    return (f"{api.cluster_heading(int(res.labels[i]), titles) if res.labels[i] >= 0 else group_name(-1)}"
            + (f" · label {data.class_names[data.labels[i]]}" if data.has_labels else ""))


def open_clicked(chart: str) -> None:
    """The node clicked on the neighbourhood chart becomes the item shown (a callback: before the item menu)."""
    points = st.session_state[chart].selection.points
    if points and points[0].get("customdata") is not None:
        st.session_state[state.FOCUS] = int(points[0]["customdata"])


if not 0 <= st.session_state.get(state.FOCUS, 0) < n:  # an item of another dataset
    st.session_state.pop(state.FOCUS)
st.session_state.setdefault(state.FOCUS, 0)
st.session_state.pop(state.GO_SIMILAR, None)  # already here
if n <= 20_000:
    pick = st.selectbox("Item", range(n), format_func=lambda i: data.item_names[i], key=state.FOCUS,
                        help="Type to search by name; or open an item from a gallery or the map.")
else:
    pick = int(st.number_input("Item number", 0, n - 1, key=state.FOCUS))

left, right = st.columns([2, 3], gap="large")
with left:
    if data.images is not None:
        shown = state.original(f"{data.fingerprint()}-{pick}", data, pick, 1600)
        st.image(shown.image, width="stretch")
        st.markdown(f"**{data.item_names[pick]}** · {describe(pick)}")
        st.caption(shown.note + (f"  \n`{shown.path}`" if shown.path else ""))
        if shown.path:
            with open(shown.path, "rb") as handle:
                st.download_button("Download the original", handle.read(), file_name=shown.path.rsplit("/", 1)[-1],
                                   icon=":material/download:", key="similar_download")
    else:
        st.markdown(f"**{data.item_names[pick]}** · {describe(pick)}")
        if data.series is not None:
            st.plotly_chart(api.series_lines(data.series, [pick], data.item_names, height=220), key="similar_series")
        elif data.table is not None:
            st.dataframe(api.table_frame(data, [pick]))
        elif data.graph is not None:
            hood = api.neighbourhood(data, pick)
            degree, shown = hood["degree"], len(hood["neighbours"])
            st.caption(f"{degree:,} neighbour{'' if degree == 1 else 's'}"
                       + (f"; the {shown} joined by the heaviest edges are drawn" if shown < degree else "")
                       + (": where this run's map put them, coloured by cluster, the node ringed. Click one to open "
                          "it." if res.embedding.shape[1] == 2 else "."))
            if res.embedding.shape[1] == 2:
                names = {g: api.cluster_label(g, titles) for g in set(res.labels.tolist())}
                chart = f"similar_ego_{key}_{pick}"  # a new chart per node: no selection carried over
                st.plotly_chart(api.ego_network(res.embedding, res.labels, hood, names, data.item_names),
                                key=chart, on_select=partial(open_clicked, chart), selection_mode="points")
            if hood["attributes"]:
                st.dataframe(pd.DataFrame({"attribute": list(hood["attributes"]),
                                           "value": list(hood["attributes"].values())}), hide_index=True)

with right:
    st.markdown("**More like this**")
    index = state.similarity_index(key, data, res)
    found, scores = index.more_like(pick, SHOWN + 1)
    others = [(int(i), float(s)) for i, s in zip(found, scores) if i != pick][:SHOWN]
    st.caption(f"The {len(others)} items nearest to it in this run's features ({res.config.features}; "
               f"{index.measure}), whatever cluster they are in.")
    if data.images is not None:
        tiles = api.thumbnails(data, [i for i, _ in others], size=api.THUMB_SIZE)
        for row in range(0, len(others), 4):
            for column, (tile, (i, score)) in zip(st.columns(4), zip(tiles[row:row + 4], others[row:row + 4])):
                column.image(tile, width="stretch")
                column.caption(f"{data.item_names[i]} · {score:.2f}  \n{describe(i)}")
                column.button("Open", key=f"similar-open-{i}", on_click=state.open_item, args=(i,),
                              icon=":material/open_in_full:")
    elif data.table is not None:  # the rows themselves, beside the one shown, to compare column by column
        rows = api.table_frame(data, [i for i, _ in others])
        rows.insert(0, index.column, [round(s, 3) for _, s in others])
        rows.insert(1, "cluster", [describe(i) for i, _ in others])
        st.dataframe(rows)
    else:
        st.dataframe(pd.DataFrame({"item": [data.item_names[i] for i, _ in others],
                                   index.column: [round(s, 3) for _, s in others],
                                   "cluster": [describe(i) for i, _ in others]}), hide_index=True)
        if data.series is not None:  # on one scale, as the distances compare them (a shape at any level)
            drawn = api.drawn_series(data, res.config)
            st.plotly_chart(api.series_lines(drawn, [i for i, _ in others], data.item_names,
                                             barycentre=drawn[pick], bold_name=data.item_names[pick],
                                             height=260), key="similar_series_like")
            st.caption(f"Thin: the {len(others)} series above; bold: {data.item_names[pick]}; each z-normalised "
                       "(mean 0, variance 1).")

if data.images is not None:
    st.divider()
    st.subheader("Near-duplicates")
    st.caption("Pairs of images that are the same picture saved again: resized, re-encoded, a little brighter or "
               "darker: their 16-px colour thumbnails, less their own mean brightness and what all your images share, "
               "correlate at least this much. A cropped copy is not caught here; it shows under More like this.")
    threshold = st.slider("Similarity at least", 0.90, 1.0, api.DUPLICATE_THRESHOLD, 0.005, format="%.3f",
                          key="duplicate_threshold")
    found_key = ("duplicates", data.fingerprint(), threshold)
    if st.button("Find near-duplicates", icon=":material/content_copy:", key="duplicates_find"):
        bar = st.progress(0.0, text="describing the images")
        finder = state.duplicate_index(data.fingerprint(), data.images)
        st.session_state[found_key] = finder.near_duplicates(threshold, api.Reporter(
            lambda f, m: bar.progress(f, text=m)))
        bar.empty()
    pairs = st.session_state.get(found_key)
    if pairs is not None:
        groups = api.duplicate_groups(pairs)
        extra = sorted(i for g in groups for i in g[1:])
        def count(k: int, word: str) -> str:
            return f"{k:,} {word}{'' if k == 1 else 's'}"

        st.markdown(f"**{count(len(pairs), 'pair')}** in {count(len(groups), 'group')}: {count(len(extra), 'image')} "
                    f"{'is a copy' if len(extra) == 1 else 'are copies'} of another" if pairs else
                    "No near-duplicates at this similarity.")
        if len(pairs) >= api.DUPLICATE_LIMIT:
            st.caption(f"These are the {api.DUPLICATE_LIMIT:,} most similar pairs; there are more at this similarity: "
                       "raise it to see the closest copies only.")
        for i, j, s in pairs[:12]:
            a, b, words = st.columns([1, 1, 3])
            tiles = api.thumbnails(data, [i, j], size=api.THUMB_SIZE)
            a.image(tiles[0], width="stretch")
            b.image(tiles[1], width="stretch")
            words.markdown(f"**{s:.3f}** · {data.item_names[i]} · {data.item_names[j]}")
            words.button("Open the first", key=f"dup-open-{i}-{j}", on_click=state.open_item, args=(i,))
        if pairs:
            frame = pd.DataFrame({"item_a": [data.item_names[i] for i, _, _ in pairs],
                                  "item_b": [data.item_names[j] for _, j, _ in pairs],
                                  "similarity": [round(s, 4) for *_, s in pairs]})
            if data.sources is not None:
                frame.insert(2, "path_a", [data.sources[i] for i, _, _ in pairs])
                frame.insert(3, "path_b", [data.sources[j] for _, j, _ in pairs])
            columns = st.columns(2)
            columns[0].download_button("Pairs (CSV)", frame.to_csv(index=False), "near-duplicates.csv", "text/csv",
                                       icon=":material/table:", key="duplicates_csv")
            if res.run_id and columns[1].button("Keep the copies as a named selection", key="duplicates_keep",
                                                help="All but the first image of each group, as “near-duplicates”: "
                                                     "exported as its own folder, in the report, on the map."):
                state.store().name_selection(res.run_id, "near-duplicates", extra)
                st.success(f"Kept {len(extra):,} images as “near-duplicates”.")
