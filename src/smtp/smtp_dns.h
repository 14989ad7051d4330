/*
 * smtp_dns.h - where mail for a domain goes: the MX lookup of RFC 5321 5.1
 * with the address fallback and Null MX (RFC 7505), through libresolv.
 *
 * smtp_dns_parse_mx() reads a DNS answer in wire format (what res_query
 * returns) into a list of exchangers sorted by preference (stable: equal
 * preferences keep the server's order). It is separate from the lookup so
 * that tests and fuzzers feed it canned answers. The answer's rcode decides
 * first: NXDOMAIN -> SMTP_DNS_NXDOMAIN, SERVFAIL/REFUSED -> SMTP_DNS_RETRY.
 * Then MX records of class IN in the answer section are collected (others,
 * such as a CNAME, are skipped); none -> SMTP_DNS_NODATA. An exchanger "."
 * is a Null MX: it is never a host to try; when it is the only exchanger
 * the result is SMTP_DNS_NULLMX ("the domain accepts no mail": the client
 * bounces with 5.1.10). A malformed answer is SMTP_DNS_BAD.
 *
 * smtp_dns_lookup_mx() runs res_query(domain, IN, MX) and maps the
 * resolver's failures: HOST_NOT_FOUND -> NXDOMAIN, NO_DATA -> NODATA,
 * TRY_AGAIN or anything else -> RETRY; the reason goes into why.
 *
 * Bounds: at most SMTP_DNS_MAX_MX exchangers are kept (the best ones by
 * preference); names are at most SMTP_DNS_NAME_MAX bytes.
 */
#ifndef SMTP_DNS_H
#define SMTP_DNS_H

#include <stddef.h>

struct vstring;

#define SMTP_DNS_MAX_MX   20
#define SMTP_DNS_NAME_MAX 255

#define SMTP_DNS_OK       0
#define SMTP_DNS_NODATA   1 /* no MX: the domain itself is the host */
#define SMTP_DNS_NXDOMAIN 2 /* no such domain: bounce 5.1.2 */
#define SMTP_DNS_NULLMX   3 /* RFC 7505: bounce 5.1.10 */
#define SMTP_DNS_RETRY    4 /* try again later: 4.4.3 */
#define SMTP_DNS_BAD      5 /* malformed answer: try again later */

struct smtp_mx {
    unsigned pref;
    char name[SMTP_DNS_NAME_MAX + 1]; /* without the trailing dot */
};

struct smtp_mx_list {
    size_t count;
    struct smtp_mx mx[SMTP_DNS_MAX_MX];
};

int smtp_dns_parse_mx(const unsigned char *answer, size_t len,
                      struct smtp_mx_list *list);
int smtp_dns_lookup_mx(const char *domain, struct smtp_mx_list *list,
                       struct vstring *why);

/* A short English name of a SMTP_DNS_* result. */
const char *smtp_dns_str(int result);

#endif
