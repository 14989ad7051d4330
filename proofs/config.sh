# config.sh - the one place the WP settings live; sourced by proofs/run.sh
# and proofs/mutants.sh (run from the top of the tree).
WHY3CONFIG=proofs/why3.conf
export WHY3CONFIG
# The proven code is the code that ships: the daemons link these files.
PROOF_FILES="src/util/vstring.c src/util/safe_open.c"
# The printf family stays outside the proof (proofs/README.md).
PROOF_SKIP="vstring_sprintf,vstring_sprintf_append,vstring_vsprintf_append"
# Fixed limits: a goal gets 20 s and 2,000,000 steps per prover; provers
# race on each goal (the first to succeed wins). Two processes at most.
PROOF_PROVERS="cvc4,cvc5,z3"
PROOF_LIMITS="-wp-timeout 20 -wp-steps 2000000 -wp-par 2"
# Smoke tests: a prover must fail to derive false from each function's
# preconditions and before each call/block; cvc4 with 1 s per test.
SMOKE_PROVERS="cvc4"
SMOKE_LIMITS="-wp-smoke-timeout 1 -wp-timeout 1 -wp-par 2"
FRAMAC_PARSE="-c11 -cpp-extra-args=-D_GNU_SOURCE -cpp-extra-args=-Isrc/util"
FRAMAC_WP="-wp -wp-rte -warn-unsigned-overflow -wp-skip-fct $PROOF_SKIP"
