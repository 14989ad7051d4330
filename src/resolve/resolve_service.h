/*
 * resolve_service.h - the resolve daemon's conversation (mail_proto.h):
 * requests { address } answered by { status, reason, transport, nexthop,
 * recipient }, as many as the client sends on one connection.
 */
#ifndef RESOLVE_SERVICE_H
#define RESOLVE_SERVICE_H

struct vstream;
struct resolve_conf;

/* Answers requests on client until EOF, an error or a timeout; returns the
 * number of requests answered. */
int resolve_service_run(struct vstream *client,
                        const struct resolve_conf *conf);

#endif
