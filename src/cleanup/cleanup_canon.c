/*
 * cleanup_canon.c - Received:, Bcc: removal, missing Date:/Message-ID:/
 * From:, and the -t recipients (rules in cleanup_canon.h).
 */
#include <string.h>

#include "cleanup_canon.h"
#include "vstring.h"

/* append_clean - s without control characters */
static void append_clean(struct vstring *out, const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 32 && *s != 127)
            vstring_append_char(out, *s);
}

/* is_atext_phrase - letters, digits, atext specials and spaces only */
static int is_atext_phrase(const char *s)
{
    for (; *s; s++)
        if (!(((*s | 32) >= 'a' && (*s | 32) <= 'z') ||
              (*s >= '0' && *s <= '9') || strchr("!#$%&'*+-/=?^_`{|}~ ", *s)))
            return 0;
    return 1;
}

/* append_from - "From: ..." built from the envelope */
static void append_from(struct vstring *out, const struct cleanup_canon *c)
{
    const char *p;

    vstring_append_str(out, "From: ");
    if (c->sender == 0 || *c->sender == 0) {
        vstring_sprintf_append(out, "MAILER-DAEMON@%s\n", c->myhostname);
        return;
    }
    if (c->fullname && *c->fullname) {
        if (is_atext_phrase(c->fullname)) {
            append_clean(out, c->fullname);
        } else {
            vstring_append_char(out, '"');
            for (p = c->fullname; *p; p++) {
                if ((unsigned char)*p < 32 || *p == 127)
                    continue;
                if (*p == '"' || *p == '\\')
                    vstring_append_char(out, '\\');
                vstring_append_char(out, *p);
            }
            vstring_append_char(out, '"');
        }
        vstring_append_str(out, " <");
        append_clean(out, c->sender);
        vstring_append_str(out, ">\n");
    } else {
        append_clean(out, c->sender);
        vstring_append_char(out, '\n');
    }
}

/* cleanup_canon_headers - the header section as it will be queued */
void cleanup_canon_headers(const struct cleanup_msg *m,
                           const struct cleanup_canon *c, struct vstring *out)
{
    size_t i;

    vstring_reset(out);
    if (c->received && *c->received) {
        vstring_append_str(out, c->received);
        if (c->received[strlen(c->received) - 1] != '\n')
            vstring_append_char(out, '\n');
    }
    for (i = 0; i < m->count; i++)
        if (!cleanup_field_is(m->fields + i, "Bcc") &&
            !cleanup_field_is(m->fields + i, "Resent-Bcc"))
            vstring_append(out, m->fields[i].text, m->fields[i].len);
    if (cleanup_msg_find(m, "Date", 0) < 0)
        vstring_sprintf_append(out, "Date: %s\n", c->date);
    if (cleanup_msg_find(m, "Message-ID", 0) < 0)
        vstring_sprintf_append(out, "Message-ID: <%s@%s>\n", c->queue_id,
                               c->myhostname);
    if (cleanup_msg_find(m, "From", 0) < 0)
        append_from(out, c);
}

/* cleanup_canon_recipients - addresses of To/Cc/Bcc or their Resent- forms */
int cleanup_canon_recipients(const struct cleanup_msg *m,
                             struct cleanup_addrs *rcpts, struct vstring *why)
{
    static const char *plain[] = {"To", "Cc", "Bcc"};
    static const char *resent[] = {"Resent-To", "Resent-Cc", "Resent-Bcc"};
    const char **names = plain;
    struct vstring *value = vstring_alloc(128);
    size_t i, k;
    int ret = 0;

    for (k = 0; k < 3; k++)
        if (cleanup_msg_find(m, resent[k], 0) >= 0)
            names = resent;
    for (i = 0; i < m->count && ret == 0; i++) {
        for (k = 0; k < 3; k++) {
            if (!cleanup_field_is(m->fields + i, names[k]))
                continue;
            cleanup_field_value(m->fields + i, value);
            if (cleanup_addrlist_extract(vstring_str(value), rcpts,
                                         m->limits.recipient_limit) < 0) {
                vstring_sprintf(why,
                                "5.5.3 too many recipients (more than "
                                "%zu)",
                                m->limits.recipient_limit);
                ret = -1;
            }
        }
    }
    vstring_free(value);
    return ret;
}

/* cleanup_message - a buffered message, parsed and canonicalised */
int cleanup_message(const char *buf, size_t len,
                    const struct cleanup_limits *lim,
                    const struct cleanup_canon *c, struct vstring *out,
                    struct cleanup_addrs *rcpts, struct vstring *why)
{
    struct cleanup_msg m;
    struct vstring *body = vstring_alloc(len + 1);
    size_t pos = 0, n, line_len;
    int ret = 0;

    cleanup_msg_init(&m, lim);
    while (pos < len && ret == 0) {
        n = cleanup_next_line(buf + pos, len - pos, &line_len);
        switch (cleanup_msg_line(&m, buf + pos, line_len, why)) {
        case CLEANUP_LINE_ERROR:
            ret = -1;
            break;
        case CLEANUP_LINE_BODY_FIRST:
        case CLEANUP_LINE_BODY:
            vstring_append(body, buf + pos, line_len);
            vstring_append_char(body, '\n');
            break;
        default:
            break;
        }
        pos += n;
    }
    if (ret == 0)
        ret = cleanup_msg_end(&m, why);
    if (ret == 0 && rcpts)
        ret = cleanup_canon_recipients(&m, rcpts, why);
    if (ret == 0) {
        cleanup_canon_headers(&m, c, out);
        vstring_append_char(out, '\n');
        vstring_append(out, vstring_str(body), vstring_len(body));
    }
    vstring_free(body);
    cleanup_msg_free(&m);
    return ret;
}
