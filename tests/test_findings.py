"""The findings' own figure: critical mass at 16% and 25% of SMEs, from stored E1 runs."""

import pandas as pd

from sectorsim.cli import main
from sectorsim.findings import critical_mass_by_share
from sectorsim.findings import main as findings_main


def test_share_table_agrees_with_the_runs_and_a_lower_share_is_reached_more_often(tmp_path):
    out = tmp_path / "e1_coalition_funding-quick"
    assert (
        main(["sweep", "experiments/e1_coalition_funding.toml", "--quick", "--out", str(out)]) == 0
    )
    table = critical_mass_by_share(tmp_path, "-quick")
    runs = pd.read_parquet(out / "runs.parquet")
    reached = runs.groupby(["coalition.initial_size", "funding.budget"])["critical_mass_reached"]
    pd.testing.assert_series_equal(
        table.set_index(["coalition.initial_size", "funding.budget"])["p_0.25"],
        reached.mean().astype(float),
        check_names=False,
    )
    assert (table["p_0.16"] >= table["p_0.25"]).all()
    figures = tmp_path / "figures"
    assert findings_main([str(tmp_path), str(figures), "-quick"]) == 0
    assert (figures / "e1_critical_mass_share.png").stat().st_size > 10_000
    assert (figures / "e1_critical_mass_share.csv").is_file()
