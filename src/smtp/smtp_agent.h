/*
 * smtp_agent.h - the smtp/lmtp delivery agent: one delivery request from
 * qmgr (deliver_request.h) in, one outcome per recipient out.
 *
 * For a request the agent opens the queue file (the one reader,
 * queue_file.h), measures the content (size, 8-bit bytes), finds a session
 * to the nexthop (a cached one, or: parse the nexthop, MX/address lookup,
 * try each target in order until one greets us and, as the TLS policy
 * says, encrypts), runs the transaction (smtp_proto.h) and records each
 * recipient's outcome. The session is then RSET and kept for
 * smtp_connection_reuse_time seconds in case the next request goes to the
 * same nexthop (connection caching inside one agent process); otherwise,
 * or when the process exits, it ends with QUIT.
 *
 * TLS policy: smtp_tls_policy_maps is looked up with the nexthop as given
 * ("[127.0.0.1]:2526"), then its bare host or domain; the first word of the
 * value is a level (smtp_tls.h); without an entry smtp_tls_security_level
 * applies. At "may" a failed handshake is retried once in plaintext on the
 * same host (RFC 7435); at encrypt/verify a server without STARTTLS or a
 * failed handshake or verification moves on to the next target and, at the
 * end, defers with 4.7.4/4.7.5.
 *
 * Each outcome is logged: "<queue_id>: to=<rcpt>, relay=<peer>,
 * status=sent|deferred|bounced (<reason>)".
 */
#ifndef SMTP_AGENT_H
#define SMTP_AGENT_H

struct deliver_request;
struct dict;
struct smtp_tls_client;

struct smtp_agent_config {
    int lmtp;
    const char *queue_dir;
    const char *helo_name;
    int connect_timeout;
    int timeout;
    int reuse_time;             /* seconds a connection is kept; 0: never */
    int tls_level;              /* default SMTP_TLS_* */
    struct dict *tls_policy;    /* or NULL */
    struct smtp_tls_client *tls;/* NULL: TLS unavailable */
    unsigned default_port;
};

/* Delivers every recipient of req and records its outcome there. */
void smtp_agent_deliver(const struct smtp_agent_config *cfg,
                        struct deliver_request *req);

/* Ends a cached connection (QUIT) - when the process is about to exit,
 * or when it is older than reuse_time. */
void smtp_agent_flush(const struct smtp_agent_config *cfg, int only_stale);

#endif
