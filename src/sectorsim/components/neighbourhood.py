"""What each SME sees of its ties, kept up to date as firms change.

Imitation (M2), relapse (M11), access to action perspectives (M6) and broadening (M6) read how
many of an SME's neighbours are at each stage, are koplopers, carry action perspectives, or are
coalition members; imitation also reads its segment's counts, and the monthly record the
sector's. Counting them over every tie each month would cost a pass over the whole
network; instead every change of a firm's stage, koploper status, membership or project is
wrapped in :func:`unmark` and :func:`mark`, which update its neighbours' counts (a pass over its
own ties only). A month then costs time in proportion to the SMEs and the changes, not the ties. The counts are
read as arrays (row ``i``, or row 0 on the complete network, less the firm itself): a compiled
function that took the state tuples once per SME would pay for each array in them on every
call.
:func:`count` recounts from scratch (at the start of every run of months, so changes made to the
state from outside are seen). On the complete network the counts are the sector's totals, less
the firm itself.
"""

from __future__ import annotations

from typing import NamedTuple

import numba
import numpy as np

from sectorsim.compiled import kernel
from sectorsim.mechanisms import imitation
from sectorsim.state import Stage
from sectorsim.ties import Ties

INNOVATING = int(Stage.INNOVATING)
STAGES = len(Stage)


class State(NamedTuple):
    ties: Ties  # the network these counts are over
    stage: np.ndarray  # int64 (n, stages): neighbours at each stage (complete network: (1, .))
    koploper: np.ndarray  # int64 (n, stages): koploper neighbours at each stage
    carriers: np.ndarray  # int64 (n,): neighbours in the coalition, in a project, or at stage 3
    members: np.ndarray  # int64 (n,): neighbours in the coalition
    segment: np.ndarray  # float (segments, columns): each segment's firms by stage and koploper
    #   status, as :func:`imitation.segment_counts` counts them (M2's competitors)
    sector: np.ndarray  # int64 (3, stages): the sector's firms, koplopers and coalition members
    #   at each stage (the monthly record)


@kernel
def carries(member: bool, project: int, stage: int) -> bool:
    """Whether an SME carries action perspectives to its ties (M6): a coalition member, a
    project participant, or an innovator."""
    return member or project >= 0 or stage >= INNOVATING


@kernel
def _add(
    stage_counts: np.ndarray,
    koploper_counts: np.ndarray,
    carrier_counts: np.ndarray,
    member_counts: np.ndarray,
    segment_counts: np.ndarray,
    sector: np.ndarray,
    indptr: np.ndarray,
    indices: np.ndarray,
    complete: bool,
    i: int,
    stage: int,
    koploper: bool,
    carrier: bool,
    member: bool,
    segment: int,
    sign: int,
) -> None:
    """Add (``sign`` 1) or take away (-1) one firm's part in its neighbours', its segment's and
    the sector's counts (arrays, not the state tuples: a call that passes those costs a
    microsecond)."""
    first, last = (0, 1) if complete else (indptr[i], indptr[i + 1])
    for e in range(first, last):
        j = 0 if complete else indices[e]
        stage_counts[j, stage] += sign
        koploper_counts[j, stage] += sign * koploper
        carrier_counts[j] += sign * carrier
        member_counts[j] += sign * member
    imitation.add_to_segment(segment_counts, segment, stage, koploper, sign)
    sector[0, stage] += sign
    sector[1, stage] += sign * koploper
    sector[2, stage] += sign * member


@numba.njit(cache=True, inline="always")
def _change(nb: State, s, i: int, sign: int) -> None:
    _add(
        nb.stage, nb.koploper, nb.carriers, nb.members, nb.segment, nb.sector, nb.ties.indptr,
        nb.ties.indices, nb.ties.complete, i, s.stage[i], s.koploper[i],
        carries(s.coalition_member[i], s.project_of[i], s.stage[i]), s.coalition_member[i],
        s.segment[i], sign,
    )  # fmt: skip


@numba.njit(cache=True, inline="always")
def unmark(nb: State, s, i: int) -> None:
    """Take SME ``i`` out of its neighbours' counts (before it changes)."""
    _change(nb, s, i, -1)


@numba.njit(cache=True, inline="always")
def mark(nb: State, s, i: int) -> None:
    """Put SME ``i`` into its neighbours' counts (after it changed)."""
    _change(nb, s, i, 1)


def init(n: int, ties: Ties, segments: int) -> State:
    """Room for the counts (zero: :func:`count` counts them)."""
    rows = 1 if ties.complete else n
    return State(
        ties,
        np.zeros((rows, STAGES), dtype=np.int64),
        np.zeros((rows, STAGES), dtype=np.int64),
        np.zeros(rows, dtype=np.int64),
        np.zeros(rows, dtype=np.int64),
        np.zeros((segments, imitation.SEGMENT_COLUMNS)),
        np.zeros((3, STAGES), dtype=np.int64),
    )


@kernel
def count(nb: State, s) -> None:
    """Every count from scratch."""
    nb.stage[:] = 0
    nb.koploper[:] = 0
    nb.carriers[:] = 0
    nb.members[:] = 0
    nb.segment[:] = 0
    nb.sector[:] = 0
    stage, koploper, member, project = s.stage, s.koploper, s.coalition_member, s.project_of
    ties = nb.ties
    for i in range(stage.size):
        _add(
            nb.stage, nb.koploper, nb.carriers, nb.members, nb.segment, nb.sector, ties.indptr,
            ties.indices, ties.complete, i, stage[i], koploper[i],
            carries(member[i], project[i], stage[i]), member[i], s.segment[i], 1,
        )  # fmt: skip


@kernel
def carriers(nb: State, s) -> np.ndarray:
    """Per SME, its neighbours that carry action perspectives (the kept counts themselves, or on
    the complete network the total less the firm)."""
    if not nb.ties.complete:
        return nb.carriers
    out = np.empty(s.stage.size, dtype=np.int64)
    for i in range(s.stage.size):
        out[i] = nb.carriers[0] - carries(s.coalition_member[i], s.project_of[i], s.stage[i])
    return out


@kernel
def tied_to_member(nb: State, s, i: int) -> bool:
    """Whether SME ``i`` has a neighbour in the coalition."""
    if nb.ties.complete:
        return nb.members[0] - s.coalition_member[i] > 0
    return nb.members[i] > 0


@kernel
def tied_to_members(nb: State, s) -> np.ndarray:
    """Per SME, whether it has a neighbour in the coalition."""
    tied = np.empty(s.stage.size, dtype=np.bool_)
    for i in range(s.stage.size):
        tied[i] = tied_to_member(nb, s, i)
    return tied
