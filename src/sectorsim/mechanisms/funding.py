"""M8 Funding: a programme budget in euros over four channels (ODD §6 M8; MVOAlliantie-nd).

The podium's cost (``podium.visibility x podium.cost_per_month x podium.months``) is set aside
first; the rest is split by ``funding.share_*`` into vouchers (lower an SME's cost of moving to
stage 2), project grants (pay ``1 - cofunding_share`` of a project) and team capacity (buys extra
relationships at ``cost_per_relationship`` a month, spread evenly over the programme's remaining
months). Money is spent only while the sector team is active (the podium: while it runs), and
never past a channel's balance: the balance is never negative. Unspent money stays unspent.
"""

from __future__ import annotations

from dataclasses import dataclass

CHANNELS = ("vouchers", "projects", "team", "podium")


@dataclass
class Budget:
    """Balances and spending per channel, in euros."""

    balance: dict[str, float]
    spent: dict[str, float]

    @classmethod
    def split(cls, total: float, shares: dict[str, float], podium: float = 0.0) -> Budget:
        """``podium`` euros (at most the total) set aside, the rest split by ``shares``."""
        podium = min(podium, total)
        rest = total - podium
        balance = {c: rest * shares[c] for c in CHANNELS if c != "podium"}
        return cls({**balance, "podium": podium}, dict.fromkeys(CHANNELS, 0.0))

    def affordable(self, channel: str, amount: float) -> int:
        """How many payments of ``amount`` the channel can still make."""
        if amount <= 0:
            return 1 << 30
        return int(self.balance[channel] / amount + 1e-9)

    def pay(self, channel: str, amount: float) -> float:
        """Pay up to ``amount`` from a channel; return what was paid."""
        paid = min(amount, self.balance[channel])
        self.balance[channel] -= paid
        self.spent[channel] += paid
        return paid

    @property
    def total_spent(self) -> float:
        return sum(self.spent.values())


def extra_capacity(
    team_balance: float, months_left: int, cost_per_relationship: float
) -> tuple[float, float]:
    """(relationships bought this month, euros spent) spreading the team channel evenly."""
    if months_left <= 0 or team_balance <= 0:
        return 0.0, 0.0
    spend = team_balance / months_left
    return spend / cost_per_relationship, spend
