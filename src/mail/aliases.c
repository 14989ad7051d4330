/*
 * aliases.c - the aliases file as a dict, :include:/.forward files, the
 * authority of each source, and the permission check local applies.
 *
 * Expansion itself is in aliases_expand.c; the target syntax in
 * aliases_parse.c. The rules are written down in aliases.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aliases.h"
#include "dict.h"
#include "mymalloc.h"
#include "vstring.h"

const struct aliases_limits aliases_default_limits = {
    20,          /* depth_max */
    1000,        /* targets_max */
    1024 * 1024, /* include_size_max */
    1,           /* allow_include */
};

/* aliases_open - the aliases file as a folded colon-syntax dict */
struct dict *aliases_open(const char *path, struct vstring *why)
{
    return dict_open(path, DICT_SYNTAX_COLON, DICT_FLAG_FOLD_KEYS, 0, why);
}

/* aliases_source - describe the aliases file and its authority */
void aliases_source(const struct dict *aliases, struct alias_source *src)
{
    memset(src, 0, sizeof(*src));
    src->origin = ALIAS_ORIGIN_ALIASES;
    src->path = aliases->path;
    src->owner_known = aliases->path != 0;
    src->owner = aliases->owner;
    src->mode = aliases->mode;
    if (!src->owner_known)
        src->distrust = "aliases table of unknown owner";
    else if (src->owner != 0)
        src->distrust = "aliases file not owned by root";
    else if (src->mode & (S_IWGRP | S_IWOTH))
        src->distrust = "aliases file is group or world writable";
    src->authority = src->distrust ? ALIAS_AUTH_NONE : ALIAS_AUTH_ADMIN;
}

/* aliases_check - every value parses (what newaliases reports) */
int aliases_check(const struct dict *aliases, struct vstring *why)
{
    struct dict_iter it = {0, 0};
    struct alias_source src;
    struct alias_list list;
    struct vstring *reason = vstring_alloc(64);
    const char *key, *value;
    int ret = 0;

    aliases_source(aliases, &src);
    alias_list_init(&list);
    while (ret == 0 && dict_iter_next(aliases, &it, &key, &value)) {
        if (aliases_parse_targets(value, strlen(value), &src, &list,
                                  aliases_default_limits.targets_max,
                                  reason) < 0) {
            vstring_sprintf(why, "%s: alias \"%s\": %s",
                            aliases->path ? aliases->path : "aliases", key,
                            vstring_str(reason));
            ret = -1;
        }
        alias_list_free(&list);
    }
    vstring_free(reason);
    return ret;
}

/* include_authority - what an :include: owned by owner is worth */
static void include_authority(struct alias_source *src,
                              const struct alias_source *parent)
{
    if (parent == 0 || parent->authority == ALIAS_AUTH_NONE) {
        src->distrust = parent && parent->distrust
                            ? parent->distrust
                            : "named by an untrusted source";
    } else if (parent->authority == ALIAS_AUTH_ADMIN) {
        src->authority = src->owner == 0 ? ALIAS_AUTH_ADMIN : ALIAS_AUTH_USER;
        src->auth_uid = src->owner;
    } else if (src->owner == 0 || src->owner == parent->auth_uid) {
        src->authority = ALIAS_AUTH_USER;
        src->auth_uid = parent->auth_uid;
    } else {
        src->distrust = ":include: file not owned by the user it runs as";
    }
}

/* file_source - fill in owner, mode and authority of a file just opened */
static void file_source(struct alias_source *src, const struct stat *st,
                        enum alias_origin origin,
                        const struct alias_source *parent, uid_t expected_uid)
{
    src->origin = origin;
    src->owner_known = 1;
    src->owner = st->st_uid;
    src->mode = st->st_mode;
    src->authority = ALIAS_AUTH_NONE;
    src->distrust = 0;
    if (st->st_mode & (S_IWGRP | S_IWOTH)) {
        src->distrust = origin == ALIAS_ORIGIN_FORWARD
                            ? ".forward file is group or world writable"
                            : ":include: file is group or world writable";
    } else if (origin == ALIAS_ORIGIN_INCLUDE) {
        include_authority(src, parent);
    } else if (st->st_uid != expected_uid || expected_uid == 0) {
        src->distrust = ".forward file not owned by its user";
    } else {
        src->authority = ALIAS_AUTH_USER;
        src->auth_uid = expected_uid;
    }
}

/* slurp - read a whole regular file of at most max bytes */
static int slurp(int fd, const char *path, size_t max, struct vstring *data,
                 struct vstring *why)
{
    char buf[4096];
    ssize_t n;

    while ((n = read(fd, buf, sizeof(buf))) > 0) {
        if (vstring_len(data) + (size_t)n > max) {
            vstring_sprintf(why, "%s: larger than %zu bytes", path, max);
            return -1;
        }
        vstring_append(data, buf, (size_t)n);
    }
    if (n < 0) {
        vstring_sprintf(why, "%s: read: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

/* parse_lines - every logical line of a file's text as a target list */
static int parse_lines(const struct vstring *data,
                       const struct alias_source *src,
                       const struct aliases_limits *lim, struct alias_list *out,
                       struct vstring *why)
{
    struct dict_reader r;
    struct vstring *line = vstring_alloc(256);
    struct vstring *reason = vstring_alloc(64);
    size_t start = 0;
    int rc, ret = 0;

    dict_reader_init(&r, vstring_str(data), vstring_len(data),
                     dict_default_limits.line_max);
    while (ret == 0 && (rc = dict_reader_next(&r, line, &start, reason)) > 0)
        if (aliases_parse_targets(vstring_str(line), vstring_len(line), src,
                                  out, lim->targets_max, reason) < 0) {
            vstring_sprintf(why, "%s:%zu: %s", src->path, start,
                            vstring_str(reason));
            ret = -1;
        }
    if (ret == 0 && rc < 0) {
        vstring_sprintf(why, "%s:%s", src->path, vstring_str(reason));
        ret = -1;
    }
    vstring_free(line);
    vstring_free(reason);
    return ret;
}

/* aliases_read_file - an :include: or .forward file, with its authority */
int aliases_read_file(const char *path, enum alias_origin origin,
                      const struct alias_source *parent, uid_t expected_uid,
                      const struct aliases_limits *lim, struct alias_list *out,
                      struct vstring *why)
{
    struct vstring *data = vstring_alloc(1024);
    struct alias_source src;
    struct stat st;
    int fd, ret = -1;

    memset(&src, 0, sizeof(src));
    src.path = (char *)path;
    fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        vstring_sprintf(why, "%s: open: %s", path, strerror(errno));
        goto out;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        vstring_sprintf(why, "%s: not a regular file", path);
        goto out;
    }
    file_source(&src, &st, origin, parent, expected_uid);
    if (slurp(fd, path, lim->include_size_max, data, why) == 0 &&
        parse_lines(data, &src, lim, out, why) == 0)
        ret = 0;
out:
    if (fd >= 0)
        close(fd);
    vstring_free(data);
    return ret;
}

/* aliases_check_delivery - may local run this target, and as whom */
int aliases_check_delivery(const struct alias_target *t,
                           const struct alias_policy *policy, uid_t *run_as,
                           struct vstring *why)
{
    const struct alias_source *s = &t->source;
    const char *what = t->kind == ALIAS_TARGET_COMMAND ? "commands" : "files";

    if (t->kind != ALIAS_TARGET_COMMAND && t->kind != ALIAS_TARGET_FILE)
        return 0;
    if ((t->kind == ALIAS_TARGET_COMMAND && !policy->allow_commands) ||
        (t->kind == ALIAS_TARGET_FILE && !policy->allow_files)) {
        vstring_sprintf(why, "5.7.1 mail to %s is not allowed", what);
        return -1;
    }
    if (s->authority == ALIAS_AUTH_NONE) {
        vstring_sprintf(why, "5.7.1 mail to %s refused: %s (%s)", what,
                        s->distrust ? s->distrust : "source not trusted",
                        s->path ? s->path : "?");
        return -1;
    }
    *run_as =
        s->authority == ALIAS_AUTH_ADMIN ? policy->default_uid : s->auth_uid;
    if (*run_as == 0) {
        vstring_sprintf(why, "5.7.1 mail to %s refused: would run as root",
                        what);
        return -1;
    }
    return 0;
}
