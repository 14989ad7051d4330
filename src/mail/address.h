/*
 * address.h - mail addresses: RFC 5321 paths (MAIL FROM / RCPT TO), their
 * ESMTP parameters, RFC 5322 address lists (To/Cc/Bcc for sendmail -t and
 * cleanup), quoting an address back, and the checks the relay test needs.
 *
 * Forms. An address is held as
 *   local   - the local part UNQUOTED (quotes and backslashes removed),
 *   domain  - the domain or address literal ("[192.0.2.1]"), "" when none,
 *   mailbox - the canonical RFC 5321 text "local@domain" with the local part
 *             written as a dot-string when it is one, else as a quoted
 *             string; this is what queue files store and SMTP sends.
 * address_quote(local, domain) gives mailbox, and parsing mailbox gives
 * local and domain back (the round trip the tests check).
 *
 * Limits (RFC 5321 4.5.3.1): local part 64 octets as written, domain 255,
 * path 256 including the angle brackets; labels 63. Only ASCII: there is no
 * SMTPUTF8 support, 8-bit octets are refused in addresses (a display name
 * in a header may carry them; it is discarded).
 *
 * Source routes ("<@a,@b:user@c>") are accepted syntactically and dropped
 * (RFC 5321 4.1.1.3, appendix C). "<Postmaster>" without a domain is
 * accepted only with ADDRESS_FLAG_POSTMASTER (RCPT TO); "<>" only with
 * ADDRESS_FLAG_NULL (MAIL FROM). Leading spaces before '<' are skipped
 * (many clients send "MAIL FROM: <a@b>").
 *
 * Errors: -1 and *reason set to a constant string (no allocation, so the
 * parsers keep a fixed shape: bounded buffers, no callbacks, one exit).
 */
#ifndef ADDRESS_H
#define ADDRESS_H

#include <stddef.h>

#define ADDRESS_LOCAL_MAX 64
#define ADDRESS_DOMAIN_MAX 255
#define ADDRESS_PATH_MAX 256
#define ADDRESS_MAILBOX_MAX (ADDRESS_PATH_MAX - 2)
#define ADDRESS_LABEL_MAX 63
#define ADDRESS_PARAMS_MAX 16

#define ADDRESS_FLAG_NULL (1 << 0)       /* "<>" allowed (MAIL FROM) */
#define ADDRESS_FLAG_POSTMASTER (1 << 1) /* "<Postmaster>" allowed (RCPT) */

struct address {
    char local[ADDRESS_LOCAL_MAX + 1];
    char domain[ADDRESS_DOMAIN_MAX + 1];
    char mailbox[ADDRESS_MAILBOX_MAX + 1];
    int is_null;        /* "<>" */
    int literal;        /* domain is an address literal */
    int route_stripped; /* a source route was dropped */
};

/* One ESMTP parameter "KEYWORD[=value]"; pointers into the parsed text. */
struct address_param {
    const char *keyword;
    size_t keyword_len;
    const char *value; /* NULL when there was no '=' */
    size_t value_len;
};

/*
 * Parses a path at text[0 .. len-1] (what follows "MAIL FROM:" or
 * "RCPT TO:"). On 0, *out is filled and *rest is the index just after '>'
 * where the ESMTP parameters begin.
 */
/*@ requires \valid_read(text + (0 .. len - 1));
    requires \valid(out) && \valid(rest) && \valid(reason);
    assigns *out, *rest, *reason;
    ensures \result == 0 ==> *rest <= len;
    ensures \result == 0 || \result == -1;
 */
int address_parse_path(const char *text, size_t len, int flags,
                       struct address *out, size_t *rest, const char **reason);

/*
 * Splits the text after a path into at most max parameters: empty text, or
 * SP-separated "keyword[=value]" (keyword: ALPHA/DIGIT then ALPHA/DIGIT/'-';
 * value: 1*(%d33-60 / %d62-126)). -1 on bad syntax or more than max.
 */
int address_params_split(const char *text, size_t len,
                         struct address_param *params, size_t max,
                         size_t *count, const char **reason);

/*
 * Parses a stored mailbox "local@domain" (no brackets; the form of
 * address.mailbox and of queue-file recipients) into *out: this is how
 * local delivery and resolve split local part and domain.
 * "" is the null address.
 */
int address_parse_mailbox(const char *text, size_t len, struct address *out,
                          const char **reason);

/*
 * Writes the canonical mailbox for an unquoted local part and a domain
 * ("" for none) into out[0 .. outsize-1]. -1 when a character cannot be
 * written (control or 8-bit octets), the local part would exceed 64 octets
 * or the result would not fit.
 */
int address_quote(const char *local, const char *domain, char *out,
                  size_t outsize);

/* 1 when text[0..len-1] is an RFC 5321 domain (labels, lengths), else 0. */
int address_domain_valid(const char *text, size_t len);

/* 1 when text[0..len-1] is an RFC 5321 address literal "[...]", else 0. */
int address_literal_valid(const char *text, size_t len);

/* 1 when s[0..len-1] is a Dot-string (needs no quoting), else 0. */
int address_dot_string_valid(const char *s, size_t len);

/* Routing tricks hidden in a local part (relay checks must refuse these). */
#define ADDRESS_ROUTE_PERCENT (1 << 0) /* user%host */
#define ADDRESS_ROUTE_BANG (1 << 1)    /* host!user */
#define ADDRESS_ROUTE_AT (1 << 2)      /* "user@host" quoted */
int address_routing(const struct address *a);

/* ---- RFC 5322 address lists (header fields) ---------------------------- */

/*
 * A cursor over one header field body. address_list_next() returns 1 with
 * the next address in *out (display names, comments and group names are
 * dropped; a group "name: a, b;" yields a and b; an address without
 * "@domain" yields an empty domain for the caller to complete), 0 at the
 * end, -1 on a syntax error (the cursor is then done).
 */
struct address_list {
    const char *text;
    size_t len;
    size_t pos;
    int in_group;
    int failed;
};

void address_list_init(struct address_list *l, const char *text, size_t len);
int address_list_next(struct address_list *l, struct address *out,
                      const char **reason);

#endif
