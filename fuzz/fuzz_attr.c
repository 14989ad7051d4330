/*
 * fuzz_attr.c - the IPC attribute codec (src/util/attr.h): attr_read over
 * a memory-backed stream, and encode -> decode round trips.
 * FUZZ-TARGETS: src/util/attr.c src/util/attr_list.c
 *
 * Input: byte 0 picks the read size and the limits, the rest is read as
 * one or more records.
 * Invariants:
 *   - every record attr_read accepts, written back with attr_write, is
 *     exactly the bytes it was read from (one encoding per byte string);
 *   - limits hold: count, name and value lengths;
 *   - a list built from the input (names made valid, values any bytes)
 *     written and read back is the same list, values and lengths included;
 *   - after -1 or 0 nothing more is read (the caller closes).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "attr.h"
#include "fuzz_common.h"
#include "vstream.h"
#include "vstring.h"

/* same_list - same names, values and lengths, in order */
static int same_list(const struct attr_list *a, const struct attr_list *b)
{
    size_t i, la, lb;
    const char *va, *vb;

    if (attr_list_count(a) != attr_list_count(b))
        return 0;
    for (i = 0; i < attr_list_count(a); i++) {
        va = attr_list_value_at(a, i, &la);
        vb = attr_list_value_at(b, i, &lb);
        if (strcmp(attr_list_name_at(a, i), attr_list_name_at(b, i)) != 0 ||
            la != lb || !fuzz_same(va, vb, la))
            return 0;
    }
    return 1;
}

/* encode - a list as attr_write writes it */
static void encode(const struct attr_list *list, struct vstring *out)
{
    struct fuzz_mem mem;
    struct vstream *s = fuzz_mem_stream(&mem, "", 0, 0, out);

    vstring_reset(out);
    FUZZ_CHECK(attr_write(s, list) == 0, "attr_write failed");
    vstream_release(s);
}

/* decode_stream - read records until the end; each re-encodes exactly */
static void decode_stream(const uint8_t *data, size_t len, size_t chunk,
                          const struct attr_limits *lim)
{
    struct fuzz_mem mem;
    struct vstream *s = fuzz_mem_stream(&mem, data, len, chunk, 0);
    struct attr_list *list = attr_list_alloc();
    struct vstring *why = vstring_alloc(64), *enc = vstring_alloc(256);
    size_t off = 0, i, vlen;
    int r;

    while ((r = attr_read(s, list, lim, why)) == 1) {
        FUZZ_CHECK(attr_list_count(list) <= lim->max_count, "count limit");
        for (i = 0; i < attr_list_count(list); i++) {
            FUZZ_CHECK(strlen(attr_list_name_at(list, i)) <= lim->max_name,
                       "name limit");
            attr_list_value_at(list, i, &vlen);
            FUZZ_CHECK(vlen <= lim->max_value, "value limit");
        }
        encode(list, enc);
        FUZZ_CHECK(vstring_len(enc) <= lim->max_total, "total limit");
        FUZZ_CHECK(off + vstring_len(enc) <= len &&
                       fuzz_same(vstring_str(enc), data + off,
                                 vstring_len(enc)),
                   "record at %zu does not encode back to its bytes", off);
        off += vstring_len(enc);
    }
    FUZZ_CHECK(r == 0 || r == -1, "attr_read returned %d", r);
    FUZZ_CHECK(r == -1 || off == len, "clean EOF with bytes left");
    FUZZ_CHECK(r == 0 || vstring_len(why) > 0, "failure without a reason");
    attr_list_free(list);
    vstring_free(why);
    vstring_free(enc);
    vstream_release(s);
}

/* roundtrip - the input cut into pairs, written, read back */
static void roundtrip(const uint8_t *data, size_t len)
{
    struct fuzz_input in = {data, len};
    struct attr_list *list = attr_list_alloc(), *back = attr_list_alloc();
    struct vstring *enc = vstring_alloc(256), *why = vstring_alloc(64);
    struct fuzz_mem mem;
    struct vstream *s;
    char name[16];
    const char *v;
    size_t vlen, n;

    while (in.len > 0 && attr_list_count(list) < 32) {
        n = fuzz_take_byte(&in) % 8 + 1;
        for (size_t i = 0; i < n; i++)
            name[i] = "abcdefghijklmnopqrstuvwxyz0123456789_"[i * 7 % 37];
        name[n] = 0;
        v = fuzz_take_until(&in, 0xff, &vlen);
        attr_list_add_bytes(list, name, v, vlen);
    }
    encode(list, enc);
    s = fuzz_mem_stream(&mem, vstring_str(enc), vstring_len(enc), 0, 0);
    FUZZ_CHECK(attr_read(s, back, 0, why) == 1, "own record refused: %s",
               vstring_str(why));
    FUZZ_CHECK(same_list(list, back), "round trip changed the list");
    FUZZ_CHECK(attr_read(s, back, 0, why) == 0, "more after the record");
    vstream_release(s);
    attr_list_free(list);
    attr_list_free(back);
    vstring_free(enc);
    vstring_free(why);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input in = {data, size};
    unsigned opt = fuzz_take_byte(&in);
    struct attr_limits lim = ATTR_LIMITS_DEFAULT;

    fuzz_init();
    if (opt & 0x80) { /* small limits */
        lim.max_count = 4;
        lim.max_name = 8;
        lim.max_value = 16;
        lim.max_total = 64;
    }
    decode_stream(in.data, in.len, opt & 0x1f, &lim);
    roundtrip(in.data, in.len);
    return 0;
}
