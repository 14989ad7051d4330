/*
 * vstring.h - a growable, binary-safe byte buffer that is always
 * NUL-terminated.
 *
 * A struct vstring owns one heap block data[0 .. cap-1] and holds len bytes
 * of content followed by a NUL byte (data[len] == 0), so it can be passed to
 * string functions while still holding NUL bytes of its own. The struct never
 * moves: callers keep a struct vstring * for as long as they like; only the
 * data block moves when the buffer grows, so never keep vstring_str() across
 * an append.
 *
 * Errors: every growing operation returns 0 on success and -1 when the new
 * length would not fit in size_t (len + n + 1 > SIZE_MAX); on -1 the string
 * is exactly as it was. Running out of memory ends the process (mymalloc.h).
 *
 * The invariant is the predicate vstring_valid() below; the ACSL contracts
 * are proven with Frama-C WP (proofs/README.md).
 */
#ifndef VSTRING_H
#define VSTRING_H

#include <stdarg.h>
#include <stddef.h>

struct vstring {
    char *data;
    size_t len;
    size_t cap;
};

struct vstring *vstring_alloc(size_t initial);
void vstring_free(struct vstring *v);

int vstring_append(struct vstring *v, const char *src, size_t n);
int vstring_append_char(struct vstring *v, char c);
int vstring_append_str(struct vstring *v, const char *s);
int vstring_set(struct vstring *v, const char *src, size_t n);
int vstring_set_str(struct vstring *v, const char *s);
int vstring_sprintf(struct vstring *v, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int vstring_sprintf_append(struct vstring *v, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int vstring_vsprintf_append(struct vstring *v, const char *fmt, va_list ap);

/* Makes room for n more bytes without changing the content. */
int vstring_reserve(struct vstring *v, size_t n);

/* Shortens to len bytes; a len beyond the current length changes nothing. */
void vstring_truncate(struct vstring *v, size_t len);
void vstring_reset(struct vstring *v);

static inline const char *vstring_str(const struct vstring *v)
{
    return v->data;
}

static inline size_t vstring_len(const struct vstring *v)
{
    return v->len;
}

#endif
