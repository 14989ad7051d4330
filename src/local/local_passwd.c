/*
 * local_passwd.c - the accounts of local names, looked up once per
 * connection from qmgr: a batch of deliveries to one mailbox asks for the
 * same name each time, and getpwnam() reads and parses the password file
 * on every call (six system calls and a scan). A new connection asks the
 * system again, so an edited password file is seen by the next batch.
 *
 * Every answer stays valid until local_passwd_forget(), however many
 * names are looked up after it: a .forward's targets are delivered while
 * its owner's entry is still in use (getpwnam's own buffer would be
 * overwritten by the first nested lookup).
 */
#include <pwd.h>
#include <string.h>

#include "mymalloc.h"

#include "local.h"

struct entry {
    struct entry *next;
    char *key; /* the name asked for */
    int found;
    struct passwd pw; /* pw_name, pw_uid, pw_gid, pw_dir; others "" */
};

static struct entry *entries;

/* local_passwd_forget - the next lookups ask the system again */
void local_passwd_forget(void)
{
    struct entry *e;

    while ((e = entries) != 0) {
        entries = e->next;
        myfree(e->key);
        if (e->found) {
            myfree(e->pw.pw_name);
            myfree(e->pw.pw_dir);
        }
        myfree(e);
    }
}

/* local_passwd_lookup - getpwnam(name) as of its first lookup since the
 * last forget; only pw_name, pw_uid, pw_gid and pw_dir are kept */
const struct passwd *local_passwd_lookup(const char *name)
{
    struct entry *e;
    struct passwd *pw;

    for (e = entries; e; e = e->next)
        if (strcmp(e->key, name) == 0)
            return e->found ? &e->pw : 0;
    e = mymalloc(sizeof(*e));
    memset(e, 0, sizeof(*e));
    e->key = mystrdup(name);
    if ((pw = getpwnam(name)) != 0) {
        e->found = 1;
        e->pw.pw_name = mystrdup(pw->pw_name);
        e->pw.pw_dir = mystrdup(pw->pw_dir);
        e->pw.pw_uid = pw->pw_uid;
        e->pw.pw_gid = pw->pw_gid;
        e->pw.pw_passwd = e->pw.pw_gecos = e->pw.pw_shell = (char *)"";
    }
    e->next = entries;
    entries = e;
    return e->found ? &e->pw : 0;
}
