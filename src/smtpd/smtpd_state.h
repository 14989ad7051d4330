/*
 * smtpd_state.h - the SMTP session state machine: which command is allowed
 * in which phase, and the counters that bound a session (recipients per
 * message, hard errors per session).
 *
 * Phases (RFC 5321 4.1.4, RFC 3030):
 *   INIT  - greeted, no EHLO/HELO yet (also right after STARTTLS);
 *   READY - EHLO/HELO seen, no transaction;
 *   MAIL  - MAIL accepted, no recipient yet;
 *   RCPT  - at least one recipient accepted;
 *   BDAT  - at least one BDAT chunk accepted, LAST not yet seen.
 * The allowed-commands relation is one table (verb x phase); a refused
 * command gets 503 5.5.1 with the reason from smtpd_state_check().
 *
 * Counters: smtpd_state_rcpt() refuses once the message holds rcpt_limit
 * recipients (the session answers 452 4.5.3); smtpd_state_error() counts a
 * hard error and says when error_limit is reached (the session answers
 * 421 4.7.0 and ends). A limit of 0 means "no limit" for neither: the
 * constructor replaces 0 by 1, so that every session is bounded.
 */
#ifndef SMTPD_STATE_H
#define SMTPD_STATE_H

#include "smtpd_cmd.h"

enum smtpd_phase {
    SMTPD_PHASE_INIT = 0,
    SMTPD_PHASE_READY,
    SMTPD_PHASE_MAIL,
    SMTPD_PHASE_RCPT,
    SMTPD_PHASE_BDAT,
    SMTPD_PHASE_COUNT
};

struct smtpd_state {
    enum smtpd_phase phase;
    int esmtp;      /* EHLO (1) or HELO (0) */
    int tls;        /* STARTTLS completed */
    unsigned nrcpt; /* recipients of the current message */
    unsigned rcpt_limit;
    unsigned errors; /* hard errors so far in this session */
    unsigned error_limit;
};

/*@ requires \valid(st);
    assigns *st;
    ensures st->phase == SMTPD_PHASE_INIT && st->nrcpt == 0 && st->errors == 0;
    ensures st->rcpt_limit >= 1 && st->error_limit >= 1;
 */
void smtpd_state_init(struct smtpd_state *st, unsigned rcpt_limit,
                      unsigned error_limit);

/*
 * 0 when verb is allowed now; otherwise a static reason for 503 5.5.1
 * ("Error: send HELO/EHLO first", ...). Verbs that are always allowed
 * (NOOP, QUIT, RSET, HELP, VRFY, EXPN, unknown) return 0.
 */
/*@ requires \valid_read(st);
    assigns \nothing;
 */
const char *smtpd_state_check(const struct smtpd_state *st,
                              enum smtpd_verb verb);

/* EHLO/HELO: a fresh start; any transaction is dropped. */
void smtpd_state_helo(struct smtpd_state *st, int esmtp);
/* MAIL accepted. */
void smtpd_state_mail(struct smtpd_state *st);
/* RCPT: 0 and the recipient counted, or -1 when the limit is reached. */
int smtpd_state_rcpt(struct smtpd_state *st);
/* A BDAT chunk without LAST accepted. */
void smtpd_state_bdat(struct smtpd_state *st);
/* End of a transaction (RSET, message done or failed): back to READY,
 * or INIT when no HELO was seen. */
void smtpd_state_reset(struct smtpd_state *st);
/* STARTTLS done: back to INIT, forget EHLO (RFC 3207 4.2). */
void smtpd_state_tls(struct smtpd_state *st);
/* Count a hard error; 1 when error_limit is now reached, else 0. */
int smtpd_state_error(struct smtpd_state *st);

#endif
