"""Load test of the workshop room: a facilitator and many participants stepping at once.

Starts ``sectorsim app`` on loopback and opens the facilitator's page and ``--participants``
participants (each their own browser context and session, 500 SMEs by default) in one headless
Chromium. The participants arrive ``--arrival`` seconds apart, as people join a workshop, give
their names and stay connected. Once all are in, every participant clicks "Step" ``--steps``
times with a random pause of ``--think`` seconds (mean) between clicks.

Two latencies are measured:

- **step latency**: from a participant's click until their page shows the next month (the model
  step, the redraw of the KPI block and every chart on the server, and their display);
- **facilitator's update latency**: from that click until the facilitator's table shows the
  participant's new month (the room's notification, the facilitator page's throttled redraw of
  the table and chart, and its display). The facilitator's page records when each row's month
  first appears (a ``MutationObserver``, in the browser's clock, which is this machine's).

The reference is one participant alone, measured in the same run. Chromium runs at a lower
priority (``nice 10``), standing in for the participants' own devices elsewhere: the server is
served first when both want a core (the browsers still draw on the same cores, so the figures
are pessimistic). With ``--pin`` the server and its replication worker run on core 0 and
Chromium on the other cores instead. Other work on the machine is not stopped: the load average before and after is
recorded.

    python benchmarks/app_load.py [--participants 30] [--steps 10] [--think 3.0] [--arrival 2]

Prints a table and appends JSON lines to ``benchmarks/results/app_load.jsonl``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import statistics
import time
from pathlib import Path

import numpy as np
from playwright.async_api import TimeoutError as PlaywrightTimeout
from playwright.async_api import async_playwright

from sectorsim.app.testing import CHROMIUM_ARGS, chromium_path, running_room

RESULTS = Path(__file__).with_name("results") / "app_load.jsonl"
SERVER, BROWSER = "sectorsim.app.server", "chrom"  # how their command lines are recognised
MONTH = ".kpi-month .kpi-value"
RETRY_AFTER, RETRIES = 30.0, 3  # a step not shown after this many seconds is clicked again
LOST = ".v-overlay--active"  # what covers a page whose connection to the server dropped
WATCH_ROWS = """() => {
  window.seen = {};
  const record = () => {
    const now = Date.now();
    for (const row of document.querySelectorAll('.participant')) {
      const key = row.cells[1].innerText + ':' + row.cells[3].innerText;
      if (!(key in window.seen)) window.seen[key] = now;
    }
  };
  record();
  new MutationObserver(record).observe(document.body, {subtree: true, childList: true,
                                                       characterData: true});
}"""


async def participant(
    browser,
    url: str,
    name: str,
    steps: int,
    think: float,
    arrival: float,
    seed: int,
    room: asyncio.Barrier,
    usage: dict[str, float],
) -> list[tuple[str, int, float, float]]:
    """One participant's steps: (name, month, click time in ms since the epoch, latency s)."""
    rng = random.Random(seed)
    await asyncio.sleep(seed * arrival)
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await context.new_page()
    page.set_default_timeout(300_000)
    await page.goto(url)
    await page.wait_for_selector(MONTH)
    for attempt in range(5):  # a busy page may drop a name typed while it was still drawing
        await page.fill(".display-name input", name)
        await page.press(".display-name input", "Enter")
        try:
            await page.wait_for_function(
                f"document.querySelector('.you-are').innerText.includes('{name}')", timeout=30_000
            )
            break
        except PlaywrightTimeout:
            if attempt == 4:
                raise
    if await room.wait() == 0:  # everyone is in: the stepping starts
        usage.update(
            start=time.perf_counter(), server=-cpu_seconds(SERVER), browser=-cpu_seconds(BROWSER)
        )
    await asyncio.sleep(rng.uniform(0, think))
    steps_done = []
    for step in range(1, steps + 1):
        clicked, started = time.time() * 1000, time.perf_counter()
        for attempt in range(RETRIES + 1):
            try:
                await page.click(".step", timeout=RETRY_AFTER * 1000)
            except PlaywrightTimeout:
                if await page.locator(LOST).count():  # the page lost its connection: it stops
                    usage["dropped_pages"] = usage.get("dropped_pages", 0) + 1
                    return steps_done
                raise
            try:
                await page.wait_for_function(
                    f"Number(document.querySelector('{MONTH}')?.innerText) >= {step}",
                    polling=20,
                    timeout=RETRY_AFTER * 1000,
                )
                break
            except PlaywrightTimeout:  # a click the page never acted on: counted, clicked again
                usage["lost_clicks"] = usage.get("lost_clicks", 0) + 1
                if attempt == RETRIES:
                    raise
        steps_done.append((name, step, clicked, time.perf_counter() - started))
        await asyncio.sleep(rng.expovariate(1.0 / think))
    return steps_done  # the page stays open until the room is measured


async def room(
    links, participants: int, steps: int, think: float, arrival: float, label: str
) -> tuple[list[float], list[float], dict[str, float]]:
    """Step latencies, the facilitator's update latencies, and the CPU shares of server and
    browsers while the room stepped."""
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=chromium_path(), args=CHROMIUM_ARGS
        )
        host = await (
            await browser.new_context(viewport={"width": 1500, "height": 1000})
        ).new_page()
        host.set_default_timeout(180_000)
        await host.goto(links.facilitator)
        await host.wait_for_selector(".round-setup")
        await host.evaluate(WATCH_ROWS)
        everyone, usage = asyncio.Barrier(participants), {}
        runs = [
            participant(
                browser,
                links.participant,
                f"{label}{i:02d}",
                steps,
                think,
                arrival,
                i,
                everyone,
                usage,
            )
            for i in range(participants)
        ]
        done = [x for run in await asyncio.gather(*runs) for x in run]
        wall = time.perf_counter() - usage["start"]
        shares = {
            "wall_s": wall,
            "server_cpu_share": (usage["server"] + cpu_seconds(SERVER)) / wall,
            "browser_cpu_share": (usage["browser"] + cpu_seconds(BROWSER)) / wall,
        }
        deadline = time.monotonic() + 30  # the last months reach the facilitator's page
        while True:
            seen = await host.evaluate("window.seen")
            missing = [f"{n}:{m}" for n, m, _, _ in done if f"{n}:{m}" not in seen]
            if not missing or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.2)
        updates = [
            (seen[f"{n}:{m}"] - clicked) / 1000 for n, m, clicked, _ in done if f"{n}:{m}" in seen
        ]
        shares["facilitator_missed"] = len(missing)
        shares["lost_clicks"] = usage.get("lost_clicks", 0)
        shares["dropped_pages"] = usage.get("dropped_pages", 0)
        await browser.close()
    return [latency for *_, latency in done], updates, shares


def server_room(participants: int, steps: int, think: float) -> tuple[list, list, dict]:
    """The server's own work for a room, without browsers or websockets: ``participants``
    threads step their sessions of a :class:`Room` (each step followed by what the page
    computes for its redraw: KPI cards and the five charts), one thread does what the
    facilitator's page computes for each redraw (rows, table, chart) whenever the room changes,
    at most twice a second. Returns the step latencies, the facilitator's update latencies
    (from the start of a step until a redraw showing it) and the process's CPU share."""
    import threading

    from sectorsim.app import charts
    from sectorsim.app.facilitator import REDRAWS_PER_SECOND, participants_table
    from sectorsim.app.page import kpi_cards
    from sectorsim.app.room import Room
    from sectorsim.app.server import issue_token
    from sectorsim.app.session import DEFAULT_PRESET, stored_front

    room = Room()
    people = [room.join(issue_token()) for _ in range(participants)]
    room.start_round(DEFAULT_PRESET, 20130101, {"funding.budget": 1_000_000.0})
    front = stored_front(DEFAULT_PRESET)
    started: dict[tuple[int, int], float] = {}
    shown: dict[tuple[int, int], float] = {}
    latencies: list[float] = []
    stop = threading.Event()

    def facilitator() -> None:
        seen = room.version
        while not stop.is_set():
            now = room.wait(seen, timeout=0.5)
            if now == seen:
                continue
            seen = now
            rows = room.rows()
            participants_table(rows, DEFAULT_PRESET, "en")
            charts.room_chart(front, rows, "en")
            done = time.perf_counter()
            for row in rows:
                shown.setdefault((row["number"], row["month"]), done)
            stop.wait(1.0 / REDRAWS_PER_SECOND)

    def participant(person) -> None:
        rng = random.Random(person.number)
        time.sleep(rng.uniform(0, think))
        session = person.session
        for month in range(1, steps + 1):
            begin = time.perf_counter()
            started[person.number, month] = begin
            session.step()
            snapshot = session.snapshot()
            kpi_cards(session.kpis(), "en")
            for build in (
                charts.adoption_chart,
                charts.network_chart,
                charts.coalition_chart,
                charts.projects_chart,
                charts.budget_chart,
            ):
                build(snapshot, "en")
            latencies.append(time.perf_counter() - begin)
            time.sleep(rng.expovariate(1.0 / think))

    watcher = threading.Thread(target=facilitator)
    watcher.start()
    cpu, wall = time.process_time(), time.perf_counter()
    threads = [threading.Thread(target=participant, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    time.sleep(2.0)  # the last redraw
    stop.set()
    watcher.join()
    usage = {
        "wall_s": time.perf_counter() - wall,
        "server_cpu_share": (time.process_time() - cpu) / (time.perf_counter() - wall),
    }
    updates = [shown[key] - begin for key, begin in started.items() if key in shown]
    usage["facilitator_missed"] = len(started) - len(updates)
    return latencies, updates, usage


def cpu_seconds(name: str) -> float:
    """CPU time used so far by the processes whose command line contains ``name``."""
    total = 0.0
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and name in (proc / "cmdline").read_text():
                fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except OSError:
            continue
    return total


def describe(latencies: list[float]) -> dict[str, float]:
    ordered = sorted(latencies)
    return {
        "median_s": statistics.median(ordered),
        "p90_s": float(np.quantile(ordered, 0.9)),  # never below the median, as floor indexing
        "p99_s": float(np.quantile(ordered, 0.99)),  # of a few latencies could be
        "max_s": ordered[-1],
        "under_half_second": sum(x < 0.5 for x in ordered) / len(ordered),
        "count": len(ordered),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=30)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--think", type=float, default=3.0, help="mean pause between clicks (s)")
    parser.add_argument("--arrival", type=float, default=2.0, help="seconds between arrivals")
    parser.add_argument(
        "--pin",
        action="store_true",
        help="server on core 0, browsers on the other cores (default: all on every core, the "
        "browsers at the lowest priority)",
    )
    parser.add_argument(
        "--server-only",
        action="store_true",
        help="measure the server's own work for the room in this process, without browsers",
    )
    args = parser.parse_args()
    if args.server_only:
        server_only(args)
        return
    cores = set(range(os.cpu_count() or 1))
    server_cores = {0} if args.pin else None
    load_before = os.getloadavg()
    with running_room(cpus=server_cores) as links:
        if args.pin:
            os.sched_setaffinity(0, cores - {0})  # the browsers started from here on
        os.nice(10)  # the browsers yield to the server
        asyncio.run(room(links, 1, 3, 0.2, 0.0, "warm"))  # warm up the server's widgets
        alone_steps, alone_updates, _ = asyncio.run(room(links, 1, args.steps, 0.3, 0.0, "solo"))
        steps, updates, usage = asyncio.run(
            room(links, args.participants, args.steps, args.think, args.arrival, "p")
        )
    load_after = os.getloadavg()
    n = args.participants
    rows = [
        {"name": "app_step_latency_alone", **describe(alone_steps)},
        {
            "name": f"app_step_latency_{n}_participants",
            **describe(steps),
            "reference": "app_step_latency_alone",
            "ratio_median": statistics.median(steps) / statistics.median(alone_steps),
            **usage,
        },
        {"name": "facilitator_update_latency_alone", **describe(alone_updates)},
        {"name": f"facilitator_update_latency_{n}_participants", **describe(updates)},
    ]
    print_table(rows)
    print(
        f"while {n} participants stepped ({usage['wall_s']:.0f} s): the app server used "
        f"{usage['server_cpu_share']:.0%} of a core, the browsers {usage['browser_cpu_share']:.0%}"
        f" of a core (the machine has {os.cpu_count()}; pinned: {args.pin}); load average "
        f"{load_before[0]:.1f} before, {load_after[0]:.1f} after; "
        f"{usage['facilitator_missed']} steps never reached the facilitator's page; "
        f"{usage['lost_clicks']} clicks were not acted on within {RETRY_AFTER:.0f} s and repeated; "
        f"{usage['dropped_pages']} pages lost their connection to the server and stopped"
    )
    append_results(
        rows,
        participants=n,
        steps=args.steps,
        think_s=args.think,
        arrival_s=args.arrival,
        pinned=args.pin,
        load_average_before=load_before[0],
        load_average_after=load_after[0],
    )


def print_table(rows: list[dict]) -> None:
    """The latency rows as a table on the terminal."""
    print(f"{'case':<46}{'median':>9}{'p90':>9}{'p99':>9}{'max':>9}{'<0.5s':>8}{'n':>6}")
    for row in rows:
        print(
            f"{row['name']:<46}{row['median_s']:>9.3f}{row['p90_s']:>9.3f}{row['p99_s']:>9.3f}"
            f"{row['max_s']:>9.3f}{row['under_half_second']:>8.0%}{row['count']:>6}"
        )


def append_results(rows: list[dict], **fields) -> None:
    """Each row, with ``fields``, the machine and the date, appended to RESULTS as JSON lines."""
    RESULTS.parent.mkdir(exist_ok=True)
    with RESULTS.open("a") as out:
        for row in rows:
            row.update(
                unit="s",
                value=row["median_s"],
                **fields,
                machine=f"{platform.machine()}, {os.cpu_count()} cores",
                date=time.strftime("%Y-%m-%d"),
            )
            out.write(json.dumps(row) + "\n")


def server_only(args: argparse.Namespace) -> None:
    """``--server-only``: the room's server work alone, then for ``--participants``."""
    server_room(1, 3, 0.2)  # warm up: compiled kernels, caches
    alone, alone_updates, _ = server_room(1, args.steps, args.think)
    steps, updates, usage = server_room(args.participants, args.steps, args.think)
    n = args.participants
    rows = [
        {"name": "server_step_latency_alone", **describe(alone)},
        {"name": f"server_step_latency_{n}_participants", **describe(steps), **usage},
        {"name": "server_facilitator_update_alone", **describe(alone_updates)},
        {"name": f"server_facilitator_update_{n}_participants", **describe(updates)},
    ]
    print_table(rows)
    print(
        f"server work for {n} participants: {usage['server_cpu_share']:.0%} of a core over "
        f"{usage['wall_s']:.0f} s; load average {os.getloadavg()[0]:.1f}"
    )
    append_results(
        rows, participants=n, steps=args.steps, think_s=args.think, load_average=os.getloadavg()[0]
    )


if __name__ == "__main__":
    main()
