/*
 * smtpd_params.c - ESMTP MAIL/RCPT parameters (smtpd_params.h).
 *
 * Both parsers walk "KEY[=VALUE] KEY[=VALUE] ..." with one tokenizer and look
 * the keyword up in a small table; each keyword has its own little value
 * parser. A bit per keyword catches duplicates.
 */
#include <string.h>
#include <strings.h>

#include "smtpd_params.h"

/* One "keyword[=value]" token, as offsets into the text. */
struct token {
    const char *key;
    size_t key_len;
    const char *val; /* 0 when there is no '=' */
    size_t val_len;
};

/* next_token - the next token at *pos; 0, 1 at the end, -1 on bad syntax */
static int next_token(const char *text, size_t len, size_t *pos,
                      struct token *t)
{
    size_t i = *pos;
    unsigned char ch;

    while (i < len && text[i] == ' ')
        i++;
    if (i >= len)
        return 1;
    t->key = text + i;
    while (i < len && text[i] != ' ' && text[i] != '=') {
        ch = (unsigned char)text[i];
        if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
              (ch >= '0' && ch <= '9') || (ch == '-' && text + i > t->key)))
            return -1;
        i++;
    }
    t->key_len = (size_t)(text + i - t->key);
    t->val = 0;
    t->val_len = 0;
    if (t->key_len == 0)
        return -1;
    if (i < len && text[i] == '=') {
        t->val = text + ++i;
        while (i < len && text[i] != ' ') {
            ch = (unsigned char)text[i];
            if (ch < 33 || ch == '=' || ch == 127)
                return -1;
            i++;
        }
        t->val_len = (size_t)(text + i - t->val);
        if (t->val_len == 0)
            return -1;
    }
    *pos = i;
    return 0;
}

/* is_word - does text[0..n-1] equal word, ignoring case? */
static int is_word(const char *text, size_t n, const char *word)
{
    return strlen(word) == n && strncasecmp(text, word, n) == 0;
}

/* hexval - value of one hex digit, or -1 */
static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* smtpd_xtext_decode - RFC 3461 xtext to printable ASCII */
long smtpd_xtext_decode(const char *in, size_t len, char *out, size_t size)
{
    size_t i = 0;
    size_t n = 0;
    int ch;

    out[0] = 0;
    while (i < len) {
        ch = (unsigned char)in[i];
        if (ch == '+') {
            if (len - i < 3 || hexval(in[i + 1]) < 0 || hexval(in[i + 2]) < 0)
                return -1;
            ch = hexval(in[i + 1]) * 16 + hexval(in[i + 2]);
            i += 3;
        } else if (ch < 33 || ch > 126 || ch == '=') {
            return -1;
        } else {
            i++;
        }
        if (ch < 0x20 || ch > 0x7e || n + 1 >= size)
            return -1;
        out[n++] = (char)ch;
    }
    out[n] = 0;
    return (long)n;
}

/* mail_size - SIZE=1*20DIGIT */
static int mail_size(const struct token *t, struct smtpd_mail_params *p)
{
    size_t i;
    unsigned d;
    unsigned long long v = 0;

    if (t->val == 0 || t->val_len > SMTPD_SIZE_DIGITS)
        return -1;
    for (i = 0; i < t->val_len; i++) {
        if (t->val[i] < '0' || t->val[i] > '9')
            return -1;
        d = (unsigned)(t->val[i] - '0');
        if (v > (~0ULL - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    p->has_size = 1;
    p->size = v;
    return 0;
}

/* mail_body - BODY=7BIT|8BITMIME (BINARYMIME is not offered) */
static int mail_body(const struct token *t, struct smtpd_mail_params *p)
{
    if (t->val == 0)
        return -1;
    if (is_word(t->val, t->val_len, "7BIT"))
        p->body = SMTPD_BODY_7BIT;
    else if (is_word(t->val, t->val_len, "8BITMIME"))
        p->body = SMTPD_BODY_8BITMIME;
    else
        return -2;
    return 0;
}

/* mail_ret - RET=FULL|HDRS */
static int mail_ret(const struct token *t, struct smtpd_mail_params *p)
{
    if (t->val == 0)
        return -1;
    if (is_word(t->val, t->val_len, "FULL"))
        p->ret = SMTPD_RET_FULL;
    else if (is_word(t->val, t->val_len, "HDRS"))
        p->ret = SMTPD_RET_HDRS;
    else
        return -1;
    return 0;
}

/* mail_envid - ENVID=xtext, at most 100 characters */
static int mail_envid(const struct token *t, struct smtpd_mail_params *p)
{
    if (t->val == 0 || t->val_len > SMTPD_ENVID_MAX)
        return -1;
    return smtpd_xtext_decode(t->val, t->val_len, p->envid,
                              sizeof(p->envid)) < 0 ? -1 : 0;
}

/* mail_smtputf8 - SMTPUTF8 takes no value */
static int mail_smtputf8(const struct token *t, struct smtpd_mail_params *p)
{
    if (t->val != 0)
        return -1;
    p->smtputf8 = 1;
    return 0;
}

/* finish - map a keyword parser's result to a reply class and reason */
static int finish(int r, const char *key_why, const char **why)
{
    if (r == 0)
        return SMTPD_PARAM_OK;
    *why = key_why;
    return r == -2 ? SMTPD_PARAM_UNKNOWN : SMTPD_PARAM_SYNTAX;
}

/* The MAIL keywords; the index selects the value parser in mail_value. */
static const struct {
    const char *key;
    const char *why;
} mail_keys[] = {
    {"SIZE", "bad SIZE parameter"},
    {"BODY", "unsupported BODY parameter"},
    {"RET", "bad RET parameter"},
    {"ENVID", "bad ENVID parameter"},
    {"SMTPUTF8", "bad SMTPUTF8 parameter"},
};

#define MAIL_KEYS (sizeof(mail_keys) / sizeof(mail_keys[0]))

/* mail_value - run the value parser of keyword k (no function pointers,
 * so that the prover sees every call) */
static int mail_value(size_t k, const struct token *t,
                      struct smtpd_mail_params *p)
{
    switch (k) {
    case 0:
        return mail_size(t, p);
    case 1:
        return mail_body(t, p);
    case 2:
        return mail_ret(t, p);
    case 3:
        return mail_envid(t, p);
    default:
        return mail_smtputf8(t, p);
    }
}

/* smtpd_params_mail - parameters after MAIL FROM:<path> */
int smtpd_params_mail(const char *text, size_t len,
                      struct smtpd_mail_params *p, const char **why)
{
    size_t pos = 0;
    struct token t;
    unsigned seen = 0;
    size_t k;
    int r;

    memset(p, 0, sizeof(*p));
    *why = 0;
    while ((r = next_token(text, len, &pos, &t)) == 0) {
        for (k = 0; k < MAIL_KEYS; k++)
            if (is_word(t.key, t.key_len, mail_keys[k].key))
                break;
        if (k == MAIL_KEYS)
            return finish(-2, "unrecognized MAIL parameter", why);
        if (seen & (1u << k))
            return finish(-1, "duplicate MAIL parameter", why);
        seen |= 1u << k;
        if ((r = mail_value(k, &t, p)) != 0)
            return finish(r, mail_keys[k].why, why);
    }
    return r < 0 ? finish(-1, "bad parameter syntax", why) : SMTPD_PARAM_OK;
}

/* rcpt_notify - NOTIFY=NEVER or a comma list of SUCCESS, FAILURE, DELAY */
static int rcpt_notify(const struct token *t, struct smtpd_rcpt_params *p)
{
    size_t i = 0;
    size_t j;
    unsigned bit;

    if (t->val == 0)
        return -1;
    while (i <= t->val_len) {
        for (j = i; j < t->val_len && t->val[j] != ','; j++)
            /* void */;
        if (is_word(t->val + i, j - i, "NEVER"))
            bit = SMTPD_NOTIFY_NEVER;
        else if (is_word(t->val + i, j - i, "SUCCESS"))
            bit = SMTPD_NOTIFY_SUCCESS;
        else if (is_word(t->val + i, j - i, "FAILURE"))
            bit = SMTPD_NOTIFY_FAILURE;
        else if (is_word(t->val + i, j - i, "DELAY"))
            bit = SMTPD_NOTIFY_DELAY;
        else
            return -1;
        if (p->notify & bit)
            return -1;
        p->notify |= bit;
        i = j + 1;
    }
    if ((p->notify & SMTPD_NOTIFY_NEVER) && p->notify != SMTPD_NOTIFY_NEVER)
        return -1;
    return 0;
}

/* rcpt_orcpt - ORCPT=addr-type;xtext */
static int rcpt_orcpt(const struct token *t, struct smtpd_rcpt_params *p)
{
    const char *semi;
    size_t tlen;
    size_t i;

    if (t->val == 0 || t->val_len + 6 > SMTPD_ORCPT_MAX)
        return -1;
    semi = memchr(t->val, ';', t->val_len);
    if (semi == 0 || semi == t->val)
        return -1;
    tlen = (size_t)(semi - t->val);
    if (tlen > SMTPD_ADDRTYPE_MAX)
        return -1;
    for (i = 0; i < tlen; i++) {
        char c = t->val[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
              (c >= '0' && c <= '9') || c == '-'))
            return -1;
    }
    memcpy(p->orcpt_type, t->val, tlen);
    p->orcpt_type[tlen] = 0;
    if (smtpd_xtext_decode(semi + 1, t->val_len - tlen - 1, p->orcpt_addr,
                           sizeof(p->orcpt_addr)) <= 0)
        return -1;
    return 0;
}

/* smtpd_params_rcpt - parameters after RCPT TO:<path> */
int smtpd_params_rcpt(const char *text, size_t len,
                      struct smtpd_rcpt_params *p, const char **why)
{
    size_t pos = 0;
    struct token t;
    int r;

    memset(p, 0, sizeof(*p));
    *why = 0;
    while ((r = next_token(text, len, &pos, &t)) == 0) {
        if (is_word(t.key, t.key_len, "NOTIFY")) {
            if (p->notify != 0 || rcpt_notify(&t, p) < 0)
                return finish(-1, "bad NOTIFY parameter", why);
        } else if (is_word(t.key, t.key_len, "ORCPT")) {
            if (p->orcpt_type[0] != 0 || rcpt_orcpt(&t, p) < 0)
                return finish(-1, "bad ORCPT parameter", why);
        } else {
            return finish(-2, "unrecognized RCPT parameter", why);
        }
    }
    return r < 0 ? finish(-1, "bad parameter syntax", why) : SMTPD_PARAM_OK;
}
