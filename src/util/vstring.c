/*
 * vstring.c - growable byte buffers (see vstring.h for the contract).
 *
 * Growth allocates a new block, copies and frees the old one instead of
 * calling realloc(): the copy is explicit, which is what lets the proof state
 * that the old prefix is unchanged. Allocation goes through sys_ops.h, whose
 * trusted contracts are in spec/sys_ops.h. Everything above the printf
 * family is proven with Frama-C WP (proofs/README.md).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "sys_ops.h"
#include "vstring.h"

/* vstring_alloc - an empty string with room for initial bytes */
struct vstring *vstring_alloc(size_t initial)
{
    struct vstring *v = sys_alloc_vstring();

    if (initial < 16 || initial > SIZE_MAX / 2)
        initial = 16;
    v->data = sys_alloc_bytes(initial)
        /*@ ghost (v, (char *)0, 0, (const char *)0, 0) */;
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
    sys_free_bytes(v->data);
    sys_free_vstring(v);
}

/*
 * vstring_grow - make room for n more bytes plus the terminator. The ghost
 * parameters name the bytes an append is about to copy, so that the proof
 * knows a new block is apart from them.
 */
/*@ requires vstring_valid(v);
    requires vstring_fits(v, n);
    requires \separated(src + (0 .. src_n - 1), v, v->data + (0 .. v->cap - 1));
    assigns v->data, v->cap, \at(v->data, Post)[0 .. \at(v->cap, Post) - 1];
    ensures vstring_valid(v);
    ensures v->len == \old(v->len);
    ensures v->cap >= v->len + n + 1;
    ensures vstring_prefix_kept{Pre, Post}(v, v->len + 1);
    ensures \separated(src + (0 .. src_n - 1), v->data + (0 .. v->cap - 1));
    ensures \forall integer i; 0 <= i < src_n ==> src[i] == \old(src[i]);
*/
static void vstring_grow(struct vstring *v, size_t n)
    /*@ ghost (const char *src, size_t src_n) */
{
    size_t need = v->len + n + 1;
    size_t new_cap;
    char *new_data;
    char *old_data = v->data;

    if (need <= v->cap)
        return;
    new_cap = v->cap <= SIZE_MAX / 2 ? v->cap * 2 : SIZE_MAX;
    if (new_cap < need)
        new_cap = need;
    new_data = sys_alloc_bytes(new_cap)
        /*@ ghost (v, old_data, v->cap, src, src_n) */;
    v->data = new_data;
    memcpy(new_data, old_data, v->len + 1);
    v->cap = new_cap;
    sys_free_bytes(old_data);
}

/* vstring_reserve - make room for n more bytes plus the terminator */
int vstring_reserve(struct vstring *v, size_t n)
{
    if (n > SIZE_MAX - 1 - v->len)
        return -1;
    vstring_grow(v, n) /*@ ghost ((const char *)0, 0) */;
    return 0;
}

/* vstring_append - append n bytes */
int vstring_append(struct vstring *v, const char *src, size_t n)
{
    if (n > SIZE_MAX - 1 - v->len)
        return -1;
    vstring_grow(v, n) /*@ ghost (src, n) */;
    if (n > 0)
        memcpy(v->data + v->len, src, n);
    v->len += n;
    v->data[v->len] = 0;
    return 0;
}

/* vstring_append_char - append one byte */
int vstring_append_char(struct vstring *v, char c)
{
    if (v->len >= SIZE_MAX - 1)
        return -1;
    vstring_grow(v, 1) /*@ ghost ((const char *)0, 0) */;
    v->data[v->len] = c;
    v->len += 1;
    v->data[v->len] = 0;
    return 0;
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

/* ---- outside the proof: the printf family (vsnprintf has no contract
 * precise enough to prove against) ------------------------------------- */

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
