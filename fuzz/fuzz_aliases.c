/*
 * fuzz_aliases.c - the aliases file and lookup tables: the line reader
 * (src/util/dict_reader.h), a table loaded from a buffer (dict.h) and every
 * value's target list (src/mail/aliases.h).
 * FUZZ-TARGETS: src/util/dict_reader.c src/util/dict.c src/mail/aliases_parse.c
 *
 * Input: byte 0 picks the syntax and the limits, then the file's text.
 * Invariants:
 *   - logical lines hold no LF and no NUL, respect line_max, and their
 *     line numbers never go back;
 *   - a loaded table has at most entry_max entries; each key respects
 *     key_max (folded: no upper case) and looks up to its own value;
 *   - a refused buffer says "aliases:LINE: reason";
 *   - every target of a value that parses has a kind, a non-empty text
 *     without NUL; commands do not start with a blank, files and includes
 *     are absolute paths, addresses pass aliases_address_ok;
 *   - the targets written back as a list (quoted where needed) parse to the
 *     same targets.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aliases.h"
#include "dict.h"
#include "dict_reader.h"
#include "fuzz_common.h"
#include "vstring.h"

/* quote_into - "prefix+text" as one quoted token */
static void quote_into(struct vstring *out, const char *prefix,
                       const char *text)
{
    const char *p;

    vstring_append_char(out, '"');
    vstring_append_str(out, prefix);
    for (p = text; *p; p++) {
        if (*p == '"' || *p == '\\')
            vstring_append_char(out, '\\');
        vstring_append_char(out, *p);
    }
    vstring_append_char(out, '"');
}

/* check_targets - shape of each target; the list written back */
static void check_targets(const struct alias_list *l, size_t from,
                          struct vstring *out)
{
    size_t i;

    vstring_reset(out);
    for (i = from; i < l->count; i++) {
        const struct alias_target *t = l->items + i;

        FUZZ_CHECK(t->text[0] != 0, "empty target");
        if (i > from)
            vstring_append_str(out, ", ");
        switch (t->kind) {
        case ALIAS_TARGET_COMMAND:
            FUZZ_CHECK(t->text[0] != ' ' && t->text[0] != '\t',
                       "command starts with a blank");
            quote_into(out, "|", t->text);
            break;
        case ALIAS_TARGET_FILE:
            FUZZ_CHECK(t->text[0] == '/', "relative file");
            quote_into(out, "", t->text);
            break;
        case ALIAS_TARGET_INCLUDE:
            FUZZ_CHECK(t->text[0] == '/', "relative :include:");
            quote_into(out, ":include:", t->text);
            break;
        case ALIAS_TARGET_ADDRESS:
            FUZZ_CHECK(aliases_address_ok(t->text), "bad address accepted");
            if (t->literal)
                vstring_append_char(out, '\\');
            vstring_append_str(out, t->text);
            break;
        default:
            fuzz_fail("kind %d", (int)t->kind);
        }
    }
}

/* reparse - the written-back list gives the same targets */
static void reparse(const struct alias_list *l, size_t from,
                    const struct vstring *text, const struct alias_source *src)
{
    struct alias_list again;
    struct vstring *why = vstring_alloc(64);
    size_t i;

    alias_list_init(&again);
    FUZZ_CHECK(aliases_parse_targets(vstring_str(text), vstring_len(text), src,
                                     &again, 100000, why) == 0,
               "written-back list refused: %s: %s", vstring_str(why),
               vstring_str(text));
    FUZZ_CHECK(again.count == l->count - from, "target count changed");
    for (i = 0; i < again.count; i++) {
        const struct alias_target *a = l->items + from + i, *b = again.items + i;

        FUZZ_CHECK(a->kind == b->kind && a->literal == b->literal &&
                       strcmp(a->text, b->text) == 0,
                   "target %zu changed: [%s] -> [%s]", i, a->text, b->text);
    }
    alias_list_free(&again);
    vstring_free(why);
}

/* read_lines - the line reader on its own */
static void read_lines(const char *buf, size_t len, size_t line_max)
{
    struct dict_reader r;
    struct vstring *line = vstring_alloc(64), *why = vstring_alloc(64);
    size_t start, last = 0;
    int n;

    dict_reader_init(&r, buf, len, line_max);
    while ((n = dict_reader_next(&r, line, &start, why)) == 1) {
        FUZZ_CHECK(vstring_len(line) <= line_max, "logical line too long");
        FUZZ_CHECK(memchr(vstring_str(line), '\n', vstring_len(line)) == 0 &&
                       memchr(vstring_str(line), 0, vstring_len(line)) == 0,
                   "LF or NUL in a logical line");
        FUZZ_CHECK(start >= last && start >= 1, "line numbers went back");
        last = start;
    }
    FUZZ_CHECK(n == 0 || (n == -1 && vstring_len(why) > 0), "reader result");
    vstring_free(line);
    vstring_free(why);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input in = {data, size};
    unsigned opt = fuzz_take_byte(&in);
    struct dict_limits lim = dict_default_limits;
    struct alias_source src = {ALIAS_ORIGIN_ALIASES, "/etc/aliases", 1, 0,
                               0644, ALIAS_AUTH_ADMIN, 0, 0};
    struct dict *d;
    struct dict_iter it = {0, 0};
    struct alias_list targets;
    struct vstring *why = vstring_alloc(64), *back = vstring_alloc(64);
    const char *key, *value, *p;
    size_t n = 0, before;

    fuzz_init();
    if (opt & 1) {
        lim.line_max = 64;
        lim.key_max = 16;
        lim.value_max = 48;
        lim.entry_max = 8;
    }
    read_lines((const char *)in.data, in.len, lim.line_max);
    d = dict_create((opt & 2) ? DICT_SYNTAX_SPACE : DICT_SYNTAX_COLON,
                    (opt & 4) ? 0 : DICT_FLAG_FOLD_KEYS, &lim);
    alias_list_init(&targets);
    if (dict_load_buffer(d, "aliases", (const char *)in.data, in.len, why) <
        0) {
        FUZZ_CHECK(strncmp(vstring_str(why), "aliases:", 8) == 0,
                   "reason without file:line: %s", vstring_str(why));
        FUZZ_CHECK(dict_count(d) == 0, "failed load left entries");
    }
    while (dict_iter_next(d, &it, &key, &value)) {
        n++;
        FUZZ_CHECK(key[0] && strlen(key) <= lim.key_max &&
                       strlen(value) <= lim.value_max,
                   "key or value bounds");
        FUZZ_CHECK(dict_lookup(d, key) == value, "lookup of [%s]", key);
        if (!(opt & 4))
            for (p = key; *p; p++)
                FUZZ_CHECK(*p < 'A' || *p > 'Z', "upper case in folded key");
        before = targets.count;
        if (aliases_parse_targets(value, strlen(value), &src, &targets, 1000,
                                  why) == 0) {
            check_targets(&targets, before, back);
            reparse(&targets, before, back, &src);
        }
    }
    FUZZ_CHECK(n == dict_count(d) && n <= lim.entry_max, "entry count");
    alias_list_free(&targets);
    dict_free(d);
    vstring_free(why);
    vstring_free(back);
    return 0;
}
