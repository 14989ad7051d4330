/*
 * smtpd_state.c - the session phases and counters (smtpd_state.h).
 */
#include "smtpd_state.h"

#define P(x) (1u << SMTPD_PHASE_##x)
#define ANY (P(INIT) | P(READY) | P(MAIL) | P(RCPT) | P(BDAT))

/* Which phases allow each verb, and what to say when the phase does not. */
static const struct {
    unsigned phases;
    const char *why;
} rules[SMTPD_VERB_COUNT] = {
    [SMTPD_VERB_UNKNOWN] = {ANY, 0},
    [SMTPD_VERB_EHLO] = {ANY & ~P(BDAT), "Error: BDAT transfer in progress"},
    [SMTPD_VERB_HELO] = {ANY & ~P(BDAT), "Error: BDAT transfer in progress"},
    [SMTPD_VERB_MAIL] = {P(READY), 0},
    [SMTPD_VERB_RCPT] = {P(MAIL) | P(RCPT), 0},
    [SMTPD_VERB_DATA] = {P(RCPT), 0},
    [SMTPD_VERB_BDAT] = {P(RCPT) | P(BDAT), 0},
    [SMTPD_VERB_RSET] = {ANY, 0},
    [SMTPD_VERB_NOOP] = {ANY, 0},
    [SMTPD_VERB_QUIT] = {ANY, 0},
    [SMTPD_VERB_VRFY] = {ANY, 0},
    [SMTPD_VERB_EXPN] = {ANY, 0},
    [SMTPD_VERB_HELP] = {ANY, 0},
    [SMTPD_VERB_STARTTLS] = {P(INIT) | P(READY), 0},
};

/* smtpd_state_init - a session that has just been greeted */
void smtpd_state_init(struct smtpd_state *st, unsigned rcpt_limit,
                      unsigned error_limit)
{
    st->phase = SMTPD_PHASE_INIT;
    st->esmtp = 0;
    st->tls = 0;
    st->nrcpt = 0;
    st->errors = 0;
    st->rcpt_limit = rcpt_limit ? rcpt_limit : 1;
    st->error_limit = error_limit ? error_limit : 1;
}

/* default_why - the reason for a refusal that the table leaves to phase */
static const char *default_why(const struct smtpd_state *st,
                               enum smtpd_verb verb)
{
    switch (st->phase) {
    case SMTPD_PHASE_INIT:
        return "Error: send HELO/EHLO first";
    case SMTPD_PHASE_READY:
        return "Error: need MAIL command";
    case SMTPD_PHASE_MAIL:
        return verb == SMTPD_VERB_MAIL ? "Error: nested MAIL command"
                                       : "Error: need RCPT command";
    case SMTPD_PHASE_RCPT:
        return "Error: nested MAIL command";
    default:
        return verb == SMTPD_VERB_DATA ? "Error: DATA after BDAT"
                                       : "Error: BDAT transfer in progress";
    }
}

/* smtpd_state_check - may verb be used in the current phase? */
const char *smtpd_state_check(const struct smtpd_state *st,
                              enum smtpd_verb verb)
{
    if ((int)verb < 0 || verb >= SMTPD_VERB_COUNT)
        return "Error: unknown command";
    if (verb == SMTPD_VERB_STARTTLS && st->tls)
        return "Error: TLS already active";
    if (rules[verb].phases & (1u << st->phase))
        return 0;
    return rules[verb].why ? rules[verb].why : default_why(st, verb);
}

/* smtpd_state_helo - EHLO or HELO accepted */
void smtpd_state_helo(struct smtpd_state *st, int esmtp)
{
    st->esmtp = esmtp;
    st->phase = SMTPD_PHASE_READY;
    st->nrcpt = 0;
}

/* smtpd_state_mail - a transaction begins */
void smtpd_state_mail(struct smtpd_state *st)
{
    st->phase = SMTPD_PHASE_MAIL;
    st->nrcpt = 0;
}

/* smtpd_state_rcpt - count one recipient, within the limit */
int smtpd_state_rcpt(struct smtpd_state *st)
{
    if (st->nrcpt >= st->rcpt_limit)
        return -1;
    st->nrcpt++;
    st->phase = SMTPD_PHASE_RCPT;
    return 0;
}

/* smtpd_state_bdat - a chunk without LAST */
void smtpd_state_bdat(struct smtpd_state *st)
{
    st->phase = SMTPD_PHASE_BDAT;
}

/* smtpd_state_reset - the transaction is over */
void smtpd_state_reset(struct smtpd_state *st)
{
    if (st->phase != SMTPD_PHASE_INIT)
        st->phase = SMTPD_PHASE_READY;
    st->nrcpt = 0;
}

/* smtpd_state_tls - TLS is up: the client starts over (RFC 3207) */
void smtpd_state_tls(struct smtpd_state *st)
{
    st->tls = 1;
    st->esmtp = 0;
    st->phase = SMTPD_PHASE_INIT;
    st->nrcpt = 0;
}

/* smtpd_state_error - count one hard error */
int smtpd_state_error(struct smtpd_state *st)
{
    if (st->errors < st->error_limit)
        st->errors++;
    return st->errors >= st->error_limit;
}
