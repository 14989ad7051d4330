/*
 * resolve_addr.c - the routing decision for one recipient (resolve_addr.h):
 * shared by the resolve daemon and qmgr.
 */
#include <ctype.h>
#include <string.h>

#include "argv.h"
#include "dict.h"
#include "msg.h"
#include "mymalloc.h"
#include "vstring.h"

#include "address.h"
#include "mail_conf.h"
#include "mail_table.h"
#include "resolve_addr.h"

#define LIST_SEPS ", \t\r\n"

/* lower_list - split a domain list and fold it to lower case */
static struct argv *lower_list(const char *text)
{
    struct argv *a = argv_split(text, LIST_SEPS);
    size_t i;

    for (i = 0; i < a->argc; i++)
        dict_fold(a->argv[i], strlen(a->argv[i]));
    return a;
}

/* resolve_conf_init - configuration from explicit values */
int resolve_conf_init(struct resolve_conf *conf, const char *mydestination,
                      const char *virtual_domains, const char *transport_maps,
                      const char *myhostname, const char *local_transport,
                      const char *virtual_transport,
                      const char *default_transport, const char *relayhost,
                      struct vstring *why)
{
    memset(conf, 0, sizeof(*conf));
    if (*transport_maps
        && (conf->transport_maps =
                dict_open(transport_maps, DICT_SYNTAX_SPACE,
                          DICT_FLAG_FOLD_KEYS, 0, why)) == 0)
        return -1;
    conf->mydestination = lower_list(mydestination);
    conf->virtual_domains = lower_list(virtual_domains);
    conf->myhostname = mystrdup(myhostname);
    dict_fold(conf->myhostname, strlen(conf->myhostname));
    conf->local_transport = mystrdup(local_transport);
    conf->virtual_transport = mystrdup(virtual_transport);
    conf->default_transport = mystrdup(default_transport);
    conf->relayhost = mystrdup(relayhost);
    return 0;
}

/* resolve_conf_load - configuration from main.cf */
int resolve_conf_load(struct resolve_conf *conf, struct vstring *why)
{
    return resolve_conf_init(
        conf, mail_conf_str("mydestination"),
        mail_conf_str("virtual_mailbox_domains"),
        mail_conf_str("transport_maps"), mail_conf_str("myhostname"),
        mail_conf_str("local_transport"), mail_conf_str("virtual_transport"),
        mail_conf_str("default_transport"), mail_conf_str("relayhost"), why);
}

/* resolve_conf_free - release what init made */
void resolve_conf_free(struct resolve_conf *conf)
{
    if (conf->transport_maps)
        dict_free(conf->transport_maps);
    if (conf->mydestination)
        argv_free(conf->mydestination);
    if (conf->virtual_domains)
        argv_free(conf->virtual_domains);
    myfree(conf->myhostname);
    myfree(conf->local_transport);
    myfree(conf->virtual_transport);
    myfree(conf->default_transport);
    myfree(conf->relayhost);
    memset(conf, 0, sizeof(*conf));
}

/* resolve_conf_refresh - reload transport_maps when its file changed */
void resolve_conf_refresh(struct resolve_conf *conf)
{
    struct vstring *why;

    if (conf->transport_maps == 0)
        return;
    why = vstring_alloc(100);
    if (dict_refresh(conf->transport_maps, why) < 0)
        msg_warn("transport_maps: %s (keeping the previous table)",
                 vstring_str(why));
    vstring_free(why);
}

/* resolve_reply_init - empty reply */
void resolve_reply_init(struct resolve_reply *reply)
{
    reply->status = 0;
    reply->reason = vstring_alloc(60);
    reply->transport = vstring_alloc(20);
    reply->nexthop = vstring_alloc(60);
    reply->recipient = vstring_alloc(60);
}

/* resolve_reply_free - release the reply's strings */
void resolve_reply_free(struct resolve_reply *reply)
{
    vstring_free(reply->reason);
    vstring_free(reply->transport);
    vstring_free(reply->nexthop);
    vstring_free(reply->recipient);
}

/* resolve_domain_in - case-insensitive list membership */
int resolve_domain_in(const struct argv *list, const char *domain)
{
    size_t i;

    for (i = 0; i < list->argc; i++)
        if (strcasecmp(list->argv[i], domain) == 0)
            return 1;
    return 0;
}

/* set_route - "transport[:nexthop]" into the reply; dflt when no nexthop */
static void set_route(struct resolve_reply *reply, const char *spec,
                      const char *dflt)
{
    const char *colon = strchr(spec, ':');

    if (colon == 0) {
        vstring_set_str(reply->transport, spec);
        vstring_set_str(reply->nexthop, dflt);
    } else {
        vstring_set(reply->transport, spec, (size_t)(colon - spec));
        vstring_set_str(reply->nexthop, colon[1] ? colon + 1 : dflt);
    }
}

/* fail - the error transport with a status and reason */
static int fail(struct resolve_reply *reply, int status, const char *reason)
{
    reply->status = status;
    vstring_set_str(reply->reason, reason);
    vstring_set_str(reply->transport, RESOLVE_TRANSPORT_ERROR);
    vstring_set_str(reply->nexthop, reason);
    return status;
}

/* relay_nexthop - "host[:port]" or "[host]:port" as "[host]:port" */
static void relay_nexthop(struct vstring *out, const char *relayhost)
{
    const char *colon;

    if (relayhost[0] == '[') {
        vstring_set_str(out, relayhost);
        return;
    }
    colon = strrchr(relayhost, ':');
    vstring_set_str(out, "[");
    vstring_append(out, relayhost,
                   colon ? (size_t)(colon - relayhost) : strlen(relayhost));
    vstring_append_str(out, "]");
    if (colon)
        vstring_append_str(out, colon);
}

/* error_route - a table value "error:4.x.x text" or "error:5.x.x text" */
static int error_route(struct resolve_reply *reply)
{
    const char *text = vstring_str(reply->nexthop);
    int status = (text[0] == '4') ? 4 : 5;

    reply->status = status;
    vstring_set_str(reply->reason, *text ? text : "5.1.2 mail for this "
                                                  "destination is refused");
    if (!(isdigit((unsigned char)text[0]) && text[1] == '.'))
        vstring_sprintf(reply->reason, "5.1.2 %s",
                        *text ? text : "mail for this destination is refused");
    vstring_set_str(reply->nexthop, vstring_str(reply->reason));
    return status;
}

/* route_domain - the routing table for a syntactically good domain */
static int route_domain(const struct resolve_conf *conf, const char *domain,
                        struct resolve_reply *reply)
{
    const char *value;

    if (*domain && conf->transport_maps
        && (value = mail_table_lookup_domain(conf->transport_maps, domain, 0))
               != 0) {
        if (*value == ':' || *value == 0)
            return fail(reply, 4, "4.3.5 transport_maps: bad value");
        set_route(reply, value, domain);
        if (strcmp(vstring_str(reply->transport), RESOLVE_TRANSPORT_ERROR) == 0)
            return error_route(reply);
        return 0;
    }
    if (*domain == 0 || resolve_domain_in(conf->mydestination, domain)
        || strcasecmp(domain, conf->myhostname) == 0) {
        set_route(reply, conf->local_transport, conf->myhostname);
        return 0;
    }
    if (resolve_domain_in(conf->virtual_domains, domain)) {
        set_route(reply, conf->virtual_transport, domain);
        return 0;
    }
    if (*conf->relayhost) {
        set_route(reply, conf->default_transport, domain);
        relay_nexthop(reply->nexthop, conf->relayhost);
        return 0;
    }
    set_route(reply, conf->default_transport, domain);
    return 0;
}

/* resolve_addr - route one recipient */
int resolve_addr(const struct resolve_conf *conf, const char *addr,
                 struct resolve_reply *reply)
{
    struct address a;
    const char *reason;
    char domain[ADDRESS_DOMAIN_MAX + 1];
    int bad;

    reply->status = 0;
    vstring_reset(reply->reason);
    vstring_reset(reply->transport);
    vstring_reset(reply->nexthop);
    vstring_set_str(reply->recipient, addr);
    if (*addr && strchr(addr, '@') == 0) {
        /* a bare local part is one of ours */
        vstring_sprintf(reply->recipient, "%s@%s", addr, conf->myhostname);
        bad = address_parse_mailbox(vstring_str(reply->recipient),
                                    vstring_len(reply->recipient), &a, &reason);
    } else {
        bad = address_parse_mailbox(addr, strlen(addr), &a, &reason);
    }
    if (bad)
        return fail(reply, 5, "5.1.3 bad destination mailbox address syntax");
    if (a.is_null || a.local[0] == 0)
        return fail(reply, 5, "5.1.3 bad destination mailbox address syntax");
    memcpy(domain, a.domain, sizeof(domain));
    dict_fold(domain, strlen(domain));
    vstring_set_str(reply->recipient, a.mailbox);
    if (route_domain(conf, domain, reply) != 0)
        return reply->status;
    if (vstring_len(reply->transport) == 0)
        return fail(reply, 4, "4.3.5 empty transport name in configuration");
    return 0;
}
