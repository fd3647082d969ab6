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

import numpy as np


def reach(
    tied_to_member: np.ndarray, known_to_team: np.ndarray, outside: np.ndarray, team_reach: float
) -> np.ndarray:
    """How strongly each non-member is invited: 1 through a member, ``team_reach`` through the
    team."""
    return np.where(outside, np.where(tied_to_member, 1.0, team_reach * known_to_team), 0.0)


def join_probability(
    reach_: np.ndarray,
    acceptance: np.ndarray,
    rate: float,
    size: int,
    target: int,
    beyond_target: float,
) -> np.ndarray:
    factor = 1.0 if size < target else beyond_target
    return rate * factor * reach_ * acceptance


def knowledge_access(
    member: np.ndarray,
    carriers_nearby: np.ndarray,
    open_now: bool,
    closed_access: float,
    exposure_ties: float,
) -> np.ndarray:
    """Share of the stock of action perspectives K each SME can use."""
    if not open_now:
        return np.where(member, 1.0, closed_access)
    exposure = np.minimum(1.0, carriers_nearby / exposure_ties)
    return np.where(member, 1.0, closed_access + (1.0 - closed_access) * exposure)
