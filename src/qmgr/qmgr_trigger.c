/*
 * qmgr_trigger.c - the bytes qmgr reads from private/qmgr (mail_proto.h):
 * one-byte requests ('A' new mail, 'F' flush, 'W' wake-up) and cleanup's
 * hand-offs by name ('S' and a spare name). A fifo read may end inside a
 * hint; the rest of it comes with the next read, so the cut part waits in
 * a carry. Pure: what to do with each request is the caller's.
 */
#include <string.h>

#include "qmgr.h"

/* one_byte - count a one-byte request */
static void one_byte(char c, struct qmgr_trigger_read *req)
{
    if (c == QMGR_TRIGGER_FLUSH)
        req->flush = 1;
    else if (c == QMGR_TRIGGER_WAKEUP)
        req->wakeup = 1;
    else if (c != QMGR_TRIGGER_NEW)
        req->unknown++;
}

/* hint - a complete hand-off by name, 'S' first */
static void hint(const char *rec, void (*spare)(const char *, void *),
                 void *ctx)
{
    char name[QMGR_TRIGGER_SPARE_LEN];

    memcpy(name, rec + 1, QMGR_TRIGGER_SPARE_LEN - 1);
    name[QMGR_TRIGGER_SPARE_LEN - 1] = 0;
    spare(name, ctx);
}

/* qmgr_trigger_parse - requests and hints of one read */
void qmgr_trigger_parse(const char *buf, size_t len,
                        struct qmgr_trigger_carry *carry,
                        struct qmgr_trigger_read *req,
                        void (*spare)(const char *name, void *ctx), void *ctx)
{
    size_t i = 0, need;

    if (carry->len > 0) { /* the rest of a hint the last read cut */
        need = QMGR_TRIGGER_SPARE_LEN - carry->len;
        if (len < need) {
            memcpy(carry->buf + carry->len, buf, len);
            carry->len += len;
            return;
        }
        memcpy(carry->buf + carry->len, buf, need);
        carry->len = 0;
        hint(carry->buf, spare, ctx);
        i = need;
    }
    while (i < len) {
        if (buf[i] != QMGR_TRIGGER_SPARE) {
            one_byte(buf[i++], req);
        } else if (len - i >= QMGR_TRIGGER_SPARE_LEN) {
            hint(buf + i, spare, ctx);
            i += QMGR_TRIGGER_SPARE_LEN;
        } else {
            memcpy(carry->buf, buf + i, len - i);
            carry->len = len - i;
            i = len;
        }
    }
}
