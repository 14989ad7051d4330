/*
 * dict_reader.c - logical lines and key/value entries of table text.
 *
 * Pure code over a buffer (see dict_reader.h); dict.c feeds it files, the
 * aliases reader and the fuzzers feed it buffers.
 */
#include <string.h>

#include "dict_reader.h"
#include "vstring.h"

const struct dict_limits dict_default_limits = {
    4096,             /* line_max */
    256,              /* key_max */
    4000,             /* value_max */
    100000,           /* entry_max */
    16 * 1024 * 1024, /* file_max */
};

/* is_blank - SP or HT, the only blanks tables know */
static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* dict_fold - ASCII lower case in place */
void dict_fold(char *s, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++)
        if (s[i] >= 'A' && s[i] <= 'Z')
            s[i] = (char)(s[i] - 'A' + 'a');
}

/* dict_reader_init - start reading a buffer */
void dict_reader_init(struct dict_reader *r, const char *buf, size_t len,
                      size_t line_max)
{
    r->buf = buf;
    r->len = len;
    r->pos = 0;
    r->lineno = 0;
    r->line_max = line_max;
}

/*
 * physical_line - find the physical line at r->pos: [*start, *end) without
 * its line end; *next is where the following line starts. Returns 0, or -1
 * (reason in why) when the line is too long or holds a NUL byte.
 */
static int physical_line(const struct dict_reader *r, size_t *start,
                         size_t *end, size_t *next, struct vstring *why)
{
    const char *lf = memchr(r->buf + r->pos, '\n', r->len - r->pos);
    size_t e = lf ? (size_t)(lf - r->buf) : r->len;

    *start = r->pos;
    *next = lf ? e + 1 : e;
    if (e > *start && r->buf[e - 1] == '\r')
        e--;
    *end = e;
    if (e - *start > r->line_max) {
        vstring_sprintf(why, "%zu: line longer than %zu bytes", r->lineno + 1,
                        r->line_max);
        return -1;
    }
    if (memchr(r->buf + *start, '\0', e - *start) != 0) {
        vstring_sprintf(why, "%zu: NUL byte in line", r->lineno + 1);
        return -1;
    }
    return 0;
}

/* dict_reader_next - the next logical line */
int dict_reader_next(struct dict_reader *r, struct vstring *line,
                     size_t *start_line, struct vstring *why)
{
    size_t s, e, next, p;
    int have = 0;

    vstring_reset(line);
    while (r->pos < r->len) {
        if (physical_line(r, &s, &e, &next, why) < 0)
            return -1;
        while (e > s && is_blank(r->buf[e - 1]))
            e--;
        for (p = s; p < e && is_blank(r->buf[p]); p++)
            ;
        if (p < e && r->buf[p] != '#') {
            if (p == s && have)
                break; /* the next entry starts here: leave it for next time */
            if (p > s && !have) {
                vstring_sprintf(why,
                                "%zu: continuation line without an "
                                "entry before it",
                                r->lineno + 1);
                return -1;
            }
            if (have && vstring_len(line) + 1 + (e - p) > r->line_max) {
                vstring_sprintf(why, "%zu: logical line longer than %zu bytes",
                                r->lineno + 1, r->line_max);
                return -1;
            }
            if (have)
                vstring_append_char(line, ' ');
            else
                *start_line = r->lineno + 1;
            vstring_append(line, r->buf + p, e - p);
            have = 1;
        }
        r->pos = next;
        r->lineno++;
    }
    return have;
}

/* trim - shrink [*s, *e) past blanks on both sides */
static void trim(const char *line, size_t *s, size_t *e)
{
    while (*s < *e && is_blank(line[*s]))
        (*s)++;
    while (*e > *s && is_blank(line[*e - 1]))
        (*e)--;
}

/* dict_reader_split - key and value of one logical line */
int dict_reader_split(const char *line, size_t len, enum dict_syntax syntax,
                      int flags, const struct dict_limits *limits,
                      struct vstring *key, struct vstring *value,
                      struct vstring *why)
{
    size_t ks = 0, ke, vs, ve = len, i;

    if (syntax == DICT_SYNTAX_COLON) {
        const char *colon = memchr(line, ':', len);

        if (colon == 0) {
            vstring_sprintf(why, "missing ':' after the name");
            return -1;
        }
        ke = (size_t)(colon - line);
        vs = ke + 1;
    } else {
        for (ke = 0; ke < len && !is_blank(line[ke]); ke++)
            ;
        vs = ke;
    }
    trim(line, &ks, &ke);
    trim(line, &vs, &ve);
    for (i = ks; i < ke; i++) {
        if (is_blank(line[i])) {
            vstring_sprintf(why, "blank inside the key");
            return -1;
        }
    }
    if (ke == ks || ve == vs) {
        vstring_sprintf(why, ke == ks ? "missing key" : "missing value");
        return -1;
    }
    if (ke - ks > limits->key_max || ve - vs > limits->value_max) {
        vstring_sprintf(why, "%s longer than %zu bytes",
                        ke - ks > limits->key_max ? "key" : "value",
                        ke - ks > limits->key_max ? limits->key_max
                                                  : limits->value_max);
        return -1;
    }
    vstring_set(key, line + ks, ke - ks);
    vstring_set(value, line + vs, ve - vs);
    if (flags & DICT_FLAG_FOLD_KEYS)
        dict_fold(key->data, key->len);
    return 0;
}
