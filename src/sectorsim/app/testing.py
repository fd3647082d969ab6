"""Serving the app and driving it in headless Chromium, for the browser tests and the load test."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from typing import NamedTuple

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    """Debian's Chromium (``$SECTORSIM_CHROMIUM`` overrides), or None if there is none."""
    return os.environ.get("SECTORSIM_CHROMIUM") or shutil.which("chromium")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Links(NamedTuple):
    """The two links ``sectorsim app`` prints, as opened on this machine."""

    participant: str
    facilitator: str


@contextlib.contextmanager
def running_room(
    port: int | None = None,
    timeout: float = 60.0,
    host: str = "127.0.0.1",
    cpus: set[int] | None = None,
) -> Iterator[Links]:
    """Serve ``sectorsim app --host HOST``; yield its participants' and facilitator's links on
    this machine (with the room code when the room needs one, as printed); stop the server
    afterwards. ``cpus``: the processor numbers the server (and its worker) may run on."""
    port = port or free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "sectorsim.cli", "app", "--host", host, "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        preexec_fn=None if cpus is None else lambda: os.sched_setaffinity(0, cpus),
    )
    try:
        printed = ""
        while "Ctrl-C stops" not in printed and server.poll() is None:
            printed += server.stdout.readline()
        threading.Thread(target=server.stdout.read, daemon=True).start()  # keep the pipe drained
        room = re.search(r"http://127\.0\.0\.1:\d+/\?room=[\w-]+", printed)
        url = room.group(0) if room else f"http://127.0.0.1:{port}/"
        facilitator = re.search(r"http://127\.0\.0\.1:\d+/facilitator\?room=[\w-]+", printed)
        if facilitator is None:
            raise RuntimeError(f"no facilitator's link in {printed!r}")
        deadline = time.monotonic() + timeout
        while True:
            try:
                urllib.request.urlopen(url, timeout=2).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the app did not start on {url}") from None
                time.sleep(0.3)
        yield Links(url, facilitator.group(0))
    finally:
        server.terminate()
        server.wait(timeout=20)


@contextlib.contextmanager
def running_app(
    port: int | None = None, timeout: float = 60.0, host: str = "127.0.0.1"
) -> Iterator[str]:
    """As :func:`running_room`, yielding the participants' link only."""
    with running_room(port, timeout, host) as links:
        yield links.participant


def launch_chromium(playwright):  # noqa: ANN001, ANN201 - playwright's own types
    """Headless Debian Chromium through Playwright."""
    return playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)


# Pages of a room in one browser: a facilitator and participants, each in a context of their own.
PAGE_TIMEOUT = 60_000  # ms; the first page of a fresh server compiles its widgets


def new_page(browser):  # noqa: ANN001, ANN201 - playwright's own types
    """A page in a browser context of its own (its own cookies: its own participant)."""
    context = browser.new_context(viewport={"width": 1500, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(PAGE_TIMEOUT)
    return page


def facilitator_page(browser, links: Links):  # noqa: ANN001, ANN201
    """The facilitator's page, once its round settings are there."""
    page = new_page(browser)
    page.goto(links.facilitator)
    page.wait_for_selector(".round-setup")
    return page


def participant_page(browser, links: Links, name: str):  # noqa: ANN001, ANN201
    """A participant who joins with ``name``."""
    page = new_page(browser)
    page.goto(links.participant)
    page.wait_for_selector(".kpi-month .kpi-value")
    page.fill(".display-name input", name)
    page.press(".display-name input", "Enter")
    page.wait_for_function(f"document.querySelector('.you-are').innerText.includes({name!r})")
    return page


def row_of(page, name: str) -> str:  # noqa: ANN001
    """The facilitator's table row of ``name`` (its cells' text), once it is there."""
    wait_row(page, name, "true")
    return page.evaluate(
        "name => [...document.querySelectorAll('.participant')]"
        ".find(r => r.cells[1].innerText === name).innerText",
        name,
    )


def wait_row(page, name: str, predicate_js: str) -> None:  # noqa: ANN001
    """Wait until ``predicate_js`` (on the row's text ``t``) holds for the row of ``name``."""
    page.wait_for_function(
        "([name, body]) => { const r = [...document.querySelectorAll('.participant')]"
        ".find(r => r.cells[1].innerText === name); if (!r) return false;"
        " const t = r.innerText; return eval(body); }",
        arg=[name, predicate_js],
    )
