# submit.mk - the setgid gate. `make install` run as root makes
# $(PREFIX)/libexec/sluice/gate owned by root:$(SETGID_GROUP) mode 2755, so
# that sendmail (run by any user) can drop files into queue/maildrop (mode
# 1730, group SETGID_GROUP). Not root: the gate stays a normal program
# (tests, make run). SETGID_GROUP must match main.cf's setgid_group.
.PHONY: install-gate
SETGID_GROUP ?= sluicedrop

install-gate:
	@if [ "$$(id -u)" = 0 ]; then \
	  if getent group $(SETGID_GROUP) >/dev/null; then \
	    chgrp $(SETGID_GROUP) $(DESTDIR)$(PREFIX)/libexec/sluice/gate && \
	    chmod 2755 $(DESTDIR)$(PREFIX)/libexec/sluice/gate && \
	    echo "gate: setgid $(SETGID_GROUP)"; \
	  else echo "gate: group $(SETGID_GROUP) missing (groupadd it, then make install-gate)"; fi; \
	else echo "gate: not root, installed without setgid"; fi
