"""Mesa agents. ``SME`` is a view on the model's state columns: its attributes read and write
the arrays at its index, so the vectorised monthly update and per-agent inspection agree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

from sectorsim.state import SizeClass, Stage

if TYPE_CHECKING:
    from sectorsim.model import SectorModel


def _column(name: str, cast=float, doc: str = "") -> property:
    def getter(self: SME):
        return cast(getattr(self.model.state, name)[self.index])

    def setter(self: SME, value) -> None:
        getattr(self.model.state, name)[self.index] = value

    return property(getter, setter, doc=doc)


class SME(mesa.Agent):
    """An SME (mkb-bedrijf): a view on row ``index`` of the model's :class:`~sectorsim.state.SMEState`."""

    model: SectorModel

    def __init__(self, model: SectorModel, index: int):
        super().__init__(model)
        self.index = index

    stage = property(
        lambda self: Stage(int(self.model.state.stage[self.index])),
        lambda self, value: self.model.state.stage.__setitem__(self.index, int(value)),
        doc="Adoption stage (Stage enum).",
    )
    size_class = property(lambda self: SizeClass(int(self.model.state.size_class[self.index])))
    motivation = _column("motivation", doc="Intrinsic motivation in [0, 1].")
    openness = _column("openness", doc="Openness to cooperation in [0, 1].")
    leadership = _column("leadership", doc="Leadership in [0, 1].")
    resources = _column("resources", doc="EUR per year available for MVO.")
    segment = _column("segment", int, doc="Chain segment.")
    market_share = _column("market_share", doc="Share of its segment's SME market.")
    threshold = _column("threshold", doc="Imitation threshold.")
    koploper = _column("koploper", bool, doc="Frontrunner with a podium.")
    coalition_member = _column("coalition_member", bool)
    in_project = _column("in_project", bool)

    @property
    def neighbours(self) -> list[SME]:
        """The SME agents tied to this one in the sector network."""
        net = self.model.network
        if net.complete:
            return [a for a in self.model.smes if a.index != self.index]
        adj = net.adjacency
        idx = adj.indices[adj.indptr[self.index] : adj.indptr[self.index + 1]]
        return [self.model.smes[int(i)] for i in idx]

    def __repr__(self) -> str:
        return f"SME({self.index}, stage={self.stage.name})"
