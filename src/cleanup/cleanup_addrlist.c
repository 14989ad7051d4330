/*
 * cleanup_addrlist.c - stop-gap address-list splitter (see the header:
 * to be replaced by src/mail/address.h).
 */
#include <string.h>

#include "cleanup_addrlist.h"
#include "mymalloc.h"
#include "vstring.h"

/* cleanup_addrs_init - an empty list */
void cleanup_addrs_init(struct cleanup_addrs *a)
{
    a->addr = 0;
    a->count = 0;
}

/* cleanup_addrs_free - release the list */
void cleanup_addrs_free(struct cleanup_addrs *a)
{
    size_t i;

    for (i = 0; i < a->count; i++)
        myfree(a->addr[i]);
    myfree(a->addr);
    cleanup_addrs_init(a);
}

/* add_member - one list member (comments already dropped) */
static int add_member(struct cleanup_addrs *a, const char *s, size_t max)
{
    const char *lt = strchr(s, '<'), *gt, *colon, *end;

    if (lt && (gt = strchr(lt, '>')) != 0) {
        s = lt + 1;
        end = gt;
        if (*s == '@' && (colon = memchr(s, ':', (size_t)(end - s))) != 0)
            s = colon + 1;
    } else {
        end = s + strlen(s);
    }
    while (s < end && (*s == ' ' || *s == '\t'))
        s++;
    while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    if (end == s)
        return 0;
    if (a->count >= max)
        return -1;
    a->addr = myrealloc(a->addr, (a->count + 1) * sizeof(char *));
    a->addr[a->count++] = mystrndup(s, (size_t)(end - s));
    return 0;
}

/* cleanup_addrlist_extract - split a header value into addresses */
int cleanup_addrlist_extract(const char *value, struct cleanup_addrs *a,
                             size_t max)
{
    struct vstring *member = vstring_alloc(64);
    int quoted = 0, angle = 0, comment = 0, ret = 0;
    const char *p;

    for (p = value; ret == 0; p++) {
        if (*p == '\\' && (quoted || comment) && p[1]) {
            if (!comment)
                vstring_append(member, p, 2);
            p++;
        } else if (comment) {
            comment += (*p == '(') - (*p == ')');
            if (*p == 0)
                break;
        } else if (*p == '"') {
            quoted = !quoted;
            vstring_append_char(member, *p);
        } else if (quoted && *p) {
            vstring_append_char(member, *p);
        } else if (*p == '(') {
            comment = 1;
        } else if (*p == '<' || *p == '>') {
            angle = *p == '<';
            vstring_append_char(member, *p);
        } else if (*p == ':' && !angle) {
            vstring_reset(member); /* a group's display name */
        } else if (*p == 0 || ((*p == ',' || *p == ';') && !angle)) {
            ret = add_member(a, vstring_str(member), max);
            vstring_reset(member);
            if (*p == 0)
                break;
        } else {
            vstring_append_char(member, *p);
        }
    }
    vstring_free(member);
    return ret;
}
