"""The findings' own figure: critical mass at 16% and 25% of SMEs, from stored E1 runs."""

import pandas as pd
import pytest

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


def test_a_comparison_is_checked_world_by_world():
    from sectorsim.findings import Comparison, compare, funded

    per_world = pd.DataFrame(
        [
            {
                "world": w,
                "coalition.initial_size": size,
                "funding.budget": budget,
                "p_critical_mass": p,
                "replicates": 200,
            }
            for w, (small, large) in enumerate([(0.1, 0.5), (0.2, 0.6), (0.4, 0.3), (0.5, 0.5)])
            for size, p in ((10, small), (20, large))
            for budget in (0.0, 1e6)
        ]
    )
    # without a budget the larger coalition would always win: the test only sees funded points
    per_world.loc[
        (per_world["funding.budget"] == 0) & (per_world["coalition.initial_size"] == 20),
        "p_critical_mass",
    ] = 1.0
    claim = Comparison(
        "e1_coalition_funding",
        "20 rather than 10",
        {"coalition.initial_size": 20, "funding.budget": funded},
        {"coalition.initial_size": 10, "funding.budget": funded},
    )
    row = compare(per_world, claim)
    assert row["holds_in"] == 0.5 and row["reversed_in"] == 0.25 and row["no_difference_in"] == 0.25
    assert row["verdict"] == "contested"
    assert row["median_difference"] == pytest.approx(0.2)  # 0.4, 0.4, -0.1, 0
    everywhere = per_world.assign(
        p_critical_mass=per_world["coalition.initial_size"].map({10: 0.2, 20: 0.7})
    )
    assert compare(everywhere, claim)["verdict"] == "holds"
    one_sided = per_world.assign(
        p_critical_mass=[
            0.0 if row.world < 3 or row["coalition.initial_size"] == 10 else 0.6
            for _, row in per_world.iterrows()
        ]
    )
    assert compare(one_sided, claim)["verdict"] == "holds where it matters"  # 1 of 4 worlds
    missing = Comparison(
        "e1_coalition_funding",
        "30 rather than 10",
        {"coalition.initial_size": 30},
        {"coalition.initial_size": 10},
    )
    assert compare(per_world, missing) is None


def test_a_difference_within_the_replicates_noise_is_no_difference():
    from sectorsim.findings import Comparison, compare

    per_world = pd.DataFrame(
        [
            {"world": w, "coalition.initial_size": size, "p_critical_mass": p, "replicates": 5}
            for w in range(10)
            for size, p in ((10, 0.2), (20, 0.4))
        ]
    )
    claim = Comparison(
        "e1", "20 rather than 10", {"coalition.initial_size": 20}, {"coalition.initial_size": 10}
    )
    assert compare(per_world, claim)["verdict"] == "no difference"  # 1 of 5 against 2 of 5
    assert compare(per_world.assign(replicates=200), claim)["verdict"] == "holds"


def test_an_earlier_headline_is_retested_world_by_world(tmp_path):
    from sectorsim.findings import retest

    rows = []
    for world in range(10):
        for firms in (0, 4):
            for _replicate in range(4):
                rows.append(
                    {
                        "world": world,
                        "point": firms,
                        "coalition.large_firms": firms,
                        # flags only with large firms, except in worlds 0-2
                        "projects_flagged": 1.0 if firms and world > 2 else 0.0,
                        "final_adoption": 0.2 if firms else 0.3,
                    }
                )
    (tmp_path / "e3_cartel").mkdir()
    pd.DataFrame(rows).to_parquet(tmp_path / "e3_cartel" / "runs.parquet")
    table = retest(tmp_path).set_index("headline")
    flags = table.loc["large firms in the coalition bring cartel flags"]
    assert flags["holds_in"] == pytest.approx(0.7) and flags["verdict"] == "contested"
    halve = table.loc["large firms in the coalition halve adoption"]
    assert halve["holds_in"] == 0 and halve["verdict"] == "refuted"
    assert halve["median"] == pytest.approx(2 / 3)
