/*
 * mail_conf.h - the configuration every program reads: main.cf, the table of
 * defaults (mail_params.h) and command-line overrides (-o name=value).
 *
 * main.cf holds "name = value" lines. A line whose first non-blank byte is
 * '#' is a comment and a blank line is ignored; a line that starts with
 * white space continues the previous entry (joined with one space), so long
 * lists can be folded. '#' after a value is part of the value. White space
 * around the name and the value is dropped. A later entry for the same name
 * replaces an earlier one (with a warning).
 *
 * Values may refer to other parameters as $name or ${name}; "$$" is a dollar
 * sign. References are expanded when the configuration is loaded, recursively;
 * a loop ($a -> $b -> $a), a reference to an unknown name or a bare '$' makes
 * the load fail, so a lookup never fails on expansion.
 *
 * Precedence: -o override, then main.cf, then the table's default. Every
 * value remembers where it came from (mail_conf_origin) for "sluice config".
 * A name that is not in the table is accepted (it may be referenced) but
 * warned about: it is most often a typing error.
 *
 * Errors: mail_conf_read/mail_conf_load_text return -1 and write
 * "file:line: reason" into why; the previous configuration then stays in
 * force (which is how master survives a broken main.cf on SIGHUP). The typed
 * lookups end the process with msg_fatal when the value is malformed (a
 * broken environment); looking up a name that is neither in the table nor in
 * main.cf is a bug (msg_panic). Before any load, lookups see the defaults.
 */
#ifndef MAIL_CONF_H
#define MAIL_CONF_H

struct vstring;

#define MAIL_CONF_DEFAULT_DIR "/etc/sluice"
#define MAIL_CONF_ENV_DIR "SLUICE_CONFIG_DIR"
#define MAIL_CONF_FILE "main.cf"
#define MAIL_CONF_MAX_SIZE (1024 * 1024) /* bytes of main.cf we accept, and
                                          * of its values once expanded */

/* Where a value came from. */
enum mail_conf_source {
    MAIL_CONF_FROM_DEFAULT,
    MAIL_CONF_FROM_FILE,     /* main.cf, with a line number */
    MAIL_CONF_FROM_OVERRIDE, /* -o name=value */
    MAIL_CONF_FROM_COMMAND,  /* -c DIR (config_directory only) */
};

/* The configuration directory: opt_dir (from -c) when not NULL, else
 * $SLUICE_CONFIG_DIR when set and not empty, else /etc/sluice. */
const char *mail_conf_find_dir(const char *opt_dir);

/* Remembers "name=value" for every later load. -1 (why says) when there is
 * no '=' or the name is not a parameter name ([A-Za-z0-9_]+). */
int mail_conf_override(const char *assignment, struct vstring *why);
void mail_conf_clear_overrides(void);

/*
 * Reads DIR/main.cf and makes it the configuration, with config_directory
 * set to DIR. Returns the number of warnings (unknown names, repeated
 * entries; each was also logged with msg_warn), or -1 with why filled in.
 */
int mail_conf_read(const char *config_dir, struct vstring *why);

/* The same from text already in memory; filename is used in messages. */
int mail_conf_load_text(const char *text, const char *filename,
                        struct vstring *why);

/* Typed lookups of the expanded value. */
const char *mail_conf_str(const char *name);
long mail_conf_int(const char *name);
int mail_conf_bool(const char *name);          /* yes/no, true/false, 1/0 */
long mail_conf_time(const char *name);         /* seconds; units s m h d w */

/* Like mail_conf_str but NULL when the name is not known at all. */
const char *mail_conf_lookup(const char *name);

/* Expands $references in text against the current configuration into out;
 * -1 with why filled in on an unknown name or a malformed reference. */
int mail_conf_expand(const char *text, struct vstring *out, struct vstring *why);

/* Writes where name's value came from ("default", "main.cf:12", "-o",
 * "-c") into out; returns the source, or -1 for an unknown name. */
int mail_conf_origin(const char *name, struct vstring *out);

/* Calls fn for every parameter: the table's rows in order, then names found
 * only in main.cf or -o, in the order they were seen. */
typedef void (*mail_conf_walk_fn)(const char *name, const char *value,
                                  void *ctx);
void mail_conf_walk(mail_conf_walk_fn fn, void *ctx);

/* Forgets the loaded configuration (lookups see the defaults again) and
 * the overrides. For tests and for programs that read twice. */
void mail_conf_reset(void);

#endif
