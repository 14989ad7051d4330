#!/bin/sh
# run.sh - run the WP proofs and write proofs/REPORT (make proofs).
# Exits non-zero when a goal is unproven or a smoke test finds a vacuous
# contract. Logs: build/proofs/wp.log and build/proofs/smoke.log.
set -e
cd "$(dirname "$0")/.."
. proofs/config.sh
out=build/proofs
rm -rf "$out" && mkdir -p "$out"
start=$(date +%s)
# shellcheck disable=SC2086
frama-c $FRAMAC_PARSE $PROOF_FILES $FRAMAC_WP -wp-prover $PROOF_PROVERS \
    $PROOF_LIMITS -wp-report-json "$out/wp.json" >"$out/wp.log" 2>&1 || {
    tail -20 "$out/wp.log"; exit 1; }
# shellcheck disable=SC2086
frama-c $FRAMAC_PARSE $PROOF_FILES $FRAMAC_WP -wp-prover $SMOKE_PROVERS \
    $SMOKE_LIMITS -wp-smoke-tests \
    -wp-prop=-@assigns,-@ensures,-@requires,-@assert,-@check,-@invariant,-@variant,-@rte \
    >"$out/smoke.log" 2>&1 || { tail -20 "$out/smoke.log"; exit 1; }
status=0
python3 proofs/report.py "$out/wp.json" "$out/smoke.log" proofs/REPORT || status=1
grep -E "\[(Failed|Unknown|Timeout)\]|Smoke-test.*(Failed|Unknown)" \
    "$out/wp.log" "$out/smoke.log" || true
echo "proofs: $(($(date +%s) - start)) s"
exit $status
