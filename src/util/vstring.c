/*
 * vstring.c - growable byte buffers (see vstring.h for the contract).
 *
 * Growth allocates a new block, copies and frees the old one instead of
 * calling realloc(): the copy is explicit, which is what lets the proof state
 * that the old prefix is unchanged.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "mymalloc.h"
#include "vstring.h"

/* vstring_alloc - an empty string with room for initial bytes */
struct vstring *vstring_alloc(size_t initial)
{
    struct vstring *v = mymalloc(sizeof(*v));

    if (initial < 16 || initial > SIZE_MAX / 2)
        initial = 16;
    v->data = mymalloc(initial);
    v->cap = initial;
    v->len = 0;
    v->data[0] = 0;
    return v;
}

/* vstring_free - release the string and its block */
void vstring_free(struct vstring *v)
{
    if (v == 0)
        return;
    myfree(v->data);
    myfree(v);
}

/* vstring_reserve - make room for n more bytes plus the terminator */
int vstring_reserve(struct vstring *v, size_t n)
{
    size_t need, new_cap;
    char *new_data;

    if (n > SIZE_MAX - 1 - v->len)
        return -1;
    need = v->len + n + 1;
    if (need <= v->cap)
        return 0;
    new_cap = v->cap <= SIZE_MAX / 2 ? v->cap * 2 : SIZE_MAX;
    if (new_cap < need)
        new_cap = need;
    new_data = mymalloc(new_cap);
    memcpy(new_data, v->data, v->len + 1);
    myfree(v->data);
    v->data = new_data;
    v->cap = new_cap;
    return 0;
}

/* vstring_append - append n bytes */
int vstring_append(struct vstring *v, const char *src, size_t n)
{
    if (vstring_reserve(v, n) < 0)
        return -1;
    if (n > 0)
        memcpy(v->data + v->len, src, n);
    v->len += n;
    v->data[v->len] = 0;
    return 0;
}

/* vstring_append_char - append one byte */
int vstring_append_char(struct vstring *v, char c)
{
    return vstring_append(v, &c, 1);
}

/* vstring_append_str - append a C string */
int vstring_append_str(struct vstring *v, const char *s)
{
    return vstring_append(v, s, strlen(s));
}

/* vstring_set - replace the content */
int vstring_set(struct vstring *v, const char *src, size_t n)
{
    if (n > SIZE_MAX - 1)
        return -1;
    vstring_reset(v);
    return vstring_append(v, src, n);
}

/* vstring_set_str - replace the content with a C string */
int vstring_set_str(struct vstring *v, const char *s)
{
    return vstring_set(v, s, strlen(s));
}

/* vstring_vsprintf_append - append formatted text */
int vstring_vsprintf_append(struct vstring *v, const char *fmt, va_list ap)
{
    va_list probe;
    int need;

    va_copy(probe, ap);
    need = vsnprintf(v->data + v->len, v->cap - v->len, fmt, probe);
    va_end(probe);
    if (need < 0) {
        v->data[v->len] = 0;
        return -1;
    }
    if ((size_t)need >= v->cap - v->len) {
        if (vstring_reserve(v, (size_t)need) < 0) {
            v->data[v->len] = 0;
            return -1;
        }
        vsnprintf(v->data + v->len, v->cap - v->len, fmt, ap);
    }
    v->len += (size_t)need;
    return 0;
}

/* vstring_sprintf_append - append formatted text */
int vstring_sprintf_append(struct vstring *v, const char *fmt, ...)
{
    va_list ap;
    int ret;

    va_start(ap, fmt);
    ret = vstring_vsprintf_append(v, fmt, ap);
    va_end(ap);
    return ret;
}

/* vstring_sprintf - replace the content with formatted text */
int vstring_sprintf(struct vstring *v, const char *fmt, ...)
{
    va_list ap;
    int ret;

    vstring_reset(v);
    va_start(ap, fmt);
    ret = vstring_vsprintf_append(v, fmt, ap);
    va_end(ap);
    return ret;
}

/* vstring_truncate - shorten the content */
void vstring_truncate(struct vstring *v, size_t len)
{
    if (len < v->len) {
        v->len = len;
        v->data[len] = 0;
    }
}

/* vstring_reset - make the string empty */
void vstring_reset(struct vstring *v)
{
    v->len = 0;
    v->data[0] = 0;
}
