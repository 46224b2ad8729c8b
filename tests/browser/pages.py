"""What the browser tests do on the app's pages, as a person would: open the app, pick in select boxes, go
to a page, lasso on the map, train, and check that nothing on screen shows an error."""

from __future__ import annotations

import re

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


def first_point(page, trace: int = 0) -> tuple[float, float]:
    """Page coordinates of the first point of the first chart's trace ``trace`` (negative: from the last), where
    plotly.js draws it."""
    return page.evaluate("""(trace) => {
        const gd = document.querySelector('[data-testid=stPlotlyChart] .js-plotly-plot');
        const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis, box = gd.getBoundingClientRect();
        const t = gd._fullData[trace < 0 ? gd._fullData.length + trace : trace];
        return [box.left + xa._offset + xa.l2p(t.x[0]), box.top + ya._offset + ya.l2p(t.y[0])];
    }""", trace)


def hover_first_point(page, tries: int = 3):
    """Rest the mouse on the first point; returns the hover thumbnail's image once it shows. A chart drawn again
    under the resting mouse (the page settling after its last element) takes the thumbnail with it and sends no new
    hover: the mouse then moves off and back, up to ``tries`` times in all."""
    thumb = page.locator("#cs-hover-thumb img")
    for attempt in range(tries):
        x, y = first_point(page)  # where the point is now
        page.mouse.move(x - 8, y - 8)
        page.mouse.move(x, y, steps=4)
        try:
            thumb.wait_for(state="visible", timeout=15_000)
            return thumb
        except Exception:  # playwright's TimeoutError
            if attempt == tries - 1:
                raise
            page.mouse.move(5, 5)
    return thumb


def click_first_point(page, trace: int = 0) -> None:
    x, y = first_point(page, trace)
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


# The x-range the first chart shows, in map units (infinite while it is drawn again: not there for a moment).
MAP_WIDTH = """() => { const gd = document.querySelector('[data-testid=stPlotlyChart] .js-plotly-plot');
    if (!gd || !gd._fullLayout) return Infinity;
    const r = gd._fullLayout.xaxis.range; return r[1] - r[0]; }"""


def map_width(page) -> float:
    return page.evaluate(MAP_WIDTH)


def _plot_area(page) -> dict:
    """The first chart's plotting area (its drag layer), in page coordinates, once it is there: while Streamlit
    swaps the chart for its next drawing there is none for a moment (its box: None)."""
    area = page.locator("[data-testid=stPlotlyChart] .js-plotly-plot .nsewdrag").first
    for _ in range(60):
        area.wait_for(state="visible", timeout=60_000)
        box = area.bounding_box()
        if box is not None:
            return box
        page.wait_for_timeout(500)
    raise AssertionError("the chart's plotting area never stayed on the page long enough to be read")


def zoom_with_the_mouse(page, notches: int = 5) -> None:
    """Scroll the mouse wheel ``notches`` times over the first chart, a third of the way across it."""
    box = _plot_area(page)
    page.mouse.move(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.4)
    for _ in range(notches):
        page.mouse.wheel(0, -200)
        page.wait_for_timeout(120)


def double_click_the_map(page) -> None:
    box = _plot_area(page)
    page.mouse.dblclick(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5)


def items_in_view(zoomed) -> int:
    """The count of items in view that the caption "Zoomed in: N of M items in view…" (a locator) says."""
    return int(re.search(r"Zoomed in: ([\d,]+) of", zoomed.inner_text()).group(1).replace(",", ""))


def open_page(page, title: str) -> None:
    page.locator("[data-testid='stSidebarNav']").get_by_text(title, exact=True).click()
    page.locator("h1", has_text=title).wait_for(timeout=60_000)


def train_for_epochs(page, encoder: str, method: str, epochs: int) -> None:
    """On the Train page: pick encoder and method, an epoch budget, start, and wait for the end."""
    choose(page, "Encoder", encoder)
    choose(page, "Method", method)
    page.get_by_test_id("stRadioGroup").get_by_text("Epochs", exact=True).click()  # not the runs table's column
    box = page.get_by_role("spinbutton", name="Epochs")
    box.fill(str(epochs))
    box.press("Enter")
    page.wait_for_timeout(1000)
    page.get_by_role("button", name="Start training").click()
    page.get_by_text("Finished: run").wait_for(timeout=400_000)


def open_app(browser, url: str, height: int, **options):
    """A new 1400 px wide tab on the app."""
    page = browser.new_page(viewport={"width": 1400, "height": height}, **options)
    page.goto(url)
    return page


def wait_for_pipeline(page) -> None:
    page.get_by_text("Pipeline", exact=True).wait_for(timeout=120_000)


def upload(page, source: str, path, button: str, name: str) -> None:
    """On the Data page: pick ``source``, give its uploader the file at ``path``, press ``button``, and wait for
    the dataset ``name``'s heading."""
    wait_for_pipeline(page)
    page.get_by_text(source, exact=True).click()
    page.locator("input[type=file]").first.set_input_files(str(path))
    page.get_by_role("button", name=button).click()
    page.locator("h3", has_text=name).wait_for(timeout=120_000)


def run_pipeline(page) -> None:
    """Press Run on the Data page and wait for the run to finish."""
    wait_for_pipeline(page)
    page.get_by_role("button", name="Run").click()
    page.get_by_text("finished in").wait_for(timeout=300_000)


def use_demo(page, label: str, name: str) -> None:
    wait_for_pipeline(page)
    choose(page, "Demo dataset", label)
    page.get_by_role("button", name=f"Use {name}").click()
    page.locator("h3", has_text=name).wait_for(timeout=120_000)
