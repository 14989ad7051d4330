/*
 * cleanup_headers.c - the header section of a message, one line at a time
 * (rules and limits in cleanup_headers.h).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cleanup_headers.h"
#include "mymalloc.h"
#include "vstring.h"

const struct cleanup_limits cleanup_default_limits = {
    2048,     /* line_length_limit */
    102400,   /* header_size_limit */
    1000,     /* header_count_limit */
    10240000, /* message_size_limit */
    10000,    /* recipient_limit */
};

/* cleanup_msg_init - an empty message */
void cleanup_msg_init(struct cleanup_msg *m, const struct cleanup_limits *lim)
{
    memset(m, 0, sizeof(*m));
    m->limits = lim ? *lim : cleanup_default_limits;
    m->state = CLEANUP_STATE_START;
    m->error = vstring_alloc(64);
}

/* cleanup_msg_free - release the fields */
void cleanup_msg_free(struct cleanup_msg *m)
{
    size_t i;

    for (i = 0; i < m->count; i++)
        myfree(m->fields[i].text);
    myfree(m->fields);
    vstring_free(m->error);
    m->fields = 0;
    m->count = m->cap = 0;
    m->error = 0;
}

/* cleanup_next_line - one line of a buffer: its length and its extent */
size_t cleanup_next_line(const char *buf, size_t len, size_t *line_len)
{
    const char *lf = memchr(buf, '\n', len);
    size_t n = lf ? (size_t)(lf - buf) : len;

    *line_len = (lf && n > 0 && buf[n - 1] == '\r') ? n - 1 : n;
    return lf ? n + 1 : n;
}

/* fail - enter the error state with a reason */
static enum cleanup_line fail(struct cleanup_msg *m, struct vstring *why,
                              const char *reason)
{
    m->state = CLEANUP_STATE_ERROR;
    vstring_set_str(m->error, reason);
    vstring_set_str(why, reason);
    return CLEANUP_LINE_ERROR;
}

/* field_name_len - length of "Name" in "Name:"/"Name :", or 0 if none */
static size_t field_name_len(const char *line, size_t len, size_t *colon)
{
    size_t i, n;

    for (i = 0; i < len && line[i] > 32 && line[i] < 127 && line[i] != ':'; i++)
        ;
    n = i;
    while (i < len && (line[i] == ' ' || line[i] == '\t'))
        i++;
    if (n == 0 || i == len || line[i] != ':')
        return 0;
    *colon = i;
    return n;
}

/* append_text - add header text with lone CRs blanked */
static void append_text(struct cleanup_field *f, const char *s, size_t len)
{
    size_t i;

    f->text = myrealloc(f->text, f->len + len + 2);
    for (i = 0; i < len; i++)
        f->text[f->len + i] = s[i] == '\r' ? ' ' : s[i];
    f->len += len;
    f->text[f->len++] = '\n';
    f->text[f->len] = 0;
}

/* header_line - a line while in the header section */
static enum cleanup_line header_line(struct cleanup_msg *m, const char *line,
                                     size_t len, struct vstring *why)
{
    struct cleanup_field *f;
    size_t colon, name_len;
    char buf[160];

    if (len == 0) {
        m->state = CLEANUP_STATE_BODY;
        return CLEANUP_LINE_SEPARATOR;
    }
    if (memchr(line, 0, len))
        return fail(m, why, "5.6.0 NUL byte in header section");
    if ((line[0] == ' ' || line[0] == '\t') && m->count > 0) {
        f = m->fields + m->count - 1;
        if (f->len + len + 1 > m->limits.header_size_limit) {
            snprintf(buf, sizeof(buf),
                     "5.6.0 header field %.*s longer than "
                     "%zu bytes",
                     (int)(f->name_len > 60 ? 60 : f->name_len), f->text,
                     m->limits.header_size_limit);
            return fail(m, why, buf);
        }
        append_text(f, line, len);
        return CLEANUP_LINE_HEADER;
    }
    if ((name_len = field_name_len(line, len, &colon)) == 0) {
        m->state = CLEANUP_STATE_BODY;
        return CLEANUP_LINE_BODY_FIRST;
    }
    if (m->count >= m->limits.header_count_limit) {
        snprintf(buf, sizeof(buf), "5.6.0 more than %zu header fields",
                 m->limits.header_count_limit);
        return fail(m, why, buf);
    }
    if (len + 1 > m->limits.header_size_limit) {
        snprintf(buf, sizeof(buf),
                 "5.6.0 header field %.*s longer than %zu "
                 "bytes",
                 (int)(name_len > 60 ? 60 : name_len), line,
                 m->limits.header_size_limit);
        return fail(m, why, buf);
    }
    if (m->count == m->cap) {
        m->cap = m->cap ? 2 * m->cap : 16;
        m->fields = myrealloc(m->fields, m->cap * sizeof(*m->fields));
    }
    f = m->fields + m->count++;
    f->text = 0;
    f->len = 0;
    f->name_len = name_len;
    append_text(f, line, len);
    return CLEANUP_LINE_HEADER;
}

/* cleanup_msg_line - one line of content */
enum cleanup_line cleanup_msg_line(struct cleanup_msg *m, const char *line,
                                   size_t len, struct vstring *why)
{
    char buf[128];
    size_t colon;

    if (m->state == CLEANUP_STATE_ERROR) {
        vstring_set_str(why, vstring_str(m->error));
        return CLEANUP_LINE_ERROR;
    }
    if (len > m->limits.line_length_limit) {
        snprintf(buf, sizeof(buf), "5.6.0 message line longer than %zu bytes",
                 m->limits.line_length_limit);
        return fail(m, why, buf);
    }
    if (m->state == CLEANUP_STATE_START) {
        m->state = CLEANUP_STATE_HEADERS;
        if (len >= 5 && memcmp(line, "From ", 5) == 0 &&
            field_name_len(line, len, &colon) == 0)
            return CLEANUP_LINE_HEADER; /* the mbox separator: dropped */
    }
    if (m->size + len + 1 > m->limits.message_size_limit ||
        m->size + len + 1 < m->size) {
        snprintf(buf, sizeof(buf),
                 "5.3.4 message too big (more than %zu "
                 "bytes)",
                 m->limits.message_size_limit);
        return fail(m, why, buf);
    }
    m->size += len + 1;
    if (m->state == CLEANUP_STATE_BODY)
        return CLEANUP_LINE_BODY;
    return header_line(m, line, len, why);
}

/* cleanup_msg_end - end of input */
int cleanup_msg_end(struct cleanup_msg *m, struct vstring *why)
{
    if (m->state == CLEANUP_STATE_ERROR) {
        vstring_set_str(why, vstring_str(m->error));
        return -1;
    }
    m->state = CLEANUP_STATE_BODY;
    return 0;
}

/* cleanup_field_is - name comparison, case-insensitive */
int cleanup_field_is(const struct cleanup_field *f, const char *name)
{
    return strlen(name) == f->name_len &&
           strncasecmp(f->text, name, f->name_len) == 0;
}

/* cleanup_msg_find - first field with a name, at or after from */
long cleanup_msg_find(const struct cleanup_msg *m, const char *name,
                      size_t from)
{
    size_t i;

    for (i = from; i < m->count; i++)
        if (cleanup_field_is(m->fields + i, name))
            return (long)i;
    return -1;
}

/* cleanup_field_value - the value, unfolded and left-trimmed */
void cleanup_field_value(const struct cleanup_field *f, struct vstring *out)
{
    const char *p = memchr(f->text, ':', f->len) + 1;
    const char *end = f->text + f->len;

    vstring_reset(out);
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    for (; p < end; p++)
        if (*p != '\n')
            vstring_append_char(out, *p);
}

/* cleanup_field_set_value - replace a field by "Name: value\n" */
void cleanup_field_set_value(struct cleanup_msg *m, size_t i, const char *value)
{
    struct cleanup_field *f = m->fields + i;
    size_t vlen = strlen(value);
    char *text = mymalloc(f->name_len + vlen + 4);

    memcpy(text, f->text, f->name_len);
    memcpy(text + f->name_len, ": ", 2);
    memcpy(text + f->name_len + 2, value, vlen);
    text[f->name_len + 2 + vlen] = '\n';
    text[f->name_len + 3 + vlen] = 0;
    myfree(f->text);
    f->text = text;
    f->len = f->name_len + 3 + vlen;
}
