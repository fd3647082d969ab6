"""The workshop room without a browser: participants, rounds, locks, the facilitator's rows and
the round's download, with real sessions and models."""

import csv
import io
import shlex
import subprocess
import sys
import threading
import zipfile

import pandas as pd
import pytest

from sectorsim.app.levers import LEVERS
from sectorsim.app.room import (
    NAME_LENGTH,
    Room,
    clean_name,
    issue_token,
    valid_token,
)
from sectorsim.app.session import Refused
from sectorsim.config import load_scenario

LEVERS_KEYS = list(LEVERS)

PRESET = "imvo_samen_veranderen"


@pytest.fixture
def room():
    return Room()


def test_a_token_is_known_again_and_a_made_up_one_is_not():
    token = issue_token()
    assert valid_token(token)
    nonce, signature = token.split(".")
    for made_up in (f"{nonce}.{'0' * 32}", f"x{nonce}.{signature}", "abc", None, 7, "a.b.c"):
        assert not valid_token(made_up)


def test_a_reloaded_participant_keeps_their_place(room):
    token = issue_token()
    alice = room.join(token)
    room.rename(alice, "Alice")
    alice.session.set_lever("coalition.initial_size", 25)
    alice.session.step(3)
    again = room.join(token)  # the reload: same cookie, same participant
    assert again is alice and again.name == "Alice" and again.session.month == 3
    bob = room.join(issue_token())
    assert bob.number == 2 and bob.name == "#2" and bob.session is not alice.session
    assert bob.session.value("coalition.initial_size") != 25


@pytest.mark.parametrize("name", ["", "   ", None, 3, "\x00\x1b"])
def test_a_display_name_is_printable_text(room, name):
    with pytest.raises(Refused):
        clean_name(name)
    assert clean_name("  Ann\u202e  de\tVries\x1b ") == "Ann deVries"
    assert len(clean_name("x" * 500)) == NAME_LENGTH


def test_locking_a_lever_reaches_every_participant_and_the_session_refuses_it(room):
    people = [room.join(issue_token()) for _ in range(3)]
    people[0].session.set_lever("coalition.initial_size", 40)
    people[0].session.step(5)
    people[1].session.set_preset("baseline")
    room.start_round(PRESET, 7, {"funding.budget": 1_000_000.0, "funding.share_vouchers": 0.6})
    for person in people:
        session = person.session
        assert session.preset == PRESET and session.seed == 7 and session.month == 0
        assert session.value("funding.budget") == 1_000_000.0
        assert session.value("funding.share_vouchers") == 0.6
        shares = [session.value(f"funding.share_{k}") for k in ("vouchers", "projects", "team")]
        assert sum(shares) == pytest.approx(1.0)
        # the round's settings, not the participant's earlier change
        assert (
            session.value("coalition.initial_size") == load_scenario(PRESET).coalition.initial_size
        )
        with pytest.raises(Refused):
            session.set_lever("funding.budget", 2_000_000.0)
        with pytest.raises(Refused):
            session.set_preset("baseline")
        with pytest.raises(Refused):  # the unlocked share cannot push the locked one
            session.set_lever("funding.share_projects", 0.5)
        session.set_lever("funding.share_projects", 0.3)  # within what the lock leaves
        assert session.value("funding.share_vouchers") == 0.6
        assert session.value("funding.share_team") == pytest.approx(0.1)
    newcomer = room.join(issue_token())  # who joins later starts from the round too
    assert newcomer.session.value("funding.budget") == 1_000_000.0
    with pytest.raises(Refused):
        newcomer.session.set_lever("funding.budget", 0.0)


def test_a_loaded_design_keeps_the_locked_levers(room):
    person = room.join(issue_token())
    room.start_round(PRESET, 1, {"funding.budget": 1_000_000.0})
    design = person.session.front["design"].iloc[-1]
    person.session.load_design(design)
    assert person.session.value("funding.budget") == 1_000_000.0
    assert person.session.error is None


@pytest.mark.parametrize(
    "preset,seed,locks",
    [
        ("nope", 1, {}),
        (PRESET, -1, {}),
        (PRESET, 1, {"funding.budget": 123.0}),  # off the slider's grid
        (PRESET, 1, {"months": 12}),  # not a lever
        (PRESET, 1, {"funding.share_vouchers": 0.7, "funding.share_projects": 0.5}),
        (PRESET, 1, ["funding.budget"]),
    ],
)
def test_a_round_takes_only_valid_settings(room, preset, seed, locks):
    person = room.join(issue_token())
    with pytest.raises(Refused):
        room.start_round(preset, seed, locks)
    assert room.round.number == 0 and person.session.locks == {}


def test_a_participant_cannot_touch_another_or_the_round(room):
    """A participant's page holds only its own session: whatever it sends changes that."""
    a, b = room.join(issue_token()), room.join(issue_token())
    room.start_round(PRESET, 1, {"funding.budget": 500_000.0})
    before = b.session.config
    for crafted in [("funding.budget", 5_000_000.0), ("coalition.initial_size", 10**6)]:
        with pytest.raises(Refused):
            a.session.set_lever(*crafted)
    a.session.set_lever("coalition.initial_size", 30)
    assert b.session.config == before and room.round.locks == {"funding.budget": 500_000.0}


def test_the_rows_show_changes_progress_and_replications(room):
    person = room.join(issue_token())
    room.rename(person, "Ann")
    room.start_round(PRESET, 3, {"funding.budget": 1_000_000.0})
    person.session.set_lever("coalition.initial_size", 30)
    person.session.set_lever("sme.count", 200)
    person.session.step(12)
    (row,) = room.rows()
    assert row["name"] == "Ann" and row["month"] == 12 and row["p"] is None
    assert row["changed"] == {"coalition.initial_size": 30, "sme.count": 200}
    person.session.run_replications(4)
    (row,) = room.rows()
    assert row["replications"] == 4 and 0 <= row["p_low"] <= row["p"] <= row["p_high"] <= 1
    assert row["mean_spend"] <= 1_000_000.0


def test_the_best_programme_is_the_cheapest_that_reaches_the_chance(room):
    rows = [
        {"p": 0.9, "mean_spend": 3e6},
        {"p": 0.8, "mean_spend": 1e6},
        {"p": 0.5, "mean_spend": 1e5},
        {"p": None, "mean_spend": None},
    ]
    assert room.best(0.8, rows)["mean_spend"] == 1e6
    assert room.best(0.85, rows)["p"] == 0.9
    assert room.best(0.95, rows) is None


def test_the_facilitator_hears_of_every_change(room):
    seen = room.version
    heard = []
    waiting = threading.Thread(target=lambda: heard.append(room.wait(seen, timeout=30)))
    waiting.start()
    person = room.join(issue_token())
    waiting.join(timeout=30)
    assert heard and heard[0] != seen
    seen = room.wait(room.version, timeout=0)
    person.session.step()
    assert room.wait(seen, timeout=0) > seen
    rnd = room.round.number
    room.start_round(PRESET, 1, {})
    assert room.wait_round(rnd, timeout=0) == rnd + 1


def test_the_download_reproduces_every_programme_with_the_cli(room, tmp_path):
    people = [room.join(issue_token()) for _ in range(2)]
    room.start_round(PRESET, 11, {"funding.budget": 1_000_000.0})
    people[0].session.set_lever("coalition.initial_size", 30)
    people[0].session.set_lever("funding.share_vouchers", 0.2)
    people[1].session.set_lever("broadening.open", False)
    for person in people:
        person.session.set_lever("sme.count", 200)
        person.session.step(36)
    with zipfile.ZipFile(io.BytesIO(room.download())) as archive:
        archive.extractall(tmp_path)
    assert (tmp_path / "round-1.toml").is_file()
    programmes = list(csv.DictReader(io.StringIO((tmp_path / "programmes.csv").read_text())))
    assert [int(p["participant"]) for p in programmes] == [1, 2]
    for person, programme in zip(people, programmes, strict=True):
        assert float(programme["funding.budget"]) == 1_000_000.0
        command = shlex.split(programme["command"])
        assert command[:3] == ["sectorsim", "run", "round-1.toml"]
        out = tmp_path / f"cli-{person.number}"
        subprocess.run(
            [sys.executable, "-m", "sectorsim.cli", *command[1:], "--out", str(out)],
            cwd=tmp_path,
            check=True,
            capture_output=True,
        )
        cli = pd.read_csv(out / "timeseries.csv")["adoption_share"].iloc[:37].to_numpy()
        shown = person.session.model.series("adoption_share")
        assert list(cli) == list(shown)


def test_the_programmes_run_in_plausible_worlds(room):
    """In worlds that change nothing, a programme's chance over the worlds is its own chance
    over the same replicate sectors; a world where firms never move gives it none."""
    person, idle = room.join(issue_token()), room.join(issue_token())
    room.start_round(PRESET, 5, {"sme.count": 200})
    person.session.run_replications(4)
    table = room.run_worlds([{}, {}], replications=4)
    (row,) = table.to_dict("records")  # only programmes with replications
    assert row["name"] == person.name and row["worlds"] == 2
    assert row["p_pooled"] == person.session.replications["p"] == row["p_median"]
    assert room.worlds["table"] is table and idle.session.replications is None
    frozen = {"adoption.b0": -20.0, "imitation.linear_rate": 0.0}  # firms hardly move
    (row,) = room.run_worlds([{}, frozen], replications=4).to_dict("records")
    assert row["p_world_low"] <= row["p_median"] <= row["p_world_high"]
    assert row["p_pooled"] <= person.session.replications["p"]


def test_the_debrief_names_the_levers_that_set_tipped_programmes_apart():
    from sectorsim.app.facilitator import common_levers

    def programme(p, size, budget, open_):
        levers = {"coalition.initial_size": size, "funding.budget": budget}
        levers["broadening.open"] = open_
        return {"p": p, "levers": {**{k: 0 for k in LEVERS_KEYS}, **levers}}

    rows = [
        programme(0.9, 30, 1e6, True),
        programme(0.85, 40, 1e6, False),
        programme(0.2, 12, 1e6, True),
        {"p": None, "levers": {}},
    ]
    table = {row["key"]: row for row in common_levers(rows, 0.8, locked=("funding.budget",))}
    assert set(table) == {"coalition.initial_size", "broadening.open"}
    assert table["coalition.initial_size"]["apart"] and table["coalition.initial_size"][
        "tipped"
    ] == (30, 40)
    assert not table["broadening.open"]["apart"]
    assert list(table)[0] == "coalition.initial_size"  # what separates comes first
