/*
 * smtpd_cleanup.h - the real submission backend of smtpd: the session's
 * backend calls (smtpd_backend.h) mapped onto the cleanup client
 * (cleanup_client.h), the one entrance to the queue.
 *
 * begin opens a connection to cleanup and sends the envelope: attributes
 * (client_addr, client_name, helo, protocol, body_type, smtputf8, envid,
 * ret) as 'A' records, the sender, and each recipient with its DSN NOTIFY
 * list ("SUCCESS,FAILURE", "NEVER" or "") and ORCPT ("rfc822;addr" or "").
 * write strips the CR of every CR LF (the session guarantees there is no
 * bare CR or LF, and cleanup wants LF line ends). commit waits for
 * cleanup's verdict: CLEANUP_OK -> SMTPD_BACKEND_OK, CLEANUP_REJECT ->
 * SMTPD_BACKEND_REJECT, anything else (a 4xx, no reply, a dead cleanup)
 * -> SMTPD_BACKEND_DEFER, so the client hears 451 4.3.0 and nothing is
 * queued. A message committed is logged as
 *     "<queue_id>: client=name[addr], helo=<helo>, from=<sender>, nrcpt=N".
 *
 * Fault injection: smtpd.before_commit (content sent, verdict not yet
 * asked), smtpd.before_250 (cleanup committed, reply not yet sent: the
 * documented duplicate window of DESIGN.md 3).
 */
#ifndef SMTPD_CLEANUP_H
#define SMTPD_CLEANUP_H

#include "smtpd_backend.h"

struct smtpd_cleanup;

/* A backend over cleanup in queue_dir; every cleanup I/O waits <= timeout. */
struct smtpd_cleanup *smtpd_cleanup_create(const char *queue_dir, int timeout,
                                           struct smtpd_backend *backend);
void smtpd_cleanup_free(struct smtpd_cleanup *sc);

/* The DSN NOTIFY bits as the queue file keeps them ("" when not given). */
void smtpd_cleanup_notify(unsigned notify, char *buf, size_t size);

#endif
