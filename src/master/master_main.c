/*
 * master_main.c - the process that runs every other daemon (master.h).
 *
 * usage: master [-c config_dir] [-d] [-v] [-t]
 *   -d  log to stderr as well (foreground runs: "sluice start -f")
 *   -t  check main.cf and master.cf, print errors, exit
 *
 * Start-up: read the configuration, make the queue's service directories,
 * take the pid file lock (a second master refuses to start), open every
 * listener, then run the loop until SIGTERM.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "msg.h"
#include "mymalloc.h"
#include "vstring.h"

#include "mail_conf.h"
#include "mail_queue_setup.h"

#include "master.h"
#include "master_proto.h"

const char *master_config_dir;
int master_child_debug;

/* make_dir - queue_directory/sub, owned by mail_owner when root */
static void make_dir(const char *sub, int mode)
{
    struct vstring *path = vstring_alloc(100);

    vstring_sprintf(path, "%s%s%s", mail_conf_str("queue_directory"),
                    *sub ? "/" : "", sub);
    if (mkdir(vstring_str(path), (mode_t)mode) != 0 && errno != EEXIST)
        msg_fatal("mkdir %s: %s", vstring_str(path), strerror(errno));
    if (*sub)
        master_chown_owner(vstring_str(path));
    vstring_free(path);
}

/* lock_pid_file - refuse to run twice; the lock lives as long as we do */
static void lock_pid_file(void)
{
    struct vstring *path = vstring_alloc(100);
    struct flock lk;
    char buf[32];
    int fd, n;

    vstring_sprintf(path, "%s/%s", mail_conf_str("queue_directory"),
                    MASTER_PID_FILE);
    if ((fd = open(vstring_str(path), O_RDWR | O_CREAT | O_CLOEXEC, 0644)) < 0)
        msg_fatal("open %s: %s", vstring_str(path), strerror(errno));
    memset(&lk, 0, sizeof(lk));
    lk.l_type = F_WRLCK;
    lk.l_whence = SEEK_SET;
    if (fcntl(fd, F_SETLK, &lk) != 0) {
        if (fcntl(fd, F_GETLK, &lk) == 0 && lk.l_type != F_UNLCK)
            msg_fatal("master is already running (pid %ld)", (long)lk.l_pid);
        msg_fatal("lock %s: %s", vstring_str(path), strerror(errno));
    }
    n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) != 0 || write(fd, buf, (size_t)n) != n)
        msg_fatal("write %s: %s", vstring_str(path), strerror(errno));
    vstring_free(path);
    /* fd stays open: closing any descriptor of this file drops the lock */
}

/* reserve_fds - keep 0..MASTER_LISTEN_FD taken, so that no descriptor of
 * master's own (the log file) sits where a child's fixed ones go */
static void reserve_fds(void)
{
    int fd;

    while ((fd = open("/dev/null", O_RDWR)) >= 0 && fd <= MASTER_LISTEN_FD)
        ;
    if (fd < 0)
        msg_fatal("open /dev/null: %s", strerror(errno));
    close(fd);
}

/* setup_logging - maillog_file, else syslog; -d adds stderr */
static void setup_logging(const char *prog, int debug)
{
    const char *file = mail_conf_str("maillog_file");

    msg_init(prog, (debug ? MSG_TO_STDERR : 0) | (*file ? 0 : MSG_TO_SYSLOG));
    if (*file)
        msg_set_logfile(file);
}

/* absolute - the configuration directory as an absolute path */
static const char *absolute(const char *dir)
{
    char *real = realpath(dir, 0);

    if (real == 0)
        msg_fatal("configuration directory %s: %s", dir, strerror(errno));
    return real;
}

int main(int argc, char **argv)
{
    struct vstring *why = vstring_alloc(100);
    struct master_table table;
    const char *dir = 0;
    int c, debug = 0, check = 0;

    reserve_fds();
    msg_init(argv[0], MSG_TO_STDERR);
    while ((c = getopt(argc, argv, "c:dvt")) != -1) {
        switch (c) {
        case 'c': dir = optarg; break;
        case 'd': debug = 1; break;
        case 'v': msg_verbose++; break;
        case 't': check = 1; break;
        default:
            msg_fatal("usage: %s [-c config_dir] [-d] [-v] [-t]", argv[0]);
        }
    }
    master_config_dir = absolute(mail_conf_find_dir(dir));
    if (mail_conf_read(master_config_dir, why) < 0)
        msg_fatal("%s", vstring_str(why));
    if (master_ent_read(master_config_dir, &table, why) != 0)
        msg_fatal("%s", vstring_str(why));
    if (check)
        exit(0);
    setup_logging(argv[0], 1);  /* start-up errors also reach the terminal */
    if (geteuid() == 0 && *mail_conf_str("mail_owner") == 0)
        msg_warn("running as root with mail_owner empty: every daemon runs "
                 "as root");
    make_dir("", 0755);
    make_dir(MASTER_PID_DIR, 0755);
    make_dir(MASTER_PRIVATE_DIR, 0700);
    make_dir(MASTER_PUBLIC_DIR, 0755);
    lock_pid_file();
    /* The queue exists before any daemon or the gate needs it. */
    if (mail_queue_setup(why) < 0)
        msg_fatal("%s", vstring_str(why));
    setup_logging(argv[0], debug);
    master_serv_start_all(&table);
    master_table_free(&table);
    master_write_status_file();
    msg_info("daemon started, configuration %s", master_config_dir);
    master_loop();
    vstring_sprintf(why, "%s/%s", mail_conf_str("queue_directory"),
                    MASTER_STATUS_FILE);
    (void)unlink(vstring_str(why));
    vstring_free(why);
    return 0;
}
