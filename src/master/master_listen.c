/*
 * master_listen.c - opening a service's endpoint: a unix socket or fifo
 * under queue_directory/private or /public, or an inet host:port. Every
 * endpoint is non-blocking (processes of one service race for requests)
 * and close-on-exec (children receive it at MASTER_LISTEN_FD only).
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "msg.h"
#include "mymalloc.h"
#include "vstring.h"

#include "mail_conf.h"

#include "master.h"
#include "master_proto.h"

/*
 * The listen queue: clients that wait for a process when every one of a
 * service's is busy wait here. With 128, a burst of 200 SMTP sessions for
 * 100 smtpd processes overflowed it; each dropped SYN cost its client a
 * 1 s (then 3 s) retransmission, and the relay rate of such a run halved
 * (PAPER section 6). The kernel caps the value at net.core.somaxconn.
 */
#define MASTER_BACKLOG 4096

/* master_chown_owner - give path to mail_owner when master runs as root */
void master_chown_owner(const char *path)
{
    const char *owner = mail_conf_str("mail_owner");
    struct passwd *pw;

    if (geteuid() != 0 || *owner == 0)
        return;
    if ((pw = getpwnam(owner)) == 0)
        msg_fatal("mail_owner %s: no such user", owner);
    if (chown(path, pw->pw_uid, pw->pw_gid) != 0)
        msg_warn("chown %s %s: %s", owner, path, strerror(errno));
}

/* listen_unix - a stream socket at path */
static int listen_unix(const char *path, int private_)
{
    struct sockaddr_un sun;
    int fd;

    memset(&sun, 0, sizeof(sun));
    sun.sun_family = AF_UNIX;
    if (strlen(path) >= sizeof(sun.sun_path)) {
        msg_error("socket path too long: %s", path);
        return -1;
    }
    strcpy(sun.sun_path, path);
    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0))
        < 0)
        msg_fatal("socket: %s", strerror(errno));
    (void)unlink(path);
    if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0
        || chmod(path, private_ ? 0600 : 0666) != 0
        || listen(fd, MASTER_BACKLOG) != 0) {
        msg_error("cannot listen on %s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

/* listen_fifo - a fifo at path, opened read-write so it never sees EOF */
static int listen_fifo(const char *path, int private_)
{
    int fd;

    (void)unlink(path);
    if (mkfifo(path, private_ ? 0600 : 0622) != 0
        || chmod(path, private_ ? 0600 : 0622) != 0
        || (fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC)) < 0) {
        msg_error("cannot make fifo %s: %s", path, strerror(errno));
        return -1;
    }
    return fd;
}

/* split_host_port - "host:port", "[v6]:port" or "port" */
static void split_host_port(const char *name, char *host, size_t hsize,
                            const char **port)
{
    const char *colon = strrchr(name, ':');
    const char *ifs = mail_conf_str("inet_interfaces");
    size_t len;

    if (colon == 0) {
        *port = name;
        snprintf(host, hsize, "%s", strcmp(ifs, "all") == 0 ? "0.0.0.0"
                                    : strcmp(ifs, "loopback-only") == 0
                                        ? "127.0.0.1" : ifs);
        return;
    }
    *port = colon + 1;
    len = (size_t)(colon - name);
    if (len >= 2 && name[0] == '[' && name[len - 1] == ']') {
        name++;
        len -= 2;
    }
    snprintf(host, hsize, "%.*s", (int)len, name);
    if (*host == 0 || strcmp(host, "*") == 0)
        snprintf(host, hsize, "0.0.0.0");
}

/* listen_inet - a TCP listener for host:port */
static int listen_inet(const char *name)
{
    struct addrinfo hints, *res = 0;
    char host[256];
    const char *port;
    int fd = -1, on = 1, err;

    split_host_port(name, host, sizeof(host), &port);
    memset(&hints, 0, sizeof(hints));
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST;
    if ((err = getaddrinfo(host, port, &hints, &res)) != 0) {
        msg_error("inet service %s: %s", name, gai_strerror(err));
        return -1;
    }
    fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0
        || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) != 0
        || bind(fd, res->ai_addr, res->ai_addrlen) != 0
        || listen(fd, MASTER_BACKLOG) != 0) {
        msg_error("cannot listen on %s: %s", name, strerror(errno));
        if (fd >= 0)
            close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    return fd;
}

/* master_listen - open an entry's endpoint; -1 (logged) on failure */
int master_listen(const struct master_ent *ent, char **endpoint)
{
    struct vstring *path = vstring_alloc(100);
    int fd;

    *endpoint = 0;
    if (ent->type == MASTER_INET) {
        vstring_free(path);
        return listen_inet(ent->name);
    }
    vstring_sprintf(path, "%s/%s/%s", mail_conf_str("queue_directory"),
                    ent->private_ ? MASTER_PRIVATE_DIR : MASTER_PUBLIC_DIR,
                    ent->name);
    fd = ent->type == MASTER_UNIX ? listen_unix(vstring_str(path), ent->private_)
                                  : listen_fifo(vstring_str(path), ent->private_);
    if (fd >= 0) {
        master_chown_owner(vstring_str(path));
        *endpoint = mystrdup(vstring_str(path));
    }
    vstring_free(path);
    return fd;
}
