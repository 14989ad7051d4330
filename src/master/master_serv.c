/*
 * master_serv.c - services as master runs them: from a master.cf entry to
 * a listener with its pipes (serv_create), the reload that adds, removes and
 * changes services without disturbing the unchanged ones, the wakeup
 * trigger, and the test that decides whether a waiting request may start a
 * process.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "msg.h"
#include "mymalloc.h"
#include "vstring.h"

#include "mail_conf.h"

#include "master.h"
#include "master_proto.h"

struct master_serv *master_services;

/* ent_copy - a deep copy of a master.cf entry */
static void ent_copy(struct master_ent *dst, const struct master_ent *src)
{
    int n;

    *dst = *src;
    dst->name = mystrdup(src->name);
    for (n = 0; src->argv[n]; n++)
        ;
    dst->argv = mymalloc((size_t)(n + 1) * sizeof(char *));
    for (n = 0; src->argv[n]; n++)
        dst->argv[n] = mystrdup(src->argv[n]);
    dst->argv[n] = 0;
}

/* ent_release - free a copy made by ent_copy */
static void ent_release(struct master_ent *e)
{
    char **p;

    for (p = e->argv; *p; p++)
        myfree(*p);
    myfree(e->argv);
    myfree(e->name);
}

/* open_pipes - a fresh status pipe and liveness pipe */
static void open_pipes(struct master_serv *serv)
{
    if (pipe2(serv->status_fd, O_CLOEXEC) != 0
        || pipe2(serv->live_fd, O_CLOEXEC) != 0)
        msg_fatal("pipe: %s", strerror(errno));
    if (fcntl(serv->status_fd[0], F_SETFL, O_NONBLOCK) != 0)
        msg_fatal("fcntl: %s", strerror(errno));
}

/* close_pipes - children see EOF on the liveness pipe and leave */
static void close_pipes(struct master_serv *serv)
{
    close(serv->status_fd[0]);
    close(serv->status_fd[1]);
    close(serv->live_fd[0]);
    close(serv->live_fd[1]);
}

/* set_entry - (re)configure a service from an entry */
static void set_entry(struct master_serv *serv, const struct master_ent *ent)
{
    struct vstring *path = vstring_alloc(100);

    ent_copy(&serv->ent, ent);
    if (strchr(ent->argv[0], '/'))
        vstring_set_str(path, ent->argv[0]);
    else
        vstring_sprintf(path, "%s/%s", mail_conf_str("daemon_directory"),
                        ent->argv[0]);
    myfree(serv->path);
    serv->path = mystrdup(vstring_str(path));
    serv->next_wakeup = ent->wakeup ? time(0) : 0;
    serv->throttle_until = 0;
    vstring_free(path);
}

/* serv_create - a new service with its listener; NULL when it cannot listen */
static struct master_serv *serv_create(const struct master_ent *ent)
{
    struct master_serv *serv;
    char *endpoint;
    int fd = master_listen(ent, &endpoint);

    if (fd < 0)
        return 0;
    serv = mymalloc(sizeof(*serv));
    memset(serv, 0, sizeof(*serv));
    serv->listen_fd = fd;
    serv->endpoint = endpoint;
    set_entry(serv, ent);
    open_pipes(serv);
    msg_info("service %s (%s): listening", ent->name,
             master_type_name(ent->type));
    return serv;
}

/* serv_destroy - retire the processes, close and remove the endpoint */
static void serv_destroy(struct master_serv *serv)
{
    master_retire_procs(serv);
    close_pipes(serv);
    close(serv->listen_fd);
    if (serv->endpoint)
        (void)unlink(serv->endpoint);
    ent_release(&serv->ent);
    myfree(serv->endpoint);
    myfree(serv->path);
    myfree(serv);
}

/* master_serv_start_all - every entry of a table */
void master_serv_start_all(const struct master_table *table)
{
    struct master_serv **tail = &master_services, *serv;
    int i;

    for (i = 0; i < table->count; i++)
        if ((serv = serv_create(table->ents + i)) != 0) {
            *tail = serv;
            tail = &serv->next;
        }
    master_status_dirty = MASTER_STATUS_NOW;
}

/* find_old - the running service with an entry's name and type */
static struct master_serv *find_old(struct master_serv **list,
                                    const struct master_ent *ent)
{
    struct master_serv **pp, *serv;

    for (pp = list; (serv = *pp) != 0; pp = &serv->next)
        if (serv->ent.type == ent->type && strcmp(serv->ent.name, ent->name) == 0) {
            *pp = serv->next;
            serv->next = 0;
            return serv;
        }
    return 0;
}

/* master_serv_reload - make the running services match a new table */
void master_serv_reload(const struct master_table *table)
{
    struct master_serv *old = master_services, *serv, **tail;
    int i;

    master_services = 0;
    tail = &master_services;
    for (i = 0; i < table->count; i++) {
        const struct master_ent *ent = table->ents + i;

        if ((serv = find_old(&old, ent)) != 0
            && serv->ent.private_ != ent->private_) {
            /* Moved between private/ and public/: a new endpoint. */
            serv_destroy(serv);
            serv = 0;
        }
        if (serv != 0 && !master_ent_same(&serv->ent, ent)) {
            /* Changed: keep the endpoint, retire the processes. */
            msg_info("service %s: changed; its processes finish and retire",
                     ent->name);
            master_retire_procs(serv);
            close_pipes(serv);
            open_pipes(serv);
            ent_release(&serv->ent);
            set_entry(serv, ent);
        } else if (serv == 0 && (serv = serv_create(ent)) == 0) {
            continue;
        }
        *tail = serv;
        tail = &serv->next;
    }
    while ((serv = old) != 0) {
        old = serv->next;
        msg_info("service %s: removed", serv->ent.name);
        serv_destroy(serv);
    }
    master_status_dirty = MASTER_STATUS_NOW;
}

/* master_serv_stop_all - close every service (processes keep running) */
void master_serv_stop_all(void)
{
    struct master_serv *serv;

    while ((serv = master_services) != 0) {
        master_services = serv->next;
        serv_destroy(serv);
    }
}

/* master_serv_wants_request - may a waiting request start a process? */
int master_serv_wants_request(const struct master_serv *serv, time_t now)
{
    return serv->avail == 0
        && (serv->ent.limit == 0 || serv->total < serv->ent.limit)
        && (serv->throttle_until == 0 || serv->throttle_until <= now);
}

/* master_serv_wakeup - send the wakeup byte to a service */
void master_serv_wakeup(struct master_serv *serv)
{
    struct sockaddr_un sun;
    char byte = MASTER_TRIGGER_WAKEUP;
    int fd;

    if (serv->ent.type == MASTER_FIFO) {
        if (write(serv->listen_fd, &byte, 1) < 0 && errno != EAGAIN)
            msg_warn("wakeup %s: %s", serv->ent.name, strerror(errno));
        return;
    }
    memset(&sun, 0, sizeof(sun));
    sun.sun_family = AF_UNIX;
    snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", serv->endpoint);
    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0))
        < 0)
        return;
    if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0)
        (void)write(fd, &byte, 1);
    else if (errno != EAGAIN)
        msg_warn("wakeup %s: %s", serv->ent.name, strerror(errno));
    close(fd);
}
