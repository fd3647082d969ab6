"""Shared fixtures: small configurations that run in milliseconds."""

import pytest

from sectorsim import SectorModel, load_scenario


@pytest.fixture(scope="session", autouse=True)
def compiled_month():
    """Compile the month (or load it from the cache) once, before any test starts a process of
    its own (the app's server, the command line, pool and Dask workers) that would need it."""
    SectorModel(
        load_scenario("imvo_samen_veranderen", {"sme.count": 30, "months": 2}), seed=0
    ).run()


@pytest.fixture
def small_config():
    """The baseline at 200 SMEs over 60 months."""
    return load_scenario("baseline", {"sme.count": 200, "months": 60})


@pytest.fixture(scope="session")
def dask_scheduler():
    """The address of a real 2-worker Dask cluster on loopback, shared by the tests that compare
    a Dask run with a local one."""
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        yield cluster.scheduler_address
