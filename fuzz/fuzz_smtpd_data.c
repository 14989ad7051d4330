/*
 * fuzz_smtpd_data.c - the DATA reader (src/smtpd/smtpd_data.h) against a
 * reference model, under every split of its input.
 * FUZZ-TARGETS: src/smtpd/smtpd_data.c src/smtpd/smtpd_bdat.c
 *
 * Input: one byte of split size, one byte of size limit, then the data
 * stream as a client sends it after "354".
 * Invariants:
 *   - fed in pieces of any size, the scanner gives the same output, errors
 *     and end position as in one piece, and as the reference model below
 *     (a direct reading of RFC 5321 4.1.1.4 and 4.5.2);
 *   - output has CR only before LF, no NUL, and never exceeds the input;
 *   - dot-stuffing a clean body (lines cut from the input) then scanning it
 *     with the end marker gives back exactly that body, consumes all of it,
 *     and reports no error;
 *   - BDAT's checker agrees with the model on the same bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "smtpd_bdat.h"
#include "smtpd_data.h"

struct result {
    size_t used;     /* input bytes consumed */
    int done;        /* end marker seen */
    unsigned errors; /* SMTPD_DATA_* */
    char *out;       /* content when errors == 0 */
    size_t out_len;
};

/* scan_pieces - the real scanner, fed split bytes at a time (0: all) */
static void scan_pieces(const char *in, size_t len, size_t split,
                        unsigned long long limit, struct result *r)
{
    struct smtpd_data d;
    char *buf = malloc(len + 2);
    size_t pos = 0, n, got, used;

    smtpd_data_init(&d, limit);
    r->out = malloc(len + 2);
    r->out_len = 0;
    while (pos < len && !smtpd_data_done(&d)) {
        n = split == 0 || len - pos < split ? len - pos : split;
        used = smtpd_data_scan(&d, in + pos, n, buf, &got);
        FUZZ_CHECK(used <= n && got <= n + 1, "scan used %zu of %zu, out %zu",
                   used, n, got);
        FUZZ_CHECK(used == n || smtpd_data_done(&d), "stopped early");
        memcpy(r->out + r->out_len, buf, got);
        r->out_len += got;
        pos += used;
    }
    r->used = pos;
    r->done = smtpd_data_done(&d);
    r->errors = d.errors;
    free(buf);
}

/* model - RFC 5321 read literally: lines end in CR LF; "." CR LF alone on
 * a line ends the data; a leading dot is removed; bare CR, bare LF, NUL and
 * too many bytes are errors. A CR at the very end is still pending. */
static void model(const char *in, size_t len, unsigned long long limit,
                  struct result *r)
{
    size_t i = 0, size = 0;
    int bol = 1;

    r->out = malloc(len + 2);
    r->out_len = 0;
    r->errors = 0;
    r->done = 0;
    while (i < len) {
        if (bol && len - i >= 3 && memcmp(in + i, ".\r\n", 3) == 0) {
            r->done = 1;
            i += 3;
            break;
        }
        if (bol && in[i] == '.') {
            i++;
            bol = 0;
            if (i == len)
                break;
            if (in[i] == '\r' && i + 1 == len)
                break; /* "." CR: maybe the end marker */
        }
        bol = 0;
        if (in[i] == 0)
            r->errors |= SMTPD_DATA_NUL;
        if (in[i] == '\n') {
            r->errors |= SMTPD_DATA_BARE_LF;
            i++;
            continue;
        }
        if (in[i] == '\r') {
            if (i + 1 == len)
                break; /* pending */
            if (in[i + 1] == '\n') {
                size += 2;
                if (r->errors == 0 && !(limit && size > limit))
                    memcpy(r->out + r->out_len, "\r\n", 2), r->out_len += 2;
                i += 2;
                bol = 1;
            } else {
                r->errors |= SMTPD_DATA_BARE_CR;
                i++;
            }
        } else {
            size++;
            if (r->errors == 0 && !(limit && size > limit))
                r->out[r->out_len++] = in[i];
            i++;
        }
        if (limit && size > limit)
            r->errors |= SMTPD_DATA_TOO_BIG;
    }
    r->used = i;
}

/* check_output - CR only before LF, no NUL */
static void check_output(const struct result *r)
{
    size_t i;

    for (i = 0; i < r->out_len; i++) {
        FUZZ_CHECK(r->out[i] != 0, "NUL in output");
        FUZZ_CHECK(r->out[i] != '\r' ||
                       (i + 1 < r->out_len && r->out[i + 1] == '\n'),
                   "bare CR in output at %zu", i);
        FUZZ_CHECK(r->out[i] != '\n' || (i > 0 && r->out[i - 1] == '\r'),
                   "bare LF in output at %zu", i);
    }
}

/* same_result - scanner and model agree */
static void same_result(const struct result *a, const struct result *b,
                        const char *what)
{
    FUZZ_CHECK(a->done == b->done, "%s: done %d vs %d", what, a->done,
               b->done);
    FUZZ_CHECK(a->errors == b->errors, "%s: errors %#x vs %#x", what,
               a->errors, b->errors);
    if (a->done)
        FUZZ_CHECK(a->used == b->used, "%s: used %zu vs %zu", what, a->used,
                   b->used);
    if (a->errors == 0)
        FUZZ_CHECK(a->out_len == b->out_len &&
                       fuzz_same(a->out, b->out, a->out_len),
                   "%s: different content", what);
}

/* roundtrip - clean body from the input's lines, stuff, scan, compare */
static void roundtrip(const char *in, size_t len)
{
    char *body = malloc(len * 2 + 4), *wire = malloc(len * 3 + 8);
    size_t blen = 0, wlen = 0, i;
    int bol = 1;
    struct result r;

    for (i = 0; i < len; i++) {
        if (in[i] == '\r' || in[i] == 0)
            continue;
        if (in[i] == '\n') {
            body[blen++] = '\r';
            body[blen++] = '\n';
            continue;
        }
        body[blen++] = in[i];
    }
    /* stuff each line of the body */
    bol = 1;
    for (i = 0; i < blen; i++) {
        if (bol && body[i] == '.')
            wire[wlen++] = '.';
        wire[wlen++] = body[i];
        bol = body[i] == '\n';
    }
    if (blen > 0 && !bol) { /* the last line must end in CR LF */
        body[blen++] = '\r', body[blen++] = '\n';
        wire[wlen++] = '\r', wire[wlen++] = '\n';
    }
    memcpy(wire + wlen, ".\r\n", 3);
    wlen += 3;
    scan_pieces(wire, wlen, 0, 0, &r);
    FUZZ_CHECK(r.done && r.used == wlen, "stuffed body: end not found");
    FUZZ_CHECK(r.errors == 0, "stuffed body: errors %#x", r.errors);
    FUZZ_CHECK(r.out_len == blen && fuzz_same(r.out, body, blen),
               "unstuffing did not give the body back");
    free(r.out);
    free(body);
    free(wire);
}

/* bdat_agrees - the BDAT checker flags the same line-end errors */
static void bdat_agrees(const char *in, size_t len)
{
    struct smtpd_bdat b;
    unsigned errors = 0;
    int need_crlf;
    size_t i;

    smtpd_bdat_init(&b, 0);
    smtpd_bdat_scan(&b, in, len / 2);
    smtpd_bdat_scan(&b, in + len / 2, len - len / 2);
    for (i = 0; i < len; i++) {
        if (in[i] == 0)
            errors |= SMTPD_BDAT_NUL;
        if (in[i] == '\n' && (i == 0 || in[i - 1] != '\r'))
            errors |= SMTPD_BDAT_BARE_LF;
        if (in[i] == '\r' && (i + 1 == len || in[i + 1] != '\n'))
            errors |= SMTPD_BDAT_BARE_CR;
    }
    FUZZ_CHECK(smtpd_bdat_finish(&b, &need_crlf) == errors,
               "BDAT errors differ from the model");
    /* a refused message needs no CR LF appended */
    FUZZ_CHECK(need_crlf == (errors == 0 && len > 0 &&
                             !(len >= 2 && in[len - 2] == '\r' &&
                               in[len - 1] == '\n')),
               "BDAT need_crlf wrong");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input in = {data, size};
    size_t split = fuzz_take_byte(&in) % 17;
    unsigned long long limit = fuzz_take_byte(&in);
    const char *text = (const char *)in.data;
    struct result whole, pieces, ref;

    fuzz_init();
    scan_pieces(text, in.len, 0, limit, &whole);
    scan_pieces(text, in.len, split, limit, &pieces);
    model(text, in.len, limit, &ref);
    check_output(&whole);
    same_result(&whole, &pieces, "split");
    same_result(&whole, &ref, "model");
    roundtrip(text, in.len);
    bdat_agrees(text, in.len);
    free(whole.out);
    free(pieces.out);
    free(ref.out);
    return 0;
}
