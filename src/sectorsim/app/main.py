"""The app's two pages: the participant's (``/``) and the facilitator's (``/facilitator``).

``sectorsim app`` serves this module (``solara run sectorsim.app.main``). The layout has no
navigation between the two: a participant is never shown the way to the facilitator's page,
and the server refuses that page without the facilitator's code (:mod:`sectorsim.app.server`).
"""

from __future__ import annotations

import solara

from sectorsim.app.facilitator import FacilitatorPage
from sectorsim.app.page import Page


@solara.component
def Layout(children: list | None = None):
    solara.AppLayout(children=children or [], navigation=False)


routes = [
    solara.Route(path="/", component=Page, layout=Layout),
    solara.Route(path="facilitator", component=FacilitatorPage, layout=Layout),
]
