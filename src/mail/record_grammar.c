/*
 * record_grammar.c - which record may follow which (see record.h), and the
 * payload layouts of 'R' and 'A' records.
 *
 * The grammar is a small state machine fed one type at a time, so that the
 * writer (queue_file.c) and every reader apply the same rule without holding
 * the file in memory.
 */
#include <string.h>

#include "msg.h"
#include "record.h"
#include "vstring.h"

#define G_START 0    /* expect V */
#define G_ENVELOPE 1 /* T S A R D, or M */
#define G_CONTENT 2  /* C, or X */
#define G_TRAILER 3  /* P (queue profile), or E */
#define G_DONE 4     /* nothing may follow */
#define G_REFUSED 5  /* a step failed; stays refused */
#define G_PADDED 6   /* expect E */

/* record_grammar_init - start checking a new file */
void record_grammar_init(struct record_grammar *g, int profile)
{
    if (profile != RECORD_PROFILE_QUEUE && profile != RECORD_PROFILE_SUBMIT)
        msg_panic("record_grammar_init: bad profile %d", profile);
    g->profile = profile;
    g->state = G_START;
    g->times = g->senders = g->rcpts = 0;
}

/* envelope_step - one envelope record, or the M that ends the envelope */
static const char *envelope_step(struct record_grammar *g, int type)
{
    const char *why = 0;

    switch (type) {
    case REC_TIME:
        if (g->times++ > 0)
            why = "more than one time record";
        break;
    case REC_SENDER:
        if (g->senders++ > 0)
            why = "more than one sender record";
        break;
    case REC_ATTR:
        break;
    case REC_DONE:
        if (g->profile == RECORD_PROFILE_SUBMIT) {
            why = "done recipient in a submission";
            break;
        }
        /* FALLTHROUGH */
    case REC_RCPT:
        g->rcpts++;
        break;
    case REC_MESSAGE:
        if (g->times != 1 && g->profile == RECORD_PROFILE_QUEUE)
            why = "no time record";
        else if (g->senders != 1)
            why = "no sender record";
        else if (g->rcpts == 0 && g->profile == RECORD_PROFILE_QUEUE)
            why = "no recipient";
        else
            g->state = G_CONTENT;
        break;
    default:
        why = "record out of place in the envelope";
        break;
    }
    return why;
}

/* expect - the one type allowed here moves on to next; any other, why */
static const char *expect(struct record_grammar *g, int type, int want,
                          int next, const char *why)
{
    if (type != want)
        return why;
    g->state = next;
    return 0;
}

/* record_grammar_step - may a record of this type come next? */
const char *record_grammar_step(struct record_grammar *g, int type)
{
    const char *why = 0;

    switch (g->state) {
    case G_START:
        why = expect(g, type, REC_VERSION, G_ENVELOPE,
                     "first record is not a version record");
        break;
    case G_ENVELOPE:
        why = envelope_step(g, type);
        break;
    case G_CONTENT:
        if (type == REC_CONTENT_END)
            g->state = G_TRAILER;
        else if (type != REC_CONTENT)
            why = "non-content record inside the content";
        break;
    case G_TRAILER:
        if (type == REC_END)
            g->state = G_DONE;
        else if (type == REC_PADDING && g->profile == RECORD_PROFILE_QUEUE)
            g->state = G_PADDED;
        else
            why = "record after the end of content";
        break;
    case G_PADDED:
        why = expect(g, type, REC_END, G_DONE, "record after the padding");
        break;
    case G_DONE:
        why = "record after the end record";
        break;
    default:
        why = "file already refused";
        break;
    }
    if (why)
        g->state = G_REFUSED;
    return why;
}

/* record_grammar_done - is what was fed a complete file? */
const char *record_grammar_done(const struct record_grammar *g)
{
    if (g->state == G_DONE)
        return 0;
    if (g->state == G_REFUSED)
        return "file already refused";
    return "no end record (incomplete file)";
}

/* record_rcpt_encode - "address\0notify\0orcpt" */
int record_rcpt_encode(struct vstring *out, const char *address,
                       const char *notify, const char *orcpt)
{
    size_t a = strlen(address), n = strlen(notify), o = strlen(orcpt);

    vstring_reset(out);
    if (a > RECORD_MAX_PAYLOAD || n > RECORD_MAX_PAYLOAD ||
        o > RECORD_MAX_PAYLOAD || a + n + o + 2 > RECORD_MAX_PAYLOAD)
        return -1;
    vstring_append(out, address, a);
    vstring_append_char(out, 0);
    vstring_append(out, notify, n);
    vstring_append_char(out, 0);
    vstring_append(out, orcpt, o);
    return 0;
}

/* record_rcpt_decode - split an 'R' payload into its three fields */
int record_rcpt_decode(const char *payload, size_t len, struct record_rcpt *r)
{
    size_t i, field = 0, start = 0;
    const char *ptr[3] = {0, 0, 0};
    size_t flen[3] = {0, 0, 0};

    for (i = 0; i <= len && field < 3; i++) {
        if (i == len || payload[i] == 0) {
            ptr[field] = payload + start;
            flen[field] = i - start;
            field++;
            start = i + 1;
        }
    }
    if (field != 3 || start != len + 1)
        return -1;
    r->address = ptr[0];
    r->address_len = flen[0];
    r->notify = ptr[1];
    r->notify_len = flen[1];
    r->orcpt = ptr[2];
    r->orcpt_len = flen[2];
    return 0;
}

/* record_attr_split - length of the name in "name=value", or -1 */
long record_attr_split(const char *payload, size_t len)
{
    size_t i;
    long result = -1;

    for (i = 0; i < len; i++) {
        if (payload[i] == '=') {
            result = i > 0 ? (long)i : -1;
            break;
        }
    }
    return result;
}
