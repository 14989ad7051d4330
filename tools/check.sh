#!/bin/sh
# check.sh - every test: unit suites and integration tests, plain and under
# ASan+UBSan. Prints one closing line "check: N passed, M failed".
passed=0
failed=0
step() {
    name=$1; shift
    echo "==== $name"
    if "$@"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "==== FAILED: $name"
    fi
}
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
step "unit tests (gcc)"         make --no-print-directory VARIANT=plain unit-tests
step "unit tests (ASan+UBSan)"  make --no-print-directory VARIANT=asan unit-tests
# The fault build first: some integration tests kill a daemon at a named
# crash point and are skipped without it.
step "fault-injection build"    make --no-print-directory faultinject-build
step "integration (gcc)"        make --no-print-directory VARIANT=plain integration-tests
step "integration (ASan+UBSan)" make --no-print-directory VARIANT=asan integration-tests
for extra in tools/check.d/*.sh; do
    [ -f "$extra" ] || continue
    step "$(basename "$extra" .sh)" sh "$extra"
done
echo "check: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
