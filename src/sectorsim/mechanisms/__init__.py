"""The model's rules (ODD §6), one module per mechanism M1-M11: compiled pure functions, most of
them for one firm (the components of :mod:`sectorsim.components` apply them to every firm)."""
