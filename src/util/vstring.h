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
 * Pitfall: the bytes appended or set must not come from the string's own
 * block (vstring_append(v, vstring_str(v), n)): growth frees that block
 * before the copy. The contracts require the source to be separate.
 *
 * The invariant is the predicate vstring_valid() below. The ACSL contracts
 * are proven with Frama-C WP for every function here except the printf
 * family (vstring_sprintf*, whose contracts are trusted: proofs/README.md).
 */
#ifndef VSTRING_H
#define VSTRING_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h> /* the ACSL strlen and valid_read_string */

struct vstring {
    char *data;
    size_t len;
    size_t cap;
};

/*@ // The invariant: content, terminator and block, apart from the struct.
    predicate vstring_valid(struct vstring *v) =
      \valid(v) && v->len < v->cap &&
      \valid(v->data + (0 .. v->cap - 1)) &&
      \separated(v, v->data + (0 .. v->cap - 1)) &&
      v->data[v->len] == '\0';

    // Nothing about v changed between L1 and L2: block, sizes, bytes.
    predicate vstring_unchanged{L1, L2}(struct vstring *v) =
      \at(v->data, L1) == \at(v->data, L2) &&
      \at(v->len, L1) == \at(v->len, L2) &&
      \at(v->cap, L1) == \at(v->cap, L2) &&
      \forall integer i; 0 <= i < \at(v->cap, L1) ==>
        \at(v->data[i], L1) == \at(v->data[i], L2);

    // The first n bytes of the content are those v held at L1.
    predicate vstring_prefix_kept{L1, L2}(struct vstring *v, integer n) =
      \forall integer i; 0 <= i < n ==>
        \at(v->data[i], L2) == \at(v->data[i], L1);

    // n more bytes (plus the terminator) fit in a size_t.
    predicate vstring_fits(struct vstring *v, integer n) =
      n <= SIZE_MAX - 1 - v->len;
*/

/* An empty string with room for initial bytes (16 when initial is below 16
 * or above SIZE_MAX / 2). */
/*@ assigns \result->data, \result->len, \result->cap,
            \at(\result->data, Post)[0];
    ensures vstring_valid(\result);
    ensures \result->len == 0;
    ensures 16 <= initial <= SIZE_MAX / 2 ==> \result->cap == initial;
*/
struct vstring *vstring_alloc(size_t initial);

/* Releases the string and its block; NULL is accepted. */
/*@ requires v == \null || vstring_valid(v);
    assigns \nothing;
*/
void vstring_free(struct vstring *v);

/* Appends n bytes from src (which must lie outside v's block). */
/*@ requires vstring_valid(v);
    requires vstring_fits(v, n) ==> \valid_read(src + (0 .. n - 1));
    requires vstring_fits(v, n) ==>
      \separated(src + (0 .. n - 1), v, v->data + (0 .. v->cap - 1));
    assigns v->data, v->len, v->cap,
            \at(v->data, Post)[0 .. \at(v->cap, Post) - 1];
    behavior ok:
      assumes vstring_fits(v, n);
      ensures \result == 0;
      ensures vstring_valid(v);
      ensures v->len == \old(v->len) + n;
      ensures vstring_prefix_kept{Pre, Post}(v, \old(v->len));
      ensures \forall integer i; 0 <= i < n ==>
        v->data[\old(v->len) + i] == \old(src[i]);
    behavior too_long:
      assumes !vstring_fits(v, n);
      ensures \result == -1;
      ensures vstring_unchanged{Pre, Post}(v);
    complete behaviors;
    disjoint behaviors;
*/
int vstring_append(struct vstring *v, const char *src, size_t n);

/* Appends one byte. */
/*@ requires vstring_valid(v);
    assigns v->data, v->len, v->cap,
            \at(v->data, Post)[0 .. \at(v->cap, Post) - 1];
    behavior ok:
      assumes vstring_fits(v, 1);
      ensures \result == 0;
      ensures vstring_valid(v);
      ensures v->len == \old(v->len) + 1;
      ensures vstring_prefix_kept{Pre, Post}(v, \old(v->len));
      ensures v->data[\old(v->len)] == c;
    behavior too_long:
      assumes !vstring_fits(v, 1);
      ensures \result == -1;
      ensures vstring_unchanged{Pre, Post}(v);
    complete behaviors;
    disjoint behaviors;
*/
int vstring_append_char(struct vstring *v, char c);

/* Appends the C string s (which must lie outside v's block). */
/*@ requires vstring_valid(v);
    requires valid_read_string(s);
    requires \separated(s + (0 .. strlen(s)), v, v->data + (0 .. v->cap - 1));
    assigns v->data, v->len, v->cap,
            \at(v->data, Post)[0 .. \at(v->cap, Post) - 1];
    behavior ok:
      assumes vstring_fits(v, strlen(s));
      ensures \result == 0;
      ensures vstring_valid(v);
      ensures v->len == \old(v->len) + strlen{Pre}(s);
      ensures vstring_prefix_kept{Pre, Post}(v, \old(v->len));
      ensures \forall integer i; 0 <= i < strlen{Pre}(s) ==>
        v->data[\old(v->len) + i] == \old(s[i]);
    behavior too_long:
      assumes !vstring_fits(v, strlen(s));
      ensures \result == -1;
      ensures vstring_unchanged{Pre, Post}(v);
    complete behaviors;
    disjoint behaviors;
*/
int vstring_append_str(struct vstring *v, const char *s);

/* Replaces the content with n bytes from src (outside v's block). */
/*@ requires vstring_valid(v);
    requires n < SIZE_MAX ==> \valid_read(src + (0 .. n - 1));
    requires n < SIZE_MAX ==>
      \separated(src + (0 .. n - 1), v, v->data + (0 .. v->cap - 1));
    assigns v->data, v->len, v->cap, v->data[0],
            \at(v->data, Post)[0 .. \at(v->cap, Post) - 1];
    behavior ok:
      assumes n < SIZE_MAX;
      ensures \result == 0;
      ensures vstring_valid(v);
      ensures v->len == n;
      ensures \forall integer i; 0 <= i < n ==> v->data[i] == \old(src[i]);
    behavior too_long:
      assumes n == SIZE_MAX;
      ensures \result == -1;
      ensures vstring_unchanged{Pre, Post}(v);
    complete behaviors;
    disjoint behaviors;
*/
int vstring_set(struct vstring *v, const char *src, size_t n);

/* Replaces the content with the C string s (outside v's block). */
/*@ requires vstring_valid(v);
    requires valid_read_string(s);
    requires \separated(s + (0 .. strlen(s)), v, v->data + (0 .. v->cap - 1));
    assigns v->data, v->len, v->cap, v->data[0],
            \at(v->data, Post)[0 .. \at(v->cap, Post) - 1];
    behavior ok:
      assumes strlen(s) < SIZE_MAX;
      ensures \result == 0;
      ensures vstring_valid(v);
      ensures v->len == strlen{Pre}(s);
      ensures \forall integer i; 0 <= i < strlen{Pre}(s) ==>
        v->data[i] == \old(s[i]);
    behavior too_long:
      assumes strlen(s) >= SIZE_MAX;
      ensures \result == -1;
      ensures vstring_unchanged{Pre, Post}(v);
    complete behaviors;
    disjoint behaviors;
*/
int vstring_set_str(struct vstring *v, const char *s);

/* printf-style formatting; -1 (string unchanged up to its old length) when
 * the result would not fit or the format fails. Not proven: the contracts
 * below are trusted (proofs/README.md) and tested by tests/unit/util. */
/*@ requires vstring_valid(v);
    requires valid_read_string(fmt);
    assigns v->data, v->len, v->cap,
            \at(v->data, Post)[0 .. \at(v->cap, Post) - 1];
    ensures vstring_valid(v);
*/
int vstring_sprintf(struct vstring *v, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*@ requires vstring_valid(v);
    requires valid_read_string(fmt);
    assigns v->data, v->len, v->cap,
            \at(v->data, Post)[0 .. \at(v->cap, Post) - 1];
    ensures vstring_valid(v);
*/
int vstring_sprintf_append(struct vstring *v, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*@ requires vstring_valid(v);
    requires valid_read_string(fmt);
    assigns v->data, v->len, v->cap,
            \at(v->data, Post)[0 .. \at(v->cap, Post) - 1];
    ensures vstring_valid(v);
*/
int vstring_vsprintf_append(struct vstring *v, const char *fmt, va_list ap);

/* Makes room for n more bytes without changing the content. */
/*@ requires vstring_valid(v);
    assigns v->data, v->cap, \at(v->data, Post)[0 .. \at(v->cap, Post) - 1];
    behavior ok:
      assumes vstring_fits(v, n);
      ensures \result == 0;
      ensures vstring_valid(v);
      ensures v->len == \old(v->len);
      ensures v->cap >= v->len + n + 1;
      ensures vstring_prefix_kept{Pre, Post}(v, v->len + 1);
    behavior too_long:
      assumes !vstring_fits(v, n);
      ensures \result == -1;
      ensures vstring_unchanged{Pre, Post}(v);
    complete behaviors;
    disjoint behaviors;
*/
int vstring_reserve(struct vstring *v, size_t n);

/* Shortens to len bytes; a len beyond the current length changes nothing. */
/*@ requires vstring_valid(v);
    assigns v->len, v->data[len];
    ensures vstring_valid(v);
    ensures v->data == \old(v->data) && v->cap == \old(v->cap);
    ensures v->len == (len < \old(v->len) ? len : \old(v->len));
    ensures vstring_prefix_kept{Pre, Post}(v, v->len);
*/
void vstring_truncate(struct vstring *v, size_t len);

/* Makes the string empty; the block is kept. */
/*@ requires vstring_valid(v);
    assigns v->len, v->data[0];
    ensures vstring_valid(v);
    ensures v->len == 0;
    ensures v->data == \old(v->data) && v->cap == \old(v->cap);
*/
void vstring_reset(struct vstring *v);

/* vstring_str - the content, NUL-terminated; valid until the next change */
/*@ requires vstring_valid(v);
    assigns \nothing;
    ensures \result == v->data;
*/
static inline const char *vstring_str(const struct vstring *v)
{
    return v->data;
}

/* vstring_len - the content's length in bytes */
/*@ requires vstring_valid(v);
    assigns \nothing;
    ensures \result == v->len;
*/
static inline size_t vstring_len(const struct vstring *v)
{
    return v->len;
}

#endif
