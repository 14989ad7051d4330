/*
 * local.h - the local delivery agent: qmgr hands it a message and local
 * recipients (private/local, deliver_request.h); it decides where each one
 * goes and writes the message there.
 *
 * How a recipient is decided (local_recipient.c), for "user@domain" with
 * user folded to lower case:
 *   1. a message that already carries "Delivered-To: <rcpt>" is a mail
 *      loop: failed, 5.4.6;
 *   2. the aliases file (alias_maps): aliases_expand() gives final targets;
 *   3. not an alias: a user with an account (getpwnam, unless
 *      local_delivery_virtual_only) and a ~/.forward that the user owns and
 *      nobody else may write: its targets;
 *   4. else the mailbox: home_mailbox "Maildir/" (a Maildir in the home),
 *      "Mailbox" (an mbox in the home), or "" (mbox in
 *      mail_spool_directory/<user>); a name without an account (or every
 *      name with local_delivery_virtual_only) goes to
 *      virtual_mailbox_base/<user>/Maildir/; with no virtual base either,
 *      the recipient is unknown: failed, 5.1.1.
 * Targets: "|command" (local_command.c), "/file" (mbox append, or a
 * Maildir when the path ends in '/'), a local name (its mailbox, step 3
 * again for a non-literal name), "addr@domain" (resubmitted through cleanup
 * with the original sender: local_forward.c). Commands and files pass
 * aliases_check_delivery() first, which says as whom they run.
 *
 * Results: every delivery function returns the class of its outcome (2, 4
 * or 5) and writes a reason starting with the RFC 3463 code into why
 * ("2.0.0 delivered to maildir /home/a/Maildir/new/..."); a Maildir
 * delivery returns LOCAL_PENDING until its batch commits (below). Nothing
 * is ever reported delivered after a failed write, fsync or link.
 *
 * Privileges: running as root, local switches its effective ids to the
 * mailbox owner for home mailboxes and files, and runs commands in a child
 * that sets its real ids; the mail spool and virtual mailboxes are written
 * as the process itself (files in the spool are then given to the user).
 * An owner's ids stay in effect after a delivery until something needs
 * root (local_privs.c), which calls local_privs_root() first.
 * Running as an ordinary user (make run), it cannot switch and does
 * everything as itself, saying so once in the log; the instance owner's own
 * aliases and :include: files are then trusted like root's.
 */
#ifndef LOCAL_H
#define LOCAL_H

#include <stddef.h>
#include <sys/types.h>

#include "aliases.h"
#include "deliver_request.h"

struct vstring;
struct dict;
struct queue_message;
struct deliver_request;

/* The configuration local reads once per process (local_conf.c). */
struct local_conf {
    const char *queue_dir;
    const char *myhostname;
    const char *alias_maps;
    struct dict *aliases; /* NULL when alias_maps is empty */
    struct aliases_limits limits;
    const char *home_mailbox;
    const char *spool_dir;
    const char *virtual_base;
    int virtual_only;
    int commands_from;  /* bit (1 << enum alias_origin) when allowed */
    int files_from;
    uid_t default_uid;
    gid_t default_gid;
    long command_time_limit;
    long ipc_timeout;
};

/* One message under delivery. */
struct local_msg {
    struct queue_message *qm;
    const char *queue_id;
    const char *sender;
    const char *envid;
};

/* Flags of local_copy(). */
#define LOCAL_COPY_MBOX (1 << 0) /* From_ line, >From escaping, blank end */

/* local_conf.c */
void local_conf_load(struct local_conf *conf);
int local_origin_list(const char *text);

/* local_copy.c: the message with Return-Path and Delivered-To prepended. */
int local_copy(struct local_msg *msg, int fd, const char *rcpt, int flags,
               struct vstring *why);
int local_has_delivered_to(struct local_msg *msg, const char *rcpt,
                           struct vstring *why);
int local_status_class(const struct vstring *why);
void local_errno_reason(struct vstring *why, const char *what,
                        const char *path, int err);

/*
 * local_maildir.c, local_maildir_commit.c: a Maildir delivery writes
 * tmp/<unique> and returns LOCAL_PENDING (not a class: "delivered once the
 * batch commits"); local_maildir_commit() makes every waiting file durable
 * and links it into new/, sharing the device's flushes. A delivery that
 * fails at the commit is logged and handed to the undo call with the tag
 * that was current when it was written, and a 4.x.x reason.
 */
#define LOCAL_PENDING 1
#define LOCAL_MAILDIR_BATCH_MAX 64 /* files (descriptors) waiting at most */
typedef void (*local_undo_fn)(void *ctx, size_t tag,
                              const struct vstring *why);
int local_maildir_make(const char *maildir, struct vstring *why);
void local_maildir_forget(void);
int local_maildir_deliver(struct local_msg *msg, const char *maildir,
                          const char *rcpt, struct vstring *why);
void local_maildir_batch(local_undo_fn fn, void *ctx);
void local_maildir_tag(size_t tag);
void local_maildir_room(void);
void local_maildir_wait(int fd, const char *tmp, const char *new,
                        const char *queue_id, const char *rcpt);
void local_maildir_commit(void);

/* local_mbox.c */
int local_mbox_lock(int fd, const char *path, int tries, struct vstring *why);
void local_mbox_unlock(int fd, const char *path);
int local_mbox_deliver(struct local_msg *msg, const char *path,
                       const char *rcpt, uid_t owner, gid_t group,
                       struct vstring *why);

/* local_command.c */
struct local_cmd_env {
    const char *recipient;
    const char *local;
    const char *domain;
    const char *home;
    const char *user;
    const char *shell;
};
int local_command_status(int wstatus, int timed_out, const char *output,
                         size_t output_len, struct vstring *why);
int local_command_run(struct local_msg *msg, const char *command,
                      const struct local_cmd_env *env, uid_t uid, gid_t gid,
                      long time_limit, struct vstring *why);

/* local_privs.c: leave is lazy, root() is not (see local_privs.c) */
int local_privs_enter(uid_t uid, gid_t gid, struct vstring *why);
void local_privs_leave(void);
void local_privs_root(void);
int local_privs_can_switch(void);
int local_privs_switched(void);

/* local_passwd.c: answers valid until the forget (end of a connection) */
struct passwd;
const struct passwd *local_passwd_lookup(const char *name);
void local_passwd_forget(void);

/* local_forward.c */
int local_forward(const struct local_conf *conf, struct local_msg *msg,
                  const char *rcpt, const char *notify, const char *orcpt,
                  const struct alias_list *remote, struct vstring *why);

/* local_recipient.c */
int local_deliver_rcpt(const struct local_conf *conf, struct local_msg *msg,
                       const char *rcpt, const char *notify,
                       const char *orcpt, struct vstring *action,
                       struct vstring *why);

/* local_service.c: requests in one connection at most (qmgr sends up to
 * local_delivery_batch_limit; the rest would get no reply and be deferred) */
#define LOCAL_REQUESTS_MAX DELIVER_REQUEST_BATCH_MAX
void local_service_conn(struct local_conf *conf, int fd);

#endif
