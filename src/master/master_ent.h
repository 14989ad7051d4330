/*
 * master_ent.h - the service table (master.cf): one line per service that
 * master runs.
 *
 *   # name        type  private unpriv chroot wakeup limit command + args
 *   $smtpd_listen inet  n       y      n      -      -     smtpd -v
 *   cleanup       unix  y       y      n      -      -     cleanup
 *   pickup        fifo  y       y      n      60     1     pickup
 *
 * Columns are separated by white space; '#' starts a comment line; a line
 * that starts with white space continues the previous one. "-" takes the
 * default: private y, unpriv y, chroot n, wakeup 0 (none), limit
 * $default_process_limit (0 = no limit). $parameters are expanded in the
 * name and the arguments (mail_conf.h), so the table can follow main.cf.
 *
 * Names: unix and fifo services are files in queue_directory/private or
 * /public (no '/'); an inet service is "host:port" or "port" (the host then
 * comes from inet_interfaces) and cannot be private or have a wakeup.
 *
 * Errors: master_ent_parse returns -1 and writes "file:line: reason" into why.
 */
#ifndef MASTER_ENT_H
#define MASTER_ENT_H

struct vstring;

enum master_type { MASTER_INET, MASTER_UNIX, MASTER_FIFO };

struct master_ent {
    char *name;         /* expanded */
    int type;           /* enum master_type */
    int private_;       /* socket under private/ (else public/) */
    int unpriv;         /* run as mail_owner */
    int chroot;         /* chroot into queue_directory */
    long wakeup;        /* seconds between wakeups, 0 = none */
    long limit;         /* process limit, 0 = none */
    char **argv;        /* command and arguments, expanded, NULL-ended */
    int line;           /* where it was defined */
};

struct master_table {
    struct master_ent *ents;
    int count;
};

/* Parses text (the content of filename) into table; 0, or -1 with why. */
int master_ent_parse(const char *text, const char *filename,
                     struct master_table *table, struct vstring *why);

/* Reads DIR/master.cf; 0, or -1 with why. */
int master_ent_read(const char *config_dir, struct master_table *table,
                    struct vstring *why);

void master_table_free(struct master_table *table);

/* 1 when two entries describe the same service in every column. */
int master_ent_same(const struct master_ent *a, const struct master_ent *b);

/* "inet", "unix" or "fifo". */
const char *master_type_name(int type);

#endif
