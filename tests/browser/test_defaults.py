"""Issue 11 in headless Chromium: an uploaded zip of coloured line drawings (where the old rule, colour → the
ImageNet encoder, chose badly), Run pressed without touching a menu."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from engine.data import variants
from tests.browser.pages import assert_clean, choose, open_app, open_page, upload
from tests.engine.test_defaults import strokes_zip

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_an_uploaded_zip_of_coloured_strokes_gets_pixels_and_a_sensible_k(app_url, browser, screenshots, tmp_path):
    archive = tmp_path / "strokes.zip"
    archive.write_bytes(strokes_zip())
    page = open_app(browser, app_url, 1900)
    upload(page, "Upload images", archive, "Load upload", "strokes")
    page.get_by_text("Originals: 32×32 px typical (RGB", exact=False).wait_for(timeout=30_000)
    # the page draws its parts in turn: the menu may still show the last dataset's choice for a moment
    expect(page.get_by_role("combobox", name="Features")).to_have_value("Auto (chosen from your data when you run)",
                                                                         timeout=30_000)

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


def test_an_uploaded_zip_of_small_gray_photos_gets_two_clusters_and_says_why(app_url, browser, screenshots, tmp_path):
    """LFW faces against other patches, 25 px gray: the probe chose raw pixels here before (6 clusters, ARI 0.25).
    Now its three candidates score within its noise of each other (0.32-0.38 on a 2-core CPU), and which one leads
    moves with the threads BLAS and PyTorch get while other work runs in the server (a CI run kept raw pixels at 0.357
    against 0.337: HDBSCAN, 4 clusters, ARI 0.44; alone, pixels + EfficientNet-Lite0 led at 0.362 or 0.384), and
    with the CPU umap-learn's optimiser was compiled for. Candidates that close are scored at 3 seeds and ranked by
    the mean (pixels + EfficientNet-Lite0 led at both samples bench/feature_probe.py tried). So: the run finds the
    two kinds, or it kept raw pixels in a tie even then, says so, and the pick it names instead, one click away in
    Features as it says, finds them."""
    archive = tmp_path / "faces.zip"
    archive.write_bytes(variants.image_zip(*variants.faces(), grayscale=True))
    page = open_app(browser, app_url, 1900)
    upload(page, "Upload images", archive, "Load upload", "faces")
    page.get_by_role("button", name="Run").click()  # no menu touched
    page.get_by_text("finished in").wait_for(timeout=400_000)
    said = page.locator("[data-testid='stApp']").inner_text()
    kept = re.search(r"(raw pixels|pixels \+ EfficientNet-Lite0|EfficientNet-Lite0): your 25 px grayscale images "
                     "clustered most clearly with them", said)
    assert kept, said[-1500:]
    if kept.group(1) == "raw pixels":  # pixels alone split the faces by lighting: kept only in a tie, said so
        tie = re.search(r"(Pixels \+ EfficientNet-Lite0|EfficientNet-Lite0)[^.]* scored within 0\.0\d+ over 3 seeds, "
                        r"the probe's own noise: as good a guess, one pick away in Features", said)
        assert tie, said[-1500:]
        before = page.get_by_text(re.compile(r"finished in [\d.]+ s: \d+ clusters")).inner_text()
        choose(page, "Features", "Pixels + EfficientNet-Lite0" if tie.group(1).startswith("Pixels")
               else "EfficientNet-Lite0 (ImageNet, pretrained)")
        page.get_by_role("button", name="Run").click()
        for _ in range(800):  # the new run's line (its run id differs from the first's)
            page.wait_for_timeout(500)
            line = page.get_by_text(re.compile(r"finished in [\d.]+ s: \d+ clusters"))
            if line.count() and line.first.inner_text() != before:
                break
        said = page.locator("[data-testid='stApp']").inner_text()
    finished = page.get_by_text(re.compile(r"finished in [\d.]+ s: \d+ clusters")).inner_text()
    assert re.search(r": 2 clusters", finished), finished
    assert "ARI 0.9" in said or "ARI 1.0" in said, said[-1500:]  # the sidebar's score against the folder labels
    assert_clean(page)
    page.screenshot(path=str(screenshots / "24-defaults-faces-combined.png"), full_page=True)
    open_page(page, "Clusters")  # runs on the encoder's features can be named by its classifier
    page.get_by_text("Name the clusters").click()
    page.get_by_role("button", name="Suggest names").wait_for(timeout=60_000)
    assert_clean(page)
    page.close()


def test_an_uploaded_table_of_two_moons_gets_its_two_pieces(app_url, browser, screenshots, tmp_path):
    from sklearn.datasets import make_moons

    X, y = make_moons(800, noise=0.06, random_state=5)
    table = tmp_path / "moons.csv"
    rows = (f"{a:.5f},{b:.5f},{'upper' if c else 'lower'}" for (a, b), c in zip(X, y))
    table.write_text("x,y,label\n" + "\n".join(rows))  # a coordinate named y, the label named label
    page = open_app(browser, app_url, 1500)
    upload(page, "Table, series or graph file", table, "Load file", "moons")
    expect(page.get_by_role("combobox", name="Clustering")).to_have_value(
        re.compile(r"^Auto \(K-means, or density"), timeout=30_000)  # once the page has drawn the new dataset's menus

    page.get_by_role("button", name="Run").click()  # no menu touched
    page.get_by_text("finished in").wait_for(timeout=300_000)
    finished = page.get_by_text(re.compile(r"finished in [\d.]+ s: \d+ clusters")).inner_text()
    assert re.search(r": 2 clusters", finished), finished  # K-means with K = auto cut each moon into pieces
    said = page.locator("[data-testid='stApp']").inner_text()
    assert "HDBSCAN on the columns: your rows fall apart into 2 dense pieces" in said
    assert_clean(page)
    page.screenshot(path=str(screenshots / "23-defaults-moons-table.png"), full_page=True)
    page.close()


def test_a_csv_of_pixel_rows_uploaded_as_a_table_shows_its_images(app_url, browser, screenshots, tmp_path):
    """Kaggle's MNIST layout (label, pixel0 … pixel63 here) through the table uploader: a preview of digits and the
    sentence that says how it was read, not a table of 64 pixel columns."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    table = tmp_path / "pixel_rows.csv"
    rows = ["label," + ",".join(f"pixel{i}" for i in range(64))]
    rows += [f"{y}," + ",".join(str(int(v)) for v in x) for x, y in zip(digits.data[:300], digits.target[:300])]
    table.write_text("\n".join(rows))
    page = open_app(browser, app_url, 1400)
    upload(page, "Table, series or graph file", table, "Load file", "pixel_rows")
    page.get_by_text("read as 300 grayscale images of 8×8 pixels", exact=False).wait_for(timeout=30_000)
    expect(page.get_by_text("Image size")).to_be_visible()
    page.locator("[data-testid='stImage'] img").first.wait_for(timeout=30_000)  # the preview grid of digits
    assert_clean(page)
    page.screenshot(path=str(screenshots / "22-pixel-rows-csv.png"))
