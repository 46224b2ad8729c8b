"""Small reusable widgets: parameter controls from a registry entry, score tables, colours."""

from __future__ import annotations

from typing import Any

import numpy as np
import streamlit as st

from app import state
from engine import api
# re-exported for the pages
from engine.api import SCORES, colour_map, format_score, group_name, map_grid, scatter, score_frame, score_table  # noqa: F401


def param_controls(entry: api.Entry, key: str, defaults: dict[str, Any] | None = None) -> dict[str, Any]:
    """One widget per declared parameter of ``entry``; returns the chosen values."""
    values = {}
    defaults = defaults or {}
    for p in entry.params:
        widget_key = f"{key}.{entry.name}.{p.name}"
        default = defaults.get(p.name, p.default)
        label = p.name.replace("_", " ") + (f" ({p.auto} = auto)" if p.auto is not None else "")
        if p.kind == "bool":
            values[p.name] = st.checkbox(label, value=bool(default), help=p.help or None, key=widget_key)
        elif p.kind == "text":
            values[p.name] = st.text_input(label, value=str(default), help=p.help or None, key=widget_key)
        elif p.kind == "choice":
            values[p.name] = st.selectbox(label, list(p.choices), index=list(p.choices).index(default),
                                          help=p.help or None, key=widget_key)
        elif p.kind == "int":
            low = int(p.low) if p.auto is None else min(int(p.low), int(p.auto))
            values[p.name] = st.number_input(label, min_value=low, max_value=int(p.high), value=int(default),
                                             step=1, help=p.help or None, key=widget_key)
        else:
            values[p.name] = st.number_input(label, min_value=float(p.low), max_value=float(p.high),
                                             value=float(default), step=float(p.step or 0.1),
                                             help=p.help or None, key=widget_key)
    return values


def registry_select(label: str, registry: dict[str, api.Entry], key: str, options: list[str] | None = None,
                    default: str | None = None, extra: dict[str, str] | None = None) -> api.Entry | str:
    """A menu of registry entries (plus ``extra`` options, name → label, such as ``auto``); returns the entry, or
    the extra option's name."""
    extra = extra or {}
    names = [*extra, *(options or list(registry))]
    # A value already in the session (a choice, or a reset by state.set_dataset) wins; giving an index as well
    # makes Streamlit warn that the widget has two defaults.
    index = names.index(default) if default in names and key not in st.session_state else 0
    name = st.selectbox(label, names, index=index, key=key,
                        format_func=lambda n: extra[n] if n in extra else registry[n].label)
    if name in extra:
        return name
    entry = registry[name]
    if entry.description:
        st.caption(entry.description)
    return entry


def job_progress(job: api.Job | None, cancel_key: str) -> None:
    """A background job's progress bar with **Cancel** while it runs; once it ended, a rerun of the whole app (whose
    top collects the job). Meant for a fragment that reruns every half second."""
    if job is None:
        return
    if not job.done:
        st.progress(job.fraction, text=f"{job.message} · {job.elapsed:.0f} s")
        if st.button("Cancel", icon=":material/stop:", key=cancel_key):
            job.cancel()
        return
    st.rerun(scope="app")


def needs_result() -> api.Result | None:
    """The current result, or a pointer to the Data page when there is none yet."""
    res = state.result()
    if res is None:
        st.info("No clustering yet. Choose a dataset and press **Run** on the Data page.")
        st.page_link("views/data.py", label="Go to Data", icon=":material/database:")
    return res


def selected_items(event, embedding: np.ndarray | None = None) -> list[int]:
    """Item indices picked on a map (click, box or lasso) from ``st.plotly_chart(..., on_select="rerun")``. A map
    drawn as a picture (only a sample of its points drawn) passes its ``embedding``: a box or lasso then selects
    every item inside it, drawn or not."""
    points = event.selection.points if event else []
    chosen = {int(p["customdata"]) for p in points if p.get("customdata") is not None}
    if event and embedding is not None:
        chosen.update(api.items_in(embedding, event.selection.box, event.selection.lasso).tolist())
    return sorted(chosen)


HOVER_SCRIPT = """<script>
// Hover thumbnails for the map(s) whose layout.meta names this token: the parent page's plotly.js chart gets a
// floating image beside the cursor on 'plotly_hover' (plotly's own hover labels cannot hold images). Nothing is
// decoded until a point is hovered.
const TOKEN = __TOKEN__, THUMBS = __THUMBS__, BIG = __BIG__, TALL = __TALL__;
const doc = window.parent.document;
function tip() {
  let box = doc.getElementById("cs-hover-thumb");
  if (!box) {
    box = doc.createElement("div");
    box.id = "cs-hover-thumb";
    box.style.cssText = "position:fixed;z-index:100000;pointer-events:none;display:none;background:#fff;" +
      "border:1px solid #c8ccd4;border-radius:4px;padding:3px;box-shadow:0 2px 8px rgba(0,0,0,.25)";
    doc.body.appendChild(box);
    // This frame goes when the page changes, and its timers with it; so the page itself hides the image once the
    // mouse leaves every chart or the chart that showed it is gone (no 'plotly_unhover' comes then).
    new window.parent.Function("doc", `
      const hide = () => { const b = doc.getElementById("cs-hover-thumb"); if (b) b.style.display = "none"; };
      doc.addEventListener("mousemove", (e) => {
        if (!(e.target.closest && e.target.closest(".js-plotly-plot"))) hide(); }, true);
      setInterval(() => { const b = doc.getElementById("cs-hover-thumb");
        if (b && b.style.display !== "none" && !(b.owner && b.owner.isConnected)) hide(); }, 300);`)(doc);
  }
  return box;
}
function bind() {
  for (const gd of doc.querySelectorAll(".js-plotly-plot")) {
    const meta = gd.layout && gd.layout.meta;
    if (!meta || meta.hover_thumbs !== TOKEN || gd.__csHoverBound === TOKEN || !gd.on) continue;
    gd.__csHoverBound = TOKEN;
    gd.on("plotly_hover", (ev) => {
      const point = ev.points && ev.points[0], box = tip();
      const uri = point && THUMBS[String(point.customdata)];
      if (!uri) { box.style.display = "none"; return; }
      const crisp = uri.startsWith("data:image/png") ? "pixelated" : "auto";  // pixels crisp, photos smooth
      box.innerHTML = '<img alt="" style="display:block;width:' + BIG + 'px;height:' + TALL +
        'px;object-fit:contain;image-rendering:' + crisp + '" src="' + uri + '">';
      const e = ev.event || {}, x = e.clientX || 0, y = e.clientY || 0, w = window.parent.innerWidth;
      box.style.left = (x + 18 + BIG > w ? x - BIG - 24 : x + 18) + "px";
      box.style.top = Math.max(4, y - TALL - 24) + "px";
      box.owner = gd;
      box.style.display = "block";
    });
    gd.on("plotly_unhover", () => { tip().style.display = "none"; });
  }
}
bind();
setInterval(bind, 400);  // a rerun may draw a new chart element
</script>"""


def hover_thumbnails(fig, data: api.Dataset, token: str) -> None:
    """Images beside the cursor when a point of ``fig`` (a map whose ``customdata`` holds item indices) is hovered:
    the item's picture, or a line drawing of a series. Call before the chart is drawn (it marks the figure); several
    maps may share one ``token``."""
    import json

    if data.images is None and data.series is None:
        return
    fig.update_layout(meta={"hover_thumbs": token})
    uris = state.hover_uris(data.fingerprint(), data)
    tall = 96 if data.images is not None else api.SPARK_HEIGHT  # a series' line drawing: 96 × 48
    script = (HOVER_SCRIPT.replace("__TOKEN__", json.dumps(token)).replace("__BIG__", "96")
              .replace("__TALL__", str(tall))
              .replace("__THUMBS__", json.dumps(uris).replace("</", "<\\/")))
    st.iframe(script, height=1)  # same-origin: the script reaches the chart in the page around it


def open_menu(data: api.Dataset, indices, key: str) -> None:
    """A menu of the items just shown (a gallery's tiles, a selection): picking one opens it on the Similar page,
    full size, with the items most like it. The page calls :func:`app.state.follow_open_item` after its widgets."""
    def chosen() -> None:
        if st.session_state.get(key) is not None:
            state.open_item(st.session_state[key])
            st.session_state[key] = None

    st.selectbox("Open one of these", [int(i) for i in indices], index=None, key=key, on_change=chosen,
                 format_func=lambda i: data.item_names[i], label_visibility="collapsed",
                 placeholder="Open one of these: full size, and more like it…")


ZOOM_JS = """
// Reports where the mouse zoomed or panned a plotly map (the chart inside the element of class data.target) back
// to Python, so a map drawn as a picture can be drawn again for the region in view. Only axis changes count (a
// lasso or a change of drag mode relayouts too); a scroll's many steps are sent once, 400 ms after the last; a
// double-click means the whole map.
export default function(component) {
  const { data, setTriggerValue } = component;
  let chart = null, timer = null, whole = false;
  const moved = (ev) => Object.keys(ev).some((k) => k.startsWith("xaxis.") || k.startsWith("yaxis."));
  const send = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const layout = chart && chart._fullLayout;
      if (!layout) return;
      setTriggerValue("view", whole ? { whole: true }
                                    : { x: layout.xaxis.range.slice(), y: layout.yaxis.range.slice() });
      whole = false;
    }, 400);
  };
  const onRelayout = (ev) => {
    if (!moved(ev)) return;
    if (ev["xaxis.autorange"] === true || ev["yaxis.autorange"] === true) whole = true;
    send();
  };
  const onDoubleClick = () => { whole = true; send(); };  // plotly's own reset goes to the ranges first drawn
  const attach = () => {  // a rerun may draw a new chart element, or plotly may drop its listeners
    const found = document.querySelector("." + data.target + " .js-plotly-plot");
    if (!found || !found.on || !found._ev) return;
    if (found === chart && found._ev.listeners("plotly_relayout").includes(onRelayout)) return;
    chart = found;
    chart.on("plotly_relayout", onRelayout);
    chart.on("plotly_doubleclick", onDoubleClick);
  };
  attach();
  const poll = setInterval(attach, 400);
  return () => {
    clearInterval(poll);
    clearTimeout(timer);
    if (chart && chart.removeListener) {
      chart.removeListener("plotly_relayout", onRelayout);
      chart.removeListener("plotly_doubleclick", onDoubleClick);
    }
  };
}
"""
_ZOOM_WATCH = st.components.v2.component("clusterscope.zoom_watch", js=ZOOM_JS)


def element_class(key: str) -> str:
    """The CSS class Streamlit gives the element container of a widget keyed ``key``."""
    import re

    return "st-key-" + re.sub(r"[^a-zA-Z0-9_-]", "-", key.strip())


def mouse_view(chart_key: str) -> dict | None:
    """Where the mouse just zoomed or panned the plotly chart keyed ``chart_key``: ``{"x": [x0, x1], "y": [y0, y1]}``
    in map units, or ``{"whole": True}`` after a double-click back to the whole map; on the rerun that the zoom
    caused, None otherwise. Mount it before the chart is drawn, so the new view is drawn in the same run."""
    found = _ZOOM_WATCH(key=f"zoom-watch-{chart_key}", data={"target": element_class(chart_key)},
                        on_view_change=lambda: None)
    return getattr(found, "view", None)
