/*
 * smtpd_reply.c - reply lines with enhanced status codes (smtpd_reply.h).
 */
#include <string.h>

#include "msg.h"
#include "smtpd_reply.h"
#include "vstring.h"

/* digits - count of leading decimal digits, at most max + 1 */
static size_t digits(const char *s, size_t max)
{
    size_t n = 0;

    while (n <= max && s[n] >= '0' && s[n] <= '9')
        n++;
    return n;
}

/* smtpd_reply_dsn_ok - class.subject.detail, RFC 3463 section 2 */
int smtpd_reply_dsn_ok(int code, const char *dsn)
{
    size_t n;

    if (dsn == 0 || (dsn[0] != '2' && dsn[0] != '4' && dsn[0] != '5') ||
        dsn[0] - '0' != code / 100 || dsn[1] != '.')
        return 0;
    dsn += 2;
    n = digits(dsn, 3);
    if (n < 1 || n > 3 || dsn[n] != '.')
        return 0;
    dsn += n + 1;
    n = digits(dsn, 3);
    return n >= 1 && n <= 3 && dsn[n] == 0;
}

/* smtpd_reply_line - one sanitised reply line */
void smtpd_reply_line(struct vstring *out, int code, int more,
                      const char *dsn, const char *text)
{
    char head[4];
    size_t i;
    unsigned char c;

    if (code < 200 || code > 599)
        msg_panic("smtpd_reply_line: bad reply code %d", code);
    if (dsn != 0 && !smtpd_reply_dsn_ok(code, dsn))
        msg_panic("smtpd_reply_line: bad status %s for %d", dsn, code);
    head[0] = (char)('0' + code / 100);
    head[1] = (char)('0' + code / 10 % 10);
    head[2] = (char)('0' + code % 10);
    head[3] = more ? '-' : ' ';
    vstring_append(out, head, sizeof(head));
    if (dsn != 0) {
        vstring_append_str(out, dsn);
        vstring_append_char(out, ' ');
    }
    for (i = 0; text != 0 && text[i] != 0 && i < SMTPD_REPLY_TEXT_MAX; i++) {
        c = (unsigned char)text[i];
        vstring_append_char(out, (c < 0x20 || c >= 0x7f) ? '?' : (char)c);
    }
    if (vstring_len(out) > 0 && vstring_str(out)[vstring_len(out) - 1] == ' ')
        vstring_truncate(out, vstring_len(out) - 1);
    vstring_append(out, "\r\n", 2);
}
