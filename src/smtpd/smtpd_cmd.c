/*
 * smtpd_cmd.c - checking and splitting one SMTP command line (smtpd_cmd.h).
 */
#include "smtpd_cmd.h"

/* Indexed by enum smtpd_verb: the table that dispatch starts from. */
static const char *const verb_names[SMTPD_VERB_COUNT] = {
    "UNKNOWN", "EHLO", "HELO", "MAIL", "RCPT", "DATA", "BDAT",
    "RSET",    "NOOP", "QUIT", "VRFY", "EXPN", "HELP", "STARTTLS",
};

/* smtpd_cmd_check_line - classify a line that still carries its terminator */
enum smtpd_line_status smtpd_cmd_check_line(const char *line, size_t len,
                                             size_t *textlen)
{
    size_t i;

    *textlen = len;
    /*@ loop invariant 0 <= i <= len;
        loop assigns i;
        loop variant len - i;
     */
    for (i = 0; i < len; i++) {
        if (line[i] == 0)
            return SMTPD_LINE_NUL;
    }
    if (len == 0 || line[len - 1] != '\n')
        return SMTPD_LINE_NO_EOL;
    if (len < 2 || line[len - 2] != '\r') {
        *textlen = len - 1;
        return SMTPD_LINE_BARE_LF;
    }
    *textlen = len - 2;
    /*@ loop invariant 0 <= i <= len - 2;
        loop assigns i;
        loop variant len - 2 - i;
     */
    for (i = 0; i < len - 2; i++) {
        if (line[i] == '\r' || line[i] == '\n')
            return line[i] == '\r' ? SMTPD_LINE_BARE_CR : SMTPD_LINE_BARE_LF;
    }
    return SMTPD_LINE_OK;
}

/* upper - ASCII upper case of one byte */
static char upper(char c)
{
    return (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
}

/* verb_matches - does text[0..n-1] spell name, ignoring case? */
static int verb_matches(const char *text, size_t n, const char *name)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (name[i] == 0 || upper(text[i]) != name[i])
            return 0;
    }
    return name[n] == 0;
}

/* smtpd_cmd_split - verb and argument offsets of one command */
void smtpd_cmd_split(const char *text, size_t len, struct smtpd_cmd *cmd)
{
    size_t n = 0;
    size_t end = len;
    int v;

    cmd->verb = SMTPD_VERB_UNKNOWN;
    cmd->args_off = 0;
    cmd->args_len = 0;
    while (n < len && ((text[n] >= 'A' && text[n] <= 'Z') ||
                       (text[n] >= 'a' && text[n] <= 'z')))
        n++;
    if (n == 0 || n > SMTPD_VERB_MAX || (n < len && text[n] != ' '))
        return;
    for (v = 1; v < SMTPD_VERB_COUNT; v++) {
        if (verb_matches(text, n, verb_names[v])) {
            cmd->verb = (enum smtpd_verb)v;
            break;
        }
    }
    while (n < len && text[n] == ' ')
        n++;
    while (end > n && text[end - 1] == ' ')
        end--;
    cmd->args_off = n;
    cmd->args_len = end - n;
}

/* smtpd_cmd_name - printable name of a verb */
const char *smtpd_cmd_name(enum smtpd_verb verb)
{
    if ((int)verb < 0 || verb >= SMTPD_VERB_COUNT)
        return verb_names[0];
    return verb_names[verb];
}
