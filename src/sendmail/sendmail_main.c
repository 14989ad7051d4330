/*
 * sendmail_main.c - the sendmail(8) command (also mailq and newaliases by
 * argv[0]): the local user's way into Sluice.
 *
 * -bm (default): the records (sendmail_submit.h) go on a pipe into
 * $daemon_directory/gate, which commits them into maildrop/. sendmail
 * exits 0 only when the gate exited 0, that is, when the message is
 * committed (DESIGN.md section 3); otherwise the gate's sysexits code (or
 * EX_TEMPFAIL) with a line on stderr.
 * -bp / mailq: runs "$daemon_directory/sluice -c DIR list".
 * -q: runs "$daemon_directory/sluice -c DIR flush" (qmgr's private/
 * trigger is not reachable by an unprivileged user).
 * -bi / newaliases: checks the aliases file ($alias_maps) and reports.
 * -bs, -bv: not implemented (EX_UNAVAILABLE); -bd: use "sluice start".
 * The configuration directory is $SLUICE_CONFIG_DIR, else /etc/sluice.
 */
#include <errno.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <unistd.h>

#include "aliases.h"
#include "dict.h"
#include "msg.h"
#include "vstream.h"
#include "vstring.h"

#include "mail_conf.h"

#include "sendmail_args.h"
#include "sendmail_submit.h"

static const char *config_dir;

/* die - one line on stderr, then the exit code */
__attribute__((noreturn)) static void die(int code, const char *fmt,
                                          const char *arg)
{
    fprintf(stderr, "sendmail: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n");
    exit(code);
}

/* program - "$daemon_directory/name" */
static char *program(const char *name, struct vstring *buf)
{
    vstring_sprintf(buf, "%s/%s", mail_conf_str("daemon_directory"), name);
    return (char *)vstring_str(buf);
}

/* wait_child - its exit code, EX_TEMPFAIL when it did not exit */
static int wait_child(pid_t pid)
{
    int status;

    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return EX_OSERR;
    return WIFEXITED(status) ? WEXITSTATUS(status) : EX_TEMPFAIL;
}

/* run_admin - "sluice -c DIR <cmd>"; its exit code */
static int run_admin(const char *cmd)
{
    struct vstring *path = vstring_alloc(100);
    pid_t pid;
    int rc;

    fflush(stdout);
    if ((pid = fork()) < 0)
        die(EX_OSERR, "fork: %s", strerror(errno));
    if (pid == 0) {
        execl(program("sluice", path), "sluice", "-c", config_dir, cmd,
              (char *)0);
        fprintf(stderr, "sendmail: run %s: %s\n", vstring_str(path),
                strerror(errno));
        _exit(EX_UNAVAILABLE);
    }
    if ((rc = wait_child(pid)) != 0)
        fprintf(stderr, "sendmail: \"sluice %s\" failed (exit %d)\n", cmd, rc);
    vstring_free(path);
    return rc;
}

/* default_sender - "<login>@$myorigin" */
static const char *default_sender(struct vstring *buf)
{
    struct passwd *pw = getpwuid(getuid());

    if (pw == 0)
        die(EX_NOUSER, "who are you? (uid %s has no account)", "?");
    vstring_sprintf(buf, "%s@%s", pw->pw_name, mail_conf_str("myorigin"));
    return vstring_str(buf);
}

/* submit - records into the gate; exit code */
static int submit(const struct sendmail_args *args)
{
    struct vstring *why = vstring_alloc(100), *buf = vstring_alloc(100);
    struct vstream *in, *out;
    const char *sender = args->sender ? args->sender : default_sender(buf);
    int fds[2], rc, gate_rc;
    pid_t pid;

    if (pipe(fds) < 0)
        die(EX_OSERR, "pipe: %s", strerror(errno));
    if ((pid = fork()) < 0)
        die(EX_OSERR, "fork: %s", strerror(errno));
    if (pid == 0) {
        close(fds[1]);
        if (dup2(fds[0], 0) < 0)
            _exit(EX_OSERR);
        execl(program("gate", why), "gate", "-c", config_dir, (char *)0);
        fprintf(stderr, "sendmail: run %s: %s\n", vstring_str(why),
                strerror(errno));
        _exit(EX_UNAVAILABLE);
    }
    close(fds[0]);
    out = vstream_fdopen(fds[1], VSTREAM_WRITE);
    in = vstream_fdopen(0, VSTREAM_READ);
    if ((rc = sendmail_envelope(out, args, sender, why)) == 0)
        rc = sendmail_content(in, out, args->ignore_dots, why);
    /* on an error the gate sees input without 'E' and commits nothing */
    (void)vstream_close(out);
    vstream_release(in);
    gate_rc = wait_child(pid);
    if (rc != 0)
        die(rc, "%s", vstring_str(why));
    if (gate_rc != 0)
        die(gate_rc, "the message was not accepted (%s)",
            gate_rc == EX_TEMPFAIL ? "try again later" : "see the gate's error");
    vstring_free(why);
    vstring_free(buf);
    return 0;
}

/* newaliases - check the aliases file */
static int newaliases(void)
{
    const char *path = mail_conf_str("alias_maps");
    struct vstring *why = vstring_alloc(100);
    struct dict *d;

    if (*path == 0)
        die(EX_CONFIG, "%s", "no aliases file configured (alias_maps)");
    if ((d = aliases_open(path, why)) == 0)
        die(EX_CONFIG, "%s", vstring_str(why));
    if (aliases_check(d, why) < 0)
        die(EX_DATAERR, "%s", vstring_str(why));
    printf("%s: %zu aliases, OK (text table: nothing to rebuild)\n", path,
           dict_count(d));
    dict_free(d);
    vstring_free(why);
    return 0;
}

int main(int argc, char **argv)
{
    struct vstring *why = vstring_alloc(100);
    struct sendmail_args args;
    int rc = 0;

    signal(SIGPIPE, SIG_IGN);
    msg_init("sendmail", MSG_TO_STDERR);
    if (sendmail_args_parse(&args, argc, argv, why) != 0)
        die(EX_USAGE, "%s", vstring_str(why));
    config_dir = mail_conf_find_dir(0);
    if (mail_conf_read(config_dir, why) < 0)
        die(EX_CONFIG, "%s", vstring_str(why));
    switch (args.mode) {
    case SENDMAIL_MODE_DELIVER:
        rc = submit(&args);
        break;
    case SENDMAIL_MODE_LIST_QUEUE:
        rc = run_admin("list");
        break;
    case SENDMAIL_MODE_FLUSH:
        rc = run_admin("flush");
        break;
    case SENDMAIL_MODE_NEWALIASES:
        rc = newaliases();
        break;
    case SENDMAIL_MODE_DAEMON:
        die(EX_USAGE, "%s", "daemon mode: start the mail system with "
                            "\"sluice start\"");
    case SENDMAIL_MODE_SMTP:
    case SENDMAIL_MODE_VERIFY:
        die(EX_UNAVAILABLE, "%s", "-bs and -bv are not implemented yet");
    }
    sendmail_args_free(&args);
    vstring_free(why);
    return rc;
}
