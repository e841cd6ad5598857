"""Use cases: the only code that commits a transaction; one module per area."""
