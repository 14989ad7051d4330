/*
 * master_ent.c - the master.cf parser (master_ent.h): logical lines,
 * columns, defaults, $parameter expansion and the checks that make a bad
 * line an error with its file and line instead of a surprise at run time.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mymalloc.h"
#include "vstring.h"

#include "mail_conf.h"

#include "master_ent.h"

#define MASTER_CF "master.cf"
#define MASTER_CF_MAX_SIZE (1024 * 1024)
#define MASTER_MAX_ARGS 64

static const char *const type_names[] = {"inet", "unix", "fifo"};

/* master_type_name - the word for a type */
const char *master_type_name(int type)
{
    return type >= 0 && type <= MASTER_FIFO ? type_names[type] : "?";
}

/* split - cut a logical line into white-space separated words */
static int split(char *line, char **words, int max)
{
    int n = 0;
    char *save = 0, *w;

    for (w = strtok_r(line, " \t\r", &save); w && n < max;
         w = strtok_r(0, " \t\r", &save))
        words[n++] = w;
    return w ? max + 1 : n;
}

/* flag - a y/n column with its default */
static int flag(const char *word, int dflt, const char *what, struct vstring *why)
{
    if (strcmp(word, "-") == 0)
        return dflt;
    if (strcmp(word, "y") == 0)
        return 1;
    if (strcmp(word, "n") == 0)
        return 0;
    vstring_sprintf(why, "%s must be y, n or -, not \"%s\"", what, word);
    return -1;
}

/* number - a non-negative number column with its default */
static long number(const char *word, long dflt, const char *what,
                   struct vstring *why)
{
    char *end;
    long n;

    if (strcmp(word, "-") == 0)
        return dflt;
    errno = 0;
    n = strtol(word, &end, 10);
    if (*word < '0' || *word > '9' || *end || errno == ERANGE || n > 1000000) {
        vstring_sprintf(why, "%s must be a number or -, not \"%s\"", what, word);
        return -1;
    }
    return n;
}

/* expand - $parameters in one word */
static char *expand(const char *word, struct vstring *why)
{
    struct vstring *out = vstring_alloc(64), *err = vstring_alloc(64);
    char *result = 0;

    if (mail_conf_expand(word, out, err) == 0)
        result = mystrdup(vstring_str(out));
    else
        vstring_sprintf(why, "%s", vstring_str(err));
    vstring_free(out);
    vstring_free(err);
    return result;
}

/* check_ent - the rules that join columns */
static int check_ent(const struct master_ent *e, struct vstring *why)
{
    if (*e->name == 0)
        vstring_sprintf(why, "empty service name");
    else if (*e->argv[0] == 0)
        vstring_sprintf(why, "empty command (after $parameter expansion)");
    else if (e->type != MASTER_INET && strchr(e->name, '/'))
        vstring_sprintf(why, "service name \"%s\" contains '/'", e->name);
    else if (e->type == MASTER_INET && e->private_)
        vstring_sprintf(why, "an inet service cannot be private");
    else if (e->type == MASTER_INET && e->wakeup)
        vstring_sprintf(why, "an inet service cannot have a wakeup");
    else
        return 0;
    return -1;
}

/* parse_columns - one logical line into an entry */
static int parse_columns(char **w, int n, struct master_ent *e,
                         struct vstring *why)
{
    int i;

    if (n > MASTER_MAX_ARGS) {
        vstring_sprintf(why, "more than %d words", MASTER_MAX_ARGS);
        return -1;
    }
    if (n < 8) {
        vstring_sprintf(why, "expected 8 or more columns (name type private "
                             "unpriv chroot wakeup limit command), got %d", n);
        return -1;
    }
    for (e->type = 0; e->type <= MASTER_FIFO; e->type++)
        if (strcmp(w[1], type_names[e->type]) == 0)
            break;
    if (e->type > MASTER_FIFO) {
        vstring_sprintf(why, "type must be inet, unix or fifo, not \"%s\"",
                        w[1]);
        return -1;
    }
    if ((e->private_ = flag(w[2], e->type != MASTER_INET, "private", why)) < 0
        || (e->unpriv = flag(w[3], 1, "unpriv", why)) < 0
        || (e->chroot = flag(w[4], 0, "chroot", why)) < 0
        || (e->wakeup = number(w[5], 0, "wakeup", why)) < 0
        || (e->limit = number(w[6], mail_conf_int("default_process_limit"),
                              "limit", why)) < 0
        || (e->name = expand(w[0], why)) == 0)
        return -1;
    e->argv = mymalloc((size_t)(n - 6) * sizeof(char *));
    memset(e->argv, 0, (size_t)(n - 6) * sizeof(char *));
    for (i = 7; i < n; i++)
        if ((e->argv[i - 7] = expand(w[i], why)) == 0)
            return -1;
    return check_ent(e, why);
}

/* ent_free - release one entry */
static void ent_free(struct master_ent *e)
{
    char **p;

    myfree(e->name);
    for (p = e->argv; p && *p; p++)
        myfree(*p);
    myfree(e->argv);
}

/* add_line - parse one logical line and append it to the table */
static int add_line(struct master_table *t, char *line, int lineno,
                    const char *filename, struct vstring *why)
{
    char *words[MASTER_MAX_ARGS];
    struct master_ent e;
    int n = split(line, words, MASTER_MAX_ARGS), i;

    memset(&e, 0, sizeof(e));
    e.line = lineno;
    if (parse_columns(words, n, &e, why) != 0)
        goto bad;
    for (i = 0; i < t->count; i++)
        if (t->ents[i].type == e.type && strcmp(t->ents[i].name, e.name) == 0) {
            vstring_sprintf(why, "service %s/%s is already defined at line "
                            "%d", e.name, type_names[e.type], t->ents[i].line);
            goto bad;
        }
    t->ents = myrealloc(t->ents, (size_t)(t->count + 1) * sizeof(e));
    t->ents[t->count++] = e;
    return 0;
bad:
    {
        struct vstring *reason = vstring_alloc(100);

        vstring_set_str(reason, vstring_str(why));
        vstring_sprintf(why, "%s:%d: %s", filename, lineno,
                        vstring_str(reason));
        vstring_free(reason);
    }
    ent_free(&e);
    return -1;
}

/* master_ent_parse - the whole table */
int master_ent_parse(const char *text, const char *filename,
                     struct master_table *table, struct vstring *why)
{
    struct vstring *logical = vstring_alloc(256);
    const char *p = text, *end, *q;
    int line = 0, start = 0, status = 0;

    memset(table, 0, sizeof(*table));
    for (; *p && status == 0; p = *end ? end + 1 : end) {
        end = strchrnul(p, '\n');
        line++;
        for (q = p; q < end && (*q == ' ' || *q == '\t' || *q == '\r'); q++)
            ;
        if (q == end || *q == '#')
            continue;
        if (q > p && vstring_len(logical) == 0) {
            vstring_sprintf(why, "%s:%d: continuation line without an entry "
                            "before it", filename, line);
            status = -1;
        } else if (q > p) {
            vstring_append_char(logical, ' ');
            vstring_append(logical, q, (size_t)(end - q));
        } else {
            if (vstring_len(logical) > 0)
                status = add_line(table, logical->data, start, filename, why);
            vstring_set(logical, p, (size_t)(end - p));
            start = line;
        }
    }
    if (status == 0 && vstring_len(logical) > 0)
        status = add_line(table, logical->data, start, filename, why);
    vstring_free(logical);
    if (status != 0)
        master_table_free(table);
    return status;
}

/* master_ent_read - DIR/master.cf */
int master_ent_read(const char *config_dir, struct master_table *table,
                    struct vstring *why)
{
    struct vstring *path = vstring_alloc(256), *text = vstring_alloc(4096);
    char buf[4096];
    size_t n;
    FILE *fp;
    int status = -1;

    vstring_sprintf(path, "%s/%s", config_dir, MASTER_CF);
    if ((fp = fopen(vstring_str(path), "re")) == 0) {
        vstring_sprintf(why, "cannot open %s: %s", vstring_str(path),
                        strerror(errno));
    } else {
        while ((n = fread(buf, 1, sizeof(buf), fp)) > 0
               && vstring_len(text) + n <= MASTER_CF_MAX_SIZE)
            vstring_append(text, buf, n);
        if (ferror(fp) || n > 0
            || memchr(vstring_str(text), 0, vstring_len(text)))
            vstring_sprintf(why, "%s: unreadable, too large or binary",
                            vstring_str(path));
        else
            status = master_ent_parse(vstring_str(text), vstring_str(path),
                                      table, why);
        fclose(fp);
    }
    vstring_free(path);
    vstring_free(text);
    return status;
}

/* master_table_free - release a table */
void master_table_free(struct master_table *table)
{
    int i;

    for (i = 0; i < table->count; i++)
        ent_free(table->ents + i);
    myfree(table->ents);
    memset(table, 0, sizeof(*table));
}

/* master_ent_same - equal in every column */
int master_ent_same(const struct master_ent *a, const struct master_ent *b)
{
    int i;

    if (strcmp(a->name, b->name) || a->type != b->type
        || a->private_ != b->private_ || a->unpriv != b->unpriv
        || a->chroot != b->chroot || a->wakeup != b->wakeup
        || a->limit != b->limit)
        return 0;
    for (i = 0; a->argv[i] && b->argv[i]; i++)
        if (strcmp(a->argv[i], b->argv[i]) != 0)
            return 0;
    return a->argv[i] == b->argv[i];
}
