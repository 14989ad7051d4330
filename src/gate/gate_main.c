/*
 * gate_main.c - the setgid gate: the one way a local user's message gets
 * into queue/maildrop (which only the gate's group may write).
 *
 * sendmail runs "gate [-c config_dir]" with the message as records on
 * stdin (gate_copy.h). The gate first makes its own process safe to run
 * with a privilege it was given by the file system, not by its caller:
 * descriptors 0-2 open (else /dev/null), every other descriptor closed,
 * the environment emptied, umask 077, and -c / SLUICE_CONFIG_DIR honoured
 * only when it runs without a group privilege (tests, make run). Then it
 * writes maildrop/<id>.part under the commit protocol (queue_file.h), and
 * exits 0 ONLY after the commit: the message is then pickup's.
 * Afterwards it writes one byte to public/pickup (nobody listening is
 * fine: pickup's periodic wakeup finds the file).
 *
 * Exit codes (sysexits.h), with one line on stderr: EX_USAGE bad command
 * line, EX_DATAERR malformed input, EX_IOERR input error, EX_TEMPFAIL the
 * queue could not take the file (try again later), EX_CONFIG bad config.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "fi_point.h"
#include "msg.h"
#include "mymalloc.h"
#include "vstream.h"
#include "vstring.h"

#include "mail_conf.h"
#include "mail_proto.h"
#include "mail_trigger.h"
#include "queue.h"
#include "queue_file.h"

#include "gate_copy.h"

/* sanitize - descriptors and environment fit for a privileged program */
static void sanitize(void)
{
    long max = sysconf(_SC_OPEN_MAX);
    int fd;

    for (fd = 0; fd < 3; fd++)
        if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) != fd)
            exit(EX_OSERR);
    if (max < 0 || max > 65536)
        max = 65536;
    for (fd = 3; fd < max; fd++)
        (void)close(fd);
    (void)clearenv();
    (void)setenv("PATH", "/usr/bin:/bin", 1);
    umask(077);
}

/* config_dir - -c or the environment only without privilege */
static const char *config_dir(int argc, char **argv, const char *env_dir)
{
    const char *dir = 0;
    int c;

    while ((c = getopt(argc, argv, "c:")) != -1) {
        if (c != 'c')
            msg_fatal("usage: gate [-c config_dir] < records");
        dir = optarg;
    }
    if (dir == 0)
        dir = env_dir;
    if (dir && getegid() != getgid() && strcmp(dir, MAIL_CONF_DEFAULT_DIR)) {
        fprintf(stderr, "gate: a setgid gate reads only %s\n",
                MAIL_CONF_DEFAULT_DIR);
        exit(EX_USAGE);
    }
    return mail_conf_find_dir(dir);
}

/* fail - one line on stderr and in the log, then exit */
static void fail(int code, const char *what)
{
    fprintf(stderr, "gate: %s\n", what);
    msg_warn("uid %ld: %s", (long)getuid(), what);
    exit(code);
}

/* Copied before sanitize() empties the environment; lives until exit. */
static char *env_dir;

int main(int argc, char **argv)
{
    const char *env = getenv(MAIL_CONF_ENV_DIR);

    struct vstring *why = vstring_alloc(100);
    struct gate_limits lim;
    struct queue_file *qf;
    struct vstream *in;
    const char *dir, *root;
    int rc;

    env_dir = env ? mystrdup(env) : 0;
    sanitize();
    msg_init("gate", 0);
    dir = config_dir(argc, argv, env_dir);
    if (mail_conf_read(dir, why) < 0)
        fail(EX_CONFIG, vstring_str(why));
    if (*mail_conf_str("maillog_file"))
        msg_set_logfile(mail_conf_str("maillog_file"));
    else
        msg_init("gate", MSG_TO_SYSLOG);
    root = mail_conf_str("queue_directory");
    lim.rcpt_max = (size_t)mail_conf_int("recipient_limit");
    lim.size_max = (size_t)mail_conf_int("message_size_limit");
    if ((qf = queue_file_create(root, QUEUE_MAILDROP, 0644, why)) == 0)
        fail(EX_TEMPFAIL, vstring_str(why));
    FI_POINT("gate.after_create");
    in = vstream_fdopen(0, VSTREAM_READ);
    if ((rc = gate_copy(in, qf, getuid(), &lim, why)) != 0) {
        queue_file_abort(qf);
        fail(rc, vstring_str(why));
    }
    FI_POINT("gate.before_commit");
    vstring_sprintf(why, "%s", queue_file_id(qf));
    if (queue_file_commit(qf, why) < 0)
        fail(EX_TEMPFAIL, vstring_str(why));
    FI_POINT("gate.after_commit");
    msg_info("%s: uid=%ld (maildrop)", vstring_str(why), (long)getuid());
    if (mail_trigger_send(root, MAIL_CLASS_PUBLIC, MAIL_SERVICE_PICKUP, "W", 1,
                          why) < 0 && msg_verbose)
        msg_info("pickup not woken: %s", vstring_str(why));
    vstream_release(in);
    exit(0);
}
