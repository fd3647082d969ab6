"""The workshop room in a real headless Chromium: a facilitator and several participants, each
in a browser context of their own, against ``sectorsim app --host 0.0.0.0`` (both codes)."""

import re
import urllib.error
import urllib.request

import pytest

from sectorsim.app.testing import (
    chromium_path,
    launch_chromium,
    row_of,
    running_room,
    wait_row,
)
from sectorsim.app.testing import facilitator_page as facilitator
from sectorsim.app.testing import participant_page as participant

pytestmark = pytest.mark.browser

if chromium_path() is None:
    pytest.fail("Chromium is missing: `make test` installs Debian's chromium", pytrace=False)

sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def links():
    with running_room(host="0.0.0.0") as room:
        yield room


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


def test_locking_a_lever_disables_it_for_every_participant(browser, links):
    host = facilitator(browser, links)
    people = [participant(browser, links, name) for name in ("Ann", "Bram", "Chen")]
    for name in ("Ann", "Bram", "Chen"):
        row_of(host, name)
    people[0].click(".step")  # a run in progress is reset by the new round
    people[0].wait_for_function("document.querySelector('.kpi-month .kpi-value').innerText === '1'")
    host.click(".locks")
    host.click(".lock-funding-budget")
    host.click(".start-round")
    for page in people:
        page.wait_for_selector(".lever-funding-budget.locked")
        assert page.locator(".lever-funding-budget input").first.is_disabled()
        assert "€ 1.000.000" in page.inner_text(".lever-funding-budget")
        assert "Ronde" in page.inner_text(".round-info")
        assert page.inner_text(".kpi-month .kpi-value") == "0"
        assert page.locator(".preset input").first.is_disabled()
    # other levers still move
    people[1].locator(".lever-coalition-initial_size .v-slider").click()
    people[1].wait_for_function(
        "!document.querySelector('.lever-coalition-initial_size').innerText.includes(': 12 ')"
    )
    wait_row(host, "Bram", "t.includes('Koplopers bij de start')")
    for page in [host, *people]:
        page.context.close()


def test_a_participants_replications_appear_on_the_facilitators_page(browser, links):
    host = facilitator(browser, links)
    page = participant(browser, links, "Dewi")
    assert row_of(host, "Dewi").rstrip().endswith("—")  # no replications yet
    page.click(".replicate")
    page.wait_for_selector(".band-result", timeout=240_000)
    shown = re.search(r"(\d+)%", page.inner_text(".band-result")).group(1)
    wait_row(host, "Dewi", "t.includes('n=20')")
    assert f"{shown}% (" in row_of(host, "Dewi")
    host.wait_for_function(  # the programme is on the chart too, as a named point
        "document.querySelector('.room-chart') !== null"
    )
    page.context.close()
    host.context.close()


def status_of(url: str, cookie: str | None = None) -> int:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_a_participant_cannot_reach_the_facilitators_page(browser, links):
    page = participant(browser, links, "Eva")
    base = links.participant.split("?")[0]
    code = links.participant.split("room=")[1]
    for url in (f"{base}facilitator", f"{base}facilitator?room={code}"):
        response = page.goto(url)
        assert response.status == 403
        assert "facilitator" in page.inner_text("body")
        assert page.locator(".round-setup").count() == 0
    # the participant's page holds none of the facilitator's controls
    page.goto(links.participant)
    page.wait_for_selector(".kpi-month .kpi-value")
    for control in (".round-setup", ".start-round", ".lock", ".participants", ".room-chart"):
        assert page.locator(control).count() == 0
    # client-side navigation to the facilitator's route shows the refusal, not the controls
    page.evaluate(
        "window.history.pushState({}, '', '/facilitator'); solara.router.push('/facilitator')"
    )
    page.wait_for_selector(".facilitator-refused")
    assert page.locator(".round-setup").count() == 0
    page.context.close()
    assert status_of(f"{base}facilitator?room={code}") == 403


def test_a_reloaded_participant_keeps_their_place(browser, links):
    host = facilitator(browser, links)
    page = participant(browser, links, "Femke")
    rows_before = host.locator(".participant").count()
    page.locator(".lever-coalition-initial_size .v-slider").click()
    page.wait_for_function(
        "!document.querySelector('.lever-coalition-initial_size').innerText.includes(': 12 ')"
    )
    chosen = page.inner_text(".lever-coalition-initial_size").splitlines()[0]
    for _ in range(3):
        page.click(".step")
    page.wait_for_function("document.querySelector('.kpi-month .kpi-value').innerText === '3'")
    page.reload()
    page.wait_for_selector(".kpi-month .kpi-value")
    assert "Femke" in page.inner_text(".you-are")
    assert page.inner_text(".kpi-month .kpi-value") == "3"
    assert page.inner_text(".lever-coalition-initial_size").splitlines()[0] == chosen
    page.click(".step")
    page.wait_for_function("document.querySelector('.kpi-month .kpi-value').innerText === '4'")
    wait_row(host, "Femke", "t.split('\\t')[3] === '4'")
    assert host.locator(".participant").count() == rows_before  # the same row, not a new one
    page.context.close()
    host.context.close()
