/*
 * cleanup_headers.h - splitting a message's header section into fields,
 * under limits, as cleanup receives it line by line.
 *
 * cleanup gets message content from smtpd (after DATA) and from pickup
 * (local submissions through sendmail). Before anything is written to the
 * queue file the header section is collected here; the body then streams
 * through line by line. This is the parsing half: no rewriting, no
 * callbacks, one line in, one verdict out, so that it can be fuzzed and
 * proven on its own. The canonicalisation (Date:, Message-ID:, From:,
 * Received:, Bcc: removal, recipients for -t) is cleanup_canon.h's.
 *
 * Lines: the caller cuts the input with cleanup_next_line(): a line ends at
 * LF; a CR right before the LF is part of the line end (CRLF in, LF out);
 * a lone CR anywhere else is data. In the body it stays as it is (smtpd
 * already refuses bare CR and LF in DATA; a local submission may hold
 * them and the body is the sender's business). In a header field a lone
 * CR becomes a space, since a reader that took it for a line end would see
 * a different header than the one we checked.
 *
 * The header section:
 *   - a first line "From " that is not a field ("From sender date", an
 *     mbox separator) is dropped; "From : x" is a field;
 *   - "Name: value" starts a field; the name is 1 or more printable ASCII
 *     characters other than ':' (RFC 5322 section 2.2); blanks before the
 *     colon are accepted (obsolete syntax) and kept;
 *   - a line starting with SP or HT continues the field before it; the
 *     folding is kept (cleanup_field_value() unfolds on demand);
 *   - an empty line ends the section (CLEANUP_LINE_SEPARATOR);
 *   - any other line (or a continuation with no field before it) ends the
 *     section too; the caller writes the empty separator line and then
 *     this line as the first body line (CLEANUP_LINE_BODY_FIRST);
 *   - end of input inside the header section ends it (cleanup_msg_end).
 *
 * Limits and their RFC 3463 reasons (the configuration names in brackets):
 *   every line longer than line_length_limit bytes   [line_length_limit]
 *       "5.6.0 message line longer than N bytes"
 *   a field longer than header_size_limit bytes      [header_size_limit]
 *       "5.6.0 header field NAME longer than N bytes"
 *   more than header_count_limit fields              [header_count_limit]
 *       "5.6.0 more than N header fields"
 *   more than message_size_limit bytes in all        [message_size_limit]
 *       "5.3.4 message too big (more than N bytes)"
 *   a NUL byte in the header section
 *       "5.6.0 NUL byte in header section"
 * Sizes count the content as it will be stored: lines plus one LF each.
 * After an error the message is refused; further lines return the error
 * again.
 */
#ifndef CLEANUP_HEADERS_H
#define CLEANUP_HEADERS_H

#include <stddef.h>

struct vstring;

struct cleanup_limits {
    size_t line_length_limit;  /* bytes per line, line end excluded */
    size_t header_size_limit;  /* bytes per field, folding included */
    size_t header_count_limit; /* fields per message */
    size_t message_size_limit; /* bytes per message */
    size_t recipient_limit;    /* addresses taken from headers for -t */
};

/* line 2048, field 102400, 1000 fields, 10240000 bytes, 10000 recipients */
extern const struct cleanup_limits cleanup_default_limits;

struct cleanup_field {
    char *text; /* "Name: value\n\tmore\n", LF line ends */
    size_t len;
    size_t name_len; /* the name, without blanks before the colon */
};

enum cleanup_state {
    CLEANUP_STATE_START,
    CLEANUP_STATE_HEADERS,
    CLEANUP_STATE_BODY,
    CLEANUP_STATE_ERROR
};

struct cleanup_msg {
    struct cleanup_limits limits;
    enum cleanup_state state;
    struct cleanup_field *fields;
    size_t count;
    size_t cap;
    size_t size;           /* bytes so far, as stored */
    struct vstring *error; /* the reason once state is ERROR */
};

enum cleanup_line {
    CLEANUP_LINE_HEADER,     /* taken into the header section */
    CLEANUP_LINE_SEPARATOR,  /* the empty line that ends the headers */
    CLEANUP_LINE_BODY_FIRST, /* headers ended; write "\n", then this line */
    CLEANUP_LINE_BODY,       /* a body line: write it and "\n" */
    CLEANUP_LINE_ERROR       /* refused, reason in why */
};

/* Starts a message; limits NULL means cleanup_default_limits. */
void cleanup_msg_init(struct cleanup_msg *m, const struct cleanup_limits *lim);
void cleanup_msg_free(struct cleanup_msg *m);

/*
 * Returns the length of the line at buf[0 .. len-1] (line end excluded) in
 * *line_len and the number of bytes to skip to the next line (line end
 * included). len must be > 0.
 */
size_t cleanup_next_line(const char *buf, size_t len, size_t *line_len);

/* Takes one line (without its line end); see enum cleanup_line. */
enum cleanup_line cleanup_msg_line(struct cleanup_msg *m, const char *line,
                                   size_t len, struct vstring *why);

/* End of input: 0, or -1 with the earlier error. Ends the header section. */
int cleanup_msg_end(struct cleanup_msg *m, struct vstring *why);

/* Index of the first field named name (case-insensitive), or -1. */
long cleanup_msg_find(const struct cleanup_msg *m, const char *name,
                      size_t from);

/* Does field f have this name (case-insensitive)? */
int cleanup_field_is(const struct cleanup_field *f, const char *name);

/* The value of f, unfolded (line ends removed), leading blanks trimmed. */
void cleanup_field_value(const struct cleanup_field *f, struct vstring *out);

/*
 * Replaces field i by "Name: value\n" (the rewriting stage's tool: the
 * value is written as given, so it must be one line or already folded).
 */
void cleanup_field_set_value(struct cleanup_msg *m, size_t i,
                             const char *value);

#endif
