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
