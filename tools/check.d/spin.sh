#!/bin/sh
# spin.sh - the hand-off protocol model and its mutants (mk/spin.mk).
exec make --no-print-directory spin
