"""Issue 11 in headless Chromium: an uploaded zip of coloured line drawings (where the old rule, colour → the
ImageNet encoder, chose badly), Run pressed without touching a menu."""

from __future__ import annotations

import re

import pytest

from tests.browser.pages import assert_clean, open_app, open_page, wait_for_pipeline
from tests.engine.test_defaults import strokes_zip

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_an_uploaded_zip_of_coloured_strokes_gets_pixels_and_a_sensible_k(app_url, browser, screenshots, tmp_path):
    archive = tmp_path / "strokes.zip"
    archive.write_bytes(strokes_zip())
    page = open_app(browser, app_url, 1900)
    wait_for_pipeline(page)
    page.get_by_text("Upload images", exact=True).click()
    page.locator("input[type=file]").first.set_input_files(str(archive))
    page.get_by_role("button", name="Load upload").click()
    page.locator("h3", has_text="strokes").wait_for(timeout=120_000)
    page.get_by_text("Originals: 32×32 px typical (RGB", exact=False).wait_for(timeout=30_000)
    assert page.get_by_role("combobox", name="Features").input_value() == "Auto (chosen from your data when you run)"

    page.get_by_role("button", name="Run").click()  # no menu touched
    page.get_by_text("finished in").wait_for(timeout=400_000)
    finished = page.get_by_text(re.compile(r"finished in [\d.]+ s: \d+ clusters")).inner_text()
    k = int(re.search(r"(\d+) clusters", finished).group(1))
    assert 5 <= k <= 20, finished  # ten digits drawn; the true K is 10
    said = page.locator("[data-testid='stApp']").inner_text()
    assert "raw pixels: your 32 px colour images clustered most clearly with them" in said
    assert "10-D clustering space" in said and f"K = {k}: the largest K whose clusters come back" in said
    assert_clean(page)
    page.screenshot(path=str(screenshots / "20-defaults-upload-run.png"), full_page=True)

    open_page(page, "Explore")
    page.locator("[data-testid='stPlotlyChart'] canvas").first.wait_for(timeout=60_000)
    groups = page.evaluate("() => document.querySelector('[data-testid=stPlotlyChart] .js-plotly-plot')"
                           "._fullData.filter(t => t.mode === 'markers').length")
    assert groups == k  # the map shows one colour per cluster
    assert_clean(page)
    page.screenshot(path=str(screenshots / "21-defaults-upload-map.png"))

    open_page(page, "Metrics")
    page.get_by_text("Why this K").wait_for(timeout=60_000)
    page.get_by_role("button", name=re.compile(r"K = \d+ \(silhouette")).first.wait_for(timeout=60_000)
    assert_clean(page)
    page.screenshot(path=str(screenshots / "22-defaults-metrics-k.png"), full_page=True)
    page.close()
