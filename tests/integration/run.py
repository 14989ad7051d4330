#!/usr/bin/env python3
"""run.py - run every integration test (tests/integration/test_*.py).

Each test module starts real Sluice instances in temporary directories
(see instance.py) and talks to them with real clients. SLUICE_BIN names the
directory of the programs under test (plain or sanitized build). Prints one
closing line "integration: N passed, M failed" and exits non-zero on failure.
"""
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    sys.path.insert(0, HERE)
    pattern = sys.argv[1] if len(sys.argv) > 1 else "test_*.py"
    suite = unittest.defaultTestLoader.discover(HERE, pattern=pattern)
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    bad = len(result.failures) + len(result.errors)
    good = result.testsRun - bad - len(result.skipped)
    print(f"integration: {good} passed, {bad} failed, {len(result.skipped)} skipped")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
