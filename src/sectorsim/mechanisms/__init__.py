"""The model's mechanisms, one module each, each a pure function on arrays (ODD §6)."""
