"""Issue 12 in headless Chromium: a named selection outlives the run it was drawn on, a stored run reopens
from the Runs page with its map, and a cancelled training resumes with its loss curve going on."""

from __future__ import annotations

import re

import pytest

from tests.browser.pages import (assert_clean, choose, hover_first_point, lasso_around_first_point, open_app, open_page,
                                  run_pipeline, wait_for_pipeline)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def finished_run_id(page) -> str:
    return re.search(r"Run (\S+) finished in", page.get_by_text(re.compile(r"Run \S+ finished in")).inner_text()).group(1)


def test_a_named_selection_outlives_its_run_and_a_stored_run_reopens(app_url, browser, screenshots):
    page = open_app(browser, app_url, 1500)
    run_pipeline(page)
    first = finished_run_id(page)

    open_page(page, "Explore")
    page.locator("[data-testid='stPlotlyChart'] canvas").first.wait_for(timeout=60_000)
    lasso_around_first_point(page)
    page.get_by_text(re.compile(r"^\d{2,} items selected$")).wait_for(timeout=60_000)
    page.get_by_label("Name this selection").fill("kept group")
    page.get_by_role("button", name="Keep as a named cluster").click()
    page.get_by_text(re.compile(r"^kept group · \d+ items$")).wait_for(timeout=60_000)

    open_page(page, "Data")  # a new run with another seed
    wait_for_pipeline(page)
    seed = page.get_by_role("spinbutton", name="Seed")
    seed.fill("1")
    seed.press("Enter")
    page.wait_for_timeout(1000)
    page.get_by_role("button", name="Run").click()
    page.get_by_text(re.compile(rf"Run (?!{first})\S+ finished in")).wait_for(timeout=300_000)
    second = finished_run_id(page)
    assert second != first

    open_page(page, "Explore")  # the selection drawn on the first run shows on the second
    page.get_by_text(re.compile(r"^kept group · \d+ items$")).wait_for(timeout=60_000)
    open_page(page, "Report")
    page.get_by_text(re.compile(r"[1-9]\d* named selection\(s\)")).wait_for(timeout=120_000)  # other tests name some
    assert second in page.locator("[data-testid='stApp']").inner_text()

    open_page(page, "Runs")
    page.get_by_role("combobox", name="Stored run").wait_for(timeout=60_000)
    choose(page, "Stored run", next(o for o in page_options(page, "Stored run") if o.endswith(first)))
    page.get_by_role("button", name="Open this run").click()
    page.locator("h1", has_text="Explore").wait_for(timeout=120_000)
    page.locator("[data-testid='stPlotlyChart'] canvas").first.wait_for(timeout=60_000)
    assert first in page.locator("[data-testid='stSidebar']").inner_text()
    page.get_by_text(re.compile(r"^kept group · \d+ items$")).wait_for(timeout=60_000)
    assert_clean(page)
    page.screenshot(path=str(screenshots / "21-runs-reopened.png"))
    open_page(page, "Runs")
    page.locator("[data-testid='stDataFrame']").first.wait_for(timeout=60_000)
    page.locator("[data-testid='stPlotlyChart'] canvas").first.wait_for(timeout=60_000)  # the two runs compared
    page.locator("[data-testid='stPlotlyChart']").first.scroll_into_view_if_needed()
    assert hover_first_point(page).get_attribute("src").startswith("data:image/png")  # the loaded dataset's images
    page.mouse.move(5, 5)
    assert_clean(page)
    page.screenshot(path=str(screenshots / "22-runs-page.png"), full_page=True)
    page.close()


def page_options(page, label: str) -> list[str]:
    """The option texts of the select box labelled ``label`` (opened, read, closed)."""
    page.get_by_role("combobox", name=label).click()
    options = page.get_by_role("option").all_inner_texts()
    page.keyboard.press("Escape")
    return options


def test_a_cancelled_training_resumes_and_its_loss_curve_goes_on(app_url, browser, screenshots):
    page = open_app(browser, app_url, 1600)
    wait_for_pipeline(page)
    open_page(page, "Train")
    choose(page, "Encoder", "Small CNN")
    choose(page, "Method", "SimCLR")
    page.get_by_test_id("stRadioGroup").get_by_text("Epochs", exact=True).click()
    box = page.get_by_role("spinbutton", name="Epochs")
    box.fill("30")  # a minute on 2 cores: time to cancel after the first epoch, more than 10 points after
    box.press("Enter")
    page.wait_for_timeout(1000)
    page.get_by_role("button", name="Start training").click()
    page.get_by_text(re.compile(r"running · epoch \d+ · loss")).wait_for(timeout=300_000)
    page.get_by_role("button", name="Cancel").click()
    stopped = page.get_by_text(re.compile(r"cancelled at \d+%")).inner_text(timeout=60_000)
    assert "ETA" not in stopped and "Resume goes on from the last checkpoint" in stopped
    assert_clean(page)
    page.get_by_role("button", name="Resume").click()
    page.get_by_text("Finished: run").wait_for(timeout=400_000)
    xs = page.evaluate("() => document.querySelector('[data-testid=stPlotlyChart] .js-plotly-plot')"
                       "._fullData.find(t => t.name === 'step').x")
    assert len(xs) > 10 and xs == sorted(xs) and xs[-1] == pytest.approx(100)  # one curve, not two attempts
    assert_clean(page)
    page.screenshot(path=str(screenshots / "23-train-resumed.png"))
    page.close()
