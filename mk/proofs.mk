# proofs.mk - the Frama-C WP proofs of vstring and safe_open.
#   make proofs          run WP (proofs/run.sh), write proofs/REPORT
#   make proofs-mutants  break the code on purpose; every proof must fail
# Settings (provers, time and step limits, Why3 configuration) are in
# proofs/config.sh; what is proven and assumed is in proofs/README.md.

.PHONY: proofs proofs-mutants

proofs:
	@sh proofs/run.sh

proofs-mutants:
	@python3 proofs/mutants.py
