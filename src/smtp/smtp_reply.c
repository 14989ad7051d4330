/*
 * smtp_reply.c - the pure reply parser of the SMTP/LMTP client
 * (smtp_reply.h). Fixed bounds, no allocation, one exit per function.
 */
#include <string.h>

#include "smtp_reply.h"

/* smtp_reply_init - an empty reply, ready for its first line */
void smtp_reply_init(struct smtp_reply *r)
{
    r->code = 0;
    r->state = SMTP_REPLY_MORE;
    r->lines = 0;
    r->len = 0;
    r->text[0] = 0;
    r->dsn[0] = 0;
}

/* reply_code - the 3-digit code at line[0..2], or 0 when it is not one */
static int reply_code(const char *line, size_t len)
{
    int code = 0;

    if (len >= 3 && line[0] >= '2' && line[0] <= '5' && line[1] >= '0' &&
        line[1] <= '5' && line[2] >= '0' && line[2] <= '9')
        code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
    return code;
}

/* append_text - text bytes into r->text, cut at the bound, '?' for
 * anything that is not printable ASCII */
static void append_text(struct smtp_reply *r, const char *src, size_t n)
{
    size_t i;
    unsigned char c;

    /*@ loop invariant 0 <= i <= n;
        loop invariant r->len <= SMTP_REPLY_TEXT_MAX;
        loop assigns i, c, r->len, r->text[0 .. SMTP_REPLY_TEXT_MAX];
        loop variant n - i;
     */
    for (i = 0; i < n && r->len < SMTP_REPLY_TEXT_MAX; i++) {
        c = (unsigned char)src[i];
        r->text[r->len++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
    }
    r->text[r->len] = 0;
}

/* smtp_reply_feed - take one line (its CR LF removed) */
int smtp_reply_feed(struct smtp_reply *r, const char *line, size_t len)
{
    int code = reply_code(line, len);
    int result = SMTP_REPLY_BAD;
    int last;

    if (r->state != SMTP_REPLY_MORE || code == 0)
        goto out;
    if (len > 3 && line[3] != ' ' && line[3] != '-')
        goto out;
    if (r->lines > 0 && code != r->code)
        goto out;
    if (r->lines >= SMTP_REPLY_LINES_MAX)
        goto out;
    last = len == 3 || line[3] == ' ';
    if (r->lines > 0 && r->len < SMTP_REPLY_TEXT_MAX) {
        r->text[r->len++] = '\n'; /* the line separator, never from input */
        r->text[r->len] = 0;
    }
    if (len > 4)
        append_text(r, line + 4, len - 4);
    if (r->lines == 0)
        smtp_reply_dsn(len > 4 ? line + 4 : "", len > 4 ? len - 4 : 0,
                       code / 100, r->dsn);
    r->code = code;
    r->lines++;
    result = last ? SMTP_REPLY_DONE : SMTP_REPLY_MORE;
out:
    r->state = result;
    return result;
}

/* digits - length (1..max) of the digit run at text[i], or 0 */
static size_t digits(const char *text, size_t len, size_t i, size_t max)
{
    size_t n = 0;

    /*@ loop invariant 0 <= n <= max;
        loop assigns n;
        loop variant max - n;
     */
    while (n < max && i + n < len && text[i + n] >= '0' && text[i + n] <= '9')
        n++;
    if (i + n < len && text[i + n] >= '0' && text[i + n] <= '9')
        n = 0; /* too many digits */
    return n;
}

/* smtp_reply_dsn - "c.sss.ddd" at the start of text, or nothing */
size_t smtp_reply_dsn(const char *text, size_t len, int want_class,
                      char *out)
{
    size_t subj, det, total = 0;

    out[0] = 0;
    if (len < 5 || text[0] != '0' + want_class || text[1] != '.')
        goto out;
    if ((subj = digits(text, len, 2, 3)) == 0 || 2 + subj >= len ||
        text[2 + subj] != '.')
        goto out;
    if ((det = digits(text, len, 3 + subj, 3)) == 0)
        goto out;
    total = 3 + subj + det;
    if (total < len && text[total] != ' ') {
        total = 0;
        goto out;
    }
    memcpy(out, text, total);
    out[total] = 0;
out:
    return total;
}
