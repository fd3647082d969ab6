"""The light install: the core runs without the optional stacks, and a command whose extra is
missing says which extra to install."""

import subprocess
import sys

import pytest

from sectorsim import _extras
from sectorsim.cli import main

HEAVY = ("dask", "distributed", "optuna", "solara", "ema_workbench", "sklearn", "statsmodels")
OPTIONAL = (*HEAVY, "pyarrow", "SALib", "altair", "tabulate", "ipyvuetify")

BLOCK = """
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {blocked!r}:
            raise ImportError("blocked: " + name)
sys.meta_path.insert(0, Block())
"""


def _python(code: str, tmp_path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=300
    )


def test_help_imports_none_of_the_heavy_stacks(tmp_path):
    code = (
        "import sys\nfrom sectorsim.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted({m.split('.')[0] for m in sys.modules}))"
    )
    loaded = _python(code, tmp_path).stdout.splitlines()[-1]
    for module in (*HEAVY, "mesa", "pandas", "matplotlib", "pyarrow", "scipy"):
        assert f"'{module}'" not in loaded, module


def test_run_needs_none_of_the_extras(tmp_path):
    code = BLOCK.format(blocked=set(OPTIONAL)) + (
        "from sectorsim.cli import main\n"
        "sys.exit(main(['run', 'baseline', '--set', 'sme.count=100', '--set', 'months=12', "
        "'--reps', '2', '--out', 'out']))"
    )
    done = _python(code, tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out" / "runs.csv").is_file()
    assert (tmp_path / "out" / "adoption.png").is_file()


@pytest.mark.parametrize(
    ("argv", "extra", "module"),
    [
        (["sweep", "experiments/e1_coalition_funding.toml"], "sweeps", "SALib"),
        (["analyze", "results/x"], "sweeps", "pyarrow"),
        (["design", "experiments/design_programme.toml"], "design", "optuna"),
        (["calibrate", "--quick"], "sweeps", "pyarrow"),
        (["export", "results/x"], "sweeps", "pyarrow"),
        (["app"], "app", "solara"),
    ],
)
def test_a_missing_extra_is_one_line_and_exit_2(monkeypatch, capsys, tmp_path, argv, extra, module):
    real = _extras.find_spec
    monkeypatch.setattr(_extras, "find_spec", lambda name: None if name == module else real(name))
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert f"pip install 'sectorsim[{extra}]'" in err and module in err
    assert not any(tmp_path.iterdir())  # nothing written
