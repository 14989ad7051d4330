/*
 * smtp_connect.h - from a nexthop to a connected socket: nexthop syntax,
 * the ordered list of addresses to try (MX hosts by preference, each
 * host's A/AAAA addresses), and a connect with a deadline.
 *
 * Nexthop syntax (what resolve puts in a delivery request, mail_proto.h):
 *   "example.com"         MX lookup (smtp only), port default_port
 *   "example.com:2525"    MX lookup, then that port on every exchanger
 *   "[mx.example.com]"    no MX lookup: that host (A/AAAA), default port
 *   "[192.0.2.1]:2526"    no MX lookup: that address and port
 *   "[::1]:2526"          IPv6 literal
 *   "unix:/path/sock"     a unix-domain socket (lmtp)
 *   "inet:host:port"      the same as "[host]:port"
 * For lmtp (mx_allowed = 0) a bare "host" or "host:port" is never looked
 * up as a mail domain.
 *
 * Outcomes of smtp_connect_resolve() follow the delivery status classes:
 * 0 with at least one target; 4 (try later: DNS failure) or 5 (bounce: no
 * such domain 5.1.2, Null MX 5.1.10) with the reason in why, starting with
 * the enhanced status code.
 */
#ifndef SMTP_CONNECT_H
#define SMTP_CONNECT_H

#include <netinet/in.h>
#include <sys/socket.h>

struct vstring;

#define SMTP_NEXTHOP_MX   0
#define SMTP_NEXTHOP_HOST 1
#define SMTP_NEXTHOP_UNIX 2

#define SMTP_HOST_MAX        255
#define SMTP_PATH_MAX        107
#define SMTP_CONNECT_TARGETS 20

struct smtp_nexthop {
    int kind;                    /* SMTP_NEXTHOP_* */
    char host[SMTP_HOST_MAX + 1];
    unsigned port;
    char path[SMTP_PATH_MAX + 1];
};

struct smtp_target {
    char host[SMTP_HOST_MAX + 1]; /* the name we looked up, for TLS verify */
    char addr[64];                /* numeric, or the socket path */
    struct sockaddr_storage sa;
    socklen_t salen;
};

struct smtp_targets {
    size_t count;
    struct smtp_target t[SMTP_CONNECT_TARGETS];
};

/* 0 and *nh set, or -1 with why on a malformed nexthop. Pure. */
int smtp_nexthop_parse(const char *text, unsigned default_port,
                       int mx_allowed, struct smtp_nexthop *nh,
                       struct vstring *why);

/* The ordered targets for a nexthop: 0, 4 or 5 (see above). */
int smtp_connect_resolve(const struct smtp_nexthop *nh,
                         struct smtp_targets *out, struct vstring *why);

/* "host[addr]:port" or "unix:/path" for reasons and logs. */
const char *smtp_target_name(const struct smtp_target *t, char *buf,
                             size_t size);

/* A connected, blocking socket, or -1 with why ("connect to ...: ..."). */
int smtp_connect_one(const struct smtp_target *t, int timeout,
                     struct vstring *why);

#endif
