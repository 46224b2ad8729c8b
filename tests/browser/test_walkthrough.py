"""What a person sees: load the demo, run HDBSCAN on UMAP, and visit every page in headless Chromium."""

from __future__ import annotations

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ERROR_MARKERS = ("Traceback", "Exception:", "Error:")


def assert_clean(page) -> None:
    """No Streamlit exception box and no exception text anywhere on the page."""
    assert page.locator("[data-testid='stException']").count() == 0
    text = page.locator("[data-testid='stApp']").inner_text()
    assert not any(marker in text for marker in ERROR_MARKERS), text[-2000:]


def choose(page, label: str, option: str) -> None:
    """Pick ``option`` in the select box labelled ``label``, as a person would."""
    box = page.get_by_role("combobox", name=label)
    box.click()
    page.get_by_role("option", name=option, exact=True).click()
    page.wait_for_timeout(500)
    assert box.input_value() == option


def first_point(page) -> tuple[float, float]:
    """Page coordinates of the first point of the first trace, where plotly.js draws it."""
    return page.evaluate("""() => {
        const gd = document.querySelector('[data-testid=stPlotlyChart] .js-plotly-plot');
        const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis, box = gd.getBoundingClientRect();
        const t = gd._fullData[0];
        return [box.left + xa._offset + xa.l2p(t.x[0]), box.top + ya._offset + ya.l2p(t.y[0])];
    }""")


def click_first_point(page) -> None:
    x, y = first_point(page)
    page.mouse.move(x - 5, y - 5)
    page.mouse.move(x, y, steps=3)  # plotly picks the clicked point from the hover state
    page.mouse.click(x, y)


def lasso_around_first_point(page, radius: float = 25) -> None:
    page.locator("[data-testid=stPlotlyChart] .modebar-btn[data-title='Lasso Select']").click()
    x, y = first_point(page)
    page.mouse.move(x - radius, y - radius)
    page.mouse.down()
    for dx, dy in ((radius, -radius), (radius, radius), (-radius, radius), (-radius, -radius + 1)):
        page.mouse.move(x + dx, y + dy, steps=4)
    page.mouse.up()


def open_page(page, title: str) -> None:
    page.locator("[data-testid='stSidebarNav']").get_by_text(title, exact=True).click()
    page.locator("h1", has_text=title).wait_for(timeout=60_000)


def train_for_epochs(page, encoder: str, method: str, epochs: int) -> None:
    """On the Train page: pick encoder and method, an epoch budget, start, and wait for the end."""
    choose(page, "Encoder", encoder)
    choose(page, "Method", method)
    page.get_by_text("Epochs", exact=True).click()
    box = page.get_by_role("spinbutton", name="Epochs")
    box.fill(str(epochs))
    box.press("Enter")
    page.wait_for_timeout(1000)
    page.get_by_role("button", name="Start training").click()
    page.get_by_text("Finished: run").wait_for(timeout=400_000)


def test_demo_to_map_gallery_and_scores(app_url, browser, screenshots):
    page = browser.new_page(viewport={"width": 1400, "height": 1800})
    page.goto(app_url)
    page.get_by_text("Pipeline", exact=True).wait_for(timeout=120_000)
    assert page.get_by_text("1,797 of 1,797 usable items found.").is_visible()
    choose(page, "Reducer", "UMAP")
    choose(page, "Clustering", "HDBSCAN")
    page.screenshot(path=str(screenshots / "1-data.png"))

    page.get_by_role("button", name="Run").click()
    page.get_by_text("finished in").wait_for(timeout=300_000)
    assert_clean(page)
    page.screenshot(path=str(screenshots / "2-data-after-run.png"))

    open_page(page, "Explore")
    page.locator("[data-testid='stPlotlyChart'] canvas").first.wait_for(timeout=60_000)  # WebGL scatter
    assert page.locator(".legendtext", has_text="cluster 0").count() == 1
    click_first_point(page)
    page.get_by_text("1 item selected").wait_for(timeout=60_000)
    assert page.locator("[data-testid='stImage'] img").count() == 1  # its thumbnail
    lasso_around_first_point(page)
    page.get_by_text(re.compile(r"^\d{2,} items selected$")).wait_for(timeout=60_000)
    assert page.get_by_text("By cluster: cluster 0").count() == 1
    assert_clean(page)
    page.screenshot(path=str(screenshots / "3-explore.png"))

    open_page(page, "Clusters")
    page.get_by_text("Most typical (nearest the centre)").first.wait_for(timeout=60_000)
    assert page.locator("[data-testid='stImage'] img").count() >= 10
    assert_clean(page)
    page.screenshot(path=str(screenshots / "4-clusters.png"))

    open_page(page, "Metrics")
    page.get_by_text("Suggested K", exact=False).wait_for(timeout=120_000)
    assert page.locator("[data-testid='stDataFrame']").count() >= 1  # the score table
    assert page.locator("[data-testid='stPlotlyChart']").count() == 2  # elbow, silhouette sweep
    assert_clean(page)
    page.screenshot(path=str(screenshots / "5-metrics.png"))

    open_page(page, "Compare")
    page.get_by_role("button", name="Compare").click()
    page.locator("[data-testid='stPlotlyChart']").first.wait_for(timeout=120_000)
    page.locator("[data-testid='stDataFrame']").first.wait_for(timeout=60_000)
    assert_clean(page)
    page.screenshot(path=str(screenshots / "6-compare.png"))
    page.close()


def test_train_page_trains_watches_and_hands_over_the_embeddings(app_url, browser, screenshots):
    page = browser.new_page(viewport={"width": 1400, "height": 1600})
    page.goto(app_url)
    page.get_by_text("Pipeline", exact=True).wait_for(timeout=120_000)
    open_page(page, "Train")
    assert page.get_by_text("device: CPU", exact=False).count() == 1
    train_for_epochs(page, "Small CNN", "SimCLR", 3)
    # the panel then reruns the page once, which brings the runs list; wait for that settled page
    page.locator("[data-testid='stDataFrame']:visible").wait_for(timeout=60_000)
    page.get_by_role("button", name="Cancel").wait_for(state="detached", timeout=60_000)
    page.screenshot(path=str(screenshots / "7-train.png"))
    assert page.locator("[data-testid='stPlotlyChart']").count() == 1  # the loss curve
    assert page.locator("[data-testid='stDataFrame']:visible").count() == 1  # runs list; weights table folded
    assert_clean(page)

    page.get_by_role("button", name="Use as features").click()
    page.locator("h1", has_text="Data").wait_for(timeout=60_000)
    assert page.get_by_role("combobox", name="Features").input_value() == "Learned encoder (training run)"
    assert page.get_by_role("combobox", name="Training run").input_value().startswith("20")
    assert_clean(page)
    page.screenshot(path=str(screenshots / "8-data-learned-features.png"))
    page.close()
