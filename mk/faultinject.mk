# faultinject.mk - crash points of the fault-injection harness.
.PHONY: faultinject-list faultinject-build

# Every FI_POINT in the tree, with its file and line.
faultinject-list:
	@grep -rnoE 'FI_POINT\("[a-z0-9_.]+"\)' src | \
	  sed -E 's/^([^:]+):([0-9]+):FI_POINT\("([^"]+)"\)/\3\t\1:\2/' | sort

# The fault build: the programs only (no unit tests), into build/plain-fi/bin.
faultinject-build:
	@$(MAKE) --no-print-directory VARIANT=plain FI=1 \
	  $(addprefix build/plain-fi/bin/,$(PROG_NAMES))

# ---- the syscall fault shim (LD_PRELOAD) ---------------------------------
SHIM_SO   = build/faultinject/sluice-shim.so
SHIM_SRCS = faultinject/shim.c faultinject/shim_paths.c \
            faultinject/shim_power.c faultinject/shim_names.c \
            faultinject/shim_undo.c
.PHONY: faultinject-shim
faultinject-shim: $(SHIM_SO)

$(SHIM_SO): $(SHIM_SRCS) faultinject/shim.h faultinject/shim_power.h
	@mkdir -p $(@D)
	$(CC_plain) -std=c11 -D_GNU_SOURCE $(WARN) -O2 -g -fPIC -shared \
	  -o $@ $(SHIM_SRCS) -ldl

# ---- the explorer ---------------------------------------------------------
# make faultinject        the full exploration -> faultinject/REPORT.md
# make faultinject-quick  the CI subset        -> build/faultinject/REPORT-quick.md
FI_EXPLORE = $(PYTHON) faultinject/explore.py --bin build/plain-fi/bin
FI_JOBS   ?= 2
.PHONY: faultinject-quick
faultinject: faultinject-build faultinject-shim
	@$(FI_EXPLORE) --jobs $(FI_JOBS) --report faultinject/REPORT.md \
	  --json build/faultinject/full.json

faultinject-quick: faultinject-build faultinject-shim
	@$(FI_EXPLORE) --quick --jobs $(FI_JOBS) \
	  --report build/faultinject/REPORT-quick.md \
	  --json build/faultinject/quick.json
