/*
 * attr.c - the wire form of attribute records: "name=value\n" lines ended
 * by "\n", values %XX-escaped, every read bounded (attr.h).
 */
#include <limits.h>
#include <stdarg.h>
#include <string.h>

#include "attr.h"
#include "mymalloc.h"
#include "vstream.h"
#include "vstring.h"

static const char hex_digits[] = "0123456789ABCDEF";

/* needs_escape - bytes that are written as %XX */
static int needs_escape(unsigned char c)
{
    return c < 0x20 || c == 0x7f || c == '%';
}

/* write_value - one value, escaped, in runs of plain bytes */
static int write_value(struct vstream *s, const char *value, size_t len)
{
    size_t start = 0, i;
    char esc[3] = {'%', 0, 0};
    int ret = 0;

    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)value[i];

        if (!needs_escape(c))
            continue;
        if (i > start)
            ret |= vstream_write(s, value + start, i - start);
        esc[1] = hex_digits[c >> 4];
        esc[2] = hex_digits[c & 15];
        ret |= vstream_write(s, esc, 3);
        start = i + 1;
    }
    if (len > start)
        ret |= vstream_write(s, value + start, len - start);
    return ret;
}

/* attr_write - write one record and flush */
int attr_write(struct vstream *s, const struct attr_list *list)
{
    size_t i, n = attr_list_count(list), len;
    const char *value;
    int ret = 0;

    for (i = 0; i < n; i++) {
        value = attr_list_value_at(list, i, &len);
        ret |= vstream_puts(s, attr_list_name_at(list, i));
        ret |= vstream_write(s, "=", 1);
        ret |= write_value(s, value, len);
        ret |= vstream_write(s, "\n", 1);
    }
    ret |= vstream_write(s, "\n", 1);
    ret |= vstream_flush(s);
    return ret ? -1 : 0;
}

/* attr_fail - write a reason into why and return -1 */
static int __attribute__((format(printf, 2, 3)))
attr_fail(struct vstring *why, const char *fmt, ...)
{
    va_list ap;

    vstring_reset(why);
    va_start(ap, fmt);
    vstring_vsprintf_append(why, fmt, ap);
    va_end(ap);
    return -1;
}

/* hex_value - an uppercase hex digit's value, or -1 */
static int hex_value(char c)
{
    const char *p = c ? strchr(hex_digits, c) : 0;

    return p ? (int)(p - hex_digits) : -1;
}

/* decode_value - undo the escapes of src[0..len); 0 or -1 with why */
static int decode_value(const char *src, size_t len, size_t max,
                        struct vstring *out, struct vstring *why)
{
    size_t i;
    int hi, lo;
    unsigned char c;

    vstring_reset(out);
    for (i = 0; i < len; i++) {
        c = (unsigned char)src[i];
        if (c == '%') {
            hi = i + 2 < len ? hex_value(src[i + 1]) : -1;
            lo = i + 2 < len ? hex_value(src[i + 2]) : -1;
            if (hi < 0 || lo < 0)
                return attr_fail(why, "malformed %%XX escape");
            c = (unsigned char)(hi * 16 + lo);
            if (!needs_escape(c))
                return attr_fail(why, "escape of a plain byte");
            i += 2;
        } else if (needs_escape(c)) {
            return attr_fail(why, "unescaped control byte 0x%02X", c);
        }
        if (vstring_len(out) == max)
            return attr_fail(why, "value longer than %zu bytes", max);
        vstring_append_char(out, (char)c);
    }
    return 0;
}

/* parse_line - one "name=value\n" line into list; 0 or -1 with why */
static int parse_line(const struct vstring *line, const struct attr_limits *lim,
                      struct attr_list *list, struct vstring *value,
                      struct vstring *why)
{
    const char *text = vstring_str(line);
    size_t len = vstring_len(line) - 1; /* without the '\n' */
    const char *eq = memchr(text, '=', len);
    size_t name_len;
    char *name;

    if (eq == 0)
        return attr_fail(why, "malformed line: no '='");
    name_len = (size_t)(eq - text);
    if (name_len > lim->max_name)
        return attr_fail(why, "attribute name longer than %zu bytes",
                         lim->max_name);
    if (!attr_name_ok(text, name_len, lim->max_name))
        return attr_fail(why, "malformed attribute name");
    if (decode_value(eq + 1, len - name_len - 1, lim->max_value, value, why) <
        0) {
        vstring_sprintf_append(why, " (attribute %.*s)", (int)name_len, text);
        return -1;
    }
    name = mystrndup(text, name_len);
    attr_list_add_bytes(list, name, vstring_str(value), vstring_len(value));
    myfree(name);
    return 0;
}

/* line_bound - the longest line the limits allow, at most INT_MAX */
static size_t line_bound(const struct attr_limits *lim)
{
    size_t room = INT_MAX;

    if (lim->max_name >= room - 2)
        return room;
    room -= lim->max_name + 2;
    return lim->max_value >= room / 3 ? INT_MAX
                                      : lim->max_name + 2 + 3 * lim->max_value;
}

/* read_error - the reason for a failed line read */
static int read_error(struct vstream *s, int r, size_t total, size_t bound,
                      size_t line_max, struct vstring *why)
{
    if (r == VSTREAM_EOF && total == 0)
        return 0;
    if (r == VSTREAM_EOF)
        vstring_set_str(why, "unexpected EOF inside a record");
    else if (r == VSTREAM_TIMEOUT)
        vstring_set_str(why, "timeout while reading a record");
    else if (r == VSTREAM_TOO_LONG && bound < line_max)
        vstring_sprintf(why, "record longer than %zu bytes", total + bound);
    else if (r == VSTREAM_TOO_LONG)
        vstring_sprintf(why, "line longer than %zu bytes", line_max);
    else
        vstring_sprintf(why, "read error: %s", strerror(vstream_errno(s)));
    return -1;
}

/* read_record - the line loop of attr_read */
static int read_record(struct vstream *s, struct attr_list *list,
                       const struct attr_limits *lim, struct vstring *line,
                       struct vstring *value, struct vstring *why)
{
    size_t total = 0, line_max = line_bound(lim), bound;
    int r;

    for (;;) {
        bound = lim->max_total - total < line_max ? lim->max_total - total
                                                  : line_max;
        if (bound == 0)
            return attr_fail(why, "record longer than %zu bytes",
                             lim->max_total);
        if ((r = vstream_get_line(s, line, bound)) < 0)
            return read_error(s, r, total, bound, line_max, why);
        total += (size_t)r;
        if (vstring_str(line)[r - 1] != '\n')
            return attr_fail(why, "unexpected EOF inside a line");
        if (r == 1)
            return 1;
        if (attr_list_count(list) == lim->max_count)
            return attr_fail(why, "more than %zu attributes", lim->max_count);
        if (parse_line(line, lim, list, value, why) < 0)
            return -1;
    }
}

/* attr_read - read one bounded record */
int attr_read(struct vstream *s, struct attr_list *list,
              const struct attr_limits *limits, struct vstring *why)
{
    static const struct attr_limits defaults = ATTR_LIMITS_DEFAULT;
    struct vstring *line = vstring_alloc(128);
    struct vstring *value = vstring_alloc(128);
    int ret;

    attr_list_reset(list);
    ret = read_record(s, list, limits ? limits : &defaults, line, value, why);
    vstring_free(line);
    vstring_free(value);
    return ret;
}
