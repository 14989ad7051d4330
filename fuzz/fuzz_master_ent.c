/*
 * fuzz_master_ent.c - the service table (src/master/master_ent.h):
 * master_ent_parse on any text, and the parsed table written out again.
 * FUZZ-TARGETS: src/master/master_ent.c
 *
 * Invariants:
 *   - a refused table leaves "master.cf:LINE: reason" in why and an empty
 *     table;
 *   - every entry has a name without blanks or '/' (unix/fifo), a type,
 *     a command, an inet service is neither private nor woken up, and
 *     wakeup and limit are not negative;
 *   - writing the table back as master.cf lines (every column explicit,
 *     '$' doubled) and parsing it gives the same entries (master_ent_same),
 *     when no expanded word holds a blank.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "mail_conf.h"
#include "master_ent.h"
#include "vstring.h"

/* put_word - a word with '$' doubled; 0 when it cannot be one word */
static int put_word(struct vstring *out, const char *w)
{
    if (*w == 0 || strpbrk(w, " \t\r\n\f\v#") != 0)
        return 0;
    for (; *w; w++) {
        if (*w == '$')
            vstring_append_char(out, '$');
        vstring_append_char(out, *w);
    }
    vstring_append_char(out, ' ');
    return 1;
}

/* dump - the table as master.cf text; 0 when it cannot be written */
static int dump(const struct master_table *t, struct vstring *out)
{
    int i, ok = 1;
    char **a;

    for (i = 0; i < t->count && ok; i++) {
        const struct master_ent *e = t->ents + i;

        ok = put_word(out, e->name);
        vstring_sprintf_append(out, "%s %s %s %s %ld %ld ",
                               master_type_name(e->type),
                               e->private_ ? "y" : "n", e->unpriv ? "y" : "n",
                               e->chroot ? "y" : "n", e->wakeup, e->limit);
        for (a = e->argv; *a && ok; a++)
            ok = put_word(out, *a);
        vstring_append_char(out, '\n');
    }
    return ok;
}

/* check_entry - what master may rely on */
static void check_entry(const struct master_ent *e)
{
    FUZZ_CHECK(e->name && e->name[0], "empty name");
    FUZZ_CHECK(e->type == MASTER_INET || e->type == MASTER_UNIX ||
                   e->type == MASTER_FIFO,
               "type %d", e->type);
    FUZZ_CHECK(e->type == MASTER_INET || strchr(e->name, '/') == 0,
               "'/' in a socket name: %s", e->name);
    FUZZ_CHECK(e->type != MASTER_INET || (!e->private_ && e->wakeup == 0),
               "private or woken inet service");
    FUZZ_CHECK(e->wakeup >= 0 && e->limit >= 0, "negative wakeup or limit");
    FUZZ_CHECK(e->argv && e->argv[0] && e->argv[0][0], "no command");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_strndup(data, size);
    struct master_table t1 = {0, 0}, t2 = {0, 0};
    struct vstring *why = vstring_alloc(64), *out = vstring_alloc(256);
    int i;

    fuzz_init();
    if (master_ent_parse(text, "master.cf", &t1, why) < 0) {
        FUZZ_CHECK(strncmp(vstring_str(why), "master.cf:", 10) == 0,
                   "reason without file:line: %s", vstring_str(why));
    } else {
        for (i = 0; i < t1.count; i++)
            check_entry(t1.ents + i);
        if (dump(&t1, out)) {
            FUZZ_CHECK(master_ent_parse(vstring_str(out), "dump", &t2, why) ==
                           0,
                       "dumped table refused: %s\n%s", vstring_str(why),
                       vstring_str(out));
            FUZZ_CHECK(t1.count == t2.count, "entry count changed");
            for (i = 0; i < t1.count; i++)
                FUZZ_CHECK(master_ent_same(t1.ents + i, t2.ents + i),
                           "entry %d changed", i);
        }
    }
    master_table_free(&t1);
    master_table_free(&t2);
    vstring_free(why);
    vstring_free(out);
    free(text);
    return 0;
}
