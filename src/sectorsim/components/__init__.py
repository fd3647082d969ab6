"""The components of a month, in the order of ODD §3; each owns its state and its outputs.

A component is a module with a ``State`` (named tuple of numpy columns; scalars are one-element
arrays so the compiled month can change them), a Python ``init`` that builds it from the
configuration and the named random streams, a compiled ``step`` that applies its mechanisms
(the rules of :mod:`sectorsim.mechanisms`) for month ``t``, and a compiled ``record`` that writes
its monthly outputs. :mod:`sectorsim.components.month` runs them in order:

1. :mod:`.environment`: the due-diligence obligation, scandal shocks, decay of public pressure;
2. :mod:`.programme`: the sector team by programme phase: podium, recruitment, MVO plans, team
   capacity, vouchers, broadening (M2, M3, M6, M8);
3. :mod:`.ngos`: campaigns (M10); 4. :mod:`.large_firms`: IMVO policy and supplier requirements
   (M9);
5. :mod:`.projects`: change projects finish, are checked for cartel risk and start (M5, M7);
6. :mod:`.coalition`: the agenda's cartel check, enthusiasm, dropout, self-organised broadening
   and cohesion (M3, M4, M6, M7);
7. :mod:`.smes`: advice, imitation, adoption and relapse of every SME at once (M1, M2, M10, M11).

The mechanism switches decide which components are in the plan (:class:`.month.Plan`); with a
textbook adoption rule only the SMEs step.
"""
