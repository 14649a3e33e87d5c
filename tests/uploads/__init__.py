"""Every upload endpoint fuzzed with hostile files (issue 19): see ``test_fuzz.py``."""
