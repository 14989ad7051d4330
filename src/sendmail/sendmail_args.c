/*
 * sendmail_args.c - the sendmail(8) command line, table-driven.
 *
 * Each option letter has a row in option_table: whether it takes a value
 * and the handler that records it. sendmail_main.c acts on the result.
 */
#include <string.h>
#include <strings.h>
#include <sysexits.h>

#include "mymalloc.h"
#include "sendmail_args.h"
#include "vstring.h"

enum opt_value { OPT_FLAG, OPT_VALUE, OPT_ATTACHED };

/* Where the parser is: the argument vector and the next unread argument. */
struct cursor {
    int argc;
    char **argv;
    int next;
};

struct option {
    char letter;
    enum opt_value value;
    int (*handle)(struct sendmail_args *a, const char *value, struct cursor *c,
                  struct vstring *why);
};

/* take_next - consume the next argument as a value, or NULL */
static const char *take_next(struct cursor *c)
{
    return c->next < c->argc ? c->argv[c->next++] : 0;
}

/* opt_flag - options accepted and ignored (-U -G -n -m -h -L -A -O) */
static int opt_flag(struct sendmail_args *a, const char *value,
                    struct cursor *c, struct vstring *why)
{
    (void)a, (void)value, (void)c, (void)why;
    return 0;
}

/* opt_t - -t: recipients from the headers */
static int opt_t(struct sendmail_args *a, const char *v, struct cursor *c,
                 struct vstring *why)
{
    (void)v, (void)c, (void)why;
    a->extract_recipients = 1;
    return 0;
}

/* opt_i - -i, -oi: a lone "." is data */
static int opt_i(struct sendmail_args *a, const char *v, struct cursor *c,
                 struct vstring *why)
{
    (void)v, (void)c, (void)why;
    a->ignore_dots = 1;
    return 0;
}

/* opt_v - -v: more verbose */
static int opt_v(struct sendmail_args *a, const char *v, struct cursor *c,
                 struct vstring *why)
{
    (void)v, (void)c, (void)why;
    a->verbose++;
    return 0;
}

/* opt_I - -I: newaliases */
static int opt_I(struct sendmail_args *a, const char *v, struct cursor *c,
                 struct vstring *why)
{
    (void)v, (void)c, (void)why;
    a->mode = SENDMAIL_MODE_NEWALIASES;
    return 0;
}

/* opt_f - envelope sender; "<addr>" loses its brackets */
static int opt_f(struct sendmail_args *a, const char *v, struct cursor *c,
                 struct vstring *why)
{
    size_t len = strlen(v);

    (void)c, (void)why;
    myfree(a->sender_buf);
    a->sender_buf = 0;
    if (len >= 2 && v[0] == '<' && v[len - 1] == '>') {
        a->sender_buf = mystrndup(v + 1, len - 2);
        a->sender = a->sender_buf;
    } else {
        a->sender = v;
    }
    return 0;
}

/* opt_F - -F: full name for From: */
static int opt_F(struct sendmail_args *a, const char *v, struct cursor *c,
                 struct vstring *why)
{
    (void)c, (void)why;
    a->fullname = v;
    return 0;
}

/* opt_B - body type */
static int opt_B(struct sendmail_args *a, const char *v, struct cursor *c,
                 struct vstring *why)
{
    (void)c;
    if (strcasecmp(v, "7BIT") == 0)
        a->body = SENDMAIL_BODY_7BIT;
    else if (strcasecmp(v, "8BITMIME") == 0)
        a->body = SENDMAIL_BODY_8BITMIME;
    else {
        vstring_sprintf(why, "-B: bad body type \"%s\"", v);
        return -1;
    }
    return 0;
}

/* opt_N - DSN notify list (RFC 3461 section 4.1) */
static int opt_N(struct sendmail_args *a, const char *v, struct cursor *c,
                 struct vstring *why)
{
    static const struct {
        const char *name;
        int bit;
    } words[] = {{"never", SENDMAIL_NOTIFY_NEVER},
                 {"success", SENDMAIL_NOTIFY_SUCCESS},
                 {"failure", SENDMAIL_NOTIFY_FAILURE},
                 {"delay", SENDMAIL_NOTIFY_DELAY}};
    const char *p = v, *end;
    int bits = 0, bit;
    size_t i, n;

    (void)c;
    for (;;) {
        end = strchr(p, ',');
        n = end ? (size_t)(end - p) : strlen(p);
        for (bit = 0, i = 0; i < sizeof(words) / sizeof(words[0]); i++)
            if (strlen(words[i].name) == n &&
                strncasecmp(p, words[i].name, n) == 0)
                bit = words[i].bit;
        if (bit == 0)
            break;
        bits |= bit;
        if (end == 0)
            break;
        p = end + 1;
    }
    if (bit == 0 ||
        ((bits & SENDMAIL_NOTIFY_NEVER) && bits != SENDMAIL_NOTIFY_NEVER)) {
        vstring_sprintf(why, "-N: bad notify value \"%s\"", v);
        return -1;
    }
    a->notify = bits;
    return 0;
}

/* opt_R - DSN return */
static int opt_R(struct sendmail_args *a, const char *v, struct cursor *c,
                 struct vstring *why)
{
    (void)c;
    if (strcasecmp(v, "full") == 0)
        a->ret = SENDMAIL_RET_FULL;
    else if (strcasecmp(v, "hdrs") == 0)
        a->ret = SENDMAIL_RET_HDRS;
    else {
        vstring_sprintf(why, "-R: bad return value \"%s\"", v);
        return -1;
    }
    return 0;
}

/* opt_V - DSN envelope id */
static int opt_V(struct sendmail_args *a, const char *v, struct cursor *c,
                 struct vstring *why)
{
    size_t i, len = strlen(v);

    (void)c;
    for (i = 0; i < len && v[i] > 32 && v[i] < 127; i++)
        ;
    if (len == 0 || len > 100 || i < len) {
        vstring_sprintf(why, "-V: bad envelope id");
        return -1;
    }
    a->envid = v;
    return 0;
}

/* opt_b - the mode letter */
static int opt_b(struct sendmail_args *a, const char *v, struct cursor *c,
                 struct vstring *why)
{
    static const char letters[] = "mpsivdD";
    static const enum sendmail_mode modes[] = {
        SENDMAIL_MODE_DELIVER, SENDMAIL_MODE_LIST_QUEUE,
        SENDMAIL_MODE_SMTP,    SENDMAIL_MODE_NEWALIASES,
        SENDMAIL_MODE_VERIFY,  SENDMAIL_MODE_DAEMON,
        SENDMAIL_MODE_DAEMON};
    const char *p = v[0] ? strchr(letters, v[0]) : 0;

    (void)c;
    if (p == 0 || v[1] != 0) {
        vstring_sprintf(why, "-b%s: mode not supported", v);
        return -1;
    }
    a->mode = modes[p - letters];
    return 0;
}

/* opt_q - flush, flush a site or a message, or a daemon interval */
static int opt_q(struct sendmail_args *a, const char *v, struct cursor *c,
                 struct vstring *why)
{
    (void)c;
    if (v[0] == 'R' && v[1]) {
        a->flush_site = v + 1;
    } else if (v[0] == 'I' && v[1]) {
        a->flush_id = v + 1;
    } else if (v[0] >= '0' && v[0] <= '9') {
        return 0; /* -q30m: the master runs the queue */
    } else if (v[0] != 0) {
        vstring_sprintf(why, "-q%s: not supported", v);
        return -1;
    }
    a->mode = SENDMAIL_MODE_FLUSH;
    return 0;
}

/* opt_refuse - options that would let a user pick config, queue or log */
static int opt_refuse(struct sendmail_args *a, const char *v, struct cursor *c,
                      struct vstring *why)
{
    (void)a, (void)v, (void)c;
    vstring_sprintf(why, "-C and -X are not supported");
    return -1;
}

/* opt_o - Sendmail's single-letter -o options */
static int opt_o(struct sendmail_args *a, const char *v, struct cursor *c,
                 struct vstring *why)
{
    switch (v[0]) {
    case 'i':
        if (v[1] == 0)
            return opt_i(a, v, c, why);
        break;
    case 'e':
        if (v[1] && strchr("mepqw", v[1]) && v[2] == 0) {
            a->error_mode = v[1];
            return 0;
        }
        break;
    case 'd':
        if (v[1] && strchr("bqid", v[1]) && v[2] == 0)
            return 0;
        break;
    case 'm':
    case '7':
    case '8':
        if (v[1] == 0)
            return 0;
        break;
    case 'A':
    case 'L':
        if (v[1] || take_next(c))
            return 0;
        vstring_sprintf(why, "-o%c needs a value", v[0]);
        return -1;
    case 'Q':
        vstring_sprintf(why, "-oQ is not supported");
        return -1;
    }
    vstring_sprintf(why, "unknown option -o%s", v);
    return -1;
}

static const struct option option_table[] = {
    {'t', OPT_FLAG, opt_t},
    {'i', OPT_FLAG, opt_i},
    {'v', OPT_FLAG, opt_v},
    {'I', OPT_FLAG, opt_I},
    {'U', OPT_FLAG, opt_flag},
    {'G', OPT_FLAG, opt_flag},
    {'n', OPT_FLAG, opt_flag},
    {'m', OPT_FLAG, opt_flag},
    {'f', OPT_VALUE, opt_f},
    {'r', OPT_VALUE, opt_f},
    {'F', OPT_VALUE, opt_F},
    {'B', OPT_VALUE, opt_B},
    {'N', OPT_VALUE, opt_N},
    {'R', OPT_VALUE, opt_R},
    {'V', OPT_VALUE, opt_V},
    {'b', OPT_VALUE, opt_b},
    {'o', OPT_VALUE, opt_o},
    {'h', OPT_VALUE, opt_flag},
    {'L', OPT_VALUE, opt_flag},
    {'A', OPT_VALUE, opt_flag},
    {'O', OPT_VALUE, opt_flag},
    {'C', OPT_VALUE, opt_refuse},
    {'X', OPT_VALUE, opt_refuse},
    {'q', OPT_ATTACHED, opt_q},
    {0, OPT_FLAG, 0},
};

/* one_cluster - handle "-xyz"; returns 0 or -1 with why */
static int one_cluster(struct sendmail_args *a, const char *arg,
                       struct cursor *c, struct vstring *why)
{
    const char *p = arg + 1, *value;
    const struct option *o;

    while (*p) {
        for (o = option_table; o->letter && o->letter != *p; o++)
            ;
        if (o->letter == 0) {
            vstring_sprintf(why, "unknown option -%c", *p);
            return -1;
        }
        p++;
        value = 0;
        if (o->value == OPT_ATTACHED) {
            value = p;
            p += strlen(p);
        } else if (o->value == OPT_VALUE) {
            value = *p ? p : take_next(c);
            p += strlen(p);
            if (value == 0) {
                vstring_sprintf(why, "option -%c needs a value", o->letter);
                return -1;
            }
        }
        if (value && strlen(value) > SENDMAIL_ARGS_ARG_MAX) {
            vstring_sprintf(why, "-%c: value longer than %d bytes", o->letter,
                            SENDMAIL_ARGS_ARG_MAX);
            return -1;
        }
        if (o->handle(a, value, c, why) < 0)
            return -1;
    }
    return 0;
}

/* mode_from_name - "mailq" and "newaliases" select their mode */
static enum sendmail_mode mode_from_name(const char *argv0)
{
    const char *base = argv0 ? strrchr(argv0, '/') : 0;

    base = base ? base + 1 : (argv0 ? argv0 : "");
    if (strcmp(base, "mailq") == 0)
        return SENDMAIL_MODE_LIST_QUEUE;
    if (strcmp(base, "newaliases") == 0)
        return SENDMAIL_MODE_NEWALIASES;
    return SENDMAIL_MODE_DELIVER;
}

/* take_recipients - the arguments after the options */
static int take_recipients(struct sendmail_args *a, struct cursor *c,
                           struct vstring *why)
{
    int n = c->argc - c->next, i;

    if (n > SENDMAIL_ARGS_RCPT_MAX) {
        vstring_sprintf(why, "more than %d recipients", SENDMAIL_ARGS_RCPT_MAX);
        return -1;
    }
    a->recipients = mymalloc(sizeof(char *) * (size_t)(n + 1));
    for (i = 0; i < n; i++) {
        char *r = c->argv[c->next + i];

        if (r[0] == 0 || strlen(r) > SENDMAIL_ARGS_ARG_MAX) {
            vstring_sprintf(why, "recipient %d is empty or too long", i + 1);
            return -1;
        }
        a->recipients[a->rcpt_count++] = r;
    }
    a->recipients[n] = 0;
    if (n > 0 && a->mode != SENDMAIL_MODE_DELIVER &&
        a->mode != SENDMAIL_MODE_VERIFY) {
        vstring_sprintf(why, "recipients given in a mode that takes none");
        return -1;
    }
    if (n == 0 && !a->extract_recipients &&
        (a->mode == SENDMAIL_MODE_DELIVER || a->mode == SENDMAIL_MODE_VERIFY)) {
        vstring_sprintf(why, "no recipients given");
        return -1;
    }
    return 0;
}

/* sendmail_args_parse - argv to a struct sendmail_args */
int sendmail_args_parse(struct sendmail_args *a, int argc, char **argv,
                        struct vstring *why)
{
    struct cursor c = {argc, argv, 1};
    const char *arg;

    memset(a, 0, sizeof(*a));
    a->mode = mode_from_name(argc > 0 ? argv[0] : 0);
    while (c.next < argc && argv[c.next][0] == '-') {
        arg = argv[c.next++];
        if (strcmp(arg, "--") == 0)
            break;
        if (arg[1] == 0) {
            vstring_sprintf(why, "\"-\" is not an option");
            return EX_USAGE;
        }
        if (one_cluster(a, arg, &c, why) < 0)
            return EX_USAGE;
    }
    return take_recipients(a, &c, why) < 0 ? EX_USAGE : 0;
}

/* sendmail_args_free - release what parse allocated */
void sendmail_args_free(struct sendmail_args *a)
{
    myfree(a->recipients);
    myfree(a->sender_buf);
    a->recipients = 0;
    a->sender_buf = 0;
    a->rcpt_count = 0;
}
