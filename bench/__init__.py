"""Benchmarks of LinkPass Flow: engine ceiling, API completions, long-history cost."""
