"""The batch layer: chunks, evaluators, the output folder's manifest however the work ends."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sectorsim import SectorModel, load_scenario
from sectorsim.batch import (
    RunFailed,
    Scenario,
    Task,
    batch_folder,
    replicate_tasks,
    run_all,
    run_replicates,
)
from sectorsim.batch.runners import MAX_CHUNK, SHARE, chunks
from sectorsim.batch.store import ROW_KEY, stored_rows
from sectorsim.validation import replicates

SMALL = {"sme.count": 60, "months": 24}


@pytest.fixture(scope="module")
def config():
    return load_scenario("imvo_samen_veranderen", SMALL)


def point_tasks(config, count):
    """Replicates of one point, keyed as a run store wants them."""
    return [
        Task(config, t.seed, {"run_id": r, "point": 0, "replicate": r})
        for r, t in enumerate(replicate_tasks(config, 1, count))
    ]


@pytest.mark.parametrize(
    ("count", "workers"), [(1, 4), (7, 2), (40, 2), (200, 2), (1000, 3), (5, 8)]
)
def test_chunks_hold_every_task_once_in_order_and_fall_to_single_runs(count, workers):
    tasks = [Task(None, seed) for seed in range(count)]
    found = chunks(tasks, workers)
    assert [index for chunk in found for index, _ in chunk] == list(range(count))
    assert all(tasks[index] is task for chunk in found for index, task in chunk)
    sizes = [len(chunk) for chunk in found]
    assert max(sizes) <= MAX_CHUNK and sizes == sorted(sizes, reverse=True)
    # each takes its share of what is left: the workers' last chunks are single runs
    left = np.cumsum(sizes[::-1])[::-1]  # tasks not yet handed out before each chunk
    assert all(s == 1 or s <= n / (SHARE * workers) for s, n in zip(sizes, left, strict=True))
    assert sizes[-min(count, SHARE * workers - 1) :] == [1] * min(count, SHARE * workers - 1)
    if count >= 1000:
        assert sizes[0] == MAX_CHUNK  # handed out in few chunks: 1,000 runs in fewer than 60
        assert len(found) < 60


def test_pool_and_executor_give_the_serial_runs_in_task_order(config):
    tasks = replicate_tasks(config, 5, 6)
    serial = run_all(tasks)
    pooled = run_all(tasks, workers=2)
    with ThreadPoolExecutor(2) as executor:
        executed = run_all(tasks, executor=executor)
    for runs in (pooled, executed):
        assert [r.task.keys for r in runs] == [{"replicate": r} for r in range(6)]
        for mine, theirs in zip(runs, serial, strict=True):
            assert mine.values == theirs.values
            assert mine.timeseries.equals(theirs.timeseries)


def test_a_failed_run_is_recorded_by_evaluate_and_raised_by_run_all():
    bad = Task(
        Scenario("imvo_samen_veranderen", {"sme.count": 20, "adoption.initial_adopters": 30}), 1
    )
    with pytest.raises(RunFailed, match="initial_adopters"):
        run_all([bad])


def test_replicates_read_as_the_models_they_ran():
    runs = replicates("imvo_samen_veranderen", SMALL, reps=2, seed=3)
    config = load_scenario("imvo_samen_veranderen", SMALL)
    for run, seed in zip(runs, [t.seed for t in replicate_tasks(config, 3, 2)], strict=True):
        model = SectorModel(config, seed=seed).run()
        assert np.array_equal(run.series("adoption_share"), model.series("adoption_share"))
        assert run.summary() == model.summary()


def test_run_replicates_put_the_replicate_first(config):
    runs, timeseries = run_replicates(config, 2, 3, workers=2)
    assert list(runs["replicate"]) == [0, 1, 2] and runs.columns[0] == "replicate"
    assert timeseries.columns[0] == "replicate" and set(timeseries["replicate"]) == {0, 1, 2}


@pytest.mark.parametrize("stop", [RuntimeError("a bug"), KeyboardInterrupt()])
def test_an_interrupted_batch_keeps_its_runs_and_says_interrupted(tmp_path, config, stop):
    tasks = point_tasks(config, 3)

    def stop_after_two(run):
        if run.task.keys["replicate"] == 1:
            raise stop

    out = tmp_path / "out"
    with pytest.raises(type(stop)), batch_folder(out, "abc", "experiment", workers=1) as batch:
        batch.run(batch.store(), tasks, on_run=stop_after_two)
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["status"] == "interrupted" and manifest["runs_done"] == 2
    assert len(stored_rows(tmp_path / "out" / "parts")) == 2


def test_a_finished_batch_says_complete_with_its_counts(tmp_path, config):
    tasks = point_tasks(config, 2)
    seen = []
    with batch_folder(
        tmp_path / "out",
        "abc",
        "experiment",
        workers=1,
        progress=lambda *p: seen.append(p),
        note="x",
    ) as batch:
        batch.total = 2
        batch.run(batch.store(), tasks)
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["note"] == "x"
    assert (manifest["runs_done"], manifest["runs_failed"]) == (2, 0)
    assert seen == [(1, 2), (2, 2)]
    assert (tmp_path / "out" / "runs.parquet").is_file()


@pytest.mark.parametrize("workers", [1, 2])
def test_a_store_writes_a_part_a_chunk_and_gathers_the_runs_as_they_ran(tmp_path, config, workers):
    tasks = point_tasks(config, 40)
    expected = run_all(tasks)
    with batch_folder(tmp_path / "out", "abc", "experiment", workers=workers) as batch:
        batch.run(batch.store(), tasks)
    parts = sorted((tmp_path / "out" / "parts").glob("*.parquet"))
    assert len(parts) == len(chunks(tasks, workers)) < len(tasks)
    runs, timeseries = batch.gathered[""]
    assert list(runs["replicate"]) == list(range(40))
    for run, (_, row) in zip(expected, runs.iterrows(), strict=True):
        assert row["final_adoption"] == run.values["final_adoption"]
        months = timeseries[timeseries["run_id"] == row["run_id"]].drop(columns="run_id")
        pd.testing.assert_frame_equal(months.reset_index(drop=True), run.timeseries)


def test_a_store_with_a_part_of_one_run_as_earlier_versions_wrote_gathers_and_resumes(
    tmp_path, config
):
    """A folder left by a version that wrote one file a run is still resumed and gathered."""
    tasks = point_tasks(config, 6)
    expected = run_all(tasks)
    old = expected[2]
    table = pa.Table.from_pandas(old.timeseries, preserve_index=False)
    folder = {"fingerprint": "abc", "kind": "experiment", "experiment_hash": "abc", "workers": 1}
    with batch_folder(tmp_path / "out", **folder) as batch:
        batch.store()  # the folder and its manifest, no runs yet
    meta = {ROW_KEY: json.dumps({**old.task.keys, **old.values}, default=float)}
    part = tmp_path / "out" / "parts" / "run-000000-000002.parquet"
    pq.write_table(table.replace_schema_metadata(meta), part)
    with batch_folder(tmp_path / "out", resume=True, **folder) as batch:
        store = batch.store()
        assert store.done() == {(0, 2)}
        batch.run(store, [t for t in tasks if t.keys["replicate"] != 2])
    runs, timeseries = batch.gathered[""]
    assert list(runs["replicate"]) == list(range(6))
    assert list(runs["final_adoption"]) == [r.values["final_adoption"] for r in expected]
    assert (timeseries.groupby("run_id").size() == len(old.timeseries)).all()
    months = timeseries[timeseries["run_id"] == 2].drop(columns="run_id")
    pd.testing.assert_frame_equal(months.reset_index(drop=True), old.timeseries)


def test_the_dask_settings_for_sweeps_name_settings_dask_has():
    """A mistyped key in dask/sectorsim.yaml would change nothing, silently."""
    import dask
    import distributed  # noqa: F401 - registers the distributed defaults
    import yaml

    path = Path(__file__).parents[1] / "dask" / "sectorsim.yaml"
    ours = yaml.safe_load(path.read_text())

    def check(tree: dict, defaults: dict, where: str) -> None:
        for key, value in tree.items():
            assert key in defaults, f"{where}{key} is not a Dask setting"
            if isinstance(value, dict):
                check(value, defaults[key], f"{where}{key}.")
            else:
                assert value != defaults[key], f"{where}{key} is Dask's default already"

    defaults: dict = {}
    for layer in dask.config.defaults:  # every package's defaults, merged as Dask merges them
        dask.config.update(defaults, layer)
    check(ours, defaults, "")
