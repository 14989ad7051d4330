/*
 * argv.c - NULL-terminated string arrays and field splitting.
 */
#include <string.h>

#include "argv.h"
#include "msg.h"
#include "mymalloc.h"
#include "vstring.h"

/* argv_alloc - an empty array with room for hint entries */
struct argv *argv_alloc(size_t hint)
{
    struct argv *a;

    if (hint > ARGV_MAX)
        msg_panic("argv_alloc: hint %zu exceeds %d", hint, ARGV_MAX);
    a = mymalloc(sizeof(*a));
    a->cap = hint + 1;
    a->argc = 0;
    a->argv = mymalloc(a->cap * sizeof(a->argv[0]));
    a->argv[0] = 0;
    return a;
}

/* argv_free - free the array and its strings */
void argv_free(struct argv *a)
{
    if (a == 0)
        return;
    argv_truncate(a, 0);
    myfree(a->argv);
    myfree(a);
}

/* argv_push - take ownership of str as the last entry */
static void argv_push(struct argv *a, char *str)
{
    if (a->argc + 1 >= a->cap) {
        if (a->argc >= ARGV_MAX)
            msg_panic("argv: more than %d entries", ARGV_MAX);
        a->cap *= 2;
        a->argv = myrealloc(a->argv, a->cap * sizeof(a->argv[0]));
    }
    a->argv[a->argc++] = str;
    a->argv[a->argc] = 0;
}

/* argv_add - append a copy of a string */
void argv_add(struct argv *a, const char *str)
{
    argv_push(a, mystrdup(str));
}

/* argv_addn - append a copy of len bytes */
void argv_addn(struct argv *a, const char *str, size_t len)
{
    argv_push(a, mystrndup(str, len));
}

/* argv_truncate - keep the first argc entries */
void argv_truncate(struct argv *a, size_t argc)
{
    while (a->argc > argc)
        myfree(a->argv[--a->argc]);
    a->argv[a->argc] = 0;
}

/* argv_split - fields separated by runs of seps, no quoting */
struct argv *argv_split(const char *str, const char *seps)
{
    struct argv *a = argv_alloc(4);
    size_t n;

    for (;;) {
        str += strspn(str, seps);
        if (*str == 0)
            return a;
        n = strcspn(str, seps);
        argv_addn(a, str, n);
        str += n;
    }
}

/* quoted_part - copy a quoted part after its opening quote; end or NULL */
static const char *quoted_part(const char *str, struct vstring *field)
{
    for (; *str != '"'; str++) {
        if (*str == 0)
            return 0;
        if (*str == '\\' && (str[1] == '"' || str[1] == '\\'))
            str++;
        vstring_append_char(field, *str);
    }
    return str + 1;
}

/* argv_split_quoted - append fields, honouring double quotes */
int argv_split_quoted(struct argv *a, const char *str, const char *seps,
                      struct vstring *why)
{
    struct vstring *field = vstring_alloc(32);
    size_t start = a->argc;
    int in_field = 0, ret = 0;

    for (;;) {
        if (*str == 0 || strchr(seps, *str)) {
            if (in_field)
                argv_addn(a, vstring_str(field), vstring_len(field));
            if (*str == 0)
                break;
            vstring_reset(field);
            in_field = 0;
            str++;
        } else if (*str == '"') {
            in_field = 1;
            if ((str = quoted_part(str + 1, field)) == 0) {
                vstring_set_str(why, "unterminated double quote");
                argv_truncate(a, start);
                ret = -1;
                break;
            }
        } else {
            in_field = 1;
            vstring_append_char(field, *str++);
        }
    }
    vstring_free(field);
    return ret;
}
