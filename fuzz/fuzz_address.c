/*
 * fuzz_address.c - RFC 5321 paths and RFC 5322 address lists: the mail
 * library's parser (src/mail/address.h) and smtpd's own path parser
 * (src/smtpd/smtpd_path.h), each checked against itself and each other.
 * FUZZ-TARGETS: src/mail/address.c src/mail/address_list.c src/smtpd/smtpd_path.c
 *
 * Input: byte 0 selects the flags, the rest is the text after "MAIL FROM:"
 * (or a header field body for the list parser).
 * Invariants:
 *   - a parsed path's mailbox is address_quote(local, domain); parsing the
 *     mailbox again (address_parse_mailbox, and "<mailbox>" as a path)
 *     gives the same local part, domain and mailbox (quote then parse is
 *     the identity);
 *   - a path's parameters start at or after the closing '>' and within the
 *     text; address_params_split never returns more than it was allowed;
 *   - smtpd_path: the address is "local@domain" as written; as a path again
 *     it parses to the same address, local part, domain and flags;
 *   - on ASCII input the two path parsers agree on plain addresses: what
 *     smtpd_path accepts without tricks, address.h accepts with the same
 *     domain and the same decoded local part;
 *   - every address an address list yields quotes and parses back.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "fuzz_common.h"
#include "smtpd_path.h"

/* same_address - local, domain and mailbox agree */
static int same_address(const struct address *a, const struct address *b)
{
    return strcmp(a->local, b->local) == 0 &&
           strcmp(a->domain, b->domain) == 0 &&
           strcmp(a->mailbox, b->mailbox) == 0;
}

/* check_roundtrip - a parsed address quotes and parses back to itself */
static void check_roundtrip(const struct address *a, const char *what)
{
    char quoted[ADDRESS_MAILBOX_MAX + 1];
    char path[ADDRESS_MAILBOX_MAX + 3];
    struct address again;
    const char *why;
    size_t rest;

    if (a->is_null) {
        FUZZ_CHECK(a->mailbox[0] == 0, "%s: null with a mailbox", what);
        return;
    }
    FUZZ_CHECK(address_quote(a->local, a->domain, quoted, sizeof(quoted)) == 0,
               "%s: parsed address does not quote: [%s] [%s]", what,
               a->local, a->domain);
    FUZZ_CHECK(strcmp(quoted, a->mailbox) == 0,
               "%s: mailbox [%s] is not its quoted form [%s]", what,
               a->mailbox, quoted);
    FUZZ_CHECK(address_parse_mailbox(a->mailbox, strlen(a->mailbox), &again,
                                     &why) == 0,
               "%s: mailbox [%s] does not parse again: %s", what, a->mailbox,
               why);
    FUZZ_CHECK(same_address(a, &again), "%s: mailbox [%s] parses to [%s]",
               what, a->mailbox, again.mailbox);
    snprintf(path, sizeof(path), "<%s>", a->mailbox);
    FUZZ_CHECK(address_parse_path(path, strlen(path), ADDRESS_FLAG_POSTMASTER,
                                  &again, &rest, &why) == 0,
               "%s: path %s does not parse again: %s", what, path, why);
    FUZZ_CHECK(same_address(a, &again) && rest == strlen(path),
               "%s: path %s parses to [%s]", what, path, again.mailbox);
}

/* mail_path - address.h's path parser and its parameters */
static void mail_path(const char *text, size_t len, int flags)
{
    struct address a;
    struct address_param params[ADDRESS_PARAMS_MAX];
    const char *why = 0;
    size_t rest = 0, count = 0;

    if (address_parse_path(text, len, flags, &a, &rest, &why) != 0) {
        FUZZ_CHECK(why != 0, "failure without a reason");
        return;
    }
    FUZZ_CHECK(rest <= len && rest >= 2 && text[rest - 1] == '>',
               "rest %zu of %zu", rest, len);
    FUZZ_CHECK(!a.is_null || (flags & ADDRESS_FLAG_NULL), "null not allowed");
    FUZZ_CHECK(strlen(a.local) <= ADDRESS_LOCAL_MAX &&
                   strlen(a.domain) <= ADDRESS_DOMAIN_MAX,
               "limits");
    check_roundtrip(&a, "path");
    if (address_params_split(text + rest, len - rest, params,
                             ADDRESS_PARAMS_MAX, &count, &why) == 0)
        FUZZ_CHECK(count <= ADDRESS_PARAMS_MAX, "too many params");
}

/* smtpd_paths - smtpd's parser, again on its own output, and against
 * address.h's */
static void smtpd_paths(const char *text, size_t len, int flags)
{
    struct smtpd_path p, q;
    struct address a;
    const char *why;
    char path[SMTPD_PATH_MAX + 3];
    size_t used, rest, i;
    int ascii = 1;

    if (smtpd_path_parse(text, len, flags, &p, &used, &why) != SMTPD_PATH_OK)
        return;
    FUZZ_CHECK(used <= len && used >= 2 && text[used - 1] == '>',
               "smtpd_path: used %zu", used);
    if (p.flags & (SMTPD_PATH_NULL | SMTPD_PATH_POSTMASTER))
        return;
    snprintf(path, sizeof(path), "<%s>", p.addr);
    FUZZ_CHECK(smtpd_path_parse(path, strlen(path), flags, &q, &used, &why) ==
                   SMTPD_PATH_OK,
               "smtpd_path: %s does not parse again: %s", path, why);
    FUZZ_CHECK(strcmp(p.addr, q.addr) == 0 && strcmp(p.local, q.local) == 0 &&
                   strcmp(p.domain, q.domain) == 0,
               "smtpd_path: %s parses to %s", path, q.addr);
    FUZZ_CHECK((p.flags & ~SMTPD_PATH_ROUTE) == q.flags,
               "smtpd_path: flags %#x then %#x", p.flags, q.flags);
    for (i = 0; i < len; i++)
        ascii &= (unsigned char)text[i] < 0x80;
    if (!ascii || (p.flags & SMTPD_PATH_TRICKS))
        return;
    FUZZ_CHECK(address_parse_path(path, strlen(path), 0, &a, &rest, &why) ==
                   0,
               "address.h refuses %s that smtpd accepts: %s", path, why);
    FUZZ_CHECK(strcmp(a.local, p.local) == 0 &&
                   strcasecmp(a.domain, p.domain) == 0,
               "parsers disagree on %s: [%s][%s] vs [%s][%s]", path, a.local,
               a.domain, p.local, p.domain);
}

/* address_lists - every address of a header field body round-trips */
static void address_lists(const char *text, size_t len)
{
    struct address_list l;
    struct address a;
    const char *why;
    int r, n = 0;

    address_list_init(&l, text, len);
    while ((r = address_list_next(&l, &a, &why)) == 1) {
        FUZZ_CHECK(++n <= (int)len + 1, "more addresses than bytes");
        if (a.domain[0] != 0)
            check_roundtrip(&a, "list");
    }
    FUZZ_CHECK(r == 0 || r == -1, "list result %d", r);
    FUZZ_CHECK(address_list_next(&l, &a, &why) <= 0, "list goes on");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input in = {data, size};
    unsigned flags = fuzz_take_byte(&in);
    char *text;

    fuzz_init();
    text = fuzz_strndup(in.data, in.len);
    mail_path(text, in.len, (int)(flags & 3));
    smtpd_paths(text, in.len, (int)(flags & 7));
    address_lists(text, in.len);
    free(text);
    return 0;
}
