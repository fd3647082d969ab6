"""How fast sectorsim is, and against what: every ratio is measured in the same run.

    python benchmarks/model_speed.py [--quick]

- one 500-SME run of the default scenario (180 months, build included) against the numpy floor
  at that size, and the full model at 10,000 and 100,000 SMEs against the floor (runs and floor
  alternating), construction timed apart; each target and whether it is met;
- the per-agent Mesa reference (``per_agent_reference.py``) against sectorsim with the same Bass
  rule on the same network at 10,000 SMEs, with a check that their mean adoption curves agree;
- the numpy floor: one sparse matrix-vector product over the network and one random draw per
  SME a month, the least any implementation of a month must do;
- peak memory per SME at 100,000 and 1,000,000 SMEs, each in a fresh process;
- a fresh process: importing sectorsim and its first run with the compiled month loaded from the
  cache, and (full version) compiled into an empty cache;
- sweep throughput with 1 and 2 local workers and a 2-worker Dask cluster on loopback, with
  Dask's default settings and with ``dask/sectorsim.yaml`` (1,000 runs), every run stored as
  ``sectorsim sweep`` stores it (``--sweeps``: only this); each parallel sweep alternates with
  the 1-worker sweep it is compared with (five pairs, a new Dask cluster for each), so that a
  machine that slows down or speeds up during the measurement moves both sides of a ratio.

Prints a table and writes JSON lines (name, value, unit, reference, ratio) to
``benchmarks/results/latest.jsonl`` (``--quick``: ``latest-quick.jsonl``, so that a smoke test
never overwrites the figures quoted in ``docs/performance.md``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from sectorsim import SectorModel, load_scenario
from sectorsim.batch import Batch
from sectorsim.batch.store import POINT_WORLD_REPLICATE
from sectorsim.experiments import plan
from sectorsim.experiments.spec import parse_experiment

sys.path.insert(0, str(Path(__file__).parent))
from per_agent_reference import ReferenceModel  # noqa: E402

RESULTS = Path(__file__).with_name("results") / "latest.jsonl"
SCENARIO = "imvo_samen_veranderen"
DASK_SETTINGS = Path(__file__).parents[1] / "dask" / "sectorsim.yaml"  # Dask for sweeps
MONTHS = 180
PAIRS = 5  # 1-worker and parallel sweeps, alternating, for each evaluator
SWEEP = """
[experiment]
name = "bench"
scenario = "imvo_samen_veranderen"
replications = {reps}
seed = 1
[factors]
coalition.initial_size = [10, 20, 30, 40]
"""


def timed(action):
    started = time.perf_counter()
    result = action()
    return result, time.perf_counter() - started


def full_model(n: int, repeat: int = 1) -> tuple[float, float]:
    """(construction seconds, seconds of the 180 months) of the default scenario, medians."""
    config = load_scenario(SCENARIO, {"sme.count": n, "months": MONTHS})
    builds, runs = [], []
    for seed in range(repeat):
        model, build = timed(lambda s=seed: SectorModel(config, seed=s))
        _, run = timed(model.run)
        builds.append(build)
        runs.append(run)
    return float(np.median(builds)), float(np.median(runs))


def bass_pair(n: int, seeds: int) -> tuple[float, float, float]:
    """Seconds per run of sectorsim and of the per-agent reference, and the largest gap between
    their mean adoption curves, with the same Bass rule on the same networks."""
    overrides = {"sme.count": n, "months": MONTHS, "network.kind": "watts_strogatz"}
    overrides |= {"adoption.initial_adopters": 10}
    config = load_scenario("bass", overrides)
    ours, theirs, fast, slow = [], [], 0.0, 0.0
    for seed in range(seeds):
        model = SectorModel(config, seed=seed)
        _, seconds = timed(model.run)
        fast += seconds
        ours.append(model.series("adoption_share"))
        reference = ReferenceModel(
            model.network.adjacency, config.adoption.p, config.adoption.q, seed
        )
        for firm in np.random.default_rng(seed).choice(n, 10, replace=False):
            reference.firms[firm].adopted = True
        reference.curve[0] = 10 / n
        _, seconds = timed(lambda r=reference: [r.step() for _ in range(MONTHS)])
        slow += seconds
        theirs.append(reference.curve)
    gap = float(np.max(np.abs(np.mean(ours, axis=0) - np.mean(theirs, axis=0))))
    return fast / seeds, slow / seeds, gap


def floor_months(n: int):
    """The least work 180 months need: one sparse product over the default scenario's network
    and one random draw per SME a month (a function of a repeat number, like a run)."""
    network = SectorModel(load_scenario(SCENARIO, {"sme.count": n}), seed=1).network
    rng = np.random.default_rng(1)
    x = np.zeros(n)

    def months(_: int) -> None:
        for _ in range(MONTHS):
            x[:] = (network.adjacency @ x + rng.random(n)) > 0.5

    return months


def against_floor(n: int, repeat: int) -> tuple[float, float, float]:
    """(build, run, floor) seconds at ``n`` SMEs, medians of ``repeat`` runs alternating with the
    floor, so that both meet the same machine."""
    config = load_scenario(SCENARIO, {"sme.count": n, "months": MONTHS})
    floor = floor_months(n)
    builds, runs, floors = [], [], []
    for seed in range(repeat):
        model, build = timed(lambda s=seed: SectorModel(config, seed=s))
        builds.append(build)
        runs.append(timed(model.run)[1])
        floors.append(timed(lambda s=seed: floor(s))[1])
    return float(np.median(builds)), float(np.median(runs)), float(np.median(floors))


def fresh_process(code: str, env: dict | None = None) -> list[str]:
    """Run ``code`` in a new interpreter; its printed words."""
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **(env or {})},
    )
    return out.stdout.split()


def first_run(cache: str | None = None) -> tuple[float, float]:
    """(seconds to import sectorsim, seconds of the first 500-SME run) in a fresh process: with
    the compiled month loaded from the cache, or compiled afresh into an empty ``cache``."""
    code = (
        "import time; t = time.perf_counter()\n"
        "from sectorsim import SectorModel, load_scenario\n"
        "i = time.perf_counter() - t; t = time.perf_counter()\n"
        f"SectorModel(load_scenario({SCENARIO!r}, {{'sme.count': 500}}), seed=1).run()\n"
        "print(i, time.perf_counter() - t)"
    )
    words = fresh_process(code, {"NUMBA_CACHE_DIR": cache} if cache else None)
    return float(words[0]), float(words[1])


def peak_memory(n: int) -> tuple[float, float]:
    """(peak resident MiB, seconds) of one full run at ``n`` SMEs in a fresh process
    (``n = 0``: the interpreter with sectorsim imported, nothing run)."""
    run = "SectorModel(c, seed=1).run()" if n else "None"
    # VmHWM, not ru_maxrss: after fork and exec, ru_maxrss can still report the parent's peak
    code = (
        "import re, time\n"
        "from sectorsim import SectorModel, load_scenario\n"
        f"c = load_scenario({SCENARIO!r}, {{'sme.count': {max(n, 10)}}})\n"
        f"t = time.perf_counter(); {run}; t = time.perf_counter() - t\n"
        "status = open('/proc/self/status').read()\n"
        "print(int(re.search(r'VmHWM:\\s+(\\d+)', status).group(1)) / 1024, t)"
    )
    mib, seconds = fresh_process(code)
    return float(mib), float(seconds)


def sweep_throughput(reps: int) -> tuple[float, dict[str, tuple[float, float]]]:
    """Runs per second of one small sweep, each run stored in a run store (its chunk's part file
    made where it ran, written by the sweep's process) as `sectorsim sweep` does, and its
    parallel efficiency: with 1 and 2 local workers and a 2-worker Dask cluster on loopback, with
    Dask's default settings and with those of ``dask/sectorsim.yaml``. Returns (1 worker's runs
    per second, {evaluator: (runs per second, efficiency)}). Each parallel sweep alternates with
    a 1-worker sweep; rates and efficiencies are medians of :data:`PAIRS` pairs."""
    import dask
    from distributed import LocalCluster

    experiment = parse_experiment(SWEEP.format(reps=reps), Path("bench.toml"))
    tasks = plan(experiment)

    def sweep(tasks: list, workers: int = 1, scheduler: str | None = None) -> None:
        with tempfile.TemporaryDirectory() as folder:
            batch = Batch(Path(folder), workers, scheduler, None)
            batch.run(batch.store(key=POINT_WORLD_REPLICATE), tasks)

    serial: list[float] = []

    def paired(parallel: Callable[[], float]) -> tuple[float, float]:  # (runs/s, efficiency)
        pairs = []
        for _ in range(PAIRS):
            serial.append(timed(lambda: sweep(tasks))[1])
            pairs.append((serial[-1], parallel()))
        ratios = [alone / (2 * together) for alone, together in pairs]
        return len(tasks) / float(np.median([t for _, t in pairs])), float(np.median(ratios))

    def on_dask(settings: list[str]) -> float:
        """Seconds of the sweep on a new cluster, closed before the next 1-worker sweep (an idle
        cluster's housekeeping would slow that down)."""
        dask.config.refresh(paths=settings)  # Dask's defaults, with the files in `settings`
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1") as c:
            # both workers import sectorsim and pyarrow and load the compiled month before the
            # clock starts, as they have in every sweep but the first on a cluster
            sweep(tasks[:16], scheduler=c.scheduler_address)
            return timed(lambda: sweep(tasks, scheduler=c.scheduler_address))[1]

    sweep(tasks[:4])  # this process imports pyarrow before the clock starts
    found = {"2 workers": paired(lambda: timed(lambda: sweep(tasks, workers=2))[1])}
    found["Dask, 2 workers, Dask's defaults"] = paired(lambda: on_dask([]))
    found["Dask, 2 workers"] = paired(lambda: on_dask([str(DASK_SETTINGS.parent)]))
    return len(tasks) / float(np.median(serial)), found


def engine_rows(add, quick: bool) -> None:
    """The engine's figures: against the floor, at scale, against Mesa, memory, fresh process."""
    large = 20_000 if quick else 100_000
    reference_n, memory_sizes = (2_000, (20_000,)) if quick else (10_000, (100_000, 1_000_000))
    SectorModel(load_scenario(SCENARIO, {"sme.count": 50}), seed=0).run()  # load the kernels
    repeat = 10 if quick else 60
    build, run, floor = against_floor(500, repeat)
    add("500 SMEs, build + 180 months", build + run, "s", "numpy floor", (build + run) / floor)
    add("  of which build", build, "s")
    add(
        "500 SMEs: run / numpy floor",
        (build + run) / floor,
        "x the floor's time",
        f"floor {floor * 1e3:.2f} ms",
        (build + run) / floor,
        "<= 5",
        (build + run) / floor <= 5,
    )
    add("500 SMEs, runs per second on one core", 1 / (build + run), "runs/s")
    if not quick:
        build, run = full_model(10_000, 3)
        add("full model, 10,000 SMEs", 10_000 * MONTHS / run / 1e6, "million SME-months/s")
    build, run, floor = against_floor(large, 3 if quick else 5)
    add(f"full model, {large:,} SMEs", large * MONTHS / run / 1e6, "million SME-months/s")
    add(
        f"{large:,} SMEs: run / numpy floor",
        run / floor,
        "x the floor's time",
        f"floor {floor:.2f} s",
        run / floor,
        "<= 3",
        run / floor <= 3,
    )
    add(f"construction, {large:,} SMEs", build, "s", target="< 1", met=build < 1)
    ours, theirs, gap = bass_pair(reference_n, seeds=3)
    add(f"Bass rule, sectorsim, {reference_n:,} SMEs", ours, "s per run")
    add(
        f"Bass rule, per-agent Mesa, {reference_n:,} SMEs",
        theirs,
        "s per run",
        f"sectorsim {ours:.3f} s",
        theirs / ours,
    )
    add("largest gap of mean adoption curves", gap, "share of SMEs")
    idle, _ = peak_memory(0)
    add("interpreter with sectorsim imported", idle, "MiB")
    for n in memory_sizes:
        mib, seconds = peak_memory(n)
        big = n == 1_000_000
        add(f"peak memory, {n:,} SMEs", (mib - idle) * 1024 * 1024 / n, "bytes per SME")
        add(
            f"full run, {n:,} SMEs, 180 months",
            seconds,
            "s",
            target="< 30" if big else None,
            met=seconds < 30 if big else None,
        )
        add(
            f"peak memory, {n:,} SMEs (total)",
            mib / 1024,
            "GiB",
            target="< 4" if big else None,
            met=mib / 1024 < 4 if big else None,
        )
    imported, first = first_run()
    add("fresh process: import sectorsim", imported, "s")
    add("fresh process: first 500-SME run (cached kernels)", first, "s")
    if not quick:
        with tempfile.TemporaryDirectory() as empty:
            _, compile_run = first_run(empty)
        add("fresh process: first run, compiling (empty cache)", compile_run, "s")


def main() -> None:
    parser = argparse.ArgumentParser(description="sectorsim speed, with same-run references")
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke test")
    parser.add_argument("--sweeps", action="store_true", help="only the sweeps' throughput")
    args = parser.parse_args()
    quick = args.quick
    rows: list[dict] = []

    def add(name, value, unit, reference=None, ratio=None, target=None, met=None) -> None:
        rows.append(
            {"name": name, "value": value, "unit": unit, "reference": reference, "ratio": ratio}
            | {"target": target, "met": met}
        )

    # the sweeps first: their 1-worker reference runs in this process, and the per-agent Mesa
    # reference leaves it garbage that slows later runs by 10-25% (the workers start afresh)
    alone, sweeps = sweep_throughput(reps=2 if quick else 250)
    if not args.sweeps:
        engine_rows(add, quick)
    add("sweep, 1 worker", alone, "runs/s")
    for label, (rate, _) in sweeps.items():
        add(f"sweep, {label}", rate, "runs/s")
    for label, (_, efficiency) in sweeps.items():
        judged = "defaults" not in label
        add(
            f"parallel efficiency, {label}",
            efficiency,
            "share",
            "1 worker, alternating",
            2 * efficiency,
            ">= 0.9" if judged else None,
            efficiency >= 0.9 if judged else None,
        )

    print(f"{'measure':<52}{'value':>12}  {'unit':<22}{'target':>8}")
    for row in rows:
        target = f"{row['target']:>8} {'met' if row['met'] else 'MISSED'}" if row["target"] else ""
        ratio = f" (ratio {row['ratio']:.1f})" if row["ratio"] is not None else ""
        print(f"{row['name']:<52}{row['value']:>12.4g}  {row['unit'] + ratio:<34}{target}")
    results = RESULTS.with_stem(
        "latest-quick" if quick else "latest-sweeps" if args.sweeps else "latest"
    )
    results.parent.mkdir(exist_ok=True)
    stamp = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "quick": quick,
    }
    with results.open("w") as out:
        for row in rows:
            out.write(json.dumps({**row, **stamp}) + "\n")
    print(f"written to {results}")


if __name__ == "__main__":
    main()
