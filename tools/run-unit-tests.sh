#!/bin/sh
# run-unit-tests.sh DIR - run every CUnit binary in DIR; exit 1 if any fails.
dir=$1
status=0
for t in "$dir"/test-*; do
    [ -x "$t" ] || continue
    echo "== $t"
    "$t" || { echo "FAILED: $t"; status=1; }
done
exit $status
