"""The command line: a thin layer over the library.

    sectorsim run SCENARIO_OR_FILE [--set key=value]... [--seed N] [--reps N] [--workers N]
                  [--baseline] [--out DIR]
    sectorsim sweep FILE [--workers N] [--scheduler ADDRESS] [--out DIR] [--resume] [--quick]
    sectorsim design FILE [--workers N] [--scheduler ADDRESS] [--out DIR] [--resume] [--quick]
    sectorsim calibrate [--n 600] [--reps 4] [--workers N] [--out DIR] [--resume] [--quick]
    sectorsim analyze DIR
    sectorsim export DIR [--out CSVDIR]
    sectorsim app [--host 127.0.0.1] [--port 8765]
    sectorsim scenarios
    sectorsim params [--json | --markdown]

Exit statuses: 0 done; 2 a problem with the input or the output folder (one line naming the
file, the key, the value and what is allowed, before anything runs or is written); 1 an
unexpected internal error (one line and the path of a log holding the traceback); 130
interrupted. Text from the user is printed as text, never read as markup.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from sectorsim import __version__
from sectorsim._extras import MissingExtra, require
from sectorsim.randomness import DEFAULT_SEED
from sectorsim.storage import OutputError, atomic_directory, check_target, check_writable

# The model, pandas, matplotlib and the optional stacks are imported inside the commands that
# use them, so that `sectorsim --help` and a typo answer at once.

EXIT_CONFIG = 2
EXIT_INTERNAL = 1
MAX_COUNT = 1_000_000  # replicates or samples asked for on the command line: more is a typo
SUMMARY = "summary.json"  # present in every complete output folder
RUN_OUTPUTS = frozenset({"timeseries.csv", "runs.csv", SUMMARY, "adoption.png"})


def is_run_summary(path: Path) -> bool:
    """Whether ``path`` is the summary.json `sectorsim run` writes."""
    try:
        summary = json.loads(path.read_bytes().decode("utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(summary, dict) and {"scenario", "config", "aggregate"} <= set(summary)


class PlainConsole(Console):
    """A console that prints text as it is (no markup, no highlighting, no emoji codes), and
    leaves a closed pipe to :func:`main`."""

    def __init__(self, **options: Any):
        super().__init__(markup=False, highlight=False, emoji=False, **options)

    def on_broken_pipe(self) -> None:
        raise BrokenPipeError


def plain_console(stderr: bool = False) -> Console:
    return PlainConsole(stderr=stderr)


def log_dir() -> Path:
    """Where the traceback of an internal error is kept: ``$SECTORSIM_LOG_DIR``, else
    ``$XDG_STATE_HOME/sectorsim`` (``~/.local/state/sectorsim``)."""
    given = os.environ.get("SECTORSIM_LOG_DIR")
    if given:
        return Path(given)
    state = os.environ.get("XDG_STATE_HOME") or Path(os.path.expanduser("~/.local/state"))
    return Path(state) / "sectorsim"


def write_crash_log(argv: list[str]) -> Path | None:
    """Write the current exception's traceback and the command to a new log file; its path."""
    text = f"sectorsim {__version__}\ncommand: {argv!r}\n\n{traceback.format_exc()}"
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    for folder in (log_dir(), Path(tempfile.gettempdir())):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(
                prefix=f"sectorsim-error-{stamp}-", suffix=".log", dir=folder
            )
            with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace") as fh:
                fh.write(text)
            return Path(name)
        except OSError:
            continue
    return None


def print_error(message: str) -> None:
    """``error: <message>`` on stderr, the message as plain text."""
    plain_console(stderr=True).print(
        Text.assemble(("error:", "bold red"), " ", message), soft_wrap=True
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sectorsim",
        description="Simulate how SMEs drive a sector toward responsible business conduct (IMVO/MVO).",
    )
    parser.add_argument("--version", action="version", version=f"sectorsim {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser(
        "run",
        help="run a scenario and write its outputs",
        description="Run replicates of a scenario; write timeseries.csv, runs.csv, "
        "summary.json and adoption.png into the --out folder.",
    )
    run.add_argument(
        "scenario",
        metavar="SCENARIO_OR_FILE",
        help="a preset name (see `sectorsim scenarios`) or a TOML file",
    )
    run.add_argument(
        "--set",
        dest="assignments",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a parameter, e.g. --set sme.count=10000 (repeatable; see `sectorsim params`)",
    )
    run.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help=f"base seed (default {DEFAULT_SEED})"
    )
    run.add_argument("--reps", type=int, default=1, help="number of replicates (default 1)")
    run.add_argument(
        "--workers",
        type=int,
        default=1,
        help="local processes sharing the replicates (default 1; the numbers do not depend on it)",
    )
    run.add_argument(
        "--baseline",
        action="store_true",
        help="also run each replicate without the programme (same seed): euros per extra adopter",
    )
    run.add_argument(
        "--out",
        metavar="DIR",
        type=Path,
        default=None,
        help="output folder (default results/<scenario>)",
    )

    sweep = sub.add_parser(
        "sweep",
        help="run an experiment file (a sweep over factors)",
        description="Run every point and replicate of an experiment file into DIR: runs.parquet, "
        "timeseries.parquet, manifest.json. Runs are stored as they finish, a few at a time; "
        "--resume does only what is missing.",
    )
    sweep.add_argument("experiment", metavar="FILE", type=Path, help="an experiment TOML file")
    _runner_options(sweep)
    sweep.add_argument(
        "--quick",
        action="store_true",
        help="a small version: fewer points, 2 replicates, at most 200 SMEs",
    )

    design = sub.add_parser(
        "design",
        help="search the cheapest programmes for each chance of critical mass (a design file)",
        description="Search a design file's levers for the Pareto front of programme cost against "
        "the probability of critical mass, re-run the front with fresh seeds, and write "
        "front.parquet, front.png, designs/*.toml and report.md into DIR. Runs are stored as they "
        "finish, a few at a time; --resume continues an interrupted search.",
    )
    design.add_argument("design", metavar="FILE", type=Path, help="a design TOML file")
    _runner_options(design)
    design.add_argument(
        "--quick",
        action="store_true",
        help="a small version: 12 candidates, 4 replicates, at most 200 SMEs",
    )

    calibrate = sub.add_parser(
        "calibrate",
        help="calibrate the behavioural parameters against the source documents (ABC-SMC)",
        description="Approximate Bayesian computation with sequential Monte Carlo (pyabc) of the "
        "behavioural parameters against the observations of the source documents (see "
        "docs/validation.md#calibration), reproducible for any number of workers. Writes "
        "posterior.parquet, report.md and its figures into DIR, with pyabc's database of every "
        "finished generation, from which --resume goes on.",
    )
    calibrate.add_argument(
        "--n", type=int, default=None, help="particles a generation (default 150; --quick: 20)"
    )
    calibrate.add_argument(
        "--reps",
        type=int,
        default=None,
        help="replicates per particle (default 2; --quick: 1)",
    )
    _runner_options(calibrate, scheduler=False)
    calibrate.add_argument(
        "--quick", action="store_true", help="20 particles, 1 replicate, 2 generations, one seed"
    )

    analyze = sub.add_parser(
        "analyze",
        help="write report.md with figures for a sweep's folder",
        description="Analyse a sweep's folder: probabilities with intervals, heat maps, "
        "sensitivity indices (SALib) or PRIM boxes (EMA Workbench), into DIR/report.md.",
    )
    analyze.add_argument("directory", metavar="DIR", type=Path, help="the folder a sweep wrote")

    export = sub.add_parser(
        "export",
        help="write a sweep's or design's runs and timeseries as CSV for spreadsheets",
        description="Write runs.csv and timeseries.csv (and, for a sweep, points.csv) of a "
        "folder written by `sectorsim sweep` or `sectorsim design`: every row carries its run's "
        'parameter values; seeds are text cells (="<digits>") so that spreadsheets keep every '
        "digit.",
    )
    export.add_argument("directory", metavar="DIR", type=Path, help="a sweep's or design's folder")
    export.add_argument(
        "--out",
        metavar="CSVDIR",
        type=Path,
        default=None,
        help="folder for the two CSV files (default: DIR itself)",
    )

    app = sub.add_parser(
        "app",
        help="serve the workshop app in the browser",
        description="Serve the workshop app (Solara) as a room: it prints a link for the "
        "participants and one for the facilitator (with its own code), whose page shows every "
        "participant and sets the rounds. Served beyond this machine (--host 0.0.0.0), the "
        "participants' link holds the room code too; requests without a code are refused.",
    )
    app.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default: 127.0.0.1, this machine only)",
    )
    app.add_argument("--port", type=int, default=8765, help="port (default: 8765)")
    app.add_argument(
        "--room",
        metavar="CODE",
        default=None,
        help="the room code participants need (default: a new random code whenever --host is "
        "not this machine only; none on 127.0.0.1)",
    )

    sub.add_parser(
        "scenarios", help="list the preset scenarios", description="List the preset scenarios."
    )

    params = sub.add_parser(
        "params",
        help="print the parameter schema",
        description="Print every parameter: key, type, default, allowed values, unit, source.",
    )
    fmt = params.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="machine-readable JSON")
    fmt.add_argument(
        "--markdown", action="store_true", help="the Markdown table used in docs/ODD.md"
    )
    return parser


def _runner_options(command: argparse.ArgumentParser, scheduler: bool = True) -> None:
    """--workers, --scheduler, --out and --resume, shared by sweep, design and calibrate."""
    command.add_argument(
        "--workers", type=int, default=None, help="local processes (default: all cores)"
    )
    if scheduler:
        command.add_argument(
            "--scheduler",
            metavar="ADDRESS",
            default=None,
            help="run on an existing Dask cluster, e.g. tcp://127.0.0.1:8786",
        )
    command.add_argument(
        "--out",
        metavar="DIR",
        type=Path,
        default=None,
        help="output folder (default results/<name>)",
    )
    command.add_argument(
        "--resume", action="store_true", help="finish an interrupted run of the file in --out"
    )


def _stdout_gone() -> None:
    """The reader of stdout stopped (``sectorsim params --json | head``): send the rest nowhere,
    so that no error is printed when Python flushes stdout on exit."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    command = None
    from sectorsim.config import ConfigError

    try:
        try:
            args = _parser().parse_args(argv)
        except SystemExit:  # --help, --version or a usage error: argparse has printed it
            sys.stdout.flush()
            raise
        command = args.command
        code = _dispatch(args, plain_console())
        sys.stdout.flush()
        return code
    except (ConfigError, OutputError) as exc:
        print_error(str(exc))
        return EXIT_CONFIG
    except MissingExtra as exc:
        print_error(f"sectorsim {command}: {exc}")
        return EXIT_CONFIG
    except BrokenPipeError:
        _stdout_gone()  # what the reader read is what it wanted
        return 0
    except KeyboardInterrupt:
        done = (
            "finished runs are kept (--resume continues)"
            if command in ("sweep", "design", "calibrate")
            else "nothing was written"
        )
        plain_console(stderr=True).print(f"interrupted; {done}")
        return 130
    except Exception as exc:  # an internal error: one line here, the traceback in a log
        log = write_crash_log(argv)
        where = f"; details in {log}" if log else ""
        what = " ".join(str(exc).split())  # one line, however the error was phrased
        what = what if len(what) <= 200 else what[:199] + "…"
        print_error(f"internal error ({type(exc).__name__}: {what}){where}")
        return EXIT_INTERNAL


def _dispatch(args: argparse.Namespace, console: Console) -> int:
    commands = {
        "run": _run,
        "sweep": _sweep,
        "design": _design,
        "calibrate": _calibrate,
        "analyze": _analyze,
        "export": _export,
        "app": _app,
        "scenarios": _scenarios,
    }
    return commands.get(args.command, _params)(args, console)


def check_listen(host: str, port: int) -> None:
    """Refuse a ``--host`` that is not an address of this machine, or a ``--port`` in use."""
    import socket

    from sectorsim.config import ConfigError

    try:
        family, kind, _, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        with socket.socket(family, kind) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server does
            probe.bind(address)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ConfigError(
            "--host/--port",
            None,
            f"{host}:{port}",
            problem=f"cannot listen there ({reason})",
            allowed="an address of this machine (127.0.0.1, 0.0.0.0) and a free port",
        ) from None


def _app(args: argparse.Namespace, console: Console) -> int:
    require("app")
    from sectorsim.app.server import (
        CODE_PATTERN,
        FACILITATOR_CODE_ENV,
        FACILITATOR_PATH,
        ROOM_CODE_ENV,
        ROOM_PARAMETER,
        is_loopback,
        new_code,
        reachable_address,
    )
    from sectorsim.config import ConfigError

    if not 1 <= args.port <= 65535:
        raise ConfigError(
            "--port", None, args.port, problem="not a port", allowed="a whole number 1-65535"
        )
    code = args.room
    if code is not None and not CODE_PATTERN.fullmatch(code):
        raise ConfigError(
            "--room",
            None,
            code,
            problem="not a room code",
            allowed="6 to 64 letters, digits, - or _",
        )
    check_listen(args.host, args.port)
    if code is None and not is_loopback(args.host):
        code = new_code()
    facilitator = new_code()

    def say(text: str) -> None:  # one line each: a link is never wrapped
        console.print(text, soft_wrap=True)

    env = dict(os.environ)
    env.pop(ROOM_CODE_ENV, None)
    env[FACILITATOR_CODE_ENV] = facilitator
    query = "" if code is None else f"?{ROOM_PARAMETER}={code}"
    host = reachable_address(args.host) if code is not None else args.host
    to_facilitator = f"{FACILITATOR_PATH}?{ROOM_PARAMETER}={facilitator}"
    if code is None:
        say(f"sectorsim app: open http://{host}:{args.port}/ in a browser")
    else:
        env[ROOM_CODE_ENV] = code
        say(
            f"sectorsim app: the room is open. Participants: http://{host}:{args.port}/{query}"
            f" (room code {code})"
        )
    say(f"Facilitator (keep this link to yourself): http://{host}:{args.port}{to_facilitator}")
    if code is not None and args.host in ("0.0.0.0", "::", ""):
        say(
            f"On this machine: http://127.0.0.1:{args.port}/{query} and "
            f"http://127.0.0.1:{args.port}{to_facilitator}"
        )
    say(("Requests without a code are refused. " if code is not None else "") + "(Ctrl-C stops)")
    sys.stdout.flush()
    command = [sys.executable, "-m", "sectorsim.app.server", "--host", args.host]
    command += ["--port", str(args.port)]
    os.execve(sys.executable, command, env)
    return 0  # not reached: the server replaces this process


def _run(args: argparse.Namespace, console: Console) -> int:
    from sectorsim.batch import run_replicates
    from sectorsim.config import ConfigError, load_scenario_with_description, parse_assignments
    from sectorsim.export import write_csv
    from sectorsim.plots import plot_adoption
    from sectorsim.runs import aggregate

    if not 1 <= args.reps <= MAX_COUNT:
        raise ConfigError(
            "--reps",
            None,
            args.reps,
            problem=f"--reps {args.reps} is not allowed",
            allowed=f"a whole number of at least 1 and at most {MAX_COUNT:_}",
        )
    if args.seed < 0:
        raise ConfigError(
            "--seed",
            None,
            args.seed,
            problem=f"--seed {args.seed} is not allowed",
            allowed="a whole number of at least 0",
        )
    _check_workers(args)
    config, description = load_scenario_with_description(
        args.scenario, parse_assignments(args.assignments)
    )
    name = Path(args.scenario).stem
    out = args.out or Path("results") / name
    guard = {"marker": SUMMARY, "outputs": RUN_OUTPUTS, "is_output": is_run_summary}
    check_target(out, command="sectorsim run", **guard)  # refuse before the runs, not after

    print(f"running {args.reps} replicate(s) of {name} ...", flush=True)
    started = time.perf_counter()
    if args.reps > 1:
        runs, timeseries = _with_progress(
            name,
            lambda progress: run_replicates(
                config, args.seed, args.reps, args.baseline, args.workers, progress
            ),
        )
    else:
        runs, timeseries = run_replicates(config, args.seed, args.reps, args.baseline)
    elapsed = time.perf_counter() - started
    agg = aggregate(runs)

    with atomic_directory(out, command="sectorsim run", **guard) as tmp:
        write_csv(timeseries, tmp / "timeseries.csv")
        write_csv(runs, tmp / "runs.csv")
        summary = {
            "scenario": str(args.scenario),
            "description": description,
            "overrides": args.assignments,
            "seed": args.seed,
            "replications": args.reps,
            "version": __version__,
            "config": config.model_dump(mode="json"),
            "aggregate": agg,
        }
        (tmp / SUMMARY).write_text(json.dumps(summary, indent=2) + "\n")
        plot_adoption(timeseries, config, tmp / "adoption.png", title=f"{name}: {description}")

    lo, hi = agg["p_critical_mass_ci95"]
    console.print(Text.assemble((name, "bold"), " — ", description))
    console.print(
        f"{config.sme.count:,} SMEs, {config.months} months, {args.reps} replicate(s), "
        f"seed {args.seed}: {elapsed:.2f} s"
    )
    console.print(
        f"critical mass ({config.critical_mass_share:.0%} for {config.critical_mass_months} "
        f"months) reached by month {config.months} in {agg['p_critical_mass']:.0%} "
        f"of replicates (95% CI {lo:.0%}-{hi:.0%})"
        + (
            f", median month {agg['median_critical_mass_month']:.0f}"
            if agg["median_critical_mass_month"] is not None
            else ""
        )
        + (
            f"; {agg['pending']} above it at the horizon, not yet for long"
            if agg["pending"]
            else ""
        )
    )
    console.print(
        f"final adoption: mean {agg['mean_final_adoption']:.1%}; outcomes: "
        + ", ".join(f"{k} {v}" for k, v in agg["outcomes"].items() if v)
    )
    if config.programme.enabled and config.adoption.rule == "full":
        cost = agg["median_euros_per_extra_adopter"]
        console.print(
            f"coalition peak: mean {agg['mean_peak_coalition_size']:.0f} SMEs; "
            f"spend: mean EUR {agg['mean_total_spend']:,.0f}"
            + (f"; median EUR {cost:,.0f} per extra adopter" if cost is not None else "")
        )
    console.print(f"outputs in {out}/ (timeseries.csv, runs.csv, summary.json, adoption.png)")
    return 0


def _check_workers(args: argparse.Namespace) -> None:
    from sectorsim.config import ConfigError

    if args.workers is not None and args.workers < 1:
        raise ConfigError(
            "--workers",
            None,
            args.workers,
            problem=f"--workers {args.workers} is not allowed",
            allowed="a whole number of at least 1",
        )


def _with_progress(name: str, job: Callable[[Callable[[int, int], None]], Any]) -> Any:
    """Run ``job(progress)`` under a progress bar of runs done, with the time left."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        "eta",
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=plain_console(stderr=True), transient=False) as bar:
        task = bar.add_task(name, total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        return job(progress)


def _run_file(args: argparse.Namespace, path: Path, spec: Any, run: Callable[..., Any]):
    """Run an experiment or design file with the runner options, under a progress bar; return
    (what ``run`` returns, the output folder, the seconds it took)."""
    from sectorsim.batch import default_out

    _check_workers(args)
    out = args.out or default_out(spec.shrunk() if args.quick else spec)
    started = time.perf_counter()
    result = _with_progress(
        spec.name,
        lambda progress: run(
            path,
            out=out,
            workers=args.workers,
            scheduler=args.scheduler,
            resume=args.resume,
            quick=args.quick,
            progress=progress,
        ),
    )
    return result, out, time.perf_counter() - started


def _sweep(args: argparse.Namespace, console: Console) -> int:
    require("sweeps")
    from sectorsim.experiments import load_experiment, run_experiment

    (runs, _), out, elapsed = _run_file(
        args, args.experiment, load_experiment(args.experiment), run_experiment
    )
    failed = int((runs["status"] == "failed").sum()) if len(runs) else 0
    console.print(
        f"{len(runs)} runs ({failed} failed) in {elapsed:.1f} s; results in {out}/ "
        "(runs.parquet, timeseries.parquet, manifest.json)"
    )
    console.print(f"next: sectorsim analyze {out}")
    return 0


def _design(args: argparse.Namespace, console: Console) -> int:
    require("design")
    from sectorsim.design import load_design, run_design
    from sectorsim.labels import euros

    front, out, elapsed = _run_file(args, args.design, load_design(args.design), run_design)
    worlds = "robustness" in front
    spread = ("worlds 10-90%", "robust") if worlds else ()
    table = Table("design", "expected cost", "P(critical mass)", "95% CI", *spread, box=None)
    for _, row in front.iterrows():
        table.add_row(
            row["design"],
            euros(row["cost"]),
            f"{row['p_critical_mass']:.0%}",
            f"{row['p_low']:.0%}-{row['p_high']:.0%}",
            *(
                (f"{row['p_world_low']:.0%}-{row['p_world_high']:.0%}", f"{row['robustness']:.0%}")
                if worlds
                else ()
            ),
        )
    console.print(table)
    if worlds:
        console.print(
            "worlds 10-90%: P(critical mass) across plausible worlds; robust: the share of "
            "worlds in which it is at least 50%"
        )
    console.print(
        f"{len(front)} designs on the front in {elapsed:.1f} s; results in {out}/ "
        "(report.md, front.parquet, front.png, designs/)"
    )
    return 0


def _calibrate(args: argparse.Namespace, console: Console) -> int:
    require("sweeps")
    from dataclasses import replace
    from importlib.util import find_spec

    if find_spec("pyabc") is None:  # in the sweeps extra, needed by calibrate only
        raise MissingExtra("sweeps", ["pyabc"])

    from sectorsim.calibration import QUICK, Settings, run_calibration, summarise
    from sectorsim.config import ConfigError

    _check_workers(args)
    for flag, value, least in (("--n", args.n, 2), ("--reps", args.reps, 1)):
        if value is not None and not least <= value <= MAX_COUNT:
            raise ConfigError(
                flag,
                None,
                value,
                problem=f"{flag} {value} is not allowed",
                allowed=f"a whole number of at least {least} and at most {MAX_COUNT:_}",
            )
    given = {k: v for k, v in (("n", args.n), ("reps", args.reps)) if v is not None}
    settings = replace(QUICK if args.quick else Settings(), **given)
    out = args.out or Path("results") / "calibration"
    result = _with_progress(
        "calibration (evaluations)",
        lambda progress: run_calibration(
            out, settings, workers=args.workers, resume=args.resume, progress=progress
        ),
    )
    table = Table(
        "parameter", "default point", "posterior 90% interval", "width vs prior", box=None
    )
    for _, row in summarise(result).iterrows():
        table.add_row(
            row["parameter"],
            f"{row['best particle']:.3g}",
            row["90% interval"],
            f"{row['width vs prior']:.0%}",
        )
    console.print(table)
    console.print(f"report: {out / 'report.md'}")
    return 0


def _analyze(args: argparse.Namespace, console: Console) -> int:
    require("sweeps")
    from sectorsim.experiments.analysis import analyze, incomplete, load

    manifest, _, runs = load(args.directory)  # a ConfigError if it is not a sweep's folder
    check_writable(args.directory)  # the report goes into it
    note = incomplete(manifest, runs)
    report = analyze(args.directory)
    if note:
        console.print(f"note: {note}")
    console.print(f"report: {report}")
    return 0


def _export(args: argparse.Namespace, console: Console) -> int:
    require("sweeps")
    from sectorsim.export import export

    paths = export(args.directory, args.out)
    console.print("wrote " + ", ".join(str(path) for path in paths))
    return 0


def _scenarios(_args: argparse.Namespace, console: Console) -> int:
    from sectorsim.config import preset_names, presets_dir, read_toml

    table = Table("preset", "description", box=None)
    for name in preset_names():
        description = read_toml(presets_dir() / f"{name}.toml").get("description", "")
        table.add_row(name, description)
    console.print(table)
    return 0


def _params(args: argparse.Namespace, console: Console) -> int:
    from sectorsim.params import PARAMETERS, markdown_table

    if args.json:
        print(json.dumps([spec.to_dict() for spec in PARAMETERS.values()], indent=2))
    elif args.markdown:
        print(markdown_table())
    else:
        table = Table("key", "default", "allowed", "description")
        table.columns[0].no_wrap = True
        for spec in PARAMETERS.values():
            table.add_row(spec.key, repr(spec.default), spec.allowed(), spec.description)
        PlainConsole(width=max(console.width, 150)).print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
