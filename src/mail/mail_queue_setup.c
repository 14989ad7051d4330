/*
 * mail_queue_setup.c - create or check the queue directories with the
 * configured owners (mail_queue_setup.h).
 */
#include <grp.h>
#include <pwd.h>
#include <sys/types.h>

#include "mail_conf.h"
#include "mail_queue_setup.h"
#include "queue.h"
#include "vstring.h"

/* mail_queue_setup - queue_dirs_create with mail_owner and setgid_group */
int mail_queue_setup(struct vstring *why)
{
    const char *owner = mail_conf_str("mail_owner");
    const char *group = mail_conf_str("setgid_group");
    uid_t uid = (uid_t)-1;
    gid_t gid = (gid_t)-1;
    struct passwd *pw;
    struct group *gr;

    if (*owner) {
        if ((pw = getpwnam(owner)) == 0) {
            vstring_sprintf(why, "mail_owner %s: no such user", owner);
            return -1;
        }
        uid = pw->pw_uid;
        gid = pw->pw_gid;
    }
    if (*group) {
        if ((gr = getgrnam(group)) == 0) {
            vstring_sprintf(why, "setgid_group %s: no such group", group);
            return -1;
        }
        gid = gr->gr_gid;
    }
    return queue_dirs_create(mail_conf_str("queue_directory"), uid, gid, why);
}
