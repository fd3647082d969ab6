"""M8 Funding: a programme budget in euros over four channels (ODD §6 M8; MVOAlliantie-nd).

The podium's cost (``podium.visibility x podium.cost_per_month x podium.months``) is set aside
first; the rest is split by ``funding.share_*`` into vouchers (lower an SME's cost of moving to
stage 2), project grants (pay ``1 - cofunding_share`` of a project) and team capacity (buys extra
relationships at ``cost_per_relationship`` a month, spread evenly over the programme's remaining
months). Money is spent only while the sector team is active (the podium: while it runs), and
never past a channel's balance: the balance is never negative. Unspent money stays unspent.
"""

from __future__ import annotations

import numpy as np

from sectorsim.compiled import kernel

CHANNELS = ("vouchers", "projects", "team", "podium")
VOUCHERS, PROJECTS, TEAM, PODIUM = range(len(CHANNELS))


def split(total: float, shares: dict[str, float], podium: float = 0.0) -> np.ndarray:
    """Opening balance per channel: ``podium`` euros (at most the total) set aside, the rest split
    by ``shares``."""
    podium = min(podium, total)
    rest = total - podium
    return np.array([rest * shares[c] for c in CHANNELS[:3]] + [podium])


@kernel
def affordable(balance: np.ndarray, channel: int, amount: float) -> int:
    """How many payments of ``amount`` the channel can still make."""
    if amount <= 0:
        return 1 << 30
    return int(balance[channel] / amount + 1e-9)


@kernel
def pay(balance: np.ndarray, spent: np.ndarray, channel: int, amount: float) -> float:
    """Pay up to ``amount`` from a channel; return what was paid."""
    paid = min(amount, balance[channel])
    balance[channel] -= paid
    spent[channel] += paid
    return paid


@kernel
def extra_capacity(
    team_balance: float, months_left: int, cost_per_relationship: float
) -> tuple[float, float]:
    """(relationships bought this month, euros spent) spreading the team channel evenly."""
    if months_left <= 0 or team_balance <= 0:
        return 0.0, 0.0
    spend = team_balance / months_left
    return spend / cost_per_relationship, spend
