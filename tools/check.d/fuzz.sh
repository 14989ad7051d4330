#!/bin/sh
# fuzz.sh - the fuzzing step of `make check` (and so of CI): replay every
# committed seed and regression input, then fuzz each harness briefly
# (FUZZ_SECONDS, default 10). A long campaign is `make fuzz FUZZ_SECONDS=3600`.
set -e
make --no-print-directory fuzz-regress
make --no-print-directory fuzz FUZZ_SECONDS="${FUZZ_SECONDS:-10}"
