"""Explore page: the interactive map, coloured by cluster or true label; click or lasso to see images."""

from __future__ import annotations

import numpy as np
import streamlit as st

from app import state
from app.widgets import group_name, hover_thumbnails, mouse_view, needs_result, open_menu, scatter, selected_items
from engine import api

st.title("Explore")
res = needs_result()
if res is None:
    st.stop()

data = state.dataset()
named = state.store().selections(res.run_id) if res.run_id else {}
trust = res.metrics.get("map_trust")
attributes = {f"“{name}”": values for name, values in (data.attributes or {}).items()}  # a table's categories
options = (["Cluster"] + (["True label"] if data.has_labels else []) + list(attributes)
           + (["Named selections"] if named else [])
           + (["Map trust"] if "map_trust" in res.extras else [])
           + (["Ambiguity"] if "ambiguity" in res.extras else []))
controls = st.columns([4, 2, 2, 4])
colour_by = controls[0].radio("Colour by", options, horizontal=True, key="colour_by")
point_size = controls[1].slider("Point size", 2, 12, 5, key="point_size")
flat = res.embedding.shape[1] == 2 and data.graph is None  # 3-D maps and graphs are drawn as points
drawing = controls[2].selectbox("Draw", list(api.DRAWINGS), format_func=str.capitalize, key="map_drawing",
                                help="  \n".join(f"**{k.capitalize()}**: {v}." for k, v in api.DRAWINGS.items())
                                + "  \nA picture draws a million points in a fraction of a second.") \
    if flat else "auto"
drawn = api.drawn_as(len(data), res.embedding.shape[1], drawing, edges=data.graph is not None)
controls[3].caption(f"{api.REDUCERS[res.config.reducer].label} map of {len(data):,} items · {res.metrics['n_clusters']} clusters"
                    + (f" · {res.metrics['noise_fraction']:.1%} noise" if res.metrics["noise_fraction"] else "")
                    + (f", found on {res.metrics['clustered']}" if res.metrics.get("clustered") else "")
                    + ". Click a point to see it; pick the lasso or box tool above the map to select a group.")
for note in res.metrics.get("scaled", []):  # fitted on a sample at this size: say so where the map is
    st.caption(f"At this size, {note}.")
for note in res.metrics.get("ran_on", []):  # stages sent to a Dask cluster
    st.caption(f"{note[0].upper()}{note[1:]}.")

colours = None
if colour_by == "True label":
    groups, names = data.labels, dict(enumerate(data.class_names))
elif colour_by in attributes:
    groups, names = api.attribute_groups(attributes[colour_by])
elif colour_by == "Map trust":
    groups, names, colours = api.trust_colouring(res.extras["map_trust"])
elif colour_by == "Ambiguity":
    groups, names, colours = api.ambiguity_colouring(res.extras["ambiguity"])
elif colour_by == "Named selections":  # an item in several selections shows in the last one named
    groups = np.full(len(data), -1)
    for i, indices in enumerate(named.values()):
        groups[indices] = i
    names = {-1: "not named", **dict(enumerate(named))}
else:
    groups = res.labels
    given = api.cluster_names(res.metrics)
    names = {g: api.cluster_label(g, given) for g in np.unique(groups).tolist()}
lean = len(data) > api.LEAN_POINTS or drawn == "picture"  # no text per point goes to the browser (api.scatter)
hover = None if lean else [
    f"{data.item_names[i]} · {group_name(int(res.labels[i]))}"
    + (f" · label {data.class_names[data.labels[i]]}" if data.has_labels else "")
    + "".join(f" · {name} {values[i]}" for name, values in (data.attributes or {}).items())
    + (f" · keeps {res.extras['map_trust'][i]:.0%} of its neighbours" if "map_trust" in res.extras else "")
    + (f" · left its cluster in {res.extras['ambiguity'][i]:.0%} of reruns" if "ambiguity" in res.extras else "")
    for i in range(len(data))]
if drawn == "picture":
    st.caption(f"{len(data):,} points, drawn as one picture of every point"
               + (f" (past {api.RASTER_POINTS:,} points)" if drawing == "auto" else "")
               + (f" with an even sample of {api.SAMPLE_POINTS:,} on it (at least 100 of each colour) to hover and "
                  "click. A box or lasso selects every item inside it, drawn or not" if len(data) > api.SAMPLE_POINTS
                  else ", each point on it to hover and click")
               + ". Zoom with the mouse (scroll, or the zoom tool) and the region in view is drawn again from its own "
                 "points; double-click for the whole map. Or select a group and press **Zoom in on the selection**.")
elif lean:
    st.caption(f"{len(data):,} points: past {api.LEAN_POINTS:,} the map sends no text per point, so a hover says "
               "the item's number and group (and shows its thumbnail where it has one); click or lasso for names.")
if trust:
    st.caption("**How far to trust this map.** " + api.trust_sentence(trust, len(data))
               + (" Colour by map trust to see where." if "map_trust" in res.extras else ""))
    for flag in trust["flags"][:3]:
        st.caption("⚠ " + api.trust_flag_sentence(flag, group_name) + ".")
if "ambiguity" in res.extras and res.metrics.get("stability"):
    st.caption("**How stable the clusters are.** " + api.stability_sentence(res.metrics["stability"])
               + " Colour by ambiguity to see where.")


def name_selection(selected: list[int]) -> None:
    """Keep the selection under a name, with the run."""
    if not res.run_id:
        st.caption("This run is not stored, so its selections cannot be named.")
        return
    with st.form("name_selection", clear_on_submit=True, border=False):
        name = st.text_input("Name this selection", placeholder="e.g. sevens with a bar", key="selection_name")
        if st.form_submit_button("Keep as a named cluster", icon=":material/label:"):
            if not name.strip():
                st.warning("Type a name first.")
            else:  # Enter in the box submits too; the box empties and this says what was kept
                state.store().name_selection(res.run_id, name, selected)
                st.session_state["selection_kept"] = f"Kept {len(selected):,} items as “{name.strip()}”."
                st.rerun()
    if st.session_state.get("selection_kept"):
        st.success(st.session_state.pop("selection_kept"), icon=":material/label:")


# A new colouring draws a new chart, which starts without a selection: the last one made on this run is kept,
# drawn as selected on the new map and listed beside it, until a new selection replaces it.
# A picture is drawn again with the selection over the rest in grey, which is a new chart too.
kept = st.session_state.get("map_selection")
pending = kept if kept and kept[0] == state.run_key(res) and (kept[1] != colour_by or drawn == "picture") else None
chart_key = f"map-{state.run_key(res)}-{colour_by}-{drawn}"
if drawn == "picture":  # a zoom or pan with the mouse: that region is drawn again from its own points
    view = mouse_view(chart_key)
    if view:
        ranges = None if view.get("whole") else api.view_ranges(res.embedding, view.get("x"), view.get("y"))
        if ranges:
            st.session_state["map_zoom"] = (state.run_key(res), ranges)
        else:
            st.session_state.pop("map_zoom", None)
zoomed = st.session_state.get("map_zoom")
zoom = zoomed[1] if drawn == "picture" and zoomed and zoomed[0] == state.run_key(res) else None
if zoom:
    in_view = int(api.in_ranges(res.embedding, zoom).sum())
    st.caption(f"Zoomed in: {in_view:,} of {len(data):,} items in view, drawn again from their own points"
               + (f" ({api.SAMPLE_POINTS:,} of them to hover and click)." if in_view > api.SAMPLE_POINTS
                  else ", every one of them to hover and click."))

map_col, side = st.columns([3, 1])
with map_col:
    edges = api.edge_index(data.graph, data.item_names) if data.graph is not None else None
    fig = scatter(res.embedding, groups, names, hover, point_size=point_size, edges=edges, colours=colours,
                  drawing=drawn, ranges=zoom,
                  selected=np.asarray(pending[2]) if pending and drawn == "picture" else None)
    if pending:
        chosen = set(pending[2])
        for trace in fig.data:
            if trace.customdata is not None:
                trace.selectedpoints = [j for j, i in enumerate(np.asarray(trace.customdata).ravel().tolist())
                                        if i in chosen]
    hover_thumbnails(fig, data, "explore")
    event = st.plotly_chart(fig, key=chart_key, on_select="rerun",
                            selection_mode=("points", "box", "lasso"), config={"scrollZoom": True})

selected = selected_items(event, res.embedding if drawn == "picture" else None)
carried = None
if selected:
    st.session_state["map_selection"] = (state.run_key(res), colour_by, selected)
    if drawn == "picture" and (not pending or selected != list(pending[2])):
        st.rerun()  # the picture is drawn again with the selection in colour over the rest in grey
elif pending:
    carried, selected = pending[1], pending[2]


def zoom_to(items: list[int] | None) -> None:
    if items:
        st.session_state["map_zoom"] = (state.run_key(res), api.zoom_ranges(res.embedding, np.asarray(items)))
    else:
        st.session_state.pop("map_zoom", None)


with side:
    st.markdown("**Selection**")
    if drawn == "picture" and (selected or zoom):
        if selected:
            st.button("Zoom in on the selection", key="map_zoom_in", on_click=zoom_to, args=(selected,),
                      icon=":material/zoom_in:", help="Draw the selected items' region again from its own points.")
        if zoom:
            st.button("Whole map", key="map_zoom_out", on_click=zoom_to, args=(None,), icon=":material/zoom_out:")
    if carried:
        if carried != colour_by:
            st.caption(f"Kept from the map coloured by {carried.lower()}.")
        if st.button("Clear the selection", key="clear_selection", icon=":material/deselect:"):
            st.session_state.pop("map_selection", None)
            st.rerun()
    if not selected:
        st.caption("Nothing selected yet.")
    else:
        st.write(f"{len(selected):,} item{'s' if len(selected) > 1 else ''} selected")
        shown = tuple(selected[:48])
        if data.images is not None:
            cell = 128 if len(shown) == 1 else 48
            st.image(state.sheet(f"{data.fingerprint()}-sel", data, shown, 1 if len(shown) == 1 else 4, cell),
                     caption=data.item_names[shown[0]] if len(shown) == 1 else f"first {len(shown)} shown")
        elif data.series is not None:
            st.plotly_chart(api.series_lines(data.series, shown[:20], data.item_names, height=220), key="sel_series")
        elif data.table is not None:  # its rows, and what sets them apart from the rest
            if len(selected) < len(data):
                st.caption("Sets it apart: " + api.columns_sentence(
                    api.selection_apart(data.table, selected, data.columns)) + ".")
            st.dataframe(api.table_frame(data, shown), height=200)
        elif data.graph is not None and len(shown) == 1:  # a node: its links and what the file says of it
            hood = api.neighbourhood(data, shown[0])
            st.caption(f"**{data.item_names[shown[0]]}** · {hood['degree']:,} neighbour"
                       f"{'' if hood['degree'] == 1 else 's'}"
                       + "".join(f" · {k}: {v}" for k, v in list(hood["attributes"].items())[:6]))
        else:
            st.caption(", ".join(data.item_names[i] for i in shown))
        if len(shown) == 1:
            st.button("Full size, and more like it" if data.images is not None else "More like it",
                      key="explore_open", on_click=state.open_item, args=(shown[0],), icon=":material/open_in_full:")
        else:
            open_menu(data, shown, "explore_open_menu")
        found, counts = np.unique(res.labels[selected], return_counts=True)
        st.caption("By cluster: " + ", ".join(f"{group_name(int(g))} ×{c}" for g, c in zip(found, counts)))
        name_selection(selected)

if named:
    st.subheader("Named selections")
    st.caption("Kept with this dataset: every run of it shows them, in its exports and its report too.")
    for name, indices in named.items():
        left, middle, right = st.columns([2, 5, 1])
        found, counts = np.unique(res.labels[indices], return_counts=True)
        left.markdown(f"**{name}** · {len(indices):,} items")
        left.caption(", ".join(f"{group_name(int(g))} ×{c}" for g, c in zip(found, counts)))
        if data.images is not None:
            middle.image(state.sheet(f"{data.fingerprint()}-named-{name}-{len(indices)}", data,
                                     tuple(indices[:16].tolist()), 16, 40))
        if right.button("Delete", key=f"drop-{name}", icon=":material/delete:"):
            state.store().drop_selection(res.run_id, name)
            st.rerun()

state.follow_open_item()
