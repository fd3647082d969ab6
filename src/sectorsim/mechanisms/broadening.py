"""M6 Broadening (verbreding; DRIFT2015 §3, phase IV: "de sectorcoalitie wordt opengegooid").

From ``broadening.start_month`` (after the programme's start, never before phase III) members invite
the SMEs they are tied to, and the team, as connector, the SMEs it knows: an SME joins with monthly
probability ``rate * reach * acceptance``, where reach is 1 for an SME tied to a member and
``team_reach`` for one only the team knows (so growth snowballs with the coalition), and
``beyond_target`` times that once the coalition has reached ``coalition.target_size``. After the
team withdraws, only ties to members recruit, at that rate times the coalition's cohesion. Action
perspectives reach non-members in two steps (DRIFT2015 §3): members and project participants use all
of K; a non-member uses ``closed_access + (1 - closed_access) exposure`` of it, where exposure =
min(1, ties to members or innovators / exposure_ties), and only ``closed_access`` of it when the
coalition is closed or not yet broadened. With ``broadening.open = false`` the coalition keeps its
founding members ("smal & diep" kept as an end state, which stretches DRIFT2015 §3, where it is the
base the coalition starts from).
"""

from __future__ import annotations

from sectorsim.compiled import kernel


@kernel
def reach(tied_to_member: bool, known_to_team: bool, outside: bool, team_reach: float) -> float:
    """How strongly a non-member is invited: 1 through a member, ``team_reach`` through the
    team."""
    if not outside:
        return 0.0
    if tied_to_member:
        return 1.0
    return team_reach * known_to_team


@kernel
def join_probability(
    reach_: float, acceptance: float, rate: float, size: int, target: int, beyond_target: float
) -> float:
    factor = 1.0 if size < target else beyond_target
    return rate * factor * reach_ * acceptance


@kernel
def knowledge_access(
    member: bool, carriers_nearby: float, open_now: bool, closed_access: float, exposure_ties: float
) -> float:
    """Share of the stock of action perspectives K an SME can use."""
    if member:
        return 1.0
    if not open_now:
        return closed_access
    exposure = min(1.0, carriers_nearby / exposure_ties)
    return closed_access + (1.0 - closed_access) * exposure
