/*
 * smtpd_netlist.h - a list of IPv4/IPv6 networks in CIDR notation (the
 * mynetworks setting) and the test "is this client address in the list".
 *
 * Syntax: entries separated by spaces, tabs or commas; each entry is an
 * address with an optional "/prefix" ("10.0.0.0/8", "::1/128",
 * "[2001:db8::]/32", "192.0.2.7" = "/32"). Host bits set below the prefix
 * are an error (a typo like "10.1.2.3/8" would otherwise trust far more
 * than intended). An IPv4-mapped IPv6 client ("::ffff:192.0.2.7") is
 * matched as the IPv4 address it carries.
 *
 * Errors: smtpd_netlist_parse returns -1 and a reason in *why naming the
 * entry; the list is then empty (trusts nobody).
 */
#ifndef SMTPD_NETLIST_H
#define SMTPD_NETLIST_H

#include <stddef.h>

struct vstring;

struct smtpd_net {
    int family;             /* AF_INET or AF_INET6 */
    unsigned char addr[16]; /* network byte order; 4 bytes used for v4 */
    unsigned prefix;        /* 0..32 or 0..128 */
};

struct smtpd_netlist {
    size_t count;
    struct smtpd_net *nets;
};

void smtpd_netlist_init(struct smtpd_netlist *list);
int smtpd_netlist_parse(struct smtpd_netlist *list, const char *text,
                        struct vstring *why);
/* 1 when addr (numeric, as inet_ntop writes it) is in the list. A string
 * that is not an address matches nothing. */
int smtpd_netlist_match(const struct smtpd_netlist *list, const char *addr);
void smtpd_netlist_free(struct smtpd_netlist *list);

#endif
