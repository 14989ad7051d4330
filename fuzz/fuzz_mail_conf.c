/*
 * fuzz_mail_conf.c - the main configuration (src/mail/mail_conf.h):
 * mail_conf_load_text on any text, then the loaded values written out and
 * loaded again.
 * FUZZ-TARGETS: src/mail/mail_conf.c src/mail/mail_conf_expand.c src/mail/mail_conf_get.c
 *
 * Invariants:
 *   - a refused text leaves a reason "main.cf:LINE: ..." and the previous
 *     configuration in force;
 *   - an accepted text's expanded values hold no '\n' and no unexpanded
 *     reference failure: mail_conf_lookup gives what mail_conf_walk gave;
 *   - writing every value back as "name = value" ('$' doubled) and
 *     loading that gives the same values (for values without leading or
 *     trailing blanks, which main.cf cannot express).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "mail_conf.h"
#include "vstring.h"

/* dump - "name = value" lines with '$' written as "$$" */
static void dump(const char *name, const char *value, void *ctx)
{
    struct vstring *out = ctx;
    const char *p;

    FUZZ_CHECK(strchr(value, '\n') == 0, "newline in the value of %s", name);
    FUZZ_CHECK(mail_conf_lookup(name) != 0 &&
                   strcmp(mail_conf_lookup(name), value) == 0,
               "lookup of %s differs from the walk", name);
    vstring_sprintf_append(out, "%s = ", name);
    for (p = value; *p; p++) {
        if (*p == '$')
            vstring_append_char(out, '$');
        vstring_append_char(out, *p);
    }
    vstring_append_char(out, '\n');
}

/* expressible - a value main.cf can write back as it is */
static int expressible(const char *v)
{
    size_t n = strlen(v);

    return n == 0 || (v[0] != ' ' && v[0] != '\t' && v[n - 1] != ' ' &&
                      v[n - 1] != '\t' && strchr(v, '\r') == 0);
}

struct snapshot {
    char **pairs; /* name, value, name, value, ... */
    size_t count;
};

/* take - remember one parameter */
static void take(const char *name, const char *value, void *ctx)
{
    struct snapshot *s = ctx;

    s->pairs = realloc(s->pairs, (s->count + 2) * sizeof(char *));
    s->pairs[s->count++] = strdup(name);
    s->pairs[s->count++] = strdup(value);
}

/* compare_free - each expressible value is what it was; free */
static void compare_free(struct snapshot *s)
{
    size_t i;
    const char *now;

    for (i = 0; i < s->count; i += 2) {
        now = mail_conf_lookup(s->pairs[i]);
        if (expressible(s->pairs[i + 1]))
            FUZZ_CHECK(now != 0 && strcmp(now, s->pairs[i + 1]) == 0,
                       "%s was [%s], reloaded [%s]", s->pairs[i],
                       s->pairs[i + 1], now ? now : "(none)");
        free(s->pairs[i]);
        free(s->pairs[i + 1]);
    }
    free(s->pairs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_strndup(data, size);
    struct vstring *why = vstring_alloc(64), *out = vstring_alloc(1024);
    struct vstring *why2 = vstring_alloc(64);
    int r;

    fuzz_init();
    mail_conf_reset();
    if (mail_conf_load_text("myhostname = base.example\n", "base", why) < 0)
        fuzz_fail("base config: %s", vstring_str(why));
    r = mail_conf_load_text(text, "main.cf", why);
    if (r < 0) {
        FUZZ_CHECK(strncmp(vstring_str(why), "main.cf:", 8) == 0,
                   "reason without file:line: %s", vstring_str(why));
        FUZZ_CHECK(strcmp(mail_conf_str("myhostname"), "base.example") == 0,
                   "failed load changed the configuration");
    } else {
        struct snapshot snap = {0, 0};

        mail_conf_walk(take, &snap);
        mail_conf_walk(dump, out);
        mail_conf_reset();
        FUZZ_CHECK(mail_conf_load_text(vstring_str(out), "dump", why2) >= 0,
                   "dumped configuration refused: %s", vstring_str(why2));
        compare_free(&snap);
    }
    mail_conf_reset();
    vstring_free(why);
    vstring_free(why2);
    vstring_free(out);
    free(text);
    return 0;
}
