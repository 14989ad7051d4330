/*
 * smtpd_path.c - strict RFC 5321 path parsing (smtpd_path.h).
 *
 * A cursor walks the text once; each grammar rule is one small function that
 * either advances the cursor and returns 0, or returns -1 and leaves the
 * reason in the cursor. Copies are bounded by the output arrays.
 */
#include <arpa/inet.h>
#include <string.h>

#include "bytes.h"
#include "smtpd_path.h"

struct cursor {
    const char *s;
    size_t len;
    size_t pos;
    int in_flags;
    unsigned flags;
    int err;
    const char *why;
};

/* peek - the byte under the cursor, or -1 at the end */
static int peek(const struct cursor *c)
{
    return c->pos < c->len ? (unsigned char)c->s[c->pos] : -1;
}

/* fail - record the first error */
static int fail(struct cursor *c, int err, const char *why)
{
    if (c->err == 0) {
        c->err = err;
        c->why = why;
    }
    return -1;
}

/* is_alnum - ASCII letter or digit (or a UTF-8 byte when allowed) */
static int is_alnum(const struct cursor *c, int ch)
{
    (void)c;
    if (ch >= 0x80)
        return 1; /* checked as UTF-8, and against SMTPUTF8, at the end */
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
           (ch >= '0' && ch <= '9');
}

/* is_atext - RFC 5322 atext (plus UTF-8 bytes, RFC 6531) */
static int is_atext(const struct cursor *c, int ch)
{
    if (ch < 0)
        return 0;
    if (is_alnum(c, ch))
        return 1;
    return ch != 0 && strchr("!#$%&'*+-/=?^_`{|}~", ch) != 0;
}

/* parse_domain - sub-domain *("." sub-domain), copied into buf */
static int parse_domain(struct cursor *c, char *buf, size_t size)
{
    size_t start = c->pos;
    size_t n, label;

    for (;;) {
        if (peek(c) < 0 || !is_alnum(c, peek(c)))
            return fail(c, SMTPD_PATH_ERR_SYNTAX, "bad domain name");
        label = c->pos;
        while (peek(c) >= 0 && (is_alnum(c, peek(c)) || peek(c) == '-'))
            c->pos++;
        if (c->pos - label > 63) /* RFC 1035 2.3.4 */
            return fail(c, SMTPD_PATH_ERR_LENGTH, "domain label too long");
        if (c->s[c->pos - 1] == '-')
            return fail(c, SMTPD_PATH_ERR_SYNTAX, "bad domain name");
        if (peek(c) != '.')
            break;
        c->pos++;
    }
    n = c->pos - start;
    if (n >= size)
        return fail(c, SMTPD_PATH_ERR_LENGTH, "domain name too long");
    memcpy(buf, c->s + start, n);
    buf[n] = 0;
    return 0;
}

/* parse_literal - "[" IPv4 "]" or "[IPv6:" IPv6 "]", copied into buf */
static int parse_literal(struct cursor *c, char *buf, size_t size)
{
    size_t start = c->pos;
    size_t n;
    char inner[64];
    unsigned char bin[16];
    int ok;

    c->pos++; /* '[' */
    while (peek(c) >= 33 && peek(c) <= 126 && peek(c) != '[' &&
           peek(c) != ']' && peek(c) != '\\')
        c->pos++;
    if (peek(c) != ']')
        return fail(c, SMTPD_PATH_ERR_SYNTAX, "bad address literal");
    c->pos++;
    n = c->pos - start;
    if (n - 2 >= sizeof(inner) || n >= size)
        return fail(c, SMTPD_PATH_ERR_SYNTAX, "bad address literal");
    memcpy(inner, c->s + start + 1, n - 2);
    inner[n - 2] = 0;
    if (strncasecmp(inner, "IPv6:", 5) == 0)
        ok = inet_pton(AF_INET6, inner + 5, bin) == 1;
    else
        ok = inet_pton(AF_INET, inner, bin) == 1;
    if (!ok)
        return fail(c, SMTPD_PATH_ERR_SYNTAX, "bad address literal");
    memcpy(buf, c->s + start, n);
    buf[n] = 0;
    c->flags |= SMTPD_PATH_LITERAL;
    return 0;
}

/* parse_route - A-d-l ":" (at-domain list), which is then dropped */
static int parse_route(struct cursor *c)
{
    char scratch[SMTPD_DOMAIN_MAX + 1];

    c->flags |= SMTPD_PATH_ROUTE;
    for (;;) {
        if (peek(c) != '@')
            return fail(c, SMTPD_PATH_ERR_SYNTAX, "bad source route");
        c->pos++;
        if (parse_domain(c, scratch, sizeof(scratch)) < 0)
            return -1;
        if (peek(c) == ':') {
            c->pos++;
            return 0;
        }
        if (peek(c) != ',')
            return fail(c, SMTPD_PATH_ERR_SYNTAX, "bad source route");
        c->pos++;
    }
}

/* note_local - remember routing characters in the decoded local part */
static void note_local(struct cursor *c, int ch)
{
    if (ch == '%')
        c->flags |= SMTPD_PATH_PERCENT;
    else if (ch == '!')
        c->flags |= SMTPD_PATH_BANG;
    else if (ch == '@')
        c->flags |= SMTPD_PATH_AT;
}

/* put_local - append one decoded byte, bounded */
static int put_local(struct cursor *c, char *buf, size_t *n, int ch)
{
    if (*n >= SMTPD_LOCAL_MAX)
        return fail(c, SMTPD_PATH_ERR_LENGTH, "local part too long");
    buf[(*n)++] = (char)ch;
    note_local(c, ch);
    return 0;
}

/* parse_quoted - Quoted-string local part, decoded into buf */
static int parse_quoted(struct cursor *c, char *buf, size_t *n)
{
    int ch;

    c->flags |= SMTPD_PATH_QUOTED;
    c->pos++; /* '"' */
    while ((ch = peek(c)) != '"') {
        if (ch == '\\') {
            c->pos++;
            ch = peek(c);
            if (ch < 32 || ch > 126)
                return fail(c, SMTPD_PATH_ERR_SYNTAX, "bad quoted pair");
        } else if (ch < 32 || ch == 127) {
            return fail(c, SMTPD_PATH_ERR_SYNTAX, "bad quoted local part");
        }
        if (put_local(c, buf, n, ch) < 0)
            return -1;
        c->pos++;
    }
    c->pos++;
    return 0;
}

/* parse_local - Dot-string or Quoted-string, decoded into buf */
static int parse_local(struct cursor *c, char *buf)
{
    size_t n = 0;
    size_t start = c->pos;

    if (peek(c) == '"') {
        if (parse_quoted(c, buf, &n) < 0)
            return -1;
    } else {
        for (;;) {
            if (!is_atext(c, peek(c)))
                return fail(c, SMTPD_PATH_ERR_SYNTAX, "bad local part");
            while (is_atext(c, peek(c)))
                if (put_local(c, buf, &n, c->s[c->pos++]) < 0)
                    return -1;
            if (peek(c) != '.')
                break;
            if (put_local(c, buf, &n, c->s[c->pos++]) < 0)
                return -1;
        }
    }
    if (c->pos - start > SMTPD_LOCAL_MAX)
        return fail(c, SMTPD_PATH_ERR_LENGTH, "local part too long");
    buf[n] = 0;
    return 0;
}

/* utf8_valid - well-formed UTF-8 (no overlongs, no surrogates) */
static int utf8_valid(const unsigned char *s, size_t len)
{
    size_t i = 0;
    size_t k, need;
    unsigned long cp;

    while (i < len) {
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        if (s[i] >= 0xc2 && s[i] <= 0xdf)
            need = 1, cp = s[i] & 0x1f;
        else if (s[i] >= 0xe0 && s[i] <= 0xef)
            need = 2, cp = s[i] & 0x0f;
        else if (s[i] >= 0xf0 && s[i] <= 0xf4)
            need = 3, cp = s[i] & 0x07;
        else
            return 0;
        if (len - i <= need)
            return 0;
        for (k = 1; k <= need; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        if ((need == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
            (need == 3 && (cp < 0x10000 || cp > 0x10ffff)))
            return 0;
        i += need + 1;
    }
    return 1;
}

/* parse_mailbox - Local-part "@" (Domain / address-literal) ">" */
static int parse_mailbox(struct cursor *c, struct smtpd_path *out)
{
    size_t lstart = c->pos;
    size_t llen;

    if (parse_local(c, out->local) < 0)
        return -1;
    llen = c->pos - lstart;
    if (peek(c) != '@')
        return fail(c, SMTPD_PATH_ERR_SYNTAX, "missing domain");
    c->pos++;
    if (peek(c) == '[') {
        if (parse_literal(c, out->domain, sizeof(out->domain)) < 0)
            return -1;
    } else if (parse_domain(c, out->domain, sizeof(out->domain)) < 0) {
        return -1;
    }
    if (peek(c) != '>')
        return fail(c, SMTPD_PATH_ERR_SYNTAX, "missing '>'");
    if (llen + 1 + strlen(out->domain) > SMTPD_PATH_MAX - 2)
        return fail(c, SMTPD_PATH_ERR_LENGTH, "path too long");
    memcpy(out->addr, c->s + lstart, llen);
    out->addr[llen] = '@';
    strcpy(out->addr + llen + 1, out->domain);
    return 0;
}

/* special_path - "<>" and "<postmaster>"; 1 when handled */
static int special_path(struct cursor *c, struct smtpd_path *out)
{
    const char *p = c->s + 1;
    size_t rest = c->len - 1;

    if ((c->in_flags & SMTPD_PATH_ALLOW_NULL) && rest >= 1 && p[0] == '>') {
        out->flags = SMTPD_PATH_NULL;
        c->pos = 2;
        return 1;
    }
    if ((c->in_flags & SMTPD_PATH_ALLOW_POSTMASTER) && rest >= 11 &&
        strncasecmp(p, "postmaster>", 11) == 0) {
        out->flags = SMTPD_PATH_POSTMASTER;
        memcpy(out->addr, p, 10);
        memcpy(out->local, p, 10);
        c->pos = 12;
        return 1;
    }
    return 0;
}

/* smtpd_path_parse - parse "<path>" */
int smtpd_path_parse(const char *text, size_t len, int flags,
                     struct smtpd_path *out, size_t *consumed,
                     const char **why)
{
    struct cursor c = {text, len, 0, flags, 0, 0, 0};

    memset(out, 0, sizeof(*out));
    *consumed = 0;
    *why = 0;
    if (len == 0 || text[0] != '<') {
        *why = "path must be enclosed in <>";
        return SMTPD_PATH_ERR_SYNTAX;
    }
    if (special_path(&c, out)) {
        *consumed = c.pos;
        return SMTPD_PATH_OK;
    }
    c.pos = 1;
    if ((peek(&c) == '@' && parse_route(&c) < 0) ||
        parse_mailbox(&c, out) < 0)
        goto bad;
    c.pos++; /* '>' */
    if (c.pos > SMTPD_PATH_MAX) {
        fail(&c, SMTPD_PATH_ERR_LENGTH, "path too long");
        goto bad;
    }
    if (bytes_8bit(text, c.pos)) {
        c.flags |= SMTPD_PATH_UTF8;
        if (!(flags & SMTPD_PATH_ALLOW_UTF8)) {
            fail(&c, SMTPD_PATH_ERR_UTF8, "non-ASCII address needs SMTPUTF8");
            goto bad;
        }
        if (!utf8_valid((const unsigned char *)text, c.pos)) {
            fail(&c, SMTPD_PATH_ERR_SYNTAX, "malformed UTF-8");
            goto bad;
        }
    }
    out->flags = c.flags;
    *consumed = c.pos;
    return SMTPD_PATH_OK;
bad:
    memset(out, 0, sizeof(*out));
    *why = c.why;
    return c.err;
}
