/*
 * server_common.h - what every server skeleton does before and around the
 * service function: command line, configuration, logging, privileges, and
 * the status records to master (master_proto.h).
 *
 * A daemon normally does not call these: it calls single_server_main,
 * trigger_server_main or event_server_main, which call server_init first.
 * They are public so that the three skeletons share one implementation.
 *
 * Start-up order (server_init):
 *   1. options: -c DIR, -n SERVICE, -t TYPE, -o name=value (repeatable),
 *      -u, -r, -d, -v, -S (stand-alone: no master; see each skeleton);
 *      the arguments after the options go to the service function;
 *   2. configuration: mail_conf_read(mail_conf_find_dir(-c)) with the -o
 *      overrides; a bad configuration is fatal;
 *   3. logging: maillog_file, else syslog; -d adds stderr;
 *   4. hooks->pre_init (still privileged: open what needs privilege);
 *   5. chdir(queue_directory); when root: chroot there if -r, then drop to
 *      mail_owner (setgroups, setgid, setuid) if -u and mail_owner is set;
 *   6. hooks->post_init; then the skeleton reports MASTER_STAT_READY.
 *
 * Limits: max_use (requests before exit; 0 = no limit) and max_idle
 * (seconds without a request before exit; 0 = never) come from the
 * configuration and are kept in struct server_ctx.
 */
#ifndef SERVER_COMMON_H
#define SERVER_COMMON_H

/* Optional call-backs; any member may be NULL, and so may the struct. */
struct server_hooks {
    void (*pre_init)(const char *service, char **argv);
    void (*post_init)(const char *service, char **argv);
    void (*pre_exit)(const char *service); /* before a voluntary exit */
};

struct server_ctx {
    const char *service;   /* -n, else the program name */
    const char *type;      /* -t: "inet", "unix" or "fifo" */
    char **argv;           /* arguments after the options, NULL-ended */
    int standalone;        /* -S: not started by master */
    long max_use;
    long max_idle;
    const struct server_hooks *hooks;
};

/* Steps 1-6 above except the READY report; fills ctx. Fatal on errors. */
void server_init(int argc, char **argv, const struct server_hooks *hooks,
                 struct server_ctx *ctx);

/* Sends one status record to master; exits (0) if master stopped listening.
 * Does nothing in stand-alone mode. */
void server_report(const struct server_ctx *ctx, int status);

/*
 * Waits until fd is readable, at most timeout seconds (0 = no limit), while
 * watching MASTER_LIVE_FD. Returns 1 when fd is readable, 0 on timeout, -1
 * when master has gone away or retired this service.
 */
int server_wait(const struct server_ctx *ctx, int fd, long timeout);

/* Ends the process after hooks->pre_exit, logging why (verbose). */
void server_exit(const struct server_ctx *ctx, const char *why)
    __attribute__((noreturn));

#endif
