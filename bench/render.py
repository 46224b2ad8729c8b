"""The map in a browser at 200,000 and 1,000,000 points: our figure (:func:`engine.viz.figures.scatter`, lean past
``LEAN_POINTS``) against the same WebGL scatter with a hover text per point (what plotly express and our own figure
below the lean size send), in headless Chromium (software WebGL, as on this machine).

For each: the JSON the browser receives (MB), the first draw (s, from ``Plotly.newPlot`` to two painted frames), a
zoom's redraw (s), and a box selection dragged with the mouse: its seconds until ``plotly_selected`` and how many item
indices it returned (the same the app's lasso reads from ``customdata``).

    .venv/bin/python bench/render.py [SIZES...]      # default: 200000 400000 1000000
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.viz import figures  # noqa: E402

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
TEXT_LIMIT = 400_000  # the text-per-point reference is measured up to here (at 1M it would be ~48 MB)


def blobs(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    centres = rng.normal(0, 10, (10, 2))
    groups = rng.integers(0, 10, n)
    return (centres[groups] + rng.normal(0, 1, (n, 2))).astype(np.float32), groups


def figure(embedding: np.ndarray, groups: np.ndarray, text: bool):
    """Our map as the app draws it (a text per point up to ``LEAN_POINTS``, lean past it), or with ``text`` the
    same figure forced to carry a hover text per point."""
    names = {g: f"cluster {g}" for g in range(10)}
    hover = [f"item {i} · cluster {g}" for i, g in enumerate(groups)]
    if not text:
        return figures.scatter(embedding, groups, names, None if len(embedding) > figures.LEAN_POINTS else hover)
    saved, figures.LEAN_POINTS = figures.LEAN_POINTS, len(embedding) + 1
    try:
        return figures.scatter(embedding, groups, names, hover)
    finally:
        figures.LEAN_POINTS = saved


def measure(browser, fig, folder: Path) -> dict:
    import plotly
    import plotly.io as pio

    fig.update_layout(width=1000, height=620, dragmode="select")
    payload = pio.to_json(fig)
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
    page.evaluate("""() => { const gd = document.getElementById('g');
        gd.on('plotly_selected', e => { window.picked = e ? e.points.map(p => p.customdata) : [];
                                       window.pickedAt = performance.now(); }); }""")
    box = page.evaluate("""() => { const gd = document.getElementById('g'), l = gd._fullLayout;
        return [l.xaxis._offset, l.yaxis._offset, l.xaxis._length, l.yaxis._length]; }""")
    x0, y0 = box[0] + box[2] * 0.35, box[1] + box[3] * 0.35
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move(x0 + box[2] * 0.3, y0 + box[3] * 0.3, steps=5)
    start = page.evaluate("performance.now()")
    page.mouse.up()
    page.wait_for_function("window.picked !== undefined", timeout=600_000)
    select = (page.evaluate("window.pickedAt") - start) / 1000
    picked = page.evaluate("window.picked.length")
    distinct = page.evaluate("new Set(window.picked).size")
    page.close()
    return {"mb": len(payload) / 1e6, "draw": draw, "zoom": zoom, "select": select, "picked": picked,
            "distinct": distinct}


def main() -> None:
    from playwright.sync_api import sync_playwright

    sizes = [int(a) for a in sys.argv[1:]] or [200_000, 400_000, 1_000_000]
    rows = []
    with sync_playwright() as p, tempfile.TemporaryDirectory() as folder:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
        for n in sizes:
            embedding, groups = blobs(n)
            for text in (False, True):
                if text and not figures.LEAN_POINTS < n <= TEXT_LIMIT:  # below it, ours is the text figure
                    continue
                label = "text per point" if text else ("ours (lean)" if n > figures.LEAN_POINTS else "ours (text)")
                result = measure(browser, figure(embedding, groups, text), Path(folder))
                rows.append((n, label, result))
                print(f"  {n:,} {label}: {result}", flush=True)
        browser.close()
    print(f"\n{'points':>10}  {'figure':<16}{'MB':>7}{'draw s':>8}{'zoom s':>8}{'select s':>10}{'picked':>9}")
    for n, label, r in rows:
        assert r["picked"] == r["distinct"]  # indices, each once
        print(f"{n:>10,}  {label:<16}{r['mb']:>7.1f}{r['draw']:>8.2f}{r['zoom']:>8.2f}{r['select']:>10.2f}"
              f"{r['picked']:>9,}")
    by = {(n, label): r for n, label, r in rows}
    for n in sizes:
        ours = by.get((n, "ours (lean)"))
        text = by.get((n, "text per point"))
        if ours and text:
            print(f"{n:,} points: ours / text per point: draw {ours['draw'] / text['draw']:.2f}×, "
                  f"payload {ours['mb'] / text['mb']:.2f}×")


if __name__ == "__main__":
    main()
