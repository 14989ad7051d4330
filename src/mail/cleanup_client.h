/*
 * cleanup_client.h - how a program hands a message to cleanup: the one
 * entrance to the queue for smtpd, pickup, bounce and local (forwarding).
 *
 * The client connects to $queue_directory/private/cleanup, sends the
 * envelope and the content as queue-file records (record.h, submission
 * profile: V [T] A* S R* M C* X E) and waits for cleanup's one reply
 * (mail_proto.h). The message is in the queue only when
 * cleanup_client_commit() returns CLEANUP_OK: cleanup answers after its
 * commit point (queue file fsynced, renamed, directory fsynced), never
 * before. Anything else, including a cleanup that died or timed out, means
 * "not queued" and the caller keeps responsibility (smtpd answers 4xx,
 * pickup leaves the maildrop file, bounce and qmgr retry later).
 *
 * Calls after a failed one are harmless no-ops that keep the first error;
 * the failure is reported by cleanup_client_commit(). Every read and write
 * waits at most the timeout given to cleanup_client_open().
 */
#ifndef CLEANUP_CLIENT_H
#define CLEANUP_CLIENT_H

#include <stddef.h>

struct vstring;
struct cleanup_client;

/* Results of cleanup_client_commit(): the class of the reply. */
#define CLEANUP_OK 0
#define CLEANUP_DEFER 4 /* try again later: 4.x.x */
#define CLEANUP_REJECT 5 /* permanent: 5.x.x */

/*
 * Connects to cleanup. Returns NULL with a reason ("4.3.0 cannot connect to
 * cleanup: ...") when it cannot. flags are CLEANUP_FLAG_* of mail_proto.h.
 */
struct cleanup_client *cleanup_client_open(const char *queue_dir, int flags,
                                           int timeout, struct vstring *why);

int cleanup_client_attr(struct cleanup_client *cc, const char *name,
                        const char *value);
/* The envelope sender; "" is the null sender <>. */
int cleanup_client_sender(struct cleanup_client *cc, const char *sender);
/* notify (RFC 3461 NOTIFY list or "") and orcpt ("rfc822;addr" or "") */
int cleanup_client_rcpt(struct cleanup_client *cc, const char *addr,
                        const char *notify, const char *orcpt);
/* Message content (headers and body), LF line ends, in any number of calls. */
int cleanup_client_content(struct cleanup_client *cc, const char *buf,
                           size_t len);

/*
 * Ends the message and waits for cleanup's verdict. Returns CLEANUP_OK with
 * the new queue id in queue_id, or CLEANUP_DEFER / CLEANUP_REJECT with the
 * reason (starting with an enhanced status code) in why. Frees cc.
 */
int cleanup_client_commit(struct cleanup_client *cc, struct vstring *queue_id,
                          struct vstring *why);

/* Gives up: cleanup discards what it got (nothing is queued). Frees cc. */
void cleanup_client_abort(struct cleanup_client *cc);

#endif
