/*
 * resolve_service.c - one client conversation of the resolve daemon: read
 * an address, answer with the route resolve_addr() chose.
 */
#include <stddef.h>

#include "attr.h"
#include "msg.h"
#include "vstream.h"
#include "vstring.h"

#include "mail_proto.h"
#include "resolve_addr.h"
#include "resolve_service.h"

/* resolve_service_run - serve requests until the client is done */
int resolve_service_run(struct vstream *client,
                        const struct resolve_conf *conf)
{
    struct attr_list *req = attr_list_alloc();
    struct attr_list *rep = attr_list_alloc();
    struct vstring *why = vstring_alloc(100);
    struct resolve_reply reply;
    const char *addr;
    int count = 0, r;

    resolve_reply_init(&reply);
    while ((r = attr_read(client, req, 0, why)) == 1) {
        attr_list_reset(rep);
        if ((addr = attr_list_get(req, MAIL_ATTR_ADDRESS)) == 0) {
            attr_list_add_long(rep, MAIL_ATTR_STATUS, 5);
            attr_list_add(rep, MAIL_ATTR_REASON,
                          "5.5.4 request without an address");
        } else {
            resolve_addr(conf, addr, &reply);
            attr_list_add_long(rep, MAIL_ATTR_STATUS, reply.status);
            attr_list_add(rep, MAIL_ATTR_REASON, vstring_str(reply.reason));
            attr_list_add(rep, MAIL_ATTR_TRANSPORT,
                          vstring_str(reply.transport));
            attr_list_add(rep, MAIL_ATTR_NEXTHOP, vstring_str(reply.nexthop));
            attr_list_add(rep, MAIL_ATTR_RECIPIENT,
                          vstring_str(reply.recipient));
        }
        if (attr_write(client, rep) != 0)
            break;
        count++;
    }
    if (r < 0)
        msg_warn("resolve: client request: %s", vstring_str(why));
    resolve_reply_free(&reply);
    vstring_free(why);
    attr_list_free(req);
    attr_list_free(rep);
    return count;
}
