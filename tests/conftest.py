"""Shared fixtures: small configurations that run in milliseconds."""

import pytest

from sectorsim import load_scenario


@pytest.fixture
def small_config():
    """The baseline at 200 SMEs over 60 months."""
    return load_scenario("baseline", {"sme.count": 200, "months": 60})
