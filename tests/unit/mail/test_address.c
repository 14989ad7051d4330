/*
 * test_address.c - addresses as a specification: RFC 5321 paths good and
 * bad, ESMTP parameters, RFC 5322 header lists, quote/parse round trips and
 * the routing tricks a relay check must see.
 */
#include <stdio.h>
#include <string.h>

#include "address.h"
#include "testkit.h"

#define L64 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define L63 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

static void test_paths(void)
{
    static const struct {
        const char *text;
        int flags;
        const char *mailbox; /* NULL: refused */
        const char *local;
        const char *domain;
        size_t rest;
    } table[] = {
        {"<user@example.org>", 0, "user@example.org", "user", "example.org",
         18},
        {"<a.b+tag@Example.ORG> SIZE=10", 0, "a.b+tag@Example.ORG", "a.b+tag",
         "Example.ORG", 21},
        {"  <u@x.y>", 0, "u@x.y", "u", "x.y", 9},
        {"<>", ADDRESS_FLAG_NULL, "", "", "", 2},
        {"<> BODY=8BITMIME", ADDRESS_FLAG_NULL, "", "", "", 2},
        {"<\"john doe\"@x.org>", 0, "\"john doe\"@x.org", "john doe", "x.org",
         18},
        {"<\"j\\\"q\"@x.org>", 0, "\"j\\\"q\"@x.org", "j\"q", "x.org", 14},
        {"<\"plain\"@x.org>", 0, "plain@x.org", "plain", "x.org", 15},
        {"<\"a@b\"@x.org>", 0, "\"a@b\"@x.org", "a@b", "x.org", 13},
        {"<\"\"@x.org>", 0, "\"\"@x.org", "", "x.org", 10},
        {"<@relay.example:u@x.org>", 0, "u@x.org", "u", "x.org", 24},
        {"<@a.example,@b.example:u@x.org>", 0, "u@x.org", "u", "x.org", 31},
        {"<u@[192.0.2.1]>", 0, "u@[192.0.2.1]", "u", "[192.0.2.1]", 15},
        {"<u@[IPv6:2001:db8::1]>", 0, "u@[IPv6:2001:db8::1]", "u",
         "[IPv6:2001:db8::1]", 22},
        {"<Postmaster>", ADDRESS_FLAG_POSTMASTER, "Postmaster", "Postmaster",
         "", 12},
        {"<" L64 "@x.org>", 0, L64 "@x.org", L64, "x.org", 72},
        {"<u@" L63 ".org>", 0, "u@" L63 ".org", "u", L63 ".org", 71},
        {"<u%v@x.org>", 0, "u%v@x.org", "u%v", "x.org", 11},
        {"<a-b@x-y.example>", 0, "a-b@x-y.example", "a-b", "x-y.example", 17},
        {"<u@x.org >", 0, 0, 0, 0, 0},
        {"<>", 0, 0, 0, 0, 0}, /* null not allowed for RCPT */
        {"<Postmaster>", 0, 0, 0, 0, 0},
        {"<user>", ADDRESS_FLAG_POSTMASTER, 0, 0, 0, 0},
        {"user@example.org", 0, 0, 0, 0, 0},
        {"<user@example.org", 0, 0, 0, 0, 0},
        {"<@example.org>", 0, 0, 0, 0, 0},
        {"<user@>", 0, 0, 0, 0, 0},
        {"<.user@x.org>", 0, 0, 0, 0, 0},
        {"<user.@x.org>", 0, 0, 0, 0, 0},
        {"<us..er@x.org>", 0, 0, 0, 0, 0},
        {"<us er@x.org>", 0, 0, 0, 0, 0},
        {"<user@x..org>", 0, 0, 0, 0, 0},
        {"<user@-x.org>", 0, 0, 0, 0, 0},
        {"<user@x-.org>", 0, 0, 0, 0, 0},
        {"<user@x.org.>", 0, 0, 0, 0, 0},
        {"<user@x_y.org>", 0, 0, 0, 0, 0},
        {"<user@[300.1.1.1]>", 0, 0, 0, 0, 0},
        {"<user@[1.2.3]>", 0, 0, 0, 0, 0},
        {"<user@[IPv6:zz::1]>", 0, 0, 0, 0, 0},
        {"<user@[tag:thing]>", 0, 0, 0, 0, 0},
        {"<\"unterminated@x.org>", 0, 0, 0, 0, 0},
        {"<\"tab\there\"@x.org>", 0, 0, 0, 0, 0},
        {"<us\xc3\xa9r@x.org>", 0, 0, 0, 0, 0},
        {"<a" L64 "@x.org>", 0, 0, 0, 0, 0},
        {"<u@a" L63 ".org>", 0, 0, 0, 0, 0},
        {"<@a.example,b.example:u@x.org>", 0, 0, 0, 0, 0},
        {"<@a.example u@x.org>", 0, 0, 0, 0, 0},
        {"", 0, 0, 0, 0, 0},
        {"<", 0, 0, 0, 0, 0},
    };
    struct address a;
    const char *why;
    size_t i, rest;
    int r;

    for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        why = 0;
        rest = 999;
        r = address_parse_path(table[i].text, strlen(table[i].text),
                               table[i].flags, &a, &rest, &why);
        if ((r == 0) != (table[i].mailbox != 0))
            fprintf(stderr, "path case %zu %s: %s\n", i, table[i].text,
                    r ? why : "accepted");
        CU_ASSERT_EQUAL(r == 0, table[i].mailbox != 0);
        if (r != 0 || table[i].mailbox == 0) {
            CU_ASSERT(r != 0 && why != 0 && a.mailbox[0] == 0);
            continue;
        }
        CU_ASSERT_STRING_EQUAL(a.mailbox, table[i].mailbox);
        CU_ASSERT_STRING_EQUAL(a.local, table[i].local);
        CU_ASSERT_STRING_EQUAL(a.domain, table[i].domain);
        CU_ASSERT_EQUAL(rest, table[i].rest);
        CU_ASSERT_EQUAL(a.is_null, table[i].mailbox[0] == 0);
    }
}

static void test_path_flags(void)
{
    struct address a;
    const char *why;
    size_t rest;

    CU_ASSERT_EQUAL(
        address_parse_path("<@r.example:u@[10.0.0.1]>", 25, 0, &a, &rest, &why),
        0);
    CU_ASSERT(a.route_stripped);
    CU_ASSERT(a.literal);
    CU_ASSERT_EQUAL(address_parse_path("<u@x.org>", 9, 0, &a, &rest, &why), 0);
    CU_ASSERT(!a.route_stripped && !a.literal && !a.is_null);
    /* the length given is the bound, not the NUL */
    CU_ASSERT_EQUAL(address_parse_path("<u@x.org>", 8, 0, &a, &rest, &why), -1);
}

static void test_params(void)
{
    static const struct {
        const char *text;
        int ok;
        size_t count;
    } table[] = {
        {"", 1, 0},
        {" SIZE=1000", 1, 1},
        {" SIZE=1000 BODY=8BITMIME", 1, 2},
        {"  NOTIFY=SUCCESS,FAILURE  ORCPT=rfc822;u+40x@y ", 1, 2},
        {" SMTPUTF8", 1, 1},
        {" X-PRIV-EXT=a", 1, 1},
        {"SIZE=1", 0, 0},    /* no space after '>' */
        {" =1", 0, 0},       /* no keyword */
        {" -X=1", 0, 0},     /* keyword starts with '-' */
        {" SIZE=", 0, 0},    /* empty value */
        {" SIZE=a=b", 0, 0}, /* '=' in value */
        {" SIZE=\x01", 0, 0},
        {" A B C D E F G H I J K L M N O P Q", 0, 0}, /* 17 > max */
    };
    struct address_param p[ADDRESS_PARAMS_MAX];
    const char *why;
    size_t i, count;

    for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        int r = address_params_split(table[i].text, strlen(table[i].text), p,
                                     ADDRESS_PARAMS_MAX, &count, &why);
        CU_ASSERT_EQUAL(r == 0, table[i].ok);
        if (r == 0)
            CU_ASSERT_EQUAL(count, table[i].count);
    }
    address_params_split(" SIZE=1000 SMTPUTF8", 19, p, ADDRESS_PARAMS_MAX,
                         &count, &why);
    CU_ASSERT_EQUAL(p[0].keyword_len, 4);
    CU_ASSERT_EQUAL(strncmp(p[0].value, "1000", p[0].value_len), 0);
    CU_ASSERT_PTR_NULL(p[1].value);
}

/* list_of - the mailboxes of a header list joined by spaces, or "ERR" */
static const char *list_of(const char *text)
{
    static char out[1024];
    struct address_list l;
    struct address a;
    const char *why;
    int r;

    out[0] = 0;
    address_list_init(&l, text, strlen(text));
    while ((r = address_list_next(&l, &a, &why)) == 1) {
        strncat(out, out[0] ? " " : "", sizeof(out) - strlen(out) - 1);
        strncat(out, a.mailbox, sizeof(out) - strlen(out) - 1);
    }
    return r < 0 ? "ERR" : out;
}

static void test_header_lists(void)
{
    static const struct {
        const char *text;
        const char *expect;
    } table[] = {
        {"a@x.org", "a@x.org"},
        {"a@x.org, b@y.org", "a@x.org b@y.org"},
        {"John Doe <jd@x.org>", "jd@x.org"},
        {"\"Doe, John\" <jd@x.org>, c@z.org", "jd@x.org c@z.org"},
        {"jd@x.org (John Doe)", "jd@x.org"},
        {"(c1) jd (c2) @ (c3) x.org (c4)", "jd@x.org"},
        {"Mr. J. Doe <jd@x.org>", "jd@x.org"},
        {"friends: a@x.org, B <b@y.org>;, c@z.org", "a@x.org b@y.org c@z.org"},
        {"undisclosed-recipients:;", ""},
        {"bob", "bob"},
        {"bob, alice", "bob alice"},
        {"\"john doe\"@x.org", "\"john doe\"@x.org"},
        {"\"john\".doe@x.org", "john.doe@x.org"},
        {"<@route.example:jd@x.org>", "jd@x.org"},
        {"a@x.org,, ,b@y.org", "a@x.org b@y.org"},
        {"a@[192.0.2.7]", "a@[192.0.2.7]"},
        {"=?UTF-8?Q?J=C3=B6rg?= <j@x.org>", "j@x.org"},
        {"J\xc3\xb6rg <j@x.org>", "j@x.org"},
        {"a@x.org\r\n\t, b@y.org", "a@x.org b@y.org"},
        {"", ""},
        {"John Doe jd@x.org", "ERR"},
        {"jd@x.org (unclosed", "ERR"},
        {"<jd@x.org", "ERR"},
        {"a@x.org b@y.org", "ERR"},
        {"g: a@x.org", "ERR"},
        {"a@", "ERR"},
        {"@x.org", "ERR"},
        {"<>", "ERR"},
        {"a..b@x.org", "ERR"},
        {"j\xc3\xb6rg@x.org", "ERR"},
        {"a@x_y.org", "ERR"},
        {"\"unterminated@x.org", "ERR"},
    };
    size_t i;
    const char *got;

    for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        got = list_of(table[i].text);
        if (strcmp(got, table[i].expect) != 0)
            fprintf(stderr, "list case %s: got [%s]\n", table[i].text, got);
        CU_ASSERT_STRING_EQUAL(got, table[i].expect);
    }
}

static void test_quote_round_trip(void)
{
    static const struct {
        const char *local;
        const char *domain;
        const char *mailbox; /* NULL: refused */
    } table[] = {
        {"user", "x.org", "user@x.org"},
        {"a.b", "x.org", "a.b@x.org"},
        {"john doe", "x.org", "\"john doe\"@x.org"},
        {"a\"b", "x.org", "\"a\\\"b\"@x.org"},
        {"a\\b", "x.org", "\"a\\\\b\"@x.org"},
        {".lead", "x.org", "\".lead\"@x.org"},
        {"a..b", "x.org", "\"a..b\"@x.org"},
        {"u@v", "x.org", "\"u@v\"@x.org"},
        {"", "x.org", "\"\"@x.org"},
        {"postmaster", "", "postmaster"},
        {"a(b)", "[10.1.2.3]", "\"a(b)\"@[10.1.2.3]"},
        {"tab\there", "x.org", 0},
        {"\xc3\xa9", "x.org", 0},
        {L64, "x.org", L64 "@x.org"},
        {"a" L64, "x.org", 0},
        {L63 " ", "x.org", 0}, /* 64 unquoted, 66 quoted */
    };
    char out[ADDRESS_MAILBOX_MAX + 1], small[8];
    struct address a;
    const char *why;
    size_t i;
    int r;

    for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        r = address_quote(table[i].local, table[i].domain, out, sizeof(out));
        CU_ASSERT_EQUAL(r == 0, table[i].mailbox != 0);
        if (r != 0 || table[i].mailbox == 0)
            continue;
        CU_ASSERT_STRING_EQUAL(out, table[i].mailbox);
        /* quote then parse gives the same address */
        CU_ASSERT_EQUAL_FATAL(address_parse_mailbox(out, strlen(out), &a, &why),
                              0);
        CU_ASSERT_STRING_EQUAL(a.local, table[i].local);
        CU_ASSERT_STRING_EQUAL(a.domain, table[i].domain);
        CU_ASSERT_STRING_EQUAL(a.mailbox, out);
    }
    CU_ASSERT_EQUAL(address_quote("user", "x.org", small, sizeof(small)), -1);
    CU_ASSERT_EQUAL(address_parse_mailbox("", 0, &a, &why), 0);
    CU_ASSERT(a.is_null);
    CU_ASSERT_EQUAL(address_parse_mailbox("u@x.org>", 8, &a, &why), -1);
    CU_ASSERT_EQUAL(address_parse_mailbox("bob", 3, &a, &why), -1);
}

static void test_routing_tricks(void)
{
    static const struct {
        const char *path;
        int flags;
    } table[] = {
        {"<user@x.org>", 0},
        {"<user%other.example@x.org>", ADDRESS_ROUTE_PERCENT},
        {"<other.example!user@x.org>", ADDRESS_ROUTE_BANG},
        {"<\"user@other.example\"@x.org>", ADDRESS_ROUTE_AT},
        {"<\"a!b%c@d\"@x.org>",
         ADDRESS_ROUTE_AT | ADDRESS_ROUTE_BANG | ADDRESS_ROUTE_PERCENT},
    };
    struct address a;
    const char *why;
    size_t i, rest;

    for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        CU_ASSERT_EQUAL_FATAL(address_parse_path(table[i].path,
                                                 strlen(table[i].path), 0, &a,
                                                 &rest, &why),
                              0);
        CU_ASSERT_EQUAL(address_routing(&a), table[i].flags);
    }
    CU_ASSERT(address_domain_valid("x.org", 5));
    CU_ASSERT(!address_domain_valid("x.org", 0));
    CU_ASSERT(address_literal_valid("[1.2.3.4]", 9));
    CU_ASSERT(!address_literal_valid("[1.2.3.4", 8));
    CU_ASSERT(address_dot_string_valid("a.b", 3));
    CU_ASSERT(!address_dot_string_valid("a b", 3));
}

/* lcg - a fixed pseudo-random sequence, so failures reproduce */
static unsigned lcg(unsigned *state)
{
    *state = *state * 1103515245u + 12345u;
    return (*state >> 16) & 0x7fff;
}

static void test_random_inputs_property(void)
{
    static const char alphabet[] = "<>@.\"\\:,;()[] aZ9-_%!\t\x80=";
    unsigned seed = 42;
    char text[80];
    struct address a, b;
    struct address_list l;
    const char *why;
    size_t i, j, n, rest;
    int accepted = 0, steps;

    for (i = 0; i < 20000; i++) {
        n = lcg(&seed) % sizeof(text);
        for (j = 0; j < n; j++)
            text[j] = alphabet[lcg(&seed) % (sizeof(alphabet) - 1)];
        if (n > 1 && lcg(&seed) % 2) {
            text[0] = '<';
            text[n - 1] = '>';
        }
        /* whatever is accepted reparses from its canonical form */
        if (address_parse_path(text, n, ADDRESS_FLAG_NULL, &a, &rest, &why) ==
                0 &&
            !a.is_null) {
            accepted++;
            CU_ASSERT_EQUAL(
                address_parse_mailbox(a.mailbox, strlen(a.mailbox), &b, &why),
                0);
            CU_ASSERT_STRING_EQUAL(b.local, a.local);
            CU_ASSERT_STRING_EQUAL(b.domain, a.domain);
            CU_ASSERT(rest <= n);
        }
        address_list_init(&l, text, n);
        for (steps = 0; steps < 100 && address_list_next(&l, &a, &why) == 1;
             steps++)
            CU_ASSERT(strlen(a.mailbox) <= ADDRESS_MAILBOX_MAX);
        CU_ASSERT(steps < 100);
    }
    CU_ASSERT(accepted > 0);
}

static const struct testkit_case cases[] = {
    {"RFC 5321 paths good and bad", test_paths},
    {"path flags and bounds", test_path_flags},
    {"ESMTP parameters", test_params},
    {"RFC 5322 header lists", test_header_lists},
    {"quote then parse round trip", test_quote_round_trip},
    {"routing tricks in the local part", test_routing_tricks},
    {"random inputs: accepted paths reparse", test_random_inputs_property},
    {NULL, NULL}};
TESTKIT_SUITE("address", NULL, NULL, cases);
