/*
 * address_list.c - RFC 5322 address lists in header fields (To, Cc, Bcc),
 * one address at a time (see address.h).
 *
 * Used by sendmail -t and cleanup to take recipients from headers. Display
 * names, comments and group names are read and dropped; what comes out is
 * the same struct address the SMTP path parser fills. The obsolete forms
 * that real mail still carries are accepted: CFWS around dots, a route in
 * angle brackets, empty list elements.
 */
#include <string.h>

#include "address.h"

#define COMMENT_DEPTH_MAX 32

/* One run of words and dots: a display name, or a local part. */
struct words {
    char local[ADDRESS_LOCAL_MAX + 1];
    size_t n;
    int count;       /* words seen */
    int local_ok;    /* word *("." word) so far */
    int expect_word; /* nothing yet, or a dot last */
    int too_long;
    int eight_bit;
};

/* is_atext - atext; octets >= 0x80 count as text in a phrase */
static int is_atext(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c >= 0x80 ||
           (c != 0 && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

/* skip_cfws - folding white space and nested comments; -1 if unbalanced */
static int skip_cfws(const char *t, size_t len, size_t *pos)
{
    size_t i = *pos;
    int depth = 0, rc = 0;

    while (i < len && rc == 0) {
        if (depth == 0 &&
            (t[i] == ' ' || t[i] == '\t' || t[i] == '\r' || t[i] == '\n')) {
            i++;
        } else if (t[i] == '(') {
            rc = ++depth > COMMENT_DEPTH_MAX ? -1 : 0;
            i++;
        } else if (depth == 0) {
            break;
        } else if (t[i] == '\\') {
            i += i + 1 < len ? 2 : 1;
        } else {
            depth -= t[i] == ')';
            i++;
        }
    }
    *pos = i;
    return rc < 0 || depth > 0 ? -1 : 0;
}

/* put - append one octet of a word to the local-part buffer */
static void put(struct words *w, unsigned char c)
{
    if (c >= 0x80)
        w->eight_bit = 1;
    if (w->n >= ADDRESS_LOCAL_MAX)
        w->too_long = 1;
    else
        w->local[w->n++] = (char)c;
}

/* quoted_word - a quoted string at t[*pos] == '"'; -1 if unterminated */
static int quoted_word(const char *t, size_t len, size_t *pos, struct words *w)
{
    size_t i = *pos + 1;

    while (i < len && t[i] != '"') {
        if (t[i] == '\\' && i + 1 < len)
            i++;
        if (t[i] != '\r' && t[i] != '\n') /* unfold */
            put(w, (unsigned char)t[i]);
        i++;
    }
    *pos = i < len ? i + 1 : i;
    return i < len ? 0 : -1;
}

/* scan_words - words and dots up to anything else; -1 on bad syntax */
static int scan_words(const char *t, size_t len, size_t *pos, struct words *w)
{
    int rc = 0;

    memset(w, 0, sizeof(*w));
    w->local_ok = w->expect_word = 1;
    while (rc == 0 && skip_cfws(t, len, pos) == 0 && *pos < len) {
        unsigned char c = (unsigned char)t[*pos];

        if (c == '.') {
            if (w->expect_word)
                w->local_ok = 0;
            put(w, c);
            w->expect_word = 1;
            (*pos)++;
            continue;
        }
        if (c != '"' && !is_atext(c))
            break;
        if (!w->expect_word)
            w->local_ok = 0;
        if (c == '"')
            rc = quoted_word(t, len, pos, w);
        else
            while (*pos < len && is_atext((unsigned char)t[*pos]))
                put(w, (unsigned char)t[(*pos)++]);
        w->count++;
        w->expect_word = 0;
    }
    if (skip_cfws(t, len, pos) < 0)
        rc = -1;
    if (w->expect_word)
        w->local_ok = 0;
    w->local[w->n] = 0;
    return rc;
}

/* scan_domain - dot-atom (CFWS around dots allowed) or domain literal */
static const char *scan_domain(const char *t, size_t len, size_t *pos,
                               struct address *out)
{
    size_t n = 0, start;

    if (skip_cfws(t, len, pos) < 0)
        return "unbalanced comment";
    if (*pos < len && t[*pos] == '[') {
        start = *pos;
        while (*pos < len && t[*pos] != ']')
            (*pos)++;
        if (*pos >= len)
            return "unterminated domain literal";
        n = ++(*pos) - start;
        if (n > ADDRESS_DOMAIN_MAX || !address_literal_valid(t + start, n))
            return "bad address literal";
        memcpy(out->domain, t + start, n);
        out->domain[n] = 0;
        out->literal = 1;
        return skip_cfws(t, len, pos) < 0 ? "unbalanced comment" : 0;
    }
    for (;;) {
        while (*pos < len && n < ADDRESS_DOMAIN_MAX &&
               is_atext((unsigned char)t[*pos]) &&
               (unsigned char)t[*pos] < 0x80)
            out->domain[n++] = t[(*pos)++];
        if (skip_cfws(t, len, pos) < 0)
            return "unbalanced comment";
        if (*pos >= len || t[*pos] != '.' || n >= ADDRESS_DOMAIN_MAX)
            break;
        out->domain[n++] = '.';
        (*pos)++;
        if (skip_cfws(t, len, pos) < 0)
            return "unbalanced comment";
    }
    out->domain[n] = 0;
    return address_domain_valid(out->domain, n) ? 0 : "bad domain syntax";
}

/* finish - local part from words, domain already set: canonical form */
static const char *finish(const struct words *w, struct address *out)
{
    if (!w->local_ok || w->count == 0)
        return "bad local part syntax";
    if (w->too_long)
        return "local part too long";
    if (w->eight_bit)
        return "8-bit octets in an address";
    memcpy(out->local, w->local, w->n + 1);
    if (address_quote(out->local, out->domain, out->mailbox,
                      sizeof(out->mailbox)) < 0)
        return "address too long or not printable";
    return 0;
}

/* angle_addr - after '<': [route ":"] addr-spec ">" */
static const char *angle_addr(struct address_list *l, struct address *out)
{
    struct words w;
    const char *why = 0;

    (void)skip_cfws(l->text, l->len, &l->pos);
    while (why == 0 && l->pos < l->len && l->text[l->pos] == '@') {
        l->pos++; /* obs-route: checked, then dropped */
        why = scan_domain(l->text, l->len, &l->pos, out);
        if (why != 0)
            break;
        if (l->pos < l->len && l->text[l->pos] == ',') {
            l->pos++;
            (void)skip_cfws(l->text, l->len, &l->pos);
        } else if (l->pos < l->len && l->text[l->pos] == ':') {
            l->pos++;
            out->route_stripped = 1;
        } else {
            why = "bad route";
        }
    }
    out->domain[0] = 0;
    out->literal = 0;
    if (why == 0 && scan_words(l->text, l->len, &l->pos, &w) < 0)
        why = "bad local part syntax";
    if (why == 0 && (l->pos >= l->len || l->text[l->pos] != '@'))
        why = w.count ? "missing domain" : "empty address";
    if (why == 0) {
        l->pos++;
        why = scan_domain(l->text, l->len, &l->pos, out);
    }
    if (why == 0 && (l->pos >= l->len || l->text[l->pos] != '>'))
        why = "missing '>'";
    if (why == 0) {
        l->pos++;
        why = finish(&w, out);
    }
    return why;
}

/* address_list_init - a cursor over one header field body */
void address_list_init(struct address_list *l, const char *text, size_t len)
{
    l->text = text;
    l->len = len;
    l->pos = 0;
    l->in_group = 0;
    l->failed = 0;
}

/* one_address - the next mailbox (or group start); 1, 0 at end, or why */
static int one_address(struct address_list *l, struct address *out,
                       const char **why)
{
    struct words w;
    char c;

    if (skip_cfws(l->text, l->len, &l->pos) < 0) {
        *why = "unbalanced comment";
        return -1;
    }
    if (l->pos >= l->len) {
        *why = l->in_group ? "unterminated group" : 0;
        return *why ? -1 : 0;
    }
    c = l->text[l->pos];
    if (c == ',' || (c == ';' && l->in_group)) {
        l->in_group &= c != ';';
        l->pos++;
        return 2; /* empty element or group end: go on */
    }
    if (scan_words(l->text, l->len, &l->pos, &w) < 0) {
        *why = "bad syntax";
        return -1;
    }
    c = l->pos < l->len ? l->text[l->pos] : 0;
    if (c == ':' && w.count > 0 && !l->in_group) {
        l->in_group = 1;
        l->pos++;
        return 2;
    }
    if (c == '<') {
        l->pos++;
        *why = angle_addr(l, out);
    } else if (c == '@') {
        l->pos++;
        *why = scan_domain(l->text, l->len, &l->pos, out);
        if (*why == 0)
            *why = finish(&w, out);
    } else if (c == 0 || c == ',' || (c == ';' && l->in_group)) {
        *why = finish(&w, out); /* bare local part, no domain */
    } else {
        *why = "bad address syntax";
    }
    return *why ? -1 : 1;
}

/* address_list_next - the next address of the list */
int address_list_next(struct address_list *l, struct address *out,
                      const char **reason)
{
    const char *why = 0;
    int rc = l->failed ? -1 : 2;
    char c;

    if (l->failed)
        why = "address list already refused";
    while (rc == 2) {
        memset(out, 0, sizeof(*out));
        rc = one_address(l, out, &why);
    }
    if (rc == 1) {
        /* after an address: the end, a ',' or a group's ';' */
        if (skip_cfws(l->text, l->len, &l->pos) < 0)
            why = "unbalanced comment";
        c = l->pos < l->len ? l->text[l->pos] : 0;
        if (why == 0 && !(c == 0 || c == ',' || (c == ';' && l->in_group)))
            why = "garbage after address";
        rc = why ? -1 : 1;
    }
    if (rc < 0) {
        l->failed = 1;
        memset(out, 0, sizeof(*out));
        *reason = why;
    }
    return rc;
}
