/*
 * smtpd_cmd.h - one SMTP command line: checking how it ended, splitting it
 * into a verb and its arguments, and naming the verb.
 *
 * Where it sits: the session (smtpd_session.c) reads a line with
 * vstream_get_line(), which keeps the terminator exactly as received, and
 * hands the bytes here. Nothing in this module allocates or does I/O: buffers
 * in, results out, so that it can be unit-tested, fuzzed and proven.
 *
 * Strictness (RFC 5321 2.3.8, 4.1.1): a command ends with CR LF and nothing
 * else. A line ending in a bare LF, holding a bare CR, or holding a NUL byte
 * is refused whole; the session answers 500 5.5.2 and goes on reading.
 *
 * Dispatch: smtpd_cmd_split() maps the verb to an enum smtpd_verb through a
 * table of names; the session keeps a table of handlers indexed by that enum,
 * so there is no switch over verbs and no function pointer in this module.
 */
#ifndef SMTPD_CMD_H
#define SMTPD_CMD_H

#include <stddef.h>

/* How a line read with its terminator ended (smtpd_cmd_check_line). */
enum smtpd_line_status {
    SMTPD_LINE_OK = 0,  /* ends with CR LF; no NUL, no other CR or LF */
    SMTPD_LINE_BARE_LF, /* ends with LF not preceded by CR */
    SMTPD_LINE_BARE_CR, /* a CR not followed by LF */
    SMTPD_LINE_NUL,     /* a NUL byte somewhere */
    SMTPD_LINE_NO_EOL   /* no LF at all (EOF in the middle of a line) */
};

/* The verbs the server knows; SMTPD_VERB_UNKNOWN for anything else. */
enum smtpd_verb {
    SMTPD_VERB_UNKNOWN = 0,
    SMTPD_VERB_EHLO,
    SMTPD_VERB_HELO,
    SMTPD_VERB_MAIL,
    SMTPD_VERB_RCPT,
    SMTPD_VERB_DATA,
    SMTPD_VERB_BDAT,
    SMTPD_VERB_RSET,
    SMTPD_VERB_NOOP,
    SMTPD_VERB_QUIT,
    SMTPD_VERB_VRFY,
    SMTPD_VERB_EXPN,
    SMTPD_VERB_HELP,
    SMTPD_VERB_STARTTLS,
    SMTPD_VERB_COUNT
};

/* The longest verb we look up; longer words are SMTPD_VERB_UNKNOWN. */
#define SMTPD_VERB_MAX 8

/* A split command: offsets into the caller's text, nothing copied. */
struct smtpd_cmd {
    enum smtpd_verb verb;
    size_t args_off; /* first byte after the separating space(s) */
    size_t args_len; /* trailing spaces removed; 0 when there are none */
};

/*@ requires \valid_read(line + (0 .. len - 1));
    requires \valid(textlen);
    assigns *textlen;
    ensures \result == SMTPD_LINE_OK ==> *textlen + 2 == len;
    ensures *textlen <= len;
 */
enum smtpd_line_status smtpd_cmd_check_line(const char *line, size_t len,
                                             size_t *textlen);

/*
 * Splits text[0 .. len-1] (terminator already removed) into a verb and its
 * arguments. The verb is the leading run of ASCII letters, matched without
 * regard to case, and must be followed by the end of the line or a space.
 * Always succeeds: an empty line or an unknown word gives SMTPD_VERB_UNKNOWN.
 */
/*@ requires \valid_read(text + (0 .. len - 1));
    requires \valid(cmd);
    assigns *cmd;
    ensures cmd->args_off <= len && cmd->args_len <= len - cmd->args_off;
 */
void smtpd_cmd_split(const char *text, size_t len, struct smtpd_cmd *cmd);

/* The verb's name in upper case ("UNKNOWN" for SMTPD_VERB_UNKNOWN). */
const char *smtpd_cmd_name(enum smtpd_verb verb);

#endif
