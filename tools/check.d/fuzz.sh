#!/bin/sh
# fuzz.sh - the fuzzing step of `make check` (and so of CI): replay every
# committed seed and regression input, then fuzz each harness briefly
# (FUZZ_SECONDS, default 10). CI fuzzes from a fixed seed (FUZZ_SEED,
# default 1) so that a failure it reports can be replayed exactly; a long
# campaign with a random seed is `make fuzz FUZZ_SECONDS=3600`.
set -e
make --no-print-directory fuzz-regress
FUZZ_SEED="${FUZZ_SEED:-1}" make --no-print-directory fuzz \
    FUZZ_SECONDS="${FUZZ_SECONDS:-10}"
