/*
 * smtpd_netlist.c - CIDR network lists (smtpd_netlist.h).
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "mymalloc.h"
#include "smtpd_netlist.h"
#include "vstring.h"

#define ENTRY_MAX 64

/* smtpd_netlist_init - an empty list */
void smtpd_netlist_init(struct smtpd_netlist *list)
{
    list->count = 0;
    list->nets = 0;
}

/* smtpd_netlist_free - forget every entry */
void smtpd_netlist_free(struct smtpd_netlist *list)
{
    myfree(list->nets);
    smtpd_netlist_init(list);
}

/* host_bits_clear - no bit set beyond the prefix */
static int host_bits_clear(const struct smtpd_net *n)
{
    unsigned bytes = n->family == AF_INET ? 4 : 16;
    unsigned bit;

    for (bit = n->prefix; bit < bytes * 8; bit++)
        if (n->addr[bit / 8] & (0x80 >> (bit % 8)))
            return 0;
    return 1;
}

/* parse_entry - one "addr[/prefix]" into *n; 0 or -1 */
static int parse_entry(const char *entry, struct smtpd_net *n)
{
    char buf[ENTRY_MAX];
    char *slash;
    char *addr = buf;
    char *end;
    unsigned long prefix;
    size_t len;

    if (strlen(entry) >= sizeof(buf))
        return -1;
    strcpy(buf, entry);
    if ((slash = strchr(buf, '/')) != 0)
        *slash++ = 0;
    len = strlen(addr);
    if (len >= 2 && addr[0] == '[' && addr[len - 1] == ']') {
        addr[len - 1] = 0;
        addr++;
    }
    memset(n, 0, sizeof(*n));
    if (inet_pton(AF_INET, addr, n->addr) == 1)
        n->family = AF_INET;
    else if (inet_pton(AF_INET6, addr, n->addr) == 1)
        n->family = AF_INET6;
    else
        return -1;
    n->prefix = n->family == AF_INET ? 32 : 128;
    if (slash != 0) {
        if (*slash < '0' || *slash > '9')
            return -1;
        prefix = strtoul(slash, &end, 10);
        if (*end != 0 || prefix > n->prefix)
            return -1;
        n->prefix = (unsigned)prefix;
    }
    return host_bits_clear(n) ? 0 : -1;
}

/* smtpd_netlist_parse - replace the list with the entries in text */
int smtpd_netlist_parse(struct smtpd_netlist *list, const char *text,
                        struct vstring *why)
{
    const char *sep = " \t,\r\n";
    char entry[ENTRY_MAX];
    size_t len;

    smtpd_netlist_free(list);
    for (;;) {
        text += strspn(text, sep);
        if (*text == 0)
            return 0;
        len = strcspn(text, sep);
        if (len >= sizeof(entry)) {
            vstring_sprintf(why, "network list entry too long");
            goto bad;
        }
        memcpy(entry, text, len);
        entry[len] = 0;
        text += len;
        list->nets = myrealloc(list->nets, (list->count + 1) *
                                               sizeof(*list->nets));
        if (parse_entry(entry, list->nets + list->count) < 0) {
            vstring_sprintf(why, "bad network list entry \"%s\"", entry);
            goto bad;
        }
        list->count++;
    }
bad:
    smtpd_netlist_free(list);
    return -1;
}

/* in_net - does the address (family, 4 or 16 bytes) fall in n? */
static int in_net(const struct smtpd_net *n, int family,
                  const unsigned char *a)
{
    unsigned full = n->prefix / 8;
    unsigned rest = n->prefix % 8;
    unsigned char mask;

    if (n->family != family || memcmp(n->addr, a, full) != 0)
        return 0;
    if (rest == 0)
        return 1;
    mask = (unsigned char)(0xff << (8 - rest));
    return (a[full] & mask) == n->addr[full];
}

/* smtpd_netlist_match - is the client address in the list? */
int smtpd_netlist_match(const struct smtpd_netlist *list, const char *addr)
{
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0,
                                             0, 0, 0, 0, 0xff, 0xff};
    unsigned char a[16];
    int family;
    size_t i;

    if (inet_pton(AF_INET, addr, a) == 1) {
        family = AF_INET;
    } else if (inet_pton(AF_INET6, addr, a) == 1) {
        family = AF_INET6;
        if (memcmp(a, mapped, sizeof(mapped)) == 0) {
            memmove(a, a + 12, 4);
            family = AF_INET;
        }
    } else {
        return 0;
    }
    for (i = 0; i < list->count; i++)
        if (in_net(list->nets + i, family, a))
            return 1;
    return 0;
}
