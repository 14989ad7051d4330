/*
 * argv.h - a growable, NULL-terminated array of strings: program arguments
 * for the master's child processes, fields of a configuration line, lists.
 *
 * a->argv[0 .. a->argc-1] are private copies and a->argv[a->argc] is always
 * NULL, so a->argv can be handed to execv(2) as it is. The struct never
 * moves; the argv array does when it grows, so do not keep a->argv across
 * an add.
 *
 * Splitting (argv_split, argv_split_quoted): fields are separated by runs
 * of any of the bytes in seps, and empty fields are dropped (so leading,
 * trailing and repeated separators produce nothing). argv_split has no
 * quoting. argv_split_quoted adds exactly two rules:
 *   - a double quote starts a quoted part that runs to the next unescaped
 *     double quote; inside it separators are ordinary bytes, and `\"` and
 *     `\\` stand for `"` and `\` (any other backslash is kept as it is);
 *   - a quoted part may sit inside a field (a"b c"d is the field "ab cd"),
 *     and "" is an empty field that is kept.
 * Outside quotes a backslash is an ordinary byte. An unterminated quote is
 * an error: -1 with the reason in why, and the array unchanged.
 *
 * A broken contract (NULL arguments, more than ARGV_MAX entries) is a
 * msg_panic: callers bound what they split.
 */
#ifndef ARGV_H
#define ARGV_H

#include <stddef.h>

struct vstring;

#define ARGV_MAX (1024 * 1024)

struct argv {
    char **argv;
    size_t argc;
    size_t cap; /* slots in argv, including the terminating NULL */
};

struct argv *argv_alloc(size_t hint);
void argv_free(struct argv *a);

/* Appends a copy of str (argv_addn: of len bytes, NUL appended). */
void argv_add(struct argv *a, const char *str);
void argv_addn(struct argv *a, const char *str, size_t len);

/* Drops entries from index argc on (freeing them); a larger argc is a no-op. */
void argv_truncate(struct argv *a, size_t argc);

/* A new array of the fields of str (no quoting). */
struct argv *argv_split(const char *str, const char *seps);

/* Appends the fields of str with the quoting rules above; 0 or -1. */
int argv_split_quoted(struct argv *a, const char *str, const char *seps,
                      struct vstring *why);

#endif
