"""Issue 4 in headless Chromium: name a lasso selection, cut the dendrogram, export the report and open it
offline, and look at a DINO ViT's attention on the shapes demo."""

from __future__ import annotations

import csv
import re

import pytest

from tests.browser.pages import (assert_clean, choose, lasso_around_first_point, open_app, open_page, run_pipeline,
                                  train_for_epochs, wait_for_pipeline)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_named_selection_dendrogram_and_offline_report(app_url, browser, screenshots, tmp_path):
    page = open_app(browser, app_url, 1700, accept_downloads=True)
    run_pipeline(page)

    open_page(page, "Explore")
    page.locator("[data-testid='stPlotlyChart'] canvas").first.wait_for(timeout=60_000)
    lasso_around_first_point(page)
    page.get_by_text(re.compile(r"^\d{2,} items selected$")).wait_for(timeout=60_000)
    page.get_by_label("Name this selection").fill("corner group")
    page.get_by_role("button", name="Keep as a named cluster").click()
    page.get_by_text(re.compile(r"^corner group · \d+ items$")).wait_for(timeout=60_000)  # (other tests' groups
    assert page.locator("h3", has_text="Named selections").count() == 1                 # on digits show too)
    assert_clean(page)
    page.screenshot(path=str(screenshots / "9-explore-named-selection.png"))

    open_page(page, "Dendrogram")
    page.get_by_text("Cut into", exact=False).first.wait_for(timeout=120_000)
    page.locator("[data-testid='stPlotlyChart']").nth(1).wait_for(timeout=60_000)
    leaf_images = page.evaluate("() => document.querySelector('[data-testid=stPlotlyChart] .js-plotly-plot')"
                                "._fullLayout.images.length")
    assert leaf_images == 48
    caption = page.get_by_text(re.compile(r"Cut into \d+ clusters")).first.inner_text()
    start = int(re.search(r"Cut into (\d+) clusters", caption).group(1))
    k_slider = page.get_by_role("slider").first
    k_slider.focus()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    page.get_by_text(re.compile(rf"Cut into {start + 3} clusters")).wait_for(timeout=60_000)
    recut = page.get_by_text(re.compile(rf"Cut into {start + 3} clusters")).first.inner_text()
    height = re.search(r"at height (\S+?)\. ", recut).group(1)
    # the tree is drawn again at the new cut (the old chart stays on screen while the page reruns)
    page.wait_for_function("""height => [...document.querySelectorAll('[data-testid=stPlotlyChart] .js-plotly-plot')]
        .some(gd => gd._fullLayout && gd._fullLayout.images.length === 48
              && gd._fullLayout.annotations.some(a => a.text === 'cut at ' + height))""", arg=height, timeout=60_000)
    page.locator(".legendtext", has_text=f"cluster {start + 2}").first.wait_for(timeout=60_000)  # the map, recoloured
    assert_clean(page)
    page.screenshot(path=str(screenshots / "10-dendrogram.png"))

    open_page(page, "Compare")  # stores two more runs on digits, for the report's comparison section
    page.get_by_role("button", name="Compare").click()
    page.locator("[data-testid='stPlotlyChart']").first.wait_for(timeout=120_000)

    open_page(page, "Clusters")  # stability of the current clusters: a background job, then table, sentence, galleries
    page.get_by_role("button", name="Measure stability").click()
    page.get_by_text(re.compile(r"How stable are these clusters\?")).wait_for(timeout=180_000)
    page.get_by_text(re.compile(r"^Most contested: \d+ members that left this cluster")).first.wait_for(timeout=60_000)
    assert page.get_by_text(re.compile(r"rerun \d+ times on 80% subsamples: \d+ of \d+ clusters stable")).count() == 1
    assert_clean(page)
    page.screenshot(path=str(screenshots / "10b-clusters-stability.png"), full_page=True)
    open_page(page, "Explore")
    page.get_by_test_id("stRadioGroup").get_by_text("Ambiguity").click()
    page.locator(".legendtext", has_text="never left its cluster").first.wait_for(timeout=60_000)
    assert_clean(page)
    page.screenshot(path=str(screenshots / "10c-explore-ambiguity.png"))

    open_page(page, "Report")
    with page.expect_download() as csv_download:
        page.get_by_role("button", name="Cluster labels (CSV)").click()
    lines = csv_download.value.path().read_text().splitlines()
    assert len(lines) == 1 + 1797 and lines[0] == \
        "index,item,cluster,true_label,selection,map_trust,ambiguity,consensus_cluster"
    rows = list(csv.DictReader(lines))
    assert sum(row["selection"] == "corner group" for row in rows) >= 10
    assert all(0.0 <= float(row["map_trust"]) <= 1.0 and 0.0 <= float(row["ambiguity"]) <= 1.0 for row in rows)
    page.get_by_role("button", name="Build the report").click()
    page.get_by_text("Report ready.").wait_for(timeout=300_000)
    with page.expect_download() as report_download:
        page.get_by_role("button", name=re.compile(r"^Download report")).click()
    report_file = tmp_path / "report.html"
    report_download.value.save_as(report_file)
    assert_clean(page)
    page.screenshot(path=str(screenshots / "11-report-page.png"))
    page.close()

    offline = browser.new_page(viewport={"width": 1400, "height": 1000})
    requests, errors = [], []
    offline.on("request", lambda r: requests.append(r.url))
    offline.on("pageerror", lambda e: errors.append(str(e)))
    offline.goto(report_file.as_uri())
    offline.locator(".js-plotly-plot").first.wait_for(timeout=60_000)
    offline.wait_for_timeout(1500)
    assert [u for u in requests if not u.startswith(("file:", "data:", "blob:"))] == []
    assert errors == []
    for heading in ("Dataset", "Settings", "Scores", "Map", "How far to trust the map", "How stable the clusters are",
                    "Clusters forming during training", "What the clusters are", "Cluster galleries",
                    "Named selections", "Dendrogram", "Comparison with other runs", "Attention"):
        assert offline.locator("h2", has_text=re.compile(f"^{re.escape(heading)}$")).count() == 1, heading
    assert offline.locator(".js-plotly-plot").count() >= 7  # map, trust, ambiguity, elbow, silhouette, tree, comparison
    assert offline.get_by_text("corner group").count() >= 1
    offline.screenshot(path=str(screenshots / "12-report-offline.png"), full_page=True)
    offline.close()


def test_attention_page_after_training_dino_on_the_shapes_demo(app_url, browser, screenshots):
    page = open_app(browser, app_url, 1700)
    wait_for_pipeline(page)
    choose(page, "Demo dataset", "shapes (images)")
    page.get_by_role("button", name="Use shapes").click()
    page.get_by_text("1,000 of 1,000 usable items found.").wait_for(timeout=120_000)

    open_page(page, "Attention")
    page.get_by_text("No Vision Transformer has been trained on this dataset", exact=False).wait_for(timeout=60_000)
    assert_clean(page)

    open_page(page, "Train")
    train_for_epochs(page, "ViT-Micro", "DINO", 1)
    page.get_by_role("button", name="Cancel").wait_for(state="detached", timeout=60_000)

    open_page(page, "Attention")
    page.get_by_text("Mean IoU of the attention masks", exact=False).wait_for(timeout=120_000)
    assert page.get_by_text("true mask", exact=True).count() == 6
    assert page.get_by_text("head 3", exact=True).count() == 6
    assert_clean(page)
    page.screenshot(path=str(screenshots / "13-attention.png"))
    page.close()
