/*
 * smtp_dns.c - MX lookup and wire-format answer parsing (smtp_dns.h).
 */
#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>
#include <string.h>

#include "smtp_dns.h"
#include "vstring.h"

#define ANSWER_MAX 65536

/* insert_mx - keep the list sorted by preference, at most SMTP_DNS_MAX_MX */
static void insert_mx(struct smtp_mx_list *list, unsigned pref,
                      const char *name)
{
    size_t i = list->count;

    if (i == SMTP_DNS_MAX_MX) {
        if (list->mx[i - 1].pref <= pref)
            return; /* worse than everything we keep */
        i--;
    }
    /* equal preferences keep their order: move only strictly worse ones */
    while (i > 0 && list->mx[i - 1].pref > pref) {
        list->mx[i] = list->mx[i - 1];
        i--;
    }
    list->mx[i].pref = pref;
    strncpy(list->mx[i].name, name, SMTP_DNS_NAME_MAX);
    list->mx[i].name[SMTP_DNS_NAME_MAX] = 0;
    if (list->count < SMTP_DNS_MAX_MX)
        list->count++;
}

/* smtp_dns_parse_mx - the MX records of a wire-format answer */
int smtp_dns_parse_mx(const unsigned char *answer, size_t len,
                      struct smtp_mx_list *list)
{
    ns_msg msg;
    ns_rr rr;
    char name[NS_MAXDNAME];
    int i, count, nullmx = 0, rcode;
    unsigned pref;

    list->count = 0;
    if (len > ANSWER_MAX || ns_initparse(answer, (int)len, &msg) < 0)
        return SMTP_DNS_BAD;
    rcode = ns_msg_getflag(msg, ns_f_rcode);
    if (rcode == ns_r_nxdomain)
        return SMTP_DNS_NXDOMAIN;
    if (rcode != ns_r_noerror)
        return SMTP_DNS_RETRY;
    count = ns_msg_count(msg, ns_s_an);
    for (i = 0; i < count; i++) {
        if (ns_parserr(&msg, ns_s_an, i, &rr) < 0)
            return SMTP_DNS_BAD;
        if (ns_rr_type(rr) != ns_t_mx || ns_rr_class(rr) != ns_c_in)
            continue;
        if (ns_rr_rdlen(rr) < 3)
            return SMTP_DNS_BAD;
        pref = ns_get16(ns_rr_rdata(rr));
        if (ns_name_uncompress(ns_msg_base(msg), ns_msg_end(msg),
                               ns_rr_rdata(rr) + 2, name, sizeof(name)) < 0)
            return SMTP_DNS_BAD;
        if (strcmp(name, ".") == 0 || name[0] == 0) {
            nullmx = 1; /* never a host to try */
            continue;
        }
        if (strlen(name) > SMTP_DNS_NAME_MAX)
            return SMTP_DNS_BAD;
        insert_mx(list, pref, name);
    }
    if (list->count > 0)
        return SMTP_DNS_OK;
    return nullmx ? SMTP_DNS_NULLMX : SMTP_DNS_NODATA;
}

/* smtp_dns_lookup_mx - res_query for MX, then the parser */
int smtp_dns_lookup_mx(const char *domain, struct smtp_mx_list *list,
                       struct vstring *why)
{
    static unsigned char answer[ANSWER_MAX];
    int n, r;

    list->count = 0;
    if ((_res.options & RES_INIT) == 0 && res_init() < 0) {
        vstring_sprintf(why, "cannot initialize the resolver");
        return SMTP_DNS_RETRY;
    }
    n = res_query(domain, ns_c_in, ns_t_mx, answer, sizeof(answer));
    if (n < 0) {
        r = h_errno == HOST_NOT_FOUND ? SMTP_DNS_NXDOMAIN
            : h_errno == NO_DATA      ? SMTP_DNS_NODATA
                                      : SMTP_DNS_RETRY;
        vstring_sprintf(why, "MX lookup of %s: %s", domain, hstrerror(h_errno));
        return r;
    }
    r = smtp_dns_parse_mx(answer, (size_t)n, list);
    vstring_sprintf(why, "MX lookup of %s: %s", domain, smtp_dns_str(r));
    return r;
}

/* smtp_dns_str - result names for logs and reasons */
const char *smtp_dns_str(int result)
{
    switch (result) {
    case SMTP_DNS_OK:
        return "ok";
    case SMTP_DNS_NODATA:
        return "no MX record";
    case SMTP_DNS_NXDOMAIN:
        return "host or domain name not found";
    case SMTP_DNS_NULLMX:
        return "null MX: the domain does not accept mail";
    case SMTP_DNS_RETRY:
        return "temporary DNS failure";
    default:
        return "malformed DNS answer";
    }
}
