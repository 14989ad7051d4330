/*
 * smtp_connect.c - nexthop parsing, address lists and timed connects
 * (smtp_connect.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

#include "iostuff.h"
#include "smtp_connect.h"
#include "smtp_dns.h"
#include "vstring.h"

/* parse_port - decimal 1..65535 */
static int parse_port(const char *s, unsigned *port)
{
    char *end;
    unsigned long v;

    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    v = strtoul(s, &end, 10);
    if (errno != 0 || *end != 0 || v == 0 || v > 65535)
        return -1;
    *port = (unsigned)v;
    return 0;
}

/* host_ok - a name or address literal: no spaces, brackets or slashes */
static int host_ok(const char *h, size_t len)
{
    size_t i;

    if (len == 0 || len > SMTP_HOST_MAX)
        return 0;
    for (i = 0; i < len; i++)
        if ((unsigned char)h[i] <= 0x20 || (unsigned char)h[i] >= 0x7f ||
            strchr("[]/@<>", h[i]))
            return 0;
    return 1;
}

/* smtp_nexthop_parse - see the header for the accepted forms */
int smtp_nexthop_parse(const char *text, unsigned default_port,
                       int mx_allowed, struct smtp_nexthop *nh,
                       struct vstring *why)
{
    const char *host = text, *end, *colon;
    size_t hlen;

    memset(nh, 0, sizeof(*nh));
    nh->port = default_port;
    if (strncmp(text, "unix:", 5) == 0) {
        if (text[5] != '/' || strlen(text + 5) > SMTP_PATH_MAX)
            goto bad;
        nh->kind = SMTP_NEXTHOP_UNIX;
        strcpy(nh->path, text + 5);
        return 0;
    }
    nh->kind = mx_allowed ? SMTP_NEXTHOP_MX : SMTP_NEXTHOP_HOST;
    if (strncmp(text, "inet:", 5) == 0) {
        host = text + 5;
        nh->kind = SMTP_NEXTHOP_HOST;
    }
    if (*host == '[') {
        if ((end = strchr(host, ']')) == 0)
            goto bad;
        nh->kind = SMTP_NEXTHOP_HOST;
        hlen = (size_t)(end - host - 1);
        host++;
        colon = end[1] == ':' ? end + 1 : end[1] == 0 ? 0 : end;
        if (colon == end)
            goto bad;
    } else {
        colon = strrchr(host, ':');
        hlen = colon ? (size_t)(colon - host) : strlen(host);
    }
    if (!host_ok(host, hlen) || (colon && parse_port(colon + 1, &nh->port)))
        goto bad;
    memcpy(nh->host, host, hlen);
    nh->host[hlen] = 0;
    return 0;
bad:
    vstring_sprintf(why, "malformed nexthop \"%s\"", text);
    return -1;
}

/* add_host - every address of host (A and AAAA) as targets */
static int add_host(struct smtp_targets *out, const char *host, unsigned port,
                    struct vstring *why)
{
    struct addrinfo hints, *res, *ai;
    char service[8];
    int err;
    struct smtp_target *t;

    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    snprintf(service, sizeof(service), "%u", port);
    if ((err = getaddrinfo(host, service, &hints, &res)) != 0) {
        vstring_sprintf(why, "%s: %s", host, gai_strerror(err));
        return err == EAI_NONAME ? 5 : 4;
    }
    for (ai = res; ai && out->count < SMTP_CONNECT_TARGETS; ai = ai->ai_next) {
        if (ai->ai_addrlen > sizeof(t->sa))
            continue;
        t = &out->t[out->count++];
        snprintf(t->host, sizeof(t->host), "%s", host);
        memcpy(&t->sa, ai->ai_addr, ai->ai_addrlen);
        t->salen = ai->ai_addrlen;
        getnameinfo(ai->ai_addr, ai->ai_addrlen, t->addr, sizeof(t->addr), 0,
                    0, NI_NUMERICHOST);
    }
    freeaddrinfo(res);
    return 0;
}

/* resolve_mx - MX hosts in preference order, or the domain itself */
static int resolve_mx(const struct smtp_nexthop *nh, struct smtp_targets *out,
                      struct vstring *why)
{
    struct smtp_mx_list *mx = malloc(sizeof(*mx));
    int r, status = 0, last = 0;
    size_t i;

    if (mx == 0) {
        vstring_sprintf(why, "4.3.0 out of memory");
        return 4;
    }
    r = smtp_dns_lookup_mx(nh->host, mx, why);
    if (r == SMTP_DNS_NULLMX || r == SMTP_DNS_NXDOMAIN) {
        vstring_sprintf(why, "%s %s: %s", r == SMTP_DNS_NULLMX ? "5.1.10"
                        : "5.1.2", nh->host, smtp_dns_str(r));
        status = 5;
    } else if (r == SMTP_DNS_RETRY || r == SMTP_DNS_BAD) {
        vstring_sprintf(why, "4.4.3 %s: %s", nh->host, smtp_dns_str(r));
        status = 4;
    } else if (r == SMTP_DNS_NODATA) {
        mx->count = 1;
        snprintf(mx->mx[0].name, sizeof(mx->mx[0].name), "%s", nh->host);
    }
    for (i = 0; status == 0 && i < mx->count; i++)
        last = add_host(out, mx->mx[i].name, nh->port, why);
    if (status == 0 && out->count == 0) {
        vstring_sprintf(why, "%s %s: no address for the mail exchanger",
                        last == 5 ? "5.1.2" : "4.4.3", nh->host);
        status = last == 5 ? 5 : 4;
    }
    free(mx);
    return status;
}

/* smtp_connect_resolve - the targets to try, in order */
int smtp_connect_resolve(const struct smtp_nexthop *nh,
                         struct smtp_targets *out, struct vstring *why)
{
    struct sockaddr_un *sun;
    int r;

    out->count = 0;
    if (nh->kind == SMTP_NEXTHOP_UNIX) {
        sun = (struct sockaddr_un *)&out->t[0].sa;
        memset(sun, 0, sizeof(*sun));
        sun->sun_family = AF_UNIX;
        snprintf(sun->sun_path, sizeof(sun->sun_path), "%s", nh->path);
        out->t[0].salen = sizeof(*sun);
        snprintf(out->t[0].host, sizeof(out->t[0].host), "localhost");
        snprintf(out->t[0].addr, sizeof(out->t[0].addr), "unix");
        out->count = 1;
        return 0;
    }
    if (nh->kind == SMTP_NEXTHOP_MX)
        return resolve_mx(nh, out, why);
    if ((r = add_host(out, nh->host, nh->port, why)) != 0) {
        vstring_sprintf(why, "%s %s: host not found",
                        r == 5 ? "5.1.2" : "4.4.3", nh->host);
        return r;
    }
    return 0;
}

/* smtp_target_name - how a target is named in logs and reasons */
const char *smtp_target_name(const struct smtp_target *t, char *buf,
                             size_t size)
{
    const struct sockaddr *sa = (const struct sockaddr *)&t->sa;
    unsigned port = 0;

    if (sa->sa_family == AF_UNIX) {
        snprintf(buf, size, "unix:%s",
                 ((const struct sockaddr_un *)&t->sa)->sun_path);
        return buf;
    }
    if (sa->sa_family == AF_INET)
        port = ntohs(((const struct sockaddr_in *)&t->sa)->sin_port);
    else if (sa->sa_family == AF_INET6)
        port = ntohs(((const struct sockaddr_in6 *)&t->sa)->sin6_port);
    snprintf(buf, size, "%s[%s]:%u", t->host, t->addr, port);
    return buf;
}

/*
 * no_delay - send each flushed buffer at once. The client writes whole
 * buffers, so Nagle's algorithm only ever held back the tail of a message
 * (what follows the first full buffer) until the server's delayed ACK:
 * 40 ms per message of 8-64 KiB (bench: a 10 KiB message took 50 ms to
 * reach the sink, a 1 KiB one 4 ms).
 */
static void no_delay(int fd)
{
    int on = 1;

    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
}

/* smtp_connect_one - non-blocking connect under a deadline */
int smtp_connect_one(const struct smtp_target *t, int timeout,
                     struct vstring *why)
{
    const struct sockaddr *sa = (const struct sockaddr *)&t->sa;
    int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct pollfd p;
    int err = 0, r;
    socklen_t elen = sizeof(err);
    char name[400];

    if (fd < 0) {
        err = errno;
        goto bad;
    }
    io_non_blocking(fd, 1);
    if (connect(fd, sa, t->salen) < 0) {
        if (errno != EINPROGRESS) {
            err = errno;
            goto bad;
        }
        p.fd = fd;
        p.events = POLLOUT;
        do
            r = poll(&p, 1, timeout > 0 ? timeout * 1000 : -1);
        while (r < 0 && errno == EINTR);
        if (r == 0)
            err = ETIMEDOUT;
        else if (r < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0)
            err = errno;
        if (err != 0)
            goto bad;
    }
    io_non_blocking(fd, 0);
    if (sa->sa_family == AF_INET || sa->sa_family == AF_INET6)
        no_delay(fd);
    return fd;
bad:
    if (fd >= 0)
        close(fd);
    vstring_sprintf(why, "connect to %s: %s",
                    smtp_target_name(t, name, sizeof(name)),
                    err == ETIMEDOUT ? "Connection timed out" : strerror(err));
    return -1;
}
