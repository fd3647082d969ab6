"""Load test of the workshop app: many participants stepping at once on one machine.

Starts ``sectorsim app`` on loopback and opens ``--participants`` browser contexts (each its own
session, 500 SMEs by default) in one headless Chromium; they arrive ``--arrival`` seconds apart,
as people join a workshop, and stay connected. Once all are in, every participant clicks "Step"
``--steps`` times with a random pause of ``--think`` seconds (mean) between clicks, as people in
a workshop do; the latency of a step is the time from the click until the page shows the next
month, so it includes the model step, the redraw of every chart on the server and its display in
the browser. The reference is one participant alone, measured in the same run. Chromium runs on
the same cores as the server, at a lower priority (``nice``) to stand in for the participants'
own devices; its own drawing still competes for those cores, so the figures are pessimistic for
a real room, where every participant's device draws only its own page.

    python benchmarks/app_load.py [--participants 30] [--steps 10] [--think 2.0]

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

from playwright.async_api import async_playwright

from sectorsim.app.testing import CHROMIUM_ARGS, chromium_path, running_app

RESULTS = Path(__file__).with_name("results") / "app_load.jsonl"
SERVER, BROWSER = "sectorsim.app.server", "chrom"  # how their command lines are recognised
MONTH = ".kpi-month .kpi-value"


async def participant(
    browser,
    url: str,
    steps: int,
    think: float,
    arrival: float,
    seed: int,
    room: asyncio.Barrier,
    usage: dict[str, float],
) -> list[float]:
    """One participant's step latencies in seconds."""
    rng = random.Random(seed)
    await asyncio.sleep(seed * arrival)
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await context.new_page()
    page.set_default_timeout(120_000)
    await page.goto(url)
    await page.wait_for_selector(MONTH)
    if await room.wait() == 0:  # everyone is in: the stepping starts
        usage.update(
            start=time.perf_counter(), server=-cpu_seconds(SERVER), browser=-cpu_seconds(BROWSER)
        )
    await asyncio.sleep(rng.uniform(0, think))
    latencies = []
    for step in range(1, steps + 1):
        started = time.perf_counter()
        await page.click(".step")
        await page.wait_for_function(
            f"document.querySelector('{MONTH}')?.innerText === '{step}'", polling=20
        )
        latencies.append(time.perf_counter() - started)
        await asyncio.sleep(rng.expovariate(1.0 / think))
    return latencies  # the page stays open until the room is measured


async def room(
    url: str, participants: int, steps: int, think: float, arrival: float = 0.0
) -> tuple[list[float], dict[str, float]]:
    """All step latencies, and the CPU shares of server and browsers while the room stepped."""
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=chromium_path(), args=CHROMIUM_ARGS
        )
        everyone, usage = asyncio.Barrier(participants), {}
        runs = [
            participant(browser, url, steps, think, arrival, seed, everyone, usage)
            for seed in range(participants)
        ]
        latencies = [x for run in await asyncio.gather(*runs) for x in run]
        wall = time.perf_counter() - usage["start"]
        shares = {
            "wall_s": wall,
            "server_cpu_share": (usage["server"] + cpu_seconds(SERVER)) / wall,
            "browser_cpu_share": (usage["browser"] + cpu_seconds(BROWSER)) / wall,
        }
        await browser.close()
    return latencies, shares


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
        "p90_s": ordered[int(0.9 * (len(ordered) - 1))],
        "p99_s": ordered[int(0.99 * (len(ordered) - 1))],
        "max_s": ordered[-1],
        "under_half_second": sum(x < 0.5 for x in ordered) / len(ordered),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=30)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--think", type=float, default=2.0, help="mean pause between clicks (s)")
    parser.add_argument("--arrival", type=float, default=3.0, help="seconds between arrivals")
    args = parser.parse_args()
    with running_app() as url:
        os.nice(10)  # the browsers started from here on yield the cores to the server
        asyncio.run(room(url, 1, 3, 0.2))  # warm up the server's widgets
        alone = describe(asyncio.run(room(url, 1, args.steps, 0.3))[0])
        latencies, usage = asyncio.run(
            room(url, args.participants, args.steps, args.think, args.arrival)
        )
        crowd = describe(latencies)
    rows = [
        {"name": "app_step_latency_alone", **alone},
        {
            "name": f"app_step_latency_{args.participants}_participants",
            **crowd,
            "reference": "app_step_latency_alone",
            "ratio_median": crowd["median_s"] / alone["median_s"],
            **usage,
        },
    ]
    print(f"{'case':<40}{'median':>9}{'p90':>9}{'p99':>9}{'max':>9}{'<0.5s':>8}")
    for row in rows:
        print(
            f"{row['name']:<40}{row['median_s']:>9.3f}{row['p90_s']:>9.3f}{row['p99_s']:>9.3f}"
            f"{row['max_s']:>9.3f}{row['under_half_second']:>8.0%}"
        )
    print(
        f"while {args.participants} participants stepped ({usage['wall_s']:.0f} s): the app server "
        f"used {usage['server_cpu_share']:.0%} of a core, the browsers "
        f"{usage['browser_cpu_share']:.0%} of a core (the machine has {os.cpu_count()})"
    )
    RESULTS.parent.mkdir(exist_ok=True)
    with RESULTS.open("a") as out:
        for row in rows:
            row.update(
                unit="s",
                value=row["median_s"],
                steps=args.steps,
                think_s=args.think,
                arrival_s=args.arrival,
                machine=f"{platform.machine()}, {os.cpu_count()} cores",
                date=time.strftime("%Y-%m-%d"),
            )
            out.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main()
