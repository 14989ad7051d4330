/*
 * address.c - RFC 5321 paths, ESMTP parameters, quoting and the checks on
 * domains and local parts (see address.h). RFC 5322 header lists are in
 * address_list.c.
 *
 * Used by smtpd (MAIL/RCPT), cleanup and sendmail (canonical form), resolve
 * and local (splitting a stored mailbox). Every loop walks a bounded index
 * over the input; output goes into the fixed arrays of struct address.
 */
#include <arpa/inet.h>
#include <string.h>

#include "address.h"

/* is_atext - RFC 5321/5322 atext */
static int is_atext(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') ||
           (c != 0 && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

/* is_let_dig - letter or digit */
static int is_let_dig(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9');
}

/* address_dot_string_valid - Atom *("." Atom) */
int address_dot_string_valid(const char *s, size_t len)
{
    size_t i;
    int ok = len > 0;

    for (i = 0; ok && i < len; i++) {
        if (s[i] == '.')
            ok = i > 0 && i + 1 < len && s[i - 1] != '.';
        else
            ok = is_atext((unsigned char)s[i]);
    }
    return ok;
}

/* address_domain_valid - sub-domain *("." sub-domain), bounded labels */
int address_domain_valid(const char *text, size_t len)
{
    size_t i, label = 0;
    int ok = len > 0 && len <= ADDRESS_DOMAIN_MAX;

    for (i = 0; ok && i < len; i++) {
        unsigned char c = (unsigned char)text[i];

        if (c == '.') {
            ok = label > 0 && text[i - 1] != '-';
            label = 0;
        } else if (is_let_dig(c) || (c == '-' && label > 0)) {
            ok = ++label <= ADDRESS_LABEL_MAX;
        } else {
            ok = 0;
        }
    }
    return ok && label > 0 && text[len - 1] != '-';
}

/* ipv4_valid - four snum 0-255 separated by dots */
static int ipv4_valid(const char *s, size_t len)
{
    size_t i, digits = 0, dots = 0;
    unsigned value = 0;
    int ok = len > 0;

    for (i = 0; ok && i < len; i++) {
        if (s[i] == '.') {
            ok = digits > 0 && ++dots <= 3;
            digits = value = 0;
        } else if (s[i] >= '0' && s[i] <= '9') {
            value = value * 10 + (unsigned)(s[i] - '0');
            ok = ++digits <= 3 && value <= 255;
        } else {
            ok = 0;
        }
    }
    return ok && digits > 0 && dots == 3;
}

/* address_literal_valid - "[" IPv4 / "IPv6:" IPv6 "]" */
int address_literal_valid(const char *text, size_t len)
{
    char buf[64];
    unsigned char addr6[16];
    int ok = 0;

    if (len < 3 || text[0] != '[' || text[len - 1] != ']')
        return 0;
    text++;
    len -= 2;
    if (len > 5 && strncasecmp(text, "IPv6:", 5) == 0) {
        /* inet_pton is trusted here (outside the proof scope); it reads a
         * C string, so a NUL inside the literal must not cut it short. */
        if (len - 5 < sizeof(buf) && memchr(text + 5, 0, len - 5) == 0) {
            memcpy(buf, text + 5, len - 5);
            buf[len - 5] = 0;
            ok = inet_pton(AF_INET6, buf, addr6) == 1;
        }
    } else {
        ok = ipv4_valid(text, len);
    }
    return ok;
}

/* address_quote - canonical mailbox text for an unquoted local part */
int address_quote(const char *local, const char *domain, char *out,
                  size_t outsize)
{
    size_t llen = strlen(local), dlen = strlen(domain), i, n = 0;
    int plain = address_dot_string_valid(local, llen);
    int ok = 1;

    /* written local part: plain, or '"' + escaped chars + '"' */
    for (i = 0; ok && i < llen; i++) {
        unsigned char c = (unsigned char)local[i];

        ok = c >= 32 && c <= 126;
        n += (!plain && (c == '"' || c == '\\')) ? 2 : 1;
    }
    n += plain ? 0 : 2;
    if (!ok || n > ADDRESS_LOCAL_MAX || dlen > ADDRESS_DOMAIN_MAX ||
        n + (dlen ? dlen + 1 : 0) + 1 > outsize ||
        n + (dlen ? dlen + 1 : 0) > ADDRESS_MAILBOX_MAX)
        return -1;
    n = 0;
    if (!plain)
        out[n++] = '"';
    for (i = 0; i < llen; i++) {
        if (!plain && (local[i] == '"' || local[i] == '\\'))
            out[n++] = '\\';
        out[n++] = local[i];
    }
    if (!plain)
        out[n++] = '"';
    if (dlen) {
        out[n++] = '@';
        memcpy(out + n, domain, dlen);
        n += dlen;
    }
    out[n] = 0;
    return 0;
}

/* address_routing - percent hack, bang path, or '@' in the local part */
int address_routing(const struct address *a)
{
    int flags = 0;

    if (strchr(a->local, '%'))
        flags |= ADDRESS_ROUTE_PERCENT;
    if (strchr(a->local, '!'))
        flags |= ADDRESS_ROUTE_BANG;
    if (strchr(a->local, '@'))
        flags |= ADDRESS_ROUTE_AT;
    return flags;
}

/* parse_local - Dot-string or Quoted-string at text[*pos]; unquoted out */
static const char *parse_local(const char *text, size_t len, size_t *pos,
                               char *local)
{
    size_t i = *pos, n = 0, start = *pos;
    const char *why = 0;

    if (i < len && text[i] == '"') {
        for (i++; i < len && text[i] != '"' && why == 0; i++) {
            unsigned char c = (unsigned char)text[i];

            if (c == '\\' && i + 1 < len)
                c = (unsigned char)text[++i];
            if (c < 32 || c > 126)
                why = "bad character in quoted local part";
            else if (n >= ADDRESS_LOCAL_MAX)
                why = "local part too long";
            else
                local[n++] = (char)c;
        }
        if (why == 0 && i >= len)
            why = "unterminated quoted local part";
        i++;
    } else {
        while (i < len && (is_atext((unsigned char)text[i]) || text[i] == '.'))
            i++;
        n = i - start;
        if (n > ADDRESS_LOCAL_MAX)
            why = "local part too long";
        else if (!address_dot_string_valid(text + start, n))
            why = n ? "bad local part syntax" : "empty local part";
        else
            memcpy(local, text + start, n);
    }
    if (why == 0 && i - start > ADDRESS_LOCAL_MAX)
        why = "local part too long";
    local[why ? 0 : n] = 0;
    *pos = i;
    return why;
}

/* domain_end - index of the first char after a domain or literal */
static size_t domain_end(const char *text, size_t len, size_t i)
{
    if (i < len && text[i] == '[') {
        while (i < len && text[i] != ']')
            i++;
        return i < len ? i + 1 : i;
    }
    while (i < len && (is_let_dig((unsigned char)text[i]) || text[i] == '-' ||
                       text[i] == '.'))
        i++;
    return i;
}

/* parse_domain - domain or address literal at text[*pos] */
static const char *parse_domain(const char *text, size_t len, size_t *pos,
                                struct address *out)
{
    size_t end = domain_end(text, len, *pos), n = end - *pos;
    const char *why = 0;

    out->literal = n > 0 && text[*pos] == '[';
    if (n > ADDRESS_DOMAIN_MAX)
        why = "domain too long";
    else if (out->literal ? !address_literal_valid(text + *pos, n)
                          : !address_domain_valid(text + *pos, n))
        why = out->literal ? "bad address literal" : "bad domain syntax";
    else
        memcpy(out->domain, text + *pos, n);
    out->domain[why ? 0 : n] = 0;
    *pos = end;
    return why;
}

/* skip_route - "@dom,@dom:" before the mailbox; checked, then dropped */
static const char *skip_route(const char *text, size_t len, size_t *pos,
                              struct address *out)
{
    const char *why = 0;
    int more = *pos < len && text[*pos] == '@';

    out->route_stripped = more;
    while (more && why == 0) {
        if (*pos >= len || text[*pos] != '@') {
            why = "bad source route";
            break;
        }
        (*pos)++;
        if ((why = parse_domain(text, len, pos, out)) != 0)
            break;
        if (*pos < len && text[*pos] == ',')
            (*pos)++;
        else if (*pos < len && text[*pos] == ':') {
            (*pos)++;
            more = 0; /* the route ends here */
        } else
            why = "bad source route";
    }
    out->literal = 0;
    out->domain[0] = 0;
    return why;
}

/* parse_mailbox_at - Local-part ["@" domain] at text[*pos] */
static const char *parse_mailbox_at(const char *text, size_t len, size_t *pos,
                                    int flags, struct address *out)
{
    const char *why = parse_local(text, len, pos, out->local);

    if (why == 0 && *pos < len && text[*pos] == '@') {
        (*pos)++;
        why = parse_domain(text, len, pos, out);
    } else if (why == 0 && !((flags & ADDRESS_FLAG_POSTMASTER) &&
                             strcasecmp(out->local, "postmaster") == 0)) {
        why = "missing domain";
    }
    if (why == 0 && address_quote(out->local, out->domain, out->mailbox,
                                  sizeof(out->mailbox)) < 0)
        why = "address too long";
    return why;
}

/* address_clear - an empty result */
static void address_clear(struct address *out)
{
    out->local[0] = out->domain[0] = out->mailbox[0] = 0;
    out->is_null = out->literal = out->route_stripped = 0;
}

/* address_parse_path - "<" [route ":"] mailbox ">", or "<>" */
int address_parse_path(const char *text, size_t len, int flags,
                       struct address *out, size_t *rest, const char **reason)
{
    const char *why = 0;
    size_t i = 0;

    address_clear(out);
    while (i < len && text[i] == ' ')
        i++;
    if (i >= len || text[i] != '<') {
        why = "missing '<'";
    } else if (i + 1 < len && text[i + 1] == '>') {
        out->is_null = 1;
        if (!(flags & ADDRESS_FLAG_NULL))
            why = "null path not allowed here";
        i += 2;
    } else {
        i++;
        why = skip_route(text, len, &i, out);
        if (why == 0)
            why = parse_mailbox_at(text, len, &i, flags, out);
        if (why == 0 && (i >= len || text[i] != '>'))
            why = "missing '>'";
        else if (why == 0 && strlen(out->mailbox) + 2 > ADDRESS_PATH_MAX)
            why = "path too long";
        i++;
    }
    if (why) {
        address_clear(out);
        *reason = why;
    } else {
        *rest = i;
    }
    return why ? -1 : 0;
}

/* address_parse_mailbox - a stored "local@domain" */
int address_parse_mailbox(const char *text, size_t len, struct address *out,
                          const char **reason)
{
    const char *why = 0;
    size_t i = 0;

    address_clear(out);
    if (len == 0) {
        out->is_null = 1;
    } else {
        why = parse_mailbox_at(text, len, &i, ADDRESS_FLAG_POSTMASTER, out);
        if (why == 0 && i != len)
            why = "garbage after address";
    }
    if (why) {
        address_clear(out);
        *reason = why;
    }
    return why ? -1 : 0;
}

/* param_char - esmtp-value octets: %d33-60 / %d62-126 */
static int param_char(unsigned char c)
{
    return c >= 33 && c <= 126 && c != '=';
}

/* address_params_split - SP-separated "keyword[=value]" */
int address_params_split(const char *text, size_t len,
                         struct address_param *params, size_t max,
                         size_t *count, const char **reason)
{
    const char *why = 0;
    size_t i = 0, k;

    *count = 0;
    if (len > 0 && text[0] != ' ')
        why = "missing space before parameters";
    while (why == 0 && i < len) {
        while (i < len && text[i] == ' ')
            i++;
        if (i >= len)
            break;
        if (*count >= max) {
            why = "too many parameters";
            break;
        }
        k = i;
        if (!is_let_dig((unsigned char)text[i]))
            why = "bad parameter keyword";
        while (i < len &&
               (is_let_dig((unsigned char)text[i]) || text[i] == '-'))
            i++;
        params[*count].keyword = text + k;
        params[*count].keyword_len = i - k;
        params[*count].value = 0;
        params[*count].value_len = 0;
        if (why == 0 && i < len && text[i] == '=') {
            k = ++i;
            while (i < len && param_char((unsigned char)text[i]))
                i++;
            params[*count].value = text + k;
            params[*count].value_len = i - k;
            if (i == k)
                why = "empty parameter value";
        }
        if (why == 0 && i < len && text[i] != ' ')
            why = "bad character in parameter";
        (*count)++;
    }
    if (why)
        *reason = why;
    return why ? -1 : 0;
}
