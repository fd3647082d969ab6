"""A workshop round as a facilitator and three participants run it, in headless Chromium, with a
screenshot of each view: ``python -m sectorsim.app.walkthrough DIR`` (``make screenshots`` writes
them to ``docs/figures/room/``, shown in docs/app.md).

The facilitator locks the budget at its value and starts a round; Ann, Bram and Chen each pick
another founding coalition, step a few months and run 20 replications; the facilitator watches
the table and the chart, opens the debrief and runs the programmes in plausible worlds.
"""

from __future__ import annotations

import sys
from pathlib import Path

from sectorsim.app.testing import (
    facilitator_page,
    launch_chromium,
    participant_page,
    running_room,
    wait_row,
)

PEOPLE = {"Ann": 0.15, "Bram": 0.45, "Chen": 0.9}  # where each clicks the koplopers' slider
SIZE = ".lever-coalition-initial_size"


def walk(folder: Path) -> list[Path]:
    """Run the round and save the screenshots in ``folder``; return their paths."""
    from playwright.sync_api import sync_playwright

    folder.mkdir(parents=True, exist_ok=True)
    shots: list[Path] = []

    def shoot(page, name: str, height: int = 1000) -> None:  # noqa: ANN001
        """A screenshot ``height`` pixels high (the page scrolls inside Solara's layout)."""
        page.set_viewport_size({"width": 1500, "height": height})
        shots.append(folder / f"{len(shots) + 1}-{name}.png")
        page.screenshot(path=shots[-1])

    with running_room(host="0.0.0.0") as links, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        host = facilitator_page(browser, links)
        people = {name: participant_page(browser, links, name) for name in PEOPLE}
        for name in PEOPLE:
            wait_row(host, name, "true")
        shoot(host, "facilitator-free-play", 1500)
        host.click(".locks")
        host.click(".lock-funding-budget")
        host.click(".start-round")
        for name, at in PEOPLE.items():
            page = people[name]
            page.wait_for_selector(".lever-funding-budget.locked")
            slider = page.locator(f"{SIZE} .v-slider").first
            box = slider.bounding_box()
            slider.click(position={"x": at * box["width"], "y": box["height"] / 2})
            page.wait_for_function(f"!document.querySelector('{SIZE}').innerText.includes(': 12 ')")
            for _ in range(3):
                page.click(".step")
            page.wait_for_function(
                "document.querySelector('.kpi-month .kpi-value').innerText === '3'"
            )
            page.click(".replicate")
        for name, page in people.items():
            page.wait_for_selector(".band-result", timeout=300_000)
            wait_row(host, name, "t.includes('n=20')")
        shoot(people["Bram"], "participant-in-a-round", 1300)
        shoot(host, "facilitator-round", 1700)
        host.click(".debrief-toggle")
        host.wait_for_selector(".run-worlds")
        shoot(host, "debrief", 1500)
        host.click(".run-worlds")
        host.wait_for_selector(".worlds-table", timeout=600_000)
        shoot(host, "debrief-worlds", 1700)
        browser.close()
    return shots


def main(argv: list[str]) -> int:
    for path in walk(Path(argv[0] if argv else "docs/figures/room")):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
