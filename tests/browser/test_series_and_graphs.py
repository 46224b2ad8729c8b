"""Issue 5 in headless Chromium: the Trace time series and the karate club graph, through their pages."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.pages import assert_clean, choose, hover_first_point, open_app, open_page, use_demo

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
