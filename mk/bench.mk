# bench.mk - issue 8: Postfix and Sluice side by side on loopback.
#   make bench        quick table (N=2000, C=20, 3 alternations A B A B ...)
#   make bench-full   growth runs (size, sessions, deferred queue) + PNG plots
#   make bench-profile  perf profile of one relay run, folded by program and
#                       system call (bench/profile.py; PROFILE_ARGS)
#   make postfix-local  unpack the private Postfix (tools/postfix-local.sh)
# Each target first installs the build's packages (make deps), as make check
# does, so that it works on a fresh machine. make bench installs valgrind
# (the instruction count, bench/instructions.py).
# Needs root. Postfix is never installed system-wide. The CI does not run
# these; figures live in bench/out/ and PAPER.md section 6.
# BENCH_ARGS passes options to bench/bench.py (e.g. BENCH_ARGS="-n 500 -r 1").
.PHONY: bench-full bench-profile postfix-local

BENCH_ARGS ?=
PROFILE_ARGS ?=

postfix-local:
	@sh tools/postfix-local.sh

bench: deps
	@$(MAKE) --no-print-directory all postfix-local
	@command -v valgrind >/dev/null 2>&1 || apt-get install -y valgrind >/dev/null 2>&1 || \
	  echo "bench: valgrind not available, instructions not counted"
	@python3 bench/bench.py quick $(BENCH_ARGS)

bench-full: deps
	@$(MAKE) --no-print-directory all postfix-local
	@command -v gnuplot >/dev/null 2>&1 || \
	  { apt-get install -y gnuplot-nox >/dev/null 2>&1 || \
	    { apt-get update >/dev/null 2>&1 && apt-get install -y gnuplot-nox >/dev/null; }; } || \
	  echo "bench-full: gnuplot not available, tables only"
	@python3 bench/bench.py full $(BENCH_ARGS)

bench-profile: deps
	@$(MAKE) --no-print-directory all postfix-local
	@command -v perf >/dev/null 2>&1 || apt-get install -y linux-perf >/dev/null
	@python3 bench/profile.py $(PROFILE_ARGS)
