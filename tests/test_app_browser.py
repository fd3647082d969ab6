"""The workshop app in a real headless Chromium, against ``sectorsim app`` on loopback."""

import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest

from sectorsim import load_scenario
from sectorsim.app.session import design_levers, stored_front
from sectorsim.app.testing import chromium_path, launch_chromium, running_app

pytestmark = pytest.mark.browser

if chromium_path() is None:
    pytest.fail("Chromium is missing: `make test` installs Debian's chromium", pytrace=False)

sync_api = pytest.importorskip("playwright.sync_api")
TIMEOUT = 30_000  # ms; the first page of a fresh server compiles its widgets


@pytest.fixture(scope="module")
def app_url():
    with running_app() as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


def open_page(browser, url):
    """A page in a new browser context: a participant of its own."""
    context = browser.new_context(viewport={"width": 1600, "height": 1100}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    page.goto(url)
    page.wait_for_selector(".kpi-month .kpi-value")
    return page


def month(page) -> int:
    return int(page.inner_text(".kpi-month .kpi-value"))


def wait_month(page, predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while not predicate(month(page)):
        assert time.monotonic() < deadline, f"month stuck at {month(page)}"
        time.sleep(0.05)
    return month(page)


def moves_on(page, timeout=1.0) -> bool:
    """Whether the month shown changes within ``timeout`` seconds; a run that plays changes it
    several times a second."""
    try:
        page.wait_for_function(
            f"document.querySelector('.kpi-month .kpi-value').innerText !== '{month(page)}'",
            timeout=timeout * 1000,
        )
    except sync_api.TimeoutError:
        return False
    return True


def move_slider(page, key: str, fraction: float) -> None:
    track = page.locator(f".lever-{key.replace('.', '-')} .v-slider").bounding_box()
    page.mouse.click(track["x"] + track["width"] * fraction, track["y"] + track["height"] / 2)


def lever_text(page, key: str) -> str:
    return page.inner_text(f".lever-{key.replace('.', '-')}").splitlines()[0]


def test_step_play_pause_and_reset(browser, app_url):
    page = open_page(browser, app_url)
    assert month(page) == 0
    page.click(".step")
    page.click(".step")
    wait_month(page, lambda m: m == 2)
    page.click(".play")
    playing = wait_month(page, lambda m: m >= 8)
    page.click(".pause")
    page.wait_for_selector(".play")  # the page shows the run paused
    assert month(page) >= playing
    page.click(".reset")  # also undoes a month the play loop may have been taking at the pause
    wait_month(page, lambda m: m == 0)
    assert not moves_on(page), "a paused run moved on"
    page.click(".step")
    wait_month(page, lambda m: m == 1)
    page.context.close()


def test_language_switch_changes_every_label(browser, app_url):
    page = open_page(browser, app_url)
    assert "kantelen" in page.inner_text("h2")
    assert lever_text(page, "coalition.initial_size").startswith("Koplopers bij de start")
    page.locator(".language button").nth(1).click()
    page.wait_for_function("document.querySelector('h2').innerText.includes('tip their sector')")
    page.wait_for_function(
        "document.querySelector('.lever-coalition-initial_size').innerText"
        ".startsWith('Koplopers at the start')"
    )
    assert "Month" in page.inner_text(".kpi-month")
    page.context.close()


def test_sessions_are_isolated(browser, app_url):
    a, b = open_page(browser, app_url), open_page(browser, app_url)
    before = lever_text(b, "coalition.initial_size")
    move_slider(a, "coalition.initial_size", 0.9)
    a.wait_for_function(
        "!document.querySelector('.lever-coalition-initial_size').innerText.includes(': 12 ')"
    )
    for _ in range(3):
        a.click(".step")
    wait_month(a, lambda m: m == 3)
    b.click(".step")  # after a's three months: one month of b's own run, not a's fourth
    wait_month(b, lambda m: m == 1)
    assert lever_text(b, "coalition.initial_size") == before
    a.context.close()
    b.context.close()


def test_a_click_on_a_front_design_loads_it_into_the_sliders(browser, app_url):
    front = stored_front("imvo_samen_veranderen")
    row = front.iloc[-1]
    levers = design_levers(front, row["design"])
    page = open_page(browser, app_url)
    page.click(".step")
    wait_month(page, lambda m: m == 1)
    size = levers["coalition.initial_size"]
    assert f": {size} " not in lever_text(page, "coalition.initial_size")
    page.click(f".design-{row['design']}")
    page.wait_for_selector(".design-loaded")
    assert row["design"] in page.inner_text(".design-loaded")
    page.wait_for_function(
        f"document.querySelector('.lever-coalition-initial_size').innerText.includes(': {size} ')"
    )
    budget = f"{levers['funding.budget']:,.0f}".replace(",", ".")
    page.wait_for_function(
        f"document.querySelector('.lever-funding-budget').innerText.includes('{budget}')"
    )
    wait_month(page, lambda m: m == 0)  # the run restarted with the design
    page.click(".step")  # sent after the budget slider's rounding of the design's budget
    wait_month(page, lambda m: m == 1)
    assert budget in lever_text(page, "funding.budget"), "the slider rounded the design's budget"
    page.context.close()


def test_replications_show_the_chance_of_critical_mass(browser, app_url):
    page = open_page(browser, app_url)
    page.click(".replicate")
    page.wait_for_selector(".band-result", timeout=120_000)
    text = page.inner_text(".band-result")
    assert "20" in text and "%" in text
    page.context.close()


def test_downloads_reproduce_the_run_with_the_cli(browser, app_url, tmp_path):
    page = open_page(browser, app_url)
    move_slider(page, "funding.budget", 0.8)
    page.wait_for_function(
        "!document.querySelector('.lever-funding-budget').innerText.includes('1.000.000')"
    )
    for _ in range(24):
        page.click(".step")
    wait_month(page, lambda m: m == 24)
    with page.expect_download() as toml_download:
        page.get_by_text("Instellingen (scenario-TOML)").click()
    with page.expect_download() as csv_download:
        page.get_by_text("Data van deze run (CSV)").click()
    scenario = tmp_path / toml_download.value.suggested_filename
    toml_download.value.save_as(scenario)
    app_run = pd.read_csv(csv_download.value.path())
    page.context.close()

    config = load_scenario(str(scenario))
    assert config.funding.budget > 1_000_000
    assert len(app_run) == 25
    seed = scenario.stem.rsplit("seed", 1)[1]
    out = tmp_path / "cli"
    subprocess.run(
        [sys.executable, "-m", "sectorsim.cli", "run", str(scenario), "--seed", seed]
        + ["--reps", "1", "--out", str(out)],
        check=True,
        capture_output=True,
    )
    cli_run = pd.read_csv(out / "timeseries.csv").iloc[:25]
    for column in ("adoption_share", "coalition_size", "budget_spent"):
        np.testing.assert_allclose(cli_run[column], app_run[column], rtol=1e-12, atol=1e-12)


def test_a_room_served_beyond_localhost_works_through_its_link_only(browser):
    with running_app(host="0.0.0.0") as url:
        assert "?room=" in url
        page = open_page(browser, url)  # the page, its assets and its websocket get in
        page.click(".step")
        wait_month(page, lambda m: m == 1)
        page.context.close()
        stranger = browser.new_context().new_page()
        response = stranger.goto(url.split("?")[0])
        assert response.status == 403 and "room code" in stranger.inner_text("body")
        assert stranger.locator(".kpi-month").count() == 0
        stranger.context.close()
