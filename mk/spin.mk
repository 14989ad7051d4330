# spin.mk - model-check the hand-off protocol (spec/handoff.pml) with spin:
# the model must pass, and every mutant must fail.
.PHONY: spin

SPIN_DIR = build/spin
SPIN_MUTANTS = MUTANT_REPLY_BEFORE_COMMIT MUTANT_DONE_BEFORE_DELIVERY

spin:
	@mkdir -p $(SPIN_DIR)
	@cp spec/handoff.pml $(SPIN_DIR)/
	@cd $(SPIN_DIR) && spin -a handoff.pml >/dev/null && \
	  cc -O2 -DSAFETY -o pan pan.c && ./pan -m100000 > model.out 2>&1; \
	  if grep -q 'errors: 0' model.out; then \
	    echo "spin: handoff model: $$(grep -o '[0-9]* states, stored' model.out), no violation"; \
	  else cat model.out; echo "spin: handoff model FAILED"; exit 1; fi
	@cd $(SPIN_DIR) && for m in $(SPIN_MUTANTS); do \
	  spin -D$$m -a handoff.pml >/dev/null && cc -O2 -DSAFETY -o pan pan.c && \
	  ./pan -m100000 > $$m.out 2>&1; \
	  if grep -q 'errors: 0' $$m.out; then \
	    echo "spin: mutant $$m was NOT caught"; exit 1; \
	  else echo "spin: mutant $$m caught: $$(grep -o 'assertion violated.*' $$m.out | head -1)"; fi; \
	done
