/*
 * mail_params.c - the table of every configuration parameter (see
 * mail_params.h). Rows are grouped by the part of the pipeline that reads
 * them; helpers adding a daemon add their rows in a group of its own.
 */
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mail_params.h"

/* compute_hostname - the system's host name, fully qualified when known */
static const char *compute_hostname(void)
{
    static char name[256];

    if (name[0] == 0) {
        if (gethostname(name, sizeof(name) - 1) != 0 || name[0] == 0)
            snprintf(name, sizeof(name), "localhost");
        name[sizeof(name) - 1] = 0;
        if (strchr(name, '.') == 0)
            snprintf(name + strlen(name), sizeof(name) - strlen(name),
                     ".localdomain");
    }
    return name;
}

/* compute_domain - myhostname's default without its first label */
static const char *compute_domain(void)
{
    const char *host = compute_hostname();
    const char *dot = strchr(host, '.');

    return dot && dot[1] ? dot + 1 : "localdomain";
}

const struct mail_param mail_param_table[] = {
    /* Where things are. */
    {"config_directory", "/etc/sluice",
     "where main.cf and master.cf are (set by -c or SLUICE_CONFIG_DIR)", 0},
    {"queue_directory", "/var/spool/sluice",
     "the root of the queue: every daemon works inside it", 0},
    {"daemon_directory", "/usr/local/libexec/sluice",
     "where master finds the programs that master.cf names", 0},
    {"maillog_file", "", "log file for every program; empty means syslog", 0},

    /* Who runs. */
    {"mail_owner", "",
     "account the unprivileged daemons run as; empty = the user running master",
     0},
    {"setgid_group", "",
     "group of the setgid gate that writes queue/maildrop; empty = mail_owner's",
     0},

    /* Names and addresses. */
    {"myhostname", "(the system's host name)",
     "this host's fully qualified name", compute_hostname},
    {"mydomain", "(myhostname without its first label)",
     "this host's domain", compute_domain},
    {"myorigin", "$myhostname",
     "domain appended to local sender addresses", 0},
    {"mydestination", "$myhostname, localhost.$mydomain, localhost",
     "domains delivered on this machine", 0},
    {"inet_interfaces", "all",
     "addresses inet services listen on when master.cf names only a port "
     "(all, loopback-only or an address)", 0},
    {"smtpd_listen", "0.0.0.0:25",
     "address:port of the SMTP service (used as $smtpd_listen in master.cf)",
     0},
    {"mynetworks", "127.0.0.0/8 [::1]/128",
     "clients trusted to relay through this host", 0},

    /* master and the server skeletons. */
    {"max_use", "100",
     "requests a daemon serves before it exits and is replaced", 0},
    {"max_idle", "100s", "seconds a daemon waits for a request before it exits",
     0},
    {"default_process_limit", "100",
     "process limit of a master.cf service whose limit column is -", 0},
    {"service_throttle_time", "60s",
     "how long master stops starting a service whose process died at start",
     0},
    {"master_stop_timeout", "10s",
     "how long master waits for its children after SIGTERM", 0},

    /* Resource limits. */
    {"message_size_limit", "10240000",
     "largest message accepted, in bytes (0 = no limit)", 0},
    {"queue_minfree", "0",
     "free bytes the queue file system must keep; below, mail is refused "
     "with 452", 0},

    {0, 0, 0, 0},
};

/* mail_param_find - the table row for a name */
const struct mail_param *mail_param_find(const char *name)
{
    const struct mail_param *p;

    for (p = mail_param_table; p->name; p++)
        if (strcmp(p->name, name) == 0)
            return p;
    return 0;
}

/* mail_param_default - a row's default text */
const char *mail_param_default(const struct mail_param *param)
{
    return param->compute ? param->compute() : param->defval;
}
