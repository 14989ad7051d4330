#!/bin/sh
# proofs.sh - make check's proof step: every WP goal proven, every smoke
# test passed, and proofs/REPORT equal to the committed one (a change in the
# number of goals must be committed with the change that caused it).
# PROOFS_MUTANTS=1 also runs the mutation checks (make proofs-mutants).
set -e
cd "$(dirname "$0")/../.."
make --no-print-directory proofs
if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    echo "proofs: not a git checkout, proofs/REPORT not compared"
elif ! git diff --exit-code -- proofs/REPORT; then
    echo "proofs: proofs/REPORT differs from the committed one (above)"
    exit 1
fi
if [ "${PROOFS_MUTANTS:-0}" = 1 ]; then
    make --no-print-directory proofs-mutants
fi
