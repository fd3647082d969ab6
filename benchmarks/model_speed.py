"""How fast sectorsim is, and against what: every ratio is measured in the same run.

    python benchmarks/model_speed.py [--quick]

- full model (the default scenario, 180 months) in SME-months per second at 500, 10,000 and
  100,000 SMEs, with model construction timed apart;
- the per-agent Mesa reference (``per_agent_reference.py``) against sectorsim with the same Bass
  rule on the same network at 10,000 SMEs, with a check that their mean adoption curves agree;
- the numpy floor: one sparse matrix-vector product over the network and one random draw per
  SME a month, the least any implementation of a month must do;
- peak memory per SME at 100,000 and 1,000,000 SMEs, each in a fresh process;
- sweep throughput with 1 and 2 local workers and a 2-worker Dask cluster on loopback.

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
import time
from pathlib import Path

import numpy as np

from sectorsim import SectorModel, load_scenario
from sectorsim.experiments import plan
from sectorsim.experiments.runners import evaluate
from sectorsim.experiments.spec import parse_experiment

sys.path.insert(0, str(Path(__file__).parent))
from per_agent_reference import ReferenceModel  # noqa: E402

RESULTS = Path(__file__).with_name("results") / "latest.jsonl"
SCENARIO = "imvo_samen_veranderen"
MONTHS = 180
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


def full_model(n: int) -> tuple[float, float]:
    """(construction seconds, SME-months per second) of one run of the default scenario."""
    config = load_scenario(SCENARIO, {"sme.count": n, "months": MONTHS})
    model, build = timed(lambda: SectorModel(config, seed=1))
    _, run = timed(model.run)
    return build, n * MONTHS / run


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


def numpy_floor(n: int) -> float:
    """SME-months per second of the least work a month needs, on the default scenario's network."""
    network = SectorModel(load_scenario(SCENARIO, {"sme.count": n}), seed=1).network
    rng = np.random.default_rng(1)
    x = np.zeros(n)

    def months() -> None:
        for _ in range(MONTHS):
            x[:] = (network.adjacency @ x + rng.random(n)) > 0.5

    _, seconds = timed(months)
    return n * MONTHS / seconds


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
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    mib, seconds = out.stdout.split()
    return float(mib), float(seconds)


def sweep_throughput(reps: int) -> dict[str, float]:
    """Runs per second of one small sweep with 1 and 2 workers and a Dask cluster."""
    experiment = parse_experiment(SWEEP.format(reps=reps), Path("bench.toml"))
    tasks = plan(experiment)
    rates = {}
    for label, kwargs in (("1 worker", {"workers": 1}), ("2 workers", {"workers": 2})):
        _, seconds = timed(lambda kw=kwargs: evaluate(tasks, lambda _: None, **kw))
        rates[label] = len(tasks) / seconds
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1") as c:
        evaluate(tasks[:2], lambda _: None, scheduler=c.scheduler_address)  # warm the workers
        _, seconds = timed(lambda: evaluate(tasks, lambda _: None, scheduler=c.scheduler_address))
        rates["Dask, 2 workers"] = len(tasks) / seconds
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description="sectorsim speed, with same-run references")
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke test")
    quick = parser.parse_args().quick
    sizes = (500, 2_000) if quick else (500, 10_000, 100_000)
    reference_n, memory_sizes = (2_000, (20_000,)) if quick else (10_000, (100_000, 1_000_000))
    rows: list[dict] = []

    def add(name: str, value: float, unit: str, reference: str | None = None, ratio=None) -> None:
        rows.append(
            {"name": name, "value": value, "unit": unit, "reference": reference, "ratio": ratio}
        )

    for n in sizes:
        build, rate = full_model(n)
        add(f"full model, {n:,} SMEs", rate / 1e6, "million SME-months/s")
        add(f"construction, {n:,} SMEs", build, "s")
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
    _, full_rate = full_model(reference_n)
    add(
        f"per-agent Mesa (Bass) vs full model, {reference_n:,} SMEs",
        theirs / (reference_n * MONTHS / full_rate),
        "x slower than the full model",
    )
    floor_n = sizes[-1]
    floor = numpy_floor(floor_n)
    _, rate = full_model(floor_n)
    add(f"numpy floor, {floor_n:,} SMEs", floor / 1e6, "million SME-months/s")
    add(
        f"full model / floor, {floor_n:,} SMEs",
        floor / rate,
        "x the floor's time",
        "numpy floor",
        floor / rate,
    )
    idle, _ = peak_memory(0)
    add("interpreter with sectorsim imported", idle, "MiB")
    for n in memory_sizes:
        mib, seconds = peak_memory(n)
        add(f"peak memory, {n:,} SMEs", (mib - idle) * 1024 * 1024 / n, "bytes per SME")
        add(f"full run, {n:,} SMEs, 180 months", seconds, "s")
        add(f"peak memory, {n:,} SMEs (total)", mib / 1024, "GiB")
    rates = sweep_throughput(reps=2 if quick else 10)
    for label, rate in rates.items():
        add(f"sweep, {label}", rate, "runs/s")
    add(
        "parallel efficiency, 2 workers",
        rates["2 workers"] / (2 * rates["1 worker"]),
        "share",
        "1 worker",
        rates["2 workers"] / rates["1 worker"],
    )
    add(
        "parallel efficiency, Dask 2 workers",
        rates["Dask, 2 workers"] / (2 * rates["1 worker"]),
        "share",
        "1 worker",
        rates["Dask, 2 workers"] / rates["1 worker"],
    )

    print(f"{'measure':<52}{'value':>12}  unit")
    for row in rows:
        ratio = f"   (ratio {row['ratio']:.1f})" if row["ratio"] is not None else ""
        print(f"{row['name']:<52}{row['value']:>12.3f}  {row['unit']}{ratio}")
    results = RESULTS.with_stem("latest-quick") if quick else RESULTS
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
