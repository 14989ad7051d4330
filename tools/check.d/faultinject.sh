#!/bin/sh
# faultinject.sh - the CI subset of the fault-injection exploration
# (faultinject/explore.py --quick): every crash point the workload reaches at
# its first hit, the first call of every syscall class per program, a sample
# of the crash points as power cuts (explore.POWER_QUICK, first hit), the
# regression scenarios, two runs of outside SIGKILLs. About two minutes.
set -e
cd "$(dirname "$0")/../.."
make --no-print-directory faultinject-quick
