/*
 * aliases.h - the aliases(5) file, :include: and .forward files, their
 * expansion, and who may run what they name.
 *
 * The local delivery agent asks "where does mail for this local name go".
 * The aliases file answers with lines like
 *
 *     postmaster: root
 *     staff:      alice, bob@example.org,
 *                 :include:/etc/mail/staff.list
 *     archive:    "/var/mail/archive", "|/usr/bin/logger -t mail"
 *
 * (a dict in DICT_SYNTAX_COLON with folded names, continuation lines and
 * # comments: src/util/dict.h). A value is a comma-separated list of
 * targets; a target may be quoted ("..." with \" and \\ escapes) to hold
 * commas or blanks. Target kinds, decided after unquoting:
 *   "|command"          ALIAS_TARGET_COMMAND, text is the command line
 *   "/path"             ALIAS_TARGET_FILE, text is the path (a path ending
 *                       in '/' is a Maildir; local decides)
 *   ":include:/path"    ALIAS_TARGET_INCLUDE, text is the absolute path
 *   "\user"             ALIAS_TARGET_ADDRESS with literal set: deliver to
 *                       the mailbox, never expand again (.forward idiom)
 *   anything else       ALIAS_TARGET_ADDRESS; its syntax is checked by
 *                       aliases_address_ok() (to be wired to address.h)
 * :include: and .forward files hold the same target lists, one or more per
 * line, with # comments and continuation lines.
 *
 * Expansion (aliases_expand): a name is looked up; its targets are
 * expanded in turn: an address without '@' that is itself an alias is
 * expanded (depth + 1), an :include: file is read and its targets expanded
 * (depth + 1); everything else is final. A visited set stops loops:
 *   - a name that lists itself ("alice: alice, archive") delivers to the
 *     mailbox: the self-reference becomes a final literal address;
 *   - a name or include file met again anywhere else is skipped (its
 *     targets are already in the list); duplicate final targets are dropped;
 *   - when that leaves nothing, the result is "5.4.6 alias loop";
 *   - deeper than depth_max: "5.4.6 alias nesting deeper than N";
 *   - more than targets_max final targets: "5.3.0 alias expansion ...";
 *   - an alias value that does not parse, or an :include: file that cannot
 *     be read or parsed: "4.3.0 ..." (the administrator can fix it; the
 *     message waits in the queue meanwhile).
 * An address with '@' is final even when its domain is local: local hands
 * it back to cleanup as a new recipient, which resolves it like any other.
 *
 * Permissions (aliases_check_delivery, what local enforces before it runs
 * a command or appends to a file). Every target carries the source it was
 * written in (the aliases file, an :include: file, a .forward file) with
 * the source's owner and mode, and the authority that source gives:
 *   ADMIN  the aliases file owned by root and not group/other writable, or
 *          a root-owned :include: reached only through ADMIN sources;
 *          commands and files run as default_privs (never root);
 *   USER u a .forward owned by its user u, or an :include: owned by u that
 *          is reached from ADMIN, or an :include: owned by u or root that
 *          is reached from USER u; commands and files run as u;
 *   NONE   anything else: an aliases file not owned by root, a .forward
 *          not owned by its user, an :include: owned by someone other than
 *          the user the chain runs as, any group- or world-writable file,
 *          any owner that could not be determined. Commands and files from
 *          a NONE source are refused ("5.7.1 ..."); addresses still work.
 * On top of that, allow_commands and allow_files (the configuration's
 * allow_mail_to_commands / allow_mail_to_files) switch the two kinds off
 * altogether, and allow_include switches :include: off (expansion then
 * fails with "5.7.1 :include: not allowed"). A process never runs a target
 * as root: default_privs 0 is refused as a configuration error.
 *
 * Limits (named for the configuration table): aliases_depth_max (20),
 * aliases_target_max (1000 final targets per expansion), aliases_include_
 * size_max (1 MiB per :include:/.forward file), and the dict limits of the
 * aliases file itself (line, name and value lengths).
 */
#ifndef ALIASES_H
#define ALIASES_H

#include <stddef.h>
#include <sys/types.h>

struct dict;
struct vstring;

enum alias_kind {
    ALIAS_TARGET_ADDRESS,
    ALIAS_TARGET_INCLUDE,
    ALIAS_TARGET_COMMAND,
    ALIAS_TARGET_FILE
};

enum alias_origin {
    ALIAS_ORIGIN_ALIASES,
    ALIAS_ORIGIN_INCLUDE,
    ALIAS_ORIGIN_FORWARD
};

enum alias_authority { ALIAS_AUTH_NONE, ALIAS_AUTH_ADMIN, ALIAS_AUTH_USER };

struct alias_source {
    enum alias_origin origin;
    char *path; /* the file the target was written in */
    int owner_known;
    uid_t owner;
    mode_t mode;
    enum alias_authority authority;
    uid_t auth_uid;       /* the user for ALIAS_AUTH_USER */
    const char *distrust; /* why NONE, a static string, or NULL */
};

struct alias_target {
    enum alias_kind kind;
    char *text;                 /* address, command (no '|'), or path */
    int literal;                /* "\user": the mailbox, no more expansion */
    struct alias_source source; /* where the target was written */
};

struct alias_list {
    struct alias_target *items;
    size_t count;
    size_t cap;
};

struct aliases_limits {
    size_t depth_max;        /* aliases_depth_max */
    size_t targets_max;      /* aliases_target_max */
    size_t include_size_max; /* aliases_include_size_max, bytes */
    int allow_include;
};

extern const struct aliases_limits aliases_default_limits;

struct alias_policy {
    int allow_commands; /* allow_mail_to_commands */
    int allow_files;    /* allow_mail_to_files */
    uid_t default_uid;  /* default_privs, must not be 0 */
};

void alias_list_init(struct alias_list *list);
void alias_list_free(struct alias_list *list);

/* Appends a copy of t (text and source path copied too). */
void alias_list_append(struct alias_list *list, const struct alias_target *t);

/*
 * Parses a target list (an alias value or one line of an :include: or
 * .forward file) and appends the targets, each with a copy of src.
 * Returns 0, or -1 with a reason in why (unbalanced quote, empty command,
 * relative :include: path, bad address, no targets, more than max_total
 * targets in the list). Pure: no I/O.
 */
int aliases_parse_targets(const char *text, size_t len,
                          const struct alias_source *src,
                          struct alias_list *out, size_t max_total,
                          struct vstring *why);

/* A plausible address target (to be replaced by address.h's parser). */
int aliases_address_ok(const char *addr);

/*
 * Opens the aliases file (regular file, dict limits NULL for defaults);
 * NULL with a reason on error. A dict, so dict_refresh() reloads it.
 */
struct dict *aliases_open(const char *path, struct vstring *why);

/* Checks that every value of the aliases file parses (newaliases -bi). */
int aliases_check(const struct dict *aliases, struct vstring *why);

/* The source description of a loaded aliases file (authority included);
 * src->path points into the dict. */
void aliases_source(const struct dict *aliases, struct alias_source *src);

/*
 * Reads an :include: file (parent is the source that named it) or a
 * .forward file (parent NULL, expected_uid its user) and appends its
 * targets. Returns 0 or -1 with a reason.
 */
int aliases_read_file(const char *path, enum alias_origin origin,
                      const struct alias_source *parent, uid_t expected_uid,
                      const struct aliases_limits *lim, struct alias_list *out,
                      struct vstring *why);

/*
 * Expands name through the aliases. Returns 1 with the final targets
 * appended to out, 0 when name is not an alias (deliver to the mailbox),
 * -1 with an RFC 3463 reason in why.
 */
int aliases_expand(const struct dict *aliases, const char *name,
                   const struct aliases_limits *lim, struct alias_list *out,
                   struct vstring *why);

/*
 * Expands a list read elsewhere (a .forward file) the same way. Returns 0
 * or -1 with a reason.
 */
int aliases_expand_list(const struct dict *aliases, const struct alias_list *in,
                        const struct aliases_limits *lim,
                        struct alias_list *out, struct vstring *why);

/*
 * May local deliver to t, and as whom? Returns 0 with *run_as set (for
 * commands and files), or -1 with a "5.7.1 ..." reason. Addresses and
 * includes always pass.
 */
int aliases_check_delivery(const struct alias_target *t,
                           const struct alias_policy *policy, uid_t *run_as,
                           struct vstring *why);

#endif
