/*
 * local_privs.c - switching local's effective ids to a mailbox owner and
 * back (root only). An ordinary-user instance cannot switch: it delivers
 * as itself, and says so once in the log.
 */
#include <grp.h>
#include <unistd.h>

#include "msg.h"
#include "vstring.h"

#include "local.h"

static int switched;

/* local_privs_can_switch - 1 when local runs as root */
int local_privs_can_switch(void)
{
    return getuid() == 0 && geteuid() == 0;
}

/* local_privs_enter - become uid/gid (effective ids) until leave */
int local_privs_enter(uid_t uid, gid_t gid, struct vstring *why)
{
    static int told;

    if (switched)
        msg_panic("local_privs_enter: already switched");
    if (!local_privs_can_switch()) {
        if (!told++ && uid != geteuid())
            msg_info("not running as root: delivering as uid %ld instead of "
                     "the mailbox owner", (long)geteuid());
        return 0;
    }
    if (uid == 0)
        return 0;
    if (setgroups(1, &gid) < 0 || setegid(gid) < 0 || seteuid(uid) < 0) {
        vstring_sprintf(why, "4.3.0 cannot switch to uid %ld: %m", (long)uid);
        local_privs_leave();
        return -1;
    }
    switched = 1;
    return 0;
}

/* local_privs_leave - back to root (no-op when nothing was switched) */
/* local_privs_switched - 1 while entered (between enter and leave) */
int local_privs_switched(void)
{
    return switched;
}

void local_privs_leave(void)
{
    gid_t root_gid = 0;

    if (getuid() != 0)
        return;
    if (seteuid(0) < 0 || setegid(0) < 0 || setgroups(1, &root_gid) < 0)
        msg_fatal("cannot switch back to root: %m");
    switched = 0;
}
