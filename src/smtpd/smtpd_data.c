/*
 * smtpd_data.c - the DATA state machine (smtpd_data.h).
 *
 * One transition per input byte. CR is never copied out on its own: it is
 * held (phase CR or DOT_CR) until the next byte shows whether it starts a
 * CR LF, so an output byte sequence always has CR only before LF.
 */
#include "smtpd_data.h"

/* smtpd_data_init - ready for the first byte after "354" */
void smtpd_data_init(struct smtpd_data *d, unsigned long long limit)
{
    d->phase = SMTPD_DATA_BOL;
    d->errors = 0;
    d->size = 0;
    d->limit = limit;
}

/* emit - copy out bytes while the message is still acceptable */
static void emit(struct smtpd_data *d, const char *bytes, size_t n,
                 char *out, size_t *o)
{
    size_t i;

    d->size += n;
    if (d->limit != 0 && d->size > d->limit)
        d->errors |= SMTPD_DATA_TOO_BIG;
    if (d->errors != 0)
        return;
    for (i = 0; i < n; i++)
        out[(*o)++] = bytes[i];
}

/* step - one byte of input in phase d->phase */
static void step(struct smtpd_data *d, char c, char *out, size_t *o)
{
    if (c == 0)
        d->errors |= SMTPD_DATA_NUL;
    switch (d->phase) {
    case SMTPD_DATA_BOL:
    case SMTPD_DATA_MID:
        if (c == '.' && d->phase == SMTPD_DATA_BOL) {
            d->phase = SMTPD_DATA_DOT;
        } else if (c == '\r') {
            d->phase = SMTPD_DATA_CR;
        } else if (c == '\n') {
            d->errors |= SMTPD_DATA_BARE_LF;
            d->phase = SMTPD_DATA_MID;
        } else {
            emit(d, &c, 1, out, o);
            d->phase = SMTPD_DATA_MID;
        }
        break;
    case SMTPD_DATA_DOT:
        /* the stuffed dot is dropped; the byte after it is a line byte */
        d->phase = SMTPD_DATA_MID;
        if (c == '\r')
            d->phase = SMTPD_DATA_DOT_CR;
        else
            step(d, c, out, o);
        break;
    case SMTPD_DATA_DOT_CR:
        if (c == '\n') {
            d->phase = SMTPD_DATA_END;
            break;
        }
        d->errors |= SMTPD_DATA_BARE_CR;
        d->phase = SMTPD_DATA_MID;
        step(d, c, out, o);
        break;
    case SMTPD_DATA_CR:
        if (c == '\n') {
            emit(d, "\r\n", 2, out, o);
            d->phase = SMTPD_DATA_BOL;
            break;
        }
        d->errors |= SMTPD_DATA_BARE_CR;
        d->phase = SMTPD_DATA_MID;
        step(d, c, out, o);
        break;
    default:
        break;
    }
}

/* smtpd_data_scan - feed one piece of the data stream */
size_t smtpd_data_scan(struct smtpd_data *d, const char *in, size_t len,
                       char *out, size_t *out_len)
{
    size_t i;

    *out_len = 0;
    /*@ loop invariant 0 <= i <= len && *out_len <= i + 1;
        loop assigns i, *d, *out_len, out[0 .. len];
        loop variant len - i;
     */
    for (i = 0; i < len && d->phase != SMTPD_DATA_END; i++)
        step(d, in[i], out, out_len);
    return i;
}

/* smtpd_data_done - has the end of the message been seen? */
int smtpd_data_done(const struct smtpd_data *d)
{
    return d->phase == SMTPD_DATA_END;
}
