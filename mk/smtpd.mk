# smtpd.mk - the smtpd unit tests include the smtpd headers directly.
$(B)/tobj/unit/smtpd/%.o: CFLAGS += -Isrc/smtpd
