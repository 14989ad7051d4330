/*
 * fuzz_smtp_reply.c - the SMTP client's reply parser (src/smtp/smtp_reply.h)
 * fed a server's byte stream cut into lines the way smtp_proto.c does.
 * FUZZ-TARGETS: src/smtp/smtp_reply.c
 *
 * Invariants:
 *   - the text is always NUL-terminated within SMTP_REPLY_TEXT_MAX and holds
 *     only printable ASCII and the '\n' that joins lines: a remote reply can
 *     never carry a CR, a control byte or 8-bit data further (into a DSN, a
 *     log line, a header);
 *   - a complete reply has a code 200..559 that every line carried (model:
 *     the first three bytes of each line), at most SMTP_REPLY_LINES_MAX
 *     lines, and a DSN that is "class.subject.detail" of the code's class
 *     or empty;
 *   - smtp_reply_dsn never reports more than 9 bytes, and what it reports
 *     is a prefix of the text.
 */
#include <stdint.h>
#include <string.h>

#include "fuzz_common.h"
#include "smtp_reply.h"

/* line_code - the code a line starts with, or -1 */
static int line_code(const char *l, size_t n)
{
    if (n < 3 || l[0] < '2' || l[0] > '5' || l[1] < '0' || l[1] > '5' ||
        l[2] < '0' || l[2] > '9')
        return -1;
    return (l[0] - '0') * 100 + (l[1] - '0') * 10 + (l[2] - '0');
}

/* check_reply - a reply as it stands */
static void check_reply(const struct smtp_reply *r)
{
    size_t i;

    FUZZ_CHECK(r->len <= SMTP_REPLY_TEXT_MAX && r->text[r->len] == 0,
               "text not terminated");
    for (i = 0; i < r->len; i++)
        FUZZ_CHECK(r->text[i] == '\n' ||
                       (r->text[i] >= 0x20 && r->text[i] < 0x7f),
                   "byte %#x in reply text", (unsigned char)r->text[i]);
    FUZZ_CHECK(r->lines <= SMTP_REPLY_LINES_MAX, "%u lines", r->lines);
}

/* check_dsn - "c.s.d" with the reply's class, or empty */
static void check_dsn(const struct smtp_reply *r)
{
    const char *d = r->dsn;
    size_t n = strlen(d), i, dots = 0;

    if (n == 0)
        return;
    FUZZ_CHECK(n <= 9 && d[0] == '0' + r->code / 100 && d[1] == '.',
               "DSN %s for code %d", d, r->code);
    for (i = 1; i < n; i++) {
        dots += d[i] == '.';
        FUZZ_CHECK(d[i] == '.' || (d[i] >= '0' && d[i] <= '9'),
                   "DSN byte %#x", (unsigned char)d[i]);
    }
    FUZZ_CHECK(dots == 2, "DSN %s", d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input in = {data, size};
    struct smtp_reply r;
    char out[SMTP_REPLY_DSN_MAX + 1];
    const char *line;
    size_t n, k;
    int res, code = -1, consistent = 1, garbage = 0;

    fuzz_init();
    smtp_reply_init(&r);
    while (in.len > 0) {
        line = fuzz_take_until(&in, '\n', &n);
        if (n > 0 && line[n - 1] == '\r')
            n--;
        if (n > SMTP_REPLY_LINE_MAX)
            n = SMTP_REPLY_LINE_MAX;
        if (r.lines == 0) {
            code = line_code(line, n);
            consistent = 1;
            garbage = 0;
        }
        if (line_code(line, n) != code)
            consistent = 0;
        if (line_code(line, n) < 0 || code > 559 ||
            (n > 3 && line[3] != ' ' && line[3] != '-'))
            garbage = 1;
        res = smtp_reply_feed(&r, line, n);
        check_reply(&r);
        FUZZ_CHECK(res == SMTP_REPLY_MORE || res == SMTP_REPLY_DONE ||
                       res == SMTP_REPLY_BAD,
                   "result %d", res);
        if (res == SMTP_REPLY_DONE) {
            FUZZ_CHECK(r.code >= 200 && r.code <= 559 && r.code == code,
                       "code %d, lines began with %d", r.code, code);
            FUZZ_CHECK(consistent && !garbage, "accepted a mixed reply");
            check_dsn(&r);
        }
        if (res != SMTP_REPLY_MORE) {
            FUZZ_CHECK(smtp_reply_feed(&r, "250 ok", 6) == SMTP_REPLY_BAD,
                       "fed after the end");
            smtp_reply_init(&r);
        }
        /* the class is a reply code's first digit, 2..5 (the contract) */
        k = smtp_reply_dsn(line, n,
                           n && line[0] >= '2' && line[0] <= '5' ? line[0] - '0'
                                                                 : 2,
                           out);
        FUZZ_CHECK(k <= 9 && strlen(out) == k && fuzz_same(out, line, k),
                   "smtp_reply_dsn gave %zu bytes", k);
    }
    return 0;
}
