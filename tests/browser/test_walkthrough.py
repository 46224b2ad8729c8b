"""What a person sees: load the demo, run HDBSCAN on UMAP, and visit every page in headless Chromium."""

from __future__ import annotations

import re

import pytest

from tests.browser.pages import (MAP_WIDTH, assert_clean, choose, click_first_point, double_click_the_map,
                                  hover_first_point, items_in_view, lasso_around_first_point, map_width, open_app,
                                  open_page, wait_for_pipeline, zoom_with_the_mouse)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_demo_to_map_gallery_and_scores(app_url, browser, screenshots):
    page = open_app(browser, app_url, 1800)
    wait_for_pipeline(page)
    assert page.get_by_text("1,797 of 1,797 usable items found.").is_visible()
    choose(page, "Map", "UMAP")
    choose(page, "Clustering", "HDBSCAN")
    page.screenshot(path=str(screenshots / "1-data.png"))

    page.get_by_role("button", name="Run").click()
    page.get_by_text("finished in").wait_for(timeout=300_000)
    assert_clean(page)
    page.screenshot(path=str(screenshots / "2-data-after-run.png"))

    open_page(page, "Explore")
    page.locator("[data-testid='stPlotlyChart'] canvas").first.wait_for(timeout=60_000)  # WebGL scatter
    assert page.locator(".legendtext", has_text="cluster 0").count() == 1
    thumb = hover_first_point(page)  # the item's image beside the cursor, as plotly's text label shows its name
    assert thumb.get_attribute("src").startswith("data:image/png;base64,")
    box = thumb.bounding_box()
    assert box["width"] == box["height"] == 96
    page.screenshot(path=str(screenshots / "3a-hover-thumbnail.png"))
    click_first_point(page)
    page.get_by_text("1 item selected").wait_for(timeout=60_000)
    side = page.locator("[data-testid='stColumn']", has=page.get_by_text("Selection", exact=True))
    assert side.locator("[data-testid='stImage'] img").count() == 1  # its thumbnail (named groups show below)
    lasso_around_first_point(page)
    page.get_by_text(re.compile(r"^\d{2,} items selected$")).wait_for(timeout=60_000)
    assert page.get_by_text("By cluster: cluster 0").count() == 1
    assert_clean(page)
    page.screenshot(path=str(screenshots / "3-explore.png"))
    picked = page.get_by_text(re.compile(r"^\d{2,} items selected$")).inner_text()
    page.get_by_test_id("stRadioGroup").get_by_text("True label").click()  # a new colouring keeps the selection
    page.get_by_text("Kept from the map coloured by cluster.").wait_for(timeout=60_000)
    assert page.get_by_text(picked, exact=True).count() == 1
    page.locator(".legendtext", has_text="0").first.wait_for(timeout=60_000)
    assert_clean(page)
    page.screenshot(path=str(screenshots / "3b-selection-kept.png"))
    trusted = re.compile(r"How far to trust this map\. On average \d+% of a point's 15 nearest")
    assert page.get_by_text(trusted).count() == 1
    page.get_by_test_id("stRadioGroup").get_by_text("Map trust").click()  # where the map tears neighbourhoods
    page.locator(".legendtext", has_text="keeps").first.wait_for(timeout=60_000)
    assert_clean(page)
    page.screenshot(path=str(screenshots / "3c-map-trust.png"))
    zoomed_with_the_mouse(page, screenshots)

    open_page(page, "Clusters")
    page.get_by_text("Most typical (nearest the centre)").first.wait_for(timeout=60_000)
    page.locator("[data-testid='stImage'] img").nth(9).wait_for(timeout=60_000)  # the galleries come in as drawn
    assert page.locator("#cs-hover-thumb").is_hidden()  # no thumbnail left over from the map on another page
    assert_clean(page)
    page.screenshot(path=str(screenshots / "4-clusters.png"))

    open_page(page, "Metrics")
    page.get_by_text("Suggested K", exact=False).wait_for(timeout=120_000)
    page.locator("[data-testid='stPlotlyChart']").nth(1).wait_for(timeout=60_000)  # drawn after the caption
    assert page.locator("[data-testid='stDataFrame']").count() >= 1  # the score table
    assert page.locator("[data-testid='stPlotlyChart']").count() == 2  # elbow, silhouette sweep
    assert_clean(page)
    page.screenshot(path=str(screenshots / "5-metrics.png"))

    open_page(page, "Compare")
    page.get_by_role("button", name="Compare").click()
    page.locator("[data-testid='stPlotlyChart']").first.wait_for(timeout=120_000)
    page.locator("[data-testid='stDataFrame']").first.wait_for(timeout=60_000)
    assert hover_first_point(page).get_attribute("src").startswith("data:image/png")  # small maps show images too
    assert_clean(page)
    page.screenshot(path=str(screenshots / "6-compare.png"))
    # a chart that goes from under a resting cursor (a page change, a rerun) sends no 'unhover': its image must go too
    page.evaluate("() => document.querySelectorAll('.js-plotly-plot').forEach(gd => gd.remove())")
    page.locator("#cs-hover-thumb").wait_for(state="hidden", timeout=5_000)
    page.close()


def zoomed_with_the_mouse(page, screenshots) -> None:
    """Drawn as a picture, the map zoomed with the mouse wheel is drawn again for the region in view from its own
    points (all of them, at this size); a double-click goes back to the whole map."""
    choose(page, "Draw", "Picture")
    page.locator("[data-testid=stPlotlyChart] svg image").wait_for(state="attached", timeout=120_000)
    page.get_by_text("drawn as one picture of every point").wait_for(timeout=60_000)
    page.wait_for_timeout(1_000)  # the zoom watcher finds the new chart within 0.4 s
    whole = map_width(page)
    zoom_with_the_mouse(page)
    zoomed = page.get_by_text(re.compile(r"^Zoomed in: [\d,]+ of 1,797 items in view"))
    zoomed.wait_for(timeout=60_000)
    in_view = items_in_view(zoomed)
    assert 0 < in_view < 1_797
    page.wait_for_function(f"""() => {{
        const gd = document.querySelector('[data-testid=stPlotlyChart] .js-plotly-plot');
        return gd && gd._fullData && gd._fullData.reduce((n, t) => n + (t.x ? t.x.length : 0), 0) === {in_view}; }}""",
                           timeout=60_000)  # every item in view is a point of the chart drawn again
    inside = page.evaluate("""() => { const gd = document.querySelector('[data-testid=stPlotlyChart] .js-plotly-plot');
        const [x0, x1] = gd._fullLayout.xaxis.range, [y0, y1] = gd._fullLayout.yaxis.range;
        return gd._fullData.every(t => t.x.every((x, i) => x >= x0 && x <= x1 && t.y[i] >= y0 && t.y[i] <= y1)); }""")
    assert inside and map_width(page) < 0.95 * whole
    assert_clean(page)
    page.screenshot(path=str(screenshots / "3d-picture-zoomed-with-the-mouse.png"))
    double_click_the_map(page)
    zoomed.wait_for(state="detached", timeout=60_000)
    page.wait_for_function(f"() => {{ const w = ({MAP_WIDTH})(); return w !== Infinity && w > 0.95 * {whole}; }}",
                           timeout=60_000)
    assert_clean(page)


def test_train_page_trains_watches_and_hands_over_the_embeddings(app_url, browser, screenshots):
    page = open_app(browser, app_url, 1600)
    wait_for_pipeline(page)
    open_page(page, "Train")
    assert page.get_by_text("device: CPU", exact=False).count() == 1
    choose(page, "Encoder", "Small CNN")
    choose(page, "Method", "SimCLR")
    box = page.get_by_role("spinbutton", name="Minutes")  # a time budget: long enough to watch clusters form
    box.fill("1")
    box.press("Enter")
    page.wait_for_timeout(1000)
    page.get_by_role("button", name="Start training").click()
    page.locator(".gtitle", has_text="Clusters forming").wait_for(timeout=120_000)  # live, while it trains
    assert page.get_by_role("button", name="Cancel").count() == 1
    page.screenshot(path=str(screenshots / "7a-train-live.png"))
    page.get_by_text("Finished: run").wait_for(timeout=400_000)
    # the panel then reruns the page once, which brings the runs list; wait for that settled page
    page.locator("[data-testid='stDataFrame']:visible").wait_for(timeout=60_000)
    page.get_by_role("button", name="Cancel").wait_for(state="detached", timeout=60_000)
    assert page.locator("[data-testid='stPlotlyChart']").count() == 3  # loss, checkpoint scores, checkpoint map
    assert page.locator(".gtitle", has_text=re.compile(r"^checkpoint \d+: 100% of the budget")).count() == 1
    slider = page.get_by_role("slider", name="Checkpoint")
    slider.focus()
    page.keyboard.press("Home")  # back to the untrained encoder: the map moves
    page.locator(".gtitle", has_text="checkpoint 0: untrained").wait_for(timeout=60_000)
    page.screenshot(path=str(screenshots / "7-train.png"), full_page=True)
    assert page.locator("[data-testid='stDataFrame']:visible").count() == 1  # runs list; weights table folded
    assert_clean(page)

    page.get_by_role("button", name="Use as features").click()
    page.locator("h1", has_text="Data").wait_for(timeout=60_000)
    assert page.get_by_role("combobox", name="Features").input_value() == "Learned encoder (training run)"
    assert page.get_by_role("combobox", name="Training run").input_value().startswith("20")
    assert_clean(page)
    page.screenshot(path=str(screenshots / "8-data-learned-features.png"))
    page.close()
