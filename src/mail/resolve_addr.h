/*
 * resolve_addr.h - "where does this address go": the routing decision that
 * the resolve daemon answers over private/resolve and that qmgr calls
 * in-process (with a cache per queue run) for every recipient it schedules.
 *
 * For a recipient mailbox "local@domain" (address.h's stored form):
 *
 *   1. syntax: a mailbox address_parse_mailbox refuses resolves to the
 *      "error" transport with "5.1.3 bad destination mailbox address
 *      syntax"; the null address gives "5.1.3" too;
 *   2. transport_maps (a "domain transport:nexthop" table, searched with
 *      mail_table_lookup_domain: the domain, then ".parent" keys) wins;
 *      "smtp:[127.0.0.1]:2526", "lmtp:unix:/path", "local:", "error:5.1.2
 *      text" are all values it may hold; an empty nexthop means the domain;
 *   3. no domain, or a domain in mydestination -> local_transport, nexthop
 *      $myhostname (every local recipient is one destination);
 *   4. a domain in virtual_mailbox_domains -> virtual_transport (the local
 *      agent serving "virtual" delivers under virtual_mailbox_base), nexthop
 *      the domain;
 *   5. relayhost set -> default_transport's name with nexthop "[host]:port"
 *      (no MX lookup); else default_transport with the domain as nexthop
 *      (or the nexthop written in default_transport as "smtp:host").
 *
 * Routing tricks are never routing: the domain is what follows the last
 * '@' of the mailbox, nothing else. "user%other@ourdomain", "host!user@
 * ourdomain" and "\"a@b\"@ourdomain" are local parts of our own domain and
 * go to the local agent (which finds no such user); this host never
 * relays through a local part.
 *
 * Domains compare case-insensitively; the result's nexthop is lower case.
 * Errors in the configuration (an unreadable transport_maps) are reported
 * by resolve_conf_load (-1, why); a transport_maps value that does not
 * parse resolves to the error transport with "4.3.5" (a configuration
 * error: try again later).
 */
#ifndef RESOLVE_ADDR_H
#define RESOLVE_ADDR_H

struct vstring;
struct dict;
struct argv;

#define RESOLVE_TRANSPORT_ERROR "error"

/* The configuration resolve needs, loaded once (and refreshed). */
struct resolve_conf {
    struct argv *mydestination;     /* lower case */
    struct argv *virtual_domains;   /* lower case */
    struct dict *transport_maps;    /* NULL when none */
    char *myhostname;
    char *local_transport;          /* "local" or "local:nexthop" */
    char *virtual_transport;
    char *default_transport;
    char *relayhost;                /* "" when none */
};

struct resolve_reply {
    int status;               /* 0, 4 or 5 (mail_proto.h convention) */
    struct vstring *reason;   /* "" when status is 0 */
    struct vstring *transport;
    struct vstring *nexthop;
    struct vstring *recipient;
};

/*
 * Builds conf from explicit values (the tests) or from mail_conf
 * (resolve_conf_load). 0, or -1 with why set (transport_maps unreadable).
 */
int resolve_conf_init(struct resolve_conf *conf, const char *mydestination,
                      const char *virtual_domains, const char *transport_maps,
                      const char *myhostname, const char *local_transport,
                      const char *virtual_transport,
                      const char *default_transport, const char *relayhost,
                      struct vstring *why);
int resolve_conf_load(struct resolve_conf *conf, struct vstring *why);
void resolve_conf_free(struct resolve_conf *conf);

/* Reloads transport_maps when its file changed; the old table stays on
 * error (logged). */
void resolve_conf_refresh(struct resolve_conf *conf);

void resolve_reply_init(struct resolve_reply *reply);
void resolve_reply_free(struct resolve_reply *reply);

/* Resolves addr (a stored mailbox) into reply; returns reply->status. */
int resolve_addr(const struct resolve_conf *conf, const char *addr,
                 struct resolve_reply *reply);

/* 1 when domain (any case) is one of list's entries, else 0. */
int resolve_domain_in(const struct argv *list, const char *domain);

#endif
