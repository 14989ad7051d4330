/*
 * fuzz_dsn.c - the DSN writer (src/mail/dsn.h) fed what comes from outside:
 * recipient addresses, ORCPT, ENVID, status texts and remote replies, the
 * remote MTA's name and the original message.
 * FUZZ-TARGETS: src/mail/dsn.c
 *
 * Input: fields separated by 0xff bytes: to, envid, then per recipient
 * final, orcpt, status, diagnostic, remote_mta; the last field is the
 * original message. Byte 0 picks kind, RET and the size limit.
 * Invariants:
 *   - the DSN's top header section is exactly our eight fields (and the
 *     boundary's continuation): no header line injected from outside;
 *   - the only MIME boundary lines are ours: three part openings and the
 *     closing one, last;
 *   - the delivery-status part holds only known DSN fields, one
 *     Final-Recipient per recipient; no field value exceeds DSN_FIELD_MAX;
 *   - dsn_write refuses exactly the reports it must (content holding the
 *     boundary).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dsn.h"
#include "fuzz_common.h"
#include "vstring.h"

#define BOUNDARY "ABC123.1700000000/mx.example.org"
#define MAX_RCPT 4

static const char *const top_fields[] = {
    "From: ", "To: ", "Subject: ", "Date: ", "Message-ID: ",
    "Auto-Submitted: ", "MIME-Version: ", "Content-Type: ", 0};

static const char *const status_fields[] = {
    "Reporting-MTA: ", "X-Sluice-Queue-ID: ", "Original-Envelope-Id: ",
    "Arrival-Date: ", "Original-Recipient: ", "Final-Recipient: ",
    "Action: ", "Status: ", "Remote-MTA: ", "Diagnostic-Code: ", 0};

/* starts_with_one - index of the field line starts with, or -1 */
static int starts_with_one(const char *line, size_t len,
                           const char *const *names)
{
    int i;

    for (i = 0; names[i]; i++)
        if (len >= strlen(names[i]) &&
            memcmp(line, names[i], strlen(names[i])) == 0)
            return i;
    return -1;
}

/* check_dsn - the structure of the whole notification */
static void check_dsn(const char *p, size_t n, size_t nrcpt)
{
    static const char open[] = "--" BOUNDARY;
    size_t pos = 0, eol, len, opens = 0, closes = 0, finals = 0;
    int in_top = 1, top_count = 0, in_status = 0, status_hdrs = 0, k;

    while (pos < n) {
        const char *e = memchr(p + pos, '\n', n - pos);

        FUZZ_CHECK(e != 0, "DSN does not end in LF");
        eol = (size_t)(e - p);
        len = eol - pos;
        FUZZ_CHECK(memchr(p + pos, '\r', len) == 0 || (!in_top && !in_status),
                   "CR outside the returned message");
        if (len >= sizeof(open) - 1 &&
            memcmp(p + pos, open, sizeof(open) - 1) == 0) {
            FUZZ_CHECK(closes == 0, "boundary after the closing one");
            if (len == sizeof(open) + 1 &&
                memcmp(p + pos + sizeof(open) - 1, "--", 2) == 0)
                closes++;
            else
                FUZZ_CHECK(len == sizeof(open) - 1, "boundary with a tail");
            opens += closes == 0;
            in_status = 0;
            if (opens == 2 && closes == 0) {
                in_status = 1;
                status_hdrs = 0;
            }
        } else if (in_top) {
            if (len == 0) {
                in_top = 0;
            } else if (p[pos] == '\t') {
                FUZZ_CHECK(top_count == 8, "continuation in the top header");
            } else {
                k = starts_with_one(p + pos, len, top_fields);
                FUZZ_CHECK(k == top_count, "injected or misplaced top header");
                top_count++;
                FUZZ_CHECK(len <= 40 + DSN_FIELD_MAX, "top field too long");
            }
        } else if (in_status) {
            if (status_hdrs < 2) {
                status_hdrs += len > 0;
            } else if (len > 0) {
                k = starts_with_one(p + pos, len, status_fields);
                FUZZ_CHECK(k >= 0, "unknown line in the delivery status: %.*s",
                           (int)(len > 60 ? 60 : len), p + pos);
                FUZZ_CHECK(len <= 40 + DSN_FIELD_MAX, "status field too long");
                finals += k == 5;
            }
        }
        pos = eol + 1;
    }
    FUZZ_CHECK(top_count == 8, "top header has %d fields", top_count);
    FUZZ_CHECK(opens == 3 && closes == 1, "%zu openings, %zu closings", opens,
               closes);
    FUZZ_CHECK(finals == nrcpt, "%zu Final-Recipient for %zu", finals, nrcpt);
}

/* field - the next 0xff-separated field as a C string (freed by caller) */
static char *field(struct fuzz_input *in)
{
    size_t len;
    const char *s = fuzz_take_until(in, 0xff, &len);

    return fuzz_strndup(s, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input in = {data, size};
    unsigned opt = fuzz_take_byte(&in);
    struct dsn_rcpt rc[MAX_RCPT];
    struct dsn_report r;
    char *owned[2 + 5 * MAX_RCPT];
    size_t nown = 0, i, nrcpt = (opt >> 4) % MAX_RCPT + 1;
    struct vstring *out = vstring_alloc(1024);
    int res, has_boundary;

    fuzz_init();
    memset(&r, 0, sizeof(r));
    r.kind = (opt & 1) ? DSN_DELAYED : DSN_FAILED;
    r.ret = (enum dsn_ret)((opt >> 1) % 3);
    r.reporting_mta = "mx.example.org";
    r.postmaster = "MAILER-DAEMON@mx.example.org";
    r.to = owned[nown++] = field(&in);
    r.envid = owned[nown++] = field(&in);
    r.queue_id = "ABC123";
    r.arrival_date = "Thu, 1 Jan 2026 00:00:00 +0000";
    r.date = "Thu, 1 Jan 2026 01:00:00 +0000";
    r.message_id = "<ABC123.dsn@mx.example.org>";
    r.boundary = BOUNDARY;
    for (i = 0; i < nrcpt; i++) {
        rc[i].final_rcpt = owned[nown++] = field(&in);
        rc[i].orcpt = owned[nown++] = field(&in);
        rc[i].action = (opt & 1) ? "delayed" : "failed";
        rc[i].status = owned[nown++] = field(&in);
        rc[i].diagnostic = owned[nown++] = field(&in);
        rc[i].remote_mta = owned[nown++] = field(&in);
        if (i % 2)
            rc[i].orcpt = rc[i].remote_mta = 0;
    }
    r.rcpts = rc;
    r.rcpt_count = nrcpt;
    r.content = (const char *)in.data;
    r.content_len = in.len;
    r.full_limit = (opt & 8) ? 64 : 100000;
    has_boundary = memmem(in.data, in.len, BOUNDARY, strlen(BOUNDARY)) != 0;
    res = dsn_write(out, &r);
    FUZZ_CHECK(res == (has_boundary ? -1 : 0), "dsn_write returned %d", res);
    if (res == 0)
        check_dsn(vstring_str(out), vstring_len(out), nrcpt);
    for (i = 0; i < nown; i++)
        free(owned[i]);
    vstring_free(out);
    return 0;
}
