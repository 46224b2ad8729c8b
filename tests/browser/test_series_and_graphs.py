"""Issue 5 in headless Chromium: the Trace time series and the karate club graph, through their pages."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.pages import assert_clean, choose, hover_first_point, open_app, open_page, upload, use_demo

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_karate_club_communities(app_url, browser, screenshots):
    page = open_app(browser, app_url, 1500)
    use_demo(page, "karate (graph)", "karate")
    expect(page.get_by_role("combobox", name="Clustering")).to_have_value("Spectral (graph adjacency)", timeout=60_000)
    page.get_by_role("button", name="Run").click()
    page.get_by_text("finished in").wait_for(timeout=120_000)
    assert page.get_by_text(re.compile(r"finished in [\d.]+ s: 3 clusters")).count() == 1  # the eigengap's K on karate
    assert_clean(page)
    page.screenshot(path=str(screenshots / "14-karate-data.png"))

    open_page(page, "Explore")
    page.locator("[data-testid='stPlotlyChart'] canvas").first.wait_for(timeout=60_000)
    traces = page.evaluate("() => document.querySelector('[data-testid=stPlotlyChart] .js-plotly-plot')"
                           "._fullData.map(t => t.mode)")
    assert traces[0] == "lines" and traces.count("markers") >= 2  # edges, then one trace per community
    assert_clean(page)
    page.screenshot(path=str(screenshots / "15-karate-explore.png"))

    open_page(page, "Similar")  # node "0": its 16 neighbours drawn with the edges among them
    page.get_by_text("16 neighbours", exact=False).wait_for(timeout=60_000)
    page.locator("[data-testid='stPlotlyChart'] canvas").first.wait_for(timeout=60_000)
    page.wait_for_timeout(1000)
    x, y, other = page.evaluate("""() => {
        const gd = document.querySelector('[data-testid=stPlotlyChart] .js-plotly-plot');
        const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis, box = gd.getBoundingClientRect();
        for (const t of gd._fullData) {
            if (!t.customdata) continue;
            for (let j = 0; j < t.x.length; j++) {
                if (Number(t.customdata[j]) !== 0)
                    return [box.left + xa._offset + xa.l2p(t.x[j]), box.top + ya._offset + ya.l2p(t.y[j]),
                            String(t.customdata[j])];
            }
        }
    }""")
    assert page.get_by_text("club", exact=True).count() == 1  # its attribute from the file
    page.mouse.move(x - 5, y - 5)
    page.mouse.move(x, y, steps=3)
    page.mouse.click(x, y)  # a neighbour: it becomes the node shown
    expect(page.get_by_role("combobox", name="Item")).to_have_value(other, timeout=30_000)
    assert_clean(page)
    page.screenshot(path=str(screenshots / "15b-karate-similar.png"))
    page.close()


def test_trace_time_series_clusters(app_url, browser, screenshots):
    page = open_app(browser, app_url, 1700)
    use_demo(page, "trace (time series)", "trace")
    expect(page.get_by_role("combobox", name="Clustering")).to_have_value(
        "Auto (k-Shape on the series, or K-means on their spectrum)", timeout=60_000)  # as the probe picks
    choose(page, "Features", "Z-normalised series")
    choose(page, "Clustering", "Time-series K-means (tslearn)")
    assert page.get_by_text("DTW compares every time step", exact=False).count() == 1
    page.get_by_role("button", name="Run").click()
    page.get_by_text("finished in").wait_for(timeout=400_000)
    finished = page.get_by_text(re.compile(r"finished in [\d.]+ s: \d+ clusters")).inner_text()
    k = int(re.search(r"(\d+) clusters", finished).group(1))  # K = auto
    assert_clean(page)
    page.screenshot(path=str(screenshots / "16-trace-data.png"))

    open_page(page, "Explore")  # a series on the map hovers as a line drawing of itself
    page.locator("[data-testid='stPlotlyChart'] canvas").first.wait_for(timeout=60_000)
    page.wait_for_timeout(1500)
    thumb = hover_first_point(page)
    assert thumb.get_attribute("src").startswith("data:image/png") and thumb.bounding_box()["height"] < 60
    page.screenshot(path=str(screenshots / "16b-trace-hover.png"))

    open_page(page, "Clusters")
    page.get_by_text("DTW barycentre", exact=False).first.wait_for(timeout=300_000)
    page.locator("[data-testid='stPlotlyChart']").nth(k - 1).wait_for(timeout=300_000)  # one overlay per cluster
    page.wait_for_timeout(2000)
    assert_clean(page)
    page.screenshot(path=str(screenshots / "17-trace-clusters.png"), full_page=True)

    open_page(page, "Similar")  # the series most like the first, drawn under it
    page.get_by_text("Thin: the 12 series above; bold: trace 0; each z-normalised").wait_for(timeout=60_000)
    names = page.evaluate("() => [...document.querySelectorAll('[data-testid=stPlotlyChart] .js-plotly-plot')]"
                          ".map(gd => gd._fullData.map(t => t.name))")
    assert [len(n) for n in names] == [1, 13] and names[1][-1] == "trace 0"
    assert_clean(page)
    page.close()


def test_a_table_whose_rows_are_series_is_offered_as_series_in_one_click(app_url, browser, screenshots, tmp_path):
    """Cylinder-Bell-Funnel series, one a row under a header ``t1…t128, label``, uploaded as the file kind's default
    ("a feature table"): the Data page says its rows read as time series and one click reads the file so."""
    from engine.data import variants

    values, kinds = variants.cylinder_bell_funnel(120, seed=3)
    table = tmp_path / "cbf_rows.csv"
    table.write_text("\n".join([",".join(f"t{i + 1}" for i in range(values.shape[1])) + ",label"]
                               + [",".join(f"{v:.4f}" for v in row) + f",{kind}" for row, kind in zip(values, kinds)]))
    page = open_app(browser, app_url, 1600)
    upload(page, "Table, series or graph file", table, "Load file", "cbf_rows")
    page.get_by_text("they read as time series, one a row").wait_for(timeout=60_000)
    expect(page.get_by_text("Features", exact=True).first).to_be_visible()  # a table's count of columns
    page.get_by_role("button", name="Read it as time series").click()
    page.get_by_text("Length", exact=True).wait_for(timeout=60_000)  # a series dataset's count of steps
    assert page.get_by_role("button", name="Read it as time series").count() == 0
    assert page.get_by_text("12 of 120 series, at random").count() == 1
    assert_clean(page)
    page.screenshot(path=str(screenshots / "16c-rows-read-as-series.png"))
    page.close()
