"""The programs here are written for micrograd and run by tests/test_micrograd_compat.py with
their imports rewritten; pytest must not import them itself (they would run micrograd)."""

collect_ignore_glob = ["*.py"]
