# faultinject.mk - crash points of the fault-injection harness.
.PHONY: faultinject-list faultinject-build

# Every FI_POINT in the tree, with its file and line.
faultinject-list:
	@grep -rnoE 'FI_POINT\("[a-z0-9_.]+"\)' src | \
	  sed -E 's/^([^:]+):([0-9]+):FI_POINT\("([^"]+)"\)/\3\t\1:\2/' | sort

faultinject-build:
	@$(MAKE) --no-print-directory VARIANT=plain FI=1 variant
