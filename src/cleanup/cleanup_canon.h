/*
 * cleanup_canon.h - what cleanup adds to and removes from a header section
 * before the message is queued, and the recipients "sendmail -t" takes
 * from it.
 *
 * Input is a header section split by cleanup_headers.h; output is text
 * with LF line ends, the queue's convention. In order:
 *   1. the caller's Received: field (c->received, the complete field; an
 *      LF is added when it lacks one);
 *   2. every field of the message in its order, except Bcc: and Resent-Bcc:
 *      (their addresses were taken into the envelope; the other recipients
 *      must not see them);
 *   3. when missing: "Date: <c->date>", "Message-ID: <queueid@myhostname>",
 *      and "From: <sender>" or "From: Full Name <sender>" (fullname from
 *      sendmail -F, quoted as RFC 5322 needs; the null sender gives
 *      "From: MAILER-DAEMON@myhostname"). Control characters in the
 *      fullname and sender are dropped: "sendmail -F" must not be a way to
 *      inject a header line. The caller qualifies a bare sender name
 *      (myorigin) before handing it over.
 *
 * Recipients for -t: the addresses of To:, Cc: and Bcc:, or, when any of
 * Resent-To:, Resent-Cc:, Resent-Bcc: is present, of those only (a resent
 * message goes to its new recipients, RFC 5322 section 3.6.6). At most
 * limits.recipient_limit, else "5.5.3 too many recipients". Finding the
 * addresses in a field is cleanup_addrlist.h's (to be address.h's) job.
 *
 * Address rewriting (canonical maps on From/To/Cc/Sender/Reply-To) is a
 * separate stage run before this one with cleanup_field_value() and
 * cleanup_field_set_value(); it is not done here.
 */
#ifndef CLEANUP_CANON_H
#define CLEANUP_CANON_H

#include <stddef.h>

#include "cleanup_addrlist.h"
#include "cleanup_headers.h"

struct vstring;

struct cleanup_canon {
    const char *received; /* complete "Received: ..." field, or NULL */
    const char *date;     /* RFC 5322 date-time for a missing Date: */
    const char *queue_id;
    const char *myhostname;
    const char *sender;   /* envelope sender, "" for the null sender */
    const char *fullname; /* sendmail -F, or NULL */
};

/* Writes the canonical header section (no separator line) to out. */
void cleanup_canon_headers(const struct cleanup_msg *m,
                           const struct cleanup_canon *c, struct vstring *out);

/* Appends the -t recipients to rcpts; 0, or -1 with a reason in why. */
int cleanup_canon_recipients(const struct cleanup_msg *m,
                             struct cleanup_addrs *rcpts, struct vstring *why);

/*
 * A whole message in a buffer through the parser and the canonicalisation:
 * out gets headers, the empty line and the body (LF line ends). When rcpts
 * is not NULL the -t recipients are appended to it. Returns 0, or -1 with
 * an RFC 3463 reason in why. (For tests, fuzzers and pickup; smtpd's path
 * streams through cleanup_msg_line instead.)
 */
int cleanup_message(const char *buf, size_t len,
                    const struct cleanup_limits *lim,
                    const struct cleanup_canon *c, struct vstring *out,
                    struct cleanup_addrs *rcpts, struct vstring *why);

#endif
