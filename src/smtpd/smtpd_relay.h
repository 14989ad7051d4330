/*
 * smtpd_relay.h - the relay decision for one recipient: never an open relay.
 *
 * A recipient is accepted when
 *   (a) it is <postmaster> (RFC 5321 4.5.1), or
 *   (b) its domain is one of ours (the mydestination list, compared without
 *       regard to ASCII case; an address literal is ours only when it is
 *       listed as written, "[192.0.2.1]") and, if the client is not trusted,
 *       the address carries no routing trick, or
 *   (c) the client is trusted (its address is in mynetworks).
 * Everything else is refused with 554 5.7.1. The tricks (smtpd_path.h) are
 * a source route (@a:user@b), '%' (user%other@ours), '!' (other!user@ours)
 * and '@' inside a quoted local part ("user@other"@ours): a later stage that
 * honoured any of them would relay for the world, so an untrusted client
 * gets 554 5.7.1 for them even when the domain is ours.
 *
 * Pure: the caller computes "trusted" once per session (smtpd_netlist.h).
 */
#ifndef SMTPD_RELAY_H
#define SMTPD_RELAY_H

#include "smtpd_path.h"

#define SMTPD_RELAY_LOCAL   0 /* for one of our domains */
#define SMTPD_RELAY_ALLOWED 1 /* foreign, but the client is trusted */
#define SMTPD_RELAY_DENIED  (-1)

/*
 * mydest is a NULL-terminated array of domain names (may be NULL: no local
 * domains). On SMTPD_RELAY_DENIED a static reason is stored in *why.
 */
/*@ requires \valid_read(rcpt) && \valid(why);
    assigns *why;
 */
int smtpd_relay_check(const struct smtpd_path *rcpt,
                      const char *const *mydest, int trusted,
                      const char **why);

/* 1 when domain is in mydest (ASCII case-insensitive). */
int smtpd_relay_is_local(const char *domain, const char *const *mydest);

#endif
