"""The map in a browser at 200,000 to 1,000,000 points: our figure (:func:`engine.viz.figures.scatter`: lean past
``LEAN_POINTS``, a picture with a sample of points past ``RASTER_POINTS``) against the same WebGL scatter as lean
points at every size and with a hover text per point (what plotly express and our own figure below the lean size
send), in headless Chromium (software WebGL, as on this machine). "server s" is the figure's making (and the
picture's, for datashader) before anything is sent.

For each: the JSON the browser receives (MB), the first draw (s, from ``Plotly.newPlot`` to two painted frames), a
zoom's redraw (s), and a box selection dragged with the mouse: its seconds until ``plotly_selected`` and how many item
indices it returned (the same the app's lasso reads from ``customdata``; for our picture, the items inside the box,
found on the server as the app does, whose seconds are added).

Against datashader (rasters drawn on the server, the issue's other candidate): the server's picture of every point
(aggregated per pixel, shaded, sent as a PNG) inside plotly's axes, a zoom as a new picture of the new ranges, and a
box selection as its ranges sent back and the items in them found on the server; each of its seconds is the
server's work plus the browser's (the round trip through Streamlit, ~0.1-0.3 s a rerun, not included).

    .venv/bin/python bench/render.py [SIZES...]      # default: 200000 400000 1000000
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.viz import figures  # noqa: E402
from engine.viz.raster import draw, items_in  # noqa: E402

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
WIDTH, HEIGHT = 1000, 620  # the figure's size in the browser; the datashader picture has one pixel per screen pixel
ZOOM = ((-8, 8), (-8, 8))  # the zoomed ranges every figure is redrawn at
TEXT_LIMIT = 400_000  # the text-per-point reference is measured up to here (at 1M it would be ~48 MB)


def blobs(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    centres = rng.normal(0, 10, (10, 2))
    groups = rng.integers(0, 10, n)
    return (centres[groups] + rng.normal(0, 1, (n, 2))).astype(np.float32), groups


def figure(embedding: np.ndarray, groups: np.ndarray, kind: str):
    """``ours``: the map as the app draws it by default (a text per point up to ``LEAN_POINTS``, lean points past
    it, a picture with a sample of points past ``RASTER_POINTS``); ``points``: lean points whatever the size (the
    default up to this stop); ``text``: points forced to carry a hover text each."""
    names = {g: f"cluster {g}" for g in range(10)}
    hover = [f"item {i} · cluster {g}" for i, g in enumerate(groups)]
    if kind == "ours":
        return figures.scatter(embedding, groups, names, None if len(embedding) > figures.LEAN_POINTS else hover)
    if kind == "points":
        return figures.scatter(embedding, groups, names, None, drawing="points")
    saved, figures.LEAN_POINTS = figures.LEAN_POINTS, len(embedding) + 1
    try:
        return figures.scatter(embedding, groups, names, hover, drawing="points")
    finally:
        figures.LEAN_POINTS = saved


def label_of(n: int, kind: str) -> str:
    if kind == "ours":
        drawn = figures.drawn_as(n)
        return "ours (picture)" if drawn == "picture" else \
            ("ours (lean)" if n > figures.LEAN_POINTS else "ours (text)")
    return {"points": "lean points", "text": "text per point"}[kind]


def measure(browser, embedding: np.ndarray, groups: np.ndarray, kind: str, folder: Path) -> dict:
    import plotly
    import plotly.io as pio

    start = time.perf_counter()
    fig = figure(embedding, groups, kind)
    fig.update_layout(width=WIDTH, height=HEIGHT, dragmode="select")
    payload = pio.to_json(fig)
    built = time.perf_counter() - start
    pictured = bool(fig.layout.images)
    script = (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").read_text()
    html = folder / "map.html"
    html.write_text(f"<html><body style='margin:0'><div id=g></div><script>{script}</script>"
                    f"<script>const F = {payload};</script></body></html>")
    page = browser.new_page(viewport={"width": 1100, "height": 700})
    page.goto(html.as_uri())
    painted = "await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));"
    draw = page.evaluate(f"""async () => {{ const t0 = performance.now(); await Plotly.newPlot('g', F.data, F.layout);
        {painted} return (performance.now() - t0) / 1000; }}""")
    zoom = page.evaluate(f"""async () => {{ const t0 = performance.now();
        await Plotly.relayout('g', {{'xaxis.range': [-8, 8], 'yaxis.range': [-8, 8]}}); {painted}
        return (performance.now() - t0) / 1000; }}""")
    select, points, ranges = drag_box(page)
    picked, distinct = len(points), len(set(points))
    if pictured:  # the app selects every item in the box, drawn or not (engine.viz.raster.items_in)
        mark = time.perf_counter()
        inside = items_in(embedding, [ranges])
        select += time.perf_counter() - mark
        picked = distinct = len(inside)
    page.close()
    return {"mb": len(payload) / 1e6, "draw": draw, "zoom": zoom, "select": select, "picked": picked,
            "distinct": distinct, "built": built}


def drag_box(page) -> tuple[float, list[int], dict]:
    """A box dragged with the mouse over the middle of the map: seconds from the release to ``plotly_selected``,
    the drawn points' item indices it reports, and its ranges (``{"x": [x0, x1], "y": [y0, y1]}``)."""
    page.evaluate("""() => { const gd = document.getElementById('g');
        gd.on('plotly_selected', e => { window.picked = e ? e.points.map(p => p.customdata) : [];
                                       window.box = e && e.range ? [e.range.x, e.range.y] : null;
                                       window.pickedAt = performance.now(); }); }""")
    box = page.evaluate("""() => { const gd = document.getElementById('g'), l = gd._fullLayout;
        return [l.xaxis._offset, l.yaxis._offset, l.xaxis._length, l.yaxis._length]; }""")
    x0, y0 = box[0] + box[2] * 0.35, box[1] + box[3] * 0.35
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move(x0 + box[2] * 0.3, y0 + box[3] * 0.3, steps=5)
    start = page.evaluate("performance.now()")
    page.mouse.up()
    page.wait_for_function("window.pickedAt !== undefined", timeout=600_000)
    seconds = (page.evaluate("window.pickedAt") - start) / 1000
    (xa, xb), (ya, yb) = page.evaluate("window.box")
    return seconds, page.evaluate("window.picked"), {"x": [xa, xb], "y": [ya, yb]}


def raster(embedding: np.ndarray, groups: np.ndarray, ranges=None) -> tuple[dict, float]:
    """The app's own picture (:func:`engine.viz.raster.draw`, not kept) of the points in ``ranges`` (default:
    all), at the figure's size, and the seconds the server spent on it (aggregate, shade, encode)."""
    start = time.perf_counter()
    shot = draw(embedding, groups, figures.colour_map(sorted(set(groups.tolist()))), (WIDTH, HEIGHT), ranges)
    return shot, time.perf_counter() - start


def measure_raster(browser, embedding: np.ndarray, groups: np.ndarray, folder: Path) -> dict:
    """The datashader way: the server rasterises, the browser shows one picture (plotly's axes around it, an empty
    WebGL trace so box selection still fires), a zoom asks the server for a new picture, a box selection sends its
    ranges back and the server finds the items in them. Each figure is the server's seconds plus the browser's."""
    import plotly

    cold = raster(embedding, groups)[1]  # numba compiles datashader's kernels in a process's first pictures;
    raster(embedding, groups, ZOOM)     # the app's long-lived worker would pay that once
    shot, served = raster(embedding, groups)
    uri, ranges = shot["uri"], [list(shot["x"]), list(shot["y"])]
    script = (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").read_text()
    html = folder / "raster.html"
    html.write_text(f"<html><body style='margin:0'><div id=g></div><script>{script}</script></body></html>")
    page = browser.new_page(viewport={"width": 1100, "height": 700})
    page.goto(html.as_uri())
    painted = "await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));"
    layout = {"width": WIDTH, "height": HEIGHT, "dragmode": "select", "margin": {"l": 0, "r": 0, "t": 0, "b": 0},
              "xaxis": {"range": ranges[0]}, "yaxis": {"range": ranges[1]}}
    image = ("(u, x, y) => [{source: u, xref: 'x', yref: 'y', x: x[0], y: y[1], sizex: x[1] - x[0], "
             "sizey: y[1] - y[0], sizing: 'stretch', layer: 'below'}]")
    draw = page.evaluate(f"""async ([u, L, X, Y]) => {{ const t0 = performance.now(); const im = {image};
        L.images = im(u, X, Y); await Plotly.newPlot('g', [{{type: 'scattergl', x: [], y: [], mode: 'markers'}}], L);
        {painted} return (performance.now() - t0) / 1000; }}""", [uri, layout, *ranges])
    zoomed, zoom_served = raster(embedding, groups, ZOOM)
    zoomed = zoomed["uri"]
    zoom = page.evaluate(f"""async (u) => {{ const t0 = performance.now(); const im = {image};
        await Plotly.relayout('g', {{'xaxis.range': [-8, 8], 'yaxis.range': [-8, 8], images: im(u, [-8, 8], [-8, 8])}});
        {painted} return (performance.now() - t0) / 1000; }}""", zoomed)
    select, _, ranges = drag_box(page)
    mark = time.perf_counter()
    inside = items_in(embedding, [ranges])
    select += time.perf_counter() - mark
    page.close()
    mb = (len(uri) + len(zoomed)) / 2 / 1e6
    return {"mb": mb, "draw": served + draw, "zoom": zoom_served + zoom, "select": select, "picked": len(inside),
            "distinct": len(np.unique(inside)), "server_draw": served, "server_zoom": zoom_served, "cold": cold}


def main() -> None:
    from playwright.sync_api import sync_playwright

    sizes = [int(a) for a in sys.argv[1:]] or [200_000, 400_000, 1_000_000]
    rows = []
    with sync_playwright() as p, tempfile.TemporaryDirectory() as folder:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
        for n in sizes:
            embedding, groups = blobs(n)
            for kind in ("ours", "points", "text"):
                if kind == "points" and figures.drawn_as(n) == "points":  # ours is points here
                    continue
                if kind == "text" and not figures.LEAN_POINTS < n <= TEXT_LIMIT:  # below it, ours has the text
                    continue
                label = label_of(n, kind)
                result = measure(browser, embedding, groups, kind, Path(folder))
                rows.append((n, label, result))
                print(f"  {n:,} {label}: {result}", flush=True)
            result = measure_raster(browser, embedding, groups, Path(folder))
            rows.append((n, "datashader", result))
            print(f"  {n:,} datashader: {result}", flush=True)
        browser.close()
    print(f"\n{'points':>10}  {'figure':<16}{'MB':>7}{'server s':>10}{'draw s':>8}{'zoom s':>8}{'select s':>10}"
          f"{'picked':>9}")
    for n, label, r in rows:
        assert r["picked"] == r["distinct"]  # indices, each once
        print(f"{n:>10,}  {label:<16}{r['mb']:>7.1f}{r.get('built', r.get('server_draw', 0.0)):>10.2f}"
              f"{r['draw']:>8.2f}{r['zoom']:>8.2f}{r['select']:>10.2f}{r['picked']:>9,}")
    by = {(n, label): r for n, label, r in rows}
    for n in sizes:
        ours = by[(n, label_of(n, "ours"))]
        for other in ("lean points", "text per point", "datashader"):
            if (n, other) in by:
                them = by[(n, other)]
                print(f"{n:,} points: ours / {other}: draw {ours['draw'] / them['draw']:.2f}×, zoom "
                      f"{ours['zoom'] / them['zoom']:.2f}×, payload {ours['mb'] / them['mb']:.2f}×")
        shaded = by[(n, "datashader")]
        print(f"  (datashader alone: {shaded['server_draw']:.2f} s a picture on the server, "
              f"{shaded['server_zoom']:.2f} s a zoom's, {shaded['cold']:.2f} s for a process's first while numba "
              "compiles)")


if __name__ == "__main__":
    main()
