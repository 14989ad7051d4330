/*
 * mail_proto.h - the protocols between Sluice's daemons: service names,
 * attribute names and what each request and reply carries.
 *
 * Every conversation between two daemons runs over a unix-domain stream
 * socket under $queue_directory/private/<service> (public/ for the ones the
 * setgid gate may reach). Requests and replies are attribute records
 * (src/util/attr.h: "name=value" lines ended by an empty line), except the
 * message stream into cleanup, which is the queue-file record format
 * (src/mail/record.h) so that one reader checks every byte of a message.
 *
 * Status convention for every reply: MAIL_ATTR_STATUS is 0 for success;
 * otherwise it is the class of an RFC 3463 enhanced status code (4 = try
 * again later, 5 = permanent), and MAIL_ATTR_REASON carries the full text,
 * starting with the enhanced code ("4.3.0 queue file write error").
 *
 * cleanup (private/cleanup; the client is smtpd, pickup, bounce, local when
 * it forwards):
 *   client -> cleanup: records A* (attributes), S (sender), R+ (recipients),
 *                      M, C* (content, LF line ends), X, E.
 *   cleanup -> client: { status, reason, queue_id } once the queue file is
 *                      committed (written, fsynced, renamed, directory
 *                      fsynced) or refused. No reply means "not committed".
 *   A client attribute MAIL_ATTR_CLEANUP_FLAGS may ask cleanup to extract
 *   recipients from the headers (sendmail -t).
 *
 * qmgr (private/qmgr, a trigger): any client writes one byte:
 *   QMGR_TRIGGER_NEW ('A')   - new mail waits in incoming/
 *   QMGR_TRIGGER_FLUSH ('F') - move deferred/ to incoming/ and try everything
 *   QMGR_TRIGGER_WAKEUP ('W')- periodic wake-up from master
 * or cleanup writes a hand-off by name, QMGR_TRIGGER_SPARE_LEN bytes:
 *   QMGR_TRIGGER_SPARE ('S') and the QUEUE_ID_LEN characters of a spare
 *   name - a message committed in place waits in spare/<name>
 *   (queue_file_commit_keep; qmgr moves it to active/, queue_spare_claim).
 *   One write(2) of at most PIPE_BUF bytes: hints never interleave, but a
 *   read may end inside one (qmgr_trigger.c keeps the rest for the next).
 *   A hint is never the only way in: a file left in spare/ is found by
 *   queue_spare_recover at qmgr's start, every queue run and every flush.
 *
 * pickup (public/pickup, a trigger): one byte, any value: scan maildrop/.
 *
 * resolve (private/resolve):
 *   request { address }
 *   reply   { status, reason, transport (local|virtual|smtp|lmtp|error),
 *             nexthop, recipient (the address after rewriting) }
 *
 * A delivery agent (private/local, private/smtp, private/lmtp):
 *   request { queue_name, queue_id, queue_file, content_offset, sender,
 *             envid, ret, nexthop, arrival_time, then per recipient in order:
 *             rcpt, rcpt_offset, orcpt, notify }
 *   reply   { per recipient in the same order: rcpt_offset, dsn_status
 *             ("2.0.0"), dsn_action (delivered|relayed|expanded|deferred|
 *             failed), reason (the text a DSN quotes, e.g. the remote reply) }
 *   An agent that dies or times out before replying leaves every recipient
 *   deferred; qmgr records "done" only for what the reply says.
 *   qmgr ends its requests with EOF (shutdown of its write side). To
 *   private/local it may send several requests in one connection (the
 *   messages waiting for one destination, at most local_delivery_batch_limit):
 *   local reads them until EOF and sends one reply per request, in request
 *   order; a request left without a reply (the agent died, or stopped at a
 *   malformed one) leaves its recipients deferred.
 *
 * bounce (private/bounce):
 *   request { queue_id, queue_name, queue_file, kind (failed|delayed) }
 *   The failed/delayed recipients are read from the per-message log
 *   bounce/<queue_id> (or defer/<queue_id>) that qmgr appended to. bounce
 *   writes the DSN (RFC 3464) through cleanup with the null sender and
 *   replies { status, reason, queue_id (of the DSN) } only after cleanup
 *   committed it; then, and only then, qmgr marks those recipients done.
 *
 * Per-message logs bounce/<queue_id> and defer/<queue_id>: appended by qmgr
 * (and fsynced before the recipient's state changes), one attribute record
 * per recipient event: { rcpt, orcpt, notify, rcpt_offset, dsn_status,
 * dsn_action, reason, time }. A record cut short by a crash is ignored by
 * the reader; the recipient, not yet done, is simply tried again.
 */
#ifndef MAIL_PROTO_H
#define MAIL_PROTO_H

#define MAIL_CLASS_PRIVATE "private"
#define MAIL_CLASS_PUBLIC "public"

#define MAIL_SERVICE_CLEANUP "cleanup"
#define MAIL_SERVICE_QMGR "qmgr"
#define MAIL_SERVICE_PICKUP "pickup"
#define MAIL_SERVICE_RESOLVE "resolve"
#define MAIL_SERVICE_LOCAL "local"
#define MAIL_SERVICE_SMTP "smtp"
#define MAIL_SERVICE_LMTP "lmtp"
#define MAIL_SERVICE_BOUNCE "bounce"

#define QMGR_TRIGGER_NEW 'A'
#define QMGR_TRIGGER_FLUSH 'F'
#define QMGR_TRIGGER_WAKEUP 'W'
#define QMGR_TRIGGER_SPARE 'S'
#define QMGR_TRIGGER_SPARE_LEN 24 /* 'S' and QUEUE_ID_LEN (23) characters */

#define MAIL_ATTR_STATUS "status"
#define MAIL_ATTR_REASON "reason"
#define MAIL_ATTR_QUEUE_ID "queue_id"
#define MAIL_ATTR_QUEUE_NAME "queue_name"
#define MAIL_ATTR_QUEUE_FILE "queue_file" /* name in queue_name; not the id
                                             for a message claimed in place
                                             in spare/ (queue_spare.h) */
#define MAIL_ATTR_CLEANUP_FLAGS "cleanup_flags"
#define MAIL_ATTR_ADDRESS "address"
#define MAIL_ATTR_TRANSPORT "transport"
#define MAIL_ATTR_NEXTHOP "nexthop"
#define MAIL_ATTR_RECIPIENT "recipient"
#define MAIL_ATTR_CONTENT_OFFSET "content_offset"
#define MAIL_ATTR_SENDER "sender"
#define MAIL_ATTR_ENVID "envid"
#define MAIL_ATTR_RET "ret"
#define MAIL_ATTR_ARRIVAL_TIME "arrival_time"
#define MAIL_ATTR_RCPT "rcpt"
#define MAIL_ATTR_RCPT_OFFSET "rcpt_offset"
#define MAIL_ATTR_ORCPT "orcpt"
#define MAIL_ATTR_NOTIFY "notify"
#define MAIL_ATTR_DSN_STATUS "dsn_status"
#define MAIL_ATTR_DSN_ACTION "dsn_action"
#define MAIL_ATTR_KIND "kind"

/* Queue-file attributes (record 'A', "name=value") that cleanup writes. */
#define MAIL_ATTR_CLIENT_ADDR "client_addr"
#define MAIL_ATTR_CLIENT_NAME "client_name"
#define MAIL_ATTR_HELO "helo"
#define MAIL_ATTR_PROTOCOL "protocol"
#define MAIL_ATTR_BODY_TYPE "body_type"
#define MAIL_ATTR_SMTPUTF8 "smtputf8"
#define MAIL_ATTR_SIZE "size"
#define MAIL_ATTR_UID "uid"           /* local submitter (gate -> pickup) */
#define MAIL_ATTR_FULLNAME "fullname" /* sendmail -F: cleanup's From: only */

/* Values of cleanup_flags, or-ed as a decimal number. */
#define CLEANUP_FLAG_EXTRACT_RCPT (1 << 0) /* sendmail -t */
#define CLEANUP_FLAG_NO_HEADER_FIX (1 << 1) /* DSNs built by bounce */

#endif
