"""The workshop app: a Solara page where participants move the levers and watch a sector tip.

``sectorsim app`` serves it (``solara run sectorsim.app.page``); the page is
:func:`sectorsim.app.page.Page`, the state behind it :class:`sectorsim.app.session.WorkshopSession`.
"""
