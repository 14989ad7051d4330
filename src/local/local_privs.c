/*
 * local_privs.c - switching local's effective ids to a mailbox owner and
 * back (root only). An ordinary-user instance cannot switch: it delivers
 * as itself, and says so once in the log.
 *
 * Giving the ids back is lazy: local_privs_leave() ends the caller's
 * section, but the owner's ids stay in effect until something needs root,
 * so that a batch of deliveries to one mailbox (writing each file, then
 * linking each at the commit) switches once instead of four times a
 * message (each switch is three system calls that copy the credentials).
 * The rules that keep this safe:
 *   - local_privs_enter() for other ids passes through root first: one
 *     owner's ids are never used for another owner's files;
 *   - whatever needs root (a queue file, the aliases and their :include:
 *     files, a command's child, the mail spool, virtual mailboxes, a
 *     resubmission, the reply to qmgr) calls local_privs_root() first;
 *   - being a mailbox owner for longer only ever takes rights away.
 */
#include <grp.h>
#include <unistd.h>

#include "msg.h"
#include "vstring.h"

#include "local.h"

static int held; /* between enter and leave */
static int away; /* the effective ids are eff_uid/eff_gid, not root */
static uid_t eff_uid;
static gid_t eff_gid;

/* local_privs_can_switch - 1 when local runs as root (its real uid: the
 * effective one may be a mailbox owner's while away) */
int local_privs_can_switch(void)
{
    static int can = -1;

    if (can < 0)
        can = getuid() == 0 && geteuid() == 0;
    return can;
}

/* local_privs_root - root's ids in effect again (no-op when they are) */
void local_privs_root(void)
{
    gid_t root_gid = 0;

    if (held)
        msg_panic("local_privs_root: inside an entered section");
    if (!away)
        return;
    if (seteuid(0) < 0 || setegid(0) < 0 || setgroups(1, &root_gid) < 0)
        msg_fatal("cannot switch back to root: %m");
    away = 0;
}

/* local_privs_enter - become uid/gid (effective ids) until leave */
int local_privs_enter(uid_t uid, gid_t gid, struct vstring *why)
{
    static int told;

    if (held)
        msg_panic("local_privs_enter: already switched");
    if (!local_privs_can_switch()) {
        if (!told++ && uid != geteuid())
            msg_info("not running as root: delivering as uid %ld instead of "
                     "the mailbox owner",
                     (long)geteuid());
        return 0;
    }
    if (away && eff_uid == uid && eff_gid == gid) {
        held = 1; /* still in effect since the last leave */
        return 0;
    }
    local_privs_root();
    if (uid == 0)
        return 0;
    if (setgroups(1, &gid) < 0 || setegid(gid) < 0 || seteuid(uid) < 0) {
        vstring_sprintf(why, "4.3.0 cannot switch to uid %ld: %m", (long)uid);
        away = 1; /* whatever took effect is undone */
        local_privs_root();
        return -1;
    }
    away = held = 1;
    eff_uid = uid;
    eff_gid = gid;
    return 0;
}

/* local_privs_switched - 1 while entered (between enter and leave) */
int local_privs_switched(void)
{
    return held;
}

/* local_privs_leave - end the entered section; the ids stay in effect
 * until local_privs_root() or an enter for other ids */
void local_privs_leave(void)
{
    held = 0;
}
